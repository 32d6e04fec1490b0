"""The hirecrew REST API: ``create_app()`` builds it; ``serve()`` runs it with uvicorn.

At start-up (the lifespan) the app opens its database (migrated to the current schema), one
``Runtime`` whose audit trail and flow persistence live in that database and whose observer
keeps the run rows in step, and its worker pool: the embedded thread pool, or Celery
(``HIRECREW_WORKER=celery``: jobs go to Redis, ``hirecrew worker`` processes run them). It
re-queues what a previous process left queued, and sweeps every ``heartbeat_s`` for runs whose
worker died (their heartbeat went stale). At shutdown the embedded pool finishes the stages in
progress and the database closes.

Every answer that is not a success is JSON ``{"detail": "<a message for a person>"}`` (plus
``errors`` for field-by-field problems); bad input is a 4xx, never a 500.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from config.errors import ConfigError
from config.settings import Settings, get_settings, quiet_environment
from domain.errors import DomainError, HirecrewError
from server.errors import ApiError
from server.limits import BodyLimit
from server.logs import RequestLog

log = logging.getLogger(__name__)

DEFAULT_WORKER_THREADS = 2


def create_app(
    settings: Settings | None = None, *, worker_threads: int = DEFAULT_WORKER_THREADS
) -> FastAPI:
    """The API for ``settings`` (default: the environment's), with ``worker_threads`` stage
    runs at a time in the embedded worker pool."""
    settings = settings or get_settings()
    quiet_environment(settings)  # before anything imports crewai or mem0

    from server.routes import (  # these import crewai (via crews.runner)
        applications,
        audit,
        candidates,
        config,
        crews,
        health,
        memories,
        metrics,
        outbox,
        projects,
        runs,
        ui,
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        ctx, background = await run_in_threadpool(_open, settings, worker_threads)
        app.state.ctx = ctx
        try:
            yield
        finally:
            await run_in_threadpool(_close, ctx, background)

    app = FastAPI(
        title="hirecrew",
        summary="A recruiting assistant: crews of agents, a compliance review and a human "
        "decision after every stage.",
        version=health.version_string(),
        openapi_url="/openapi.json",
        docs_url="/docs",
        redoc_url=None,
        lifespan=lifespan,
        # FastAPI's native OpenTelemetry: off, nothing here is meant to leave the machine.
        telemetry={
            "tracing": False,
            "metrics": False,
            "logs": False,
            "operation_spans": False,
            "auto_configure": False,
        },
    )
    app.add_middleware(
        BodyLimit,
        limit=settings.server.max_json_bytes,
        uploads=("/api/candidates",),
        upload_limit=settings.server.max_upload_bytes + candidates.FORM_OVERHEAD,
    )
    if settings.tracing.enabled:  # off: no provider, no middleware, nothing imported
        from server.tracing import TraceRequests
        from server.tracing import configure as configure_tracing

        tracing = configure_tracing(settings)
        if tracing is not None:
            app.add_middleware(TraceRequests, tracing=tracing)
    # Outermost: a request id for every line logged while serving, then one line per request.
    app.add_middleware(RequestLog)
    _install_error_handlers(app)
    app.include_router(health.router, prefix="/api")
    app.include_router(projects.router, prefix="/api")
    app.include_router(runs.router, prefix="/api")
    app.include_router(memories.router, prefix="/api")
    app.include_router(audit.router, prefix="/api")
    app.include_router(candidates.router, prefix="/api")
    app.include_router(applications.router, prefix="/api")
    app.include_router(config.router, prefix="/api")
    app.include_router(crews.router, prefix="/api")
    app.include_router(outbox.router, prefix="/api")
    app.include_router(metrics.router)  # GET /metrics (Prometheus), out of the OpenAPI schema
    # The web UI (static files; it talks only to the API above).
    ui.mount_ui(app)
    return app


def _open(settings: Settings, worker_threads: int) -> tuple[Any, Any]:
    """The app's context and its recovery sweeper (started)."""
    from server.context import AppContext
    from server.workers import (
        CeleryWorkerPool,
        Sweeper,
        ThreadWorkerPool,
        WorkerPool,
        open_job_host,
    )

    host = open_job_host(settings)
    try:
        pool: WorkerPool
        if settings.worker == "celery":
            # Stage runs go to Redis; `hirecrew worker` processes run them.
            pool = CeleryWorkerPool(settings.broker_url.get_secret_value(), settings.worker_queue)
        else:
            # Every job runs in a copy of the context the runtime was opened in.
            pool = ThreadWorkerPool(host.runner, threads=worker_threads, context=host.context)
    except BaseException:
        host.engine.dispose()
        raise
    ctx = AppContext(
        settings=settings,
        engine=host.engine,
        sessions=host.sessions,
        writes=host.writes,
        audit=host.audit,
        runtime=host.runtime,
        pool=pool,
        versions=host.versions,
    )
    for job in host.sweep(requeue=True):
        pool.submit(job)
    # Runs whose worker dies later (killed mid-stage) are noticed by their silent heartbeat.
    sweeper = Sweeper(host.sweep, settings.heartbeat_s, pool.submit)
    sweeper.start()
    background: list[Any] = [sweeper]
    if settings.mail.enabled:
        # Confirmed e-mails go out from here (and from any other server on the same database:
        # each message is claimed once).
        from server.outbox import Sender, deliver_due
        from server.runs import worker_id

        sender = Sender(
            lambda: deliver_due(host.engine, settings.mail, host.audit, worker=worker_id()),
            settings.mail.poll_s,
        )
        sender.start()
        background.append(sender)
    return ctx, background


def _close(ctx: Any, background: list[Any]) -> None:
    for thread in background:
        thread.stop()
    ctx.pool.shutdown()
    ctx.engine.dispose()


# --- errors --------------------------------------------------------------------------------


def _problem(status_code: int, detail: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"detail": detail, **extra}, status_code=status_code)


