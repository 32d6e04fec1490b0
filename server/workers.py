"""Stage runs off the request path: the job contract and the embedded worker pool.

A request that starts or resumes a hiring flow commits its rows, then hands a **job** to a
``WorkerPool``. A job is plain data (a pydantic model that survives JSON), so a queue such as
Celery can carry it later; ``JobRunner`` is what executes one in any process that has a
``Runtime`` and a database. The embedded pool runs jobs on a thread pool in the server process.

A job never gets lost: whatever it raises is recorded on the project's active run rows as
``failed`` with the error, and a job that never ran (the server stopped first) leaves its run
``queued``, which :func:`server.runs.recover` picks up at the next start.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Annotated, Any, Literal, Protocol

from pydantic import BaseModel, Field, TypeAdapter

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
    """Where jobs go. The embedded pool runs them in this process; a queue-backed pool (Celery)
    would serialise them with ``job.model_dump_json()`` and run ``JobRunner`` in a worker."""

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


def run_coroutine(coroutine: Any) -> Any:
    """Run a coroutine to completion in this worker thread's own event loop."""
    return asyncio.run(coroutine)
