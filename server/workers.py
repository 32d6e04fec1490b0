"""Stage runs off the request path: the job contract and the embedded worker pool.

A request that starts or resumes a hiring flow commits its rows, then hands a **job** to a
``WorkerPool``. A job is plain data (a pydantic model that survives JSON), so a queue such as
Celery can carry it later; ``JobRunner`` is what executes one in any process that has a
``Runtime`` and a database. The embedded pool runs jobs on a thread pool in the server process;
``CeleryWorkerPool`` (``HIRECREW_WORKER=celery``) sends them to Redis for ``hirecrew worker``
processes, any number of them on any machine that shares the database and the data directory.

A job never gets lost: whatever it raises is recorded on the project's active run rows as
``failed`` with the error, and a job that never ran (the server stopped first) leaves its run
``queued``, which :func:`server.runs.recover` picks up at the next start. A worker that dies
mid-stage (killed, out of memory) stops renewing its run's heartbeat; the periodic sweep
(``Sweeper``) then fails the run at its reopened gate, where the recruiter retries it.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, Literal, Protocol

from pydantic import BaseModel, Field, TypeAdapter
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from config.settings import Settings, quiet_environment

if TYPE_CHECKING:
    from crews.flow import Runtime

log = logging.getLogger(__name__)


class StartJob(BaseModel):
    """Start a project's hiring flow: its first run (intake) is ``run_id``."""

    kind: Literal["start"] = "start"
    run_id: str
    project_id: str


class DecideJob(BaseModel):
    """Resume a flow paused at a gate with a decision taken on ``run_id``."""

    kind: Literal["decide"] = "decide"
    run_id: str
    project_id: str
    flow_id: str
    decision: dict[str, Any] = Field(description="a crews.decisions.GateDecision as JSON")


Job = Annotated[StartJob | DecideJob, Field(discriminator="kind")]
JOB_ADAPTER: TypeAdapter[StartJob | DecideJob] = TypeAdapter(Job)


class WorkerPool(Protocol):
    """Where jobs go. The embedded pool runs them in this process; the Celery pool serialises
    them with ``job.model_dump_json()`` for ``JobRunner`` to run in a worker process."""

    def submit(self, job: StartJob | DecideJob) -> None: ...

    def shutdown(self) -> None:
        """Stop taking jobs; jobs not started stay queued in the database."""
        ...


class ThreadWorkerPool:
    """The embedded pool: ``threads`` jobs at a time, each in its own event loop.

    Each job runs in a copy of ``context`` (the context variables the runtime was opened
    with, e.g. crewai's console suppression), so every job starts from the same settings.
    """

    def __init__(
        self,
        execute: Callable[[StartJob | DecideJob], None],
        *,
        threads: int = 2,
        context: contextvars.Context | None = None,
    ) -> None:
        self._execute = execute
        self._context = context or contextvars.copy_context()
        self._executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="hirecrew-run")
        self._lock = threading.Lock()
        self._futures: set[Future[None]] = set()
        self._closed = False

    def submit(self, job: StartJob | DecideJob) -> None:
        with self._lock:
            if self._closed:
                # Left queued in the database: the next start of the server picks it up.
                log.warning("worker pool is shut down; %s job for run %s", job.kind, job.run_id)
                return
            future = self._executor.submit(self._context.copy().run, self._execute, job)
            self._futures.add(future)
        future.add_done_callback(self._done)

    def _done(self, future: Future[None]) -> None:
        with self._lock:
            self._futures.discard(future)

    def idle(self) -> bool:
        """True when no job is queued or running (for tests and orderly shutdown)."""
        with self._lock:
            return not self._futures

    def shutdown(self) -> None:
        """Refuse new jobs, drop the ones not started (their runs stay queued) and wait for the
        running ones: a stage in progress finishes and reaches its gate."""
        with self._lock:
            self._closed = True
        self._executor.shutdown(wait=True, cancel_futures=True)