def _status_of(exc: HirecrewError) -> int:
    from crews.errors import GateError, RunNotFoundError
    from memory.base import MemoryNotFoundError

    if isinstance(exc, RunNotFoundError | MemoryNotFoundError):
        return status.HTTP_404_NOT_FOUND
    if isinstance(exc, GateError):
        return status.HTTP_409_CONFLICT
    if isinstance(exc, DomainError | ConfigError):
        return status.HTTP_422_UNPROCESSABLE_CONTENT
    return status.HTTP_503_SERVICE_UNAVAILABLE  # a model or a store that cannot be reached


def _where(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body",)]
    return ".".join(parts) or "body"


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(_request: Request, exc: ApiError) -> JSONResponse:
        issues = getattr(exc, "issues", None)
        if issues:
            return _problem(exc.status_code, exc.message, errors=[i.model_dump() for i in issues])
        return _problem(exc.status_code, exc.message)

    @app.exception_handler(HirecrewError)
    async def hirecrew_error(_request: Request, exc: HirecrewError) -> JSONResponse:
        return _problem(_status_of(exc), str(exc))

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"where": _where(e.get("loc", ())), "message": str(e.get("msg", "")), "type": e["type"]}
            for e in exc.errors()
        ]
        if any(e["type"] == "json_invalid" for e in errors):
            return _problem(
                status.HTTP_400_BAD_REQUEST,
                "malformed JSON: "
                + "; ".join(e["message"] for e in errors if e["type"] == "json_invalid"),
                errors=errors,
            )
        detail = "; ".join(f"{e['where']}: {e['message']}" for e in errors)
        return _problem(
            status.HTTP_422_UNPROCESSABLE_CONTENT, f"invalid request: {detail}", errors=errors
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        return JSONResponse({"detail": detail}, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(Exception)
    async def unexpected(_request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error", exc_info=exc)
        return _problem(
            status.HTTP_500_INTERNAL_SERVER_ERROR,
            f"internal error ({type(exc).__name__}); it was logged",
        )


def serve(
    settings: Settings,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: int = DEFAULT_WORKER_THREADS,
    access_log: bool = True,
) -> None:
    """Run the API with uvicorn until interrupted; ``workers`` stage runs at a time in the
    embedded pool (ignored with HIRECREW_WORKER=celery: the worker processes run them);
    logs as ``settings.log`` says (``server.logs``), with a line per request if
    ``access_log``."""
    import uvicorn

    from server.logs import configure_logging

    # uvicorn's loggers go through hirecrew's handler (JSON by default, secrets masked); the
    # request lines come from server.logs.RequestLog (route templates, ids), not uvicorn's.
    configure_logging(settings, access_log=access_log)
    uvicorn.run(
        create_app(settings, worker_threads=workers),
        host=host,
        port=port,
        log_config=None,
        log_level=settings.log.level,
        access_log=False,
    )