@dataclass
class JobHost:
    """What runs jobs in one process (an API server, a Celery worker): the database, the
    runtime (audit trail and flow persistence in that database, an observer that keeps the run
    rows in step) and the ``JobRunner``; ``context`` holds the context variables the runtime
    was opened with (crewai's console suppression): run each job in a copy of it."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    writes: sessionmaker[Session]
    audit: Any
    runtime: Runtime
    runner: Callable[[StartJob | DecideJob], None]
    context: contextvars.Context
    versions: Any  # server.config_versions.LiveConfig: the configuration versions

    def sweep(self, *, requeue: bool = False) -> list[StartJob | DecideJob]:
        """Recover the runs whose worker died; return the jobs to queue again (see
        ``server.runs.recover``)."""
        from server.runs import recover

        return recover(
            self.writes,
            self.runtime,
            stale_after_s=self.settings.heartbeat_stale_s,
            requeue=requeue,
            lost_after_s=self.settings.requeue_after_s,
        )


def _observer(settings: Settings, recorder: Any) -> Any:
    """The run recorder, traced (a span per stage) when ``HIRECREW_TRACING__ENABLED``."""
    if not settings.tracing.enabled:
        return recorder
    from server.tracing import configure

    tracing = configure(settings)
    return tracing.observe(recorder) if tracing is not None else recorder


def open_job_host(settings: Settings) -> JobHost:
    """Open the database (migrated to the current schema) and a runtime on it."""
    quiet_environment(settings)  # before anything imports crewai or mem0

    from crews.runner import open_runtime
    from server.audit_store import SqlAuditLog
    from server.config_versions import LiveConfig
    from server.context import write_sessions
    from server.db.engine import make_engine, session_factory
    from server.db.migrate import upgrade
    from server.flow_store import SqlFlowPersistence
    from server.logs import job_context, log_crewai_events
    from server.runs import JobRunner, RunRecorder

    engine = make_engine(settings.database_url)
    try:
        upgrade(engine)
        sessions = session_factory(engine)
        writes = write_sessions(engine)
        audit = SqlAuditLog(engine)
        # The newest configuration version (the first is recorded from the files on disk).
        versions = LiveConfig(settings=settings, sessions=sessions, writes=writes, audit=audit)
        version = versions.refresh()
        context = contextvars.copy_context()
        runtime = context.run(
            open_runtime,
            settings,
            config=versions.config_of(version),
            audit=audit,
            persistence=SqlFlowPersistence(engine),
            observer=_observer(settings, RunRecorder(sessions, writes)),
        )
        versions.bind(runtime)
        # Every line a job logs carries its run and project ids (server.logs).
        runner = job_context(
            JobRunner(runtime=runtime, writes=writes, settings=settings, versions=versions)
        )
        log_crewai_events()
    except BaseException:
        engine.dispose()
        raise
    return JobHost(
        settings=settings,
        engine=engine,
        sessions=sessions,
        writes=writes,
        audit=audit,
        runtime=runtime,
        runner=runner,
        context=context,
        versions=versions,
    )


class CeleryWorkerPool:
    """The scaled-out pool: each job goes to a Redis queue as JSON, and any ``hirecrew worker``
    process (``server.celery_app``) on the same database runs it with its own ``JobRunner``."""

    def __init__(self, broker_url: str, queue: str) -> None:
        from server.celery_app import make_celery

        self._app = make_celery(broker_url, queue)
        self._queue = queue

    def submit(self, job: StartJob | DecideJob) -> None:
        from server.celery_app import TASK_NAME

        try:
            self._app.send_task(
                TASK_NAME,
                args=[job.model_dump_json()],
                queue=self._queue,
                retry=True,
                retry_policy={"max_retries": 3, "interval_start": 0, "interval_step": 0.5},
            )
        except Exception:
            # Left queued in the database: the next start of a server queues it again.
            log.exception("could not queue the %s job for run %s", job.kind, job.run_id)

    def shutdown(self) -> None:
        """Nothing runs here: the jobs are the queue's; close the broker connections."""
        self._app.close()


class Sweeper:
    """Calls ``sweep`` every ``interval`` seconds on a daemon thread until stopped (the
    periodic recovery of runs whose worker died, in every server and worker process), and
    ``submit`` for each job it returns."""

    def __init__(
        self,
        sweep: Callable[[], list[StartJob | DecideJob]],
        interval: float,
        submit: Callable[[StartJob | DecideJob], None],
    ) -> None:
        self._sweep = sweep
        self._submit = submit
        self._interval = interval
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="hirecrew-sweeper", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()
        if self._thread.is_alive():
            self._thread.join(timeout=30)

    def _run(self) -> None:
        while not self._stopped.wait(self._interval):
            try:
                for job in self._sweep():
                    self._submit(job)
            except Exception:
                log.warning("the periodic recovery sweep failed", exc_info=True)


def run_coroutine(coroutine: Any) -> Any:
    """Run a coroutine to completion in this worker thread's own event loop."""
    return asyncio.run(coroutine)
