"""Celery workers for stage runs (``HIRECREW_WORKER=celery``).

Start one with ``hirecrew worker`` (or ``celery -A server.celery_app worker --pool threads``);
run as many as you like, on any machine that shares the database and the data directory.

The API sends each job (``server.workers.StartJob`` / ``DecideJob``, as JSON) to the Redis queue
``HIRECREW_WORKER_QUEUE``; a worker takes it and runs the same ``JobRunner`` as the embedded
pool, with a runtime of its own built from the worker's settings (``HIRECREW_*``): the same
database (runs, flow gates, the audit trail), the same data directory (recruiter memory, search
indexes, decision locks).

Jobs are acknowledged once done (``acks_late``): a job whose worker died before finishing it is
delivered again, and ``JobRunner`` makes a second delivery harmless (a start is claimed once, a
decision applies to its gate once). A stage cut off mid-way is not run again by itself: the
worker's heartbeat goes silent, and the sweep (every server and worker runs one) opens the
stage's gate again, failed, for the recruiter to retry.

Workers use the ``threads`` pool: one process per worker, so killing it stops its stages too
(the embedded pool runs jobs on threads the same way).
"""

from __future__ import annotations

import logging
import os
import threading
from typing import Any

from celery import Celery
from celery.signals import worker_ready, worker_shutdown

from config.settings import Settings, get_settings
from server.workers import JOB_ADAPTER, CeleryWorkerPool, JobHost, Sweeper, open_job_host

log = logging.getLogger(__name__)

TASK_NAME = "hirecrew.run_job"


def make_celery(broker_url: str, queue: str) -> Celery:
    """A Celery app on ``broker_url`` whose tasks go to ``queue`` (the API's client and the
    workers' app are configured alike)."""
    app = Celery("hirecrew", broker=broker_url, set_as_current=False)
    app.conf.update(
        task_default_queue=queue,
        task_serializer="json",
        accept_content=["json"],
        task_ignore_result=True,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
    )
    return app


_settings: Settings | None = None


def _current_settings() -> Settings:
    return _settings or get_settings()


app = make_celery(
    _current_settings().broker_url.get_secret_value(), _current_settings().worker_queue
)


class _Worker:
    """This process's job host and sweeper, opened once (again after a fork)."""

    def __init__(self, host: JobHost) -> None:
        self.pid = os.getpid()
        self.host = host
        # What the sweep recovers goes back to the queue, for whichever worker is free.
        self.queue = CeleryWorkerPool(
            host.settings.broker_url.get_secret_value(), host.settings.worker_queue
        )
        self.sweeper = Sweeper(host.sweep, host.settings.heartbeat_s, self.queue.submit)
        self.sweeper.start()

    def close(self) -> None:
        self.sweeper.stop()
        self.queue.shutdown()
        self.host.engine.dispose()


_lock = threading.Lock()
_worker: _Worker | None = None


def worker_host() -> JobHost:
    """The job host of this worker process."""
    global _worker
    with _lock:
        if _worker is None or _worker.pid != os.getpid():
            _worker = _Worker(open_job_host(_current_settings()))
        return _worker.host


@app.task(name=TASK_NAME)  # type: ignore[untyped-decorator]
def run_job(payload: str) -> None:
    """Run one job (a ``StartJob`` or ``DecideJob`` as JSON) to its next gate or end."""
    job = JOB_ADAPTER.validate_json(payload)
    host = worker_host()
    host.context.copy().run(host.runner, job)


@worker_ready.connect  # type: ignore[untyped-decorator]
def _ready(**_kwargs: Any) -> None:
    # Open the runtime before the first job (seconds: crewai, Mem0) and start sweeping.
    worker_host()
    log.info("hirecrew worker ready (pid %s)", os.getpid())


@worker_shutdown.connect  # type: ignore[untyped-decorator]
def _shutdown(**_kwargs: Any) -> None:
    global _worker
    with _lock:
        if _worker is not None and _worker.pid == os.getpid():
            _worker.close()
        _worker = None


def _keep_logging(**_kwargs: Any) -> None:
    """Celery's logging set-up, replaced by ``server.logs.configure_logging``."""


def run_worker(settings: Settings, *, concurrency: int = 2, loglevel: str = "info") -> None:
    """Run a Celery worker in this process until it is stopped: ``concurrency`` stages at a
    time, on ``settings`` (its database, data directory and queue)."""
    global _settings
    _settings = settings
    from celery.signals import setup_logging

    from server.logs import configure_logging

    level = loglevel.lower()
    if level in ("debug", "info", "warning", "error") and level != settings.log.level:
        settings = settings.model_copy(
            update={"log": settings.log.model_copy(update={"level": level})}
        )
    configure_logging(settings)
    # A receiver of setup_logging tells Celery to leave logging alone: its lines (and the
    # tasks') go through hirecrew's handler, JSON by default, secrets masked.
    setup_logging.connect(_keep_logging, weak=False)
    app.conf.update(
        broker_url=settings.broker_url.get_secret_value(),
        task_default_queue=settings.worker_queue,
        worker_redirect_stdouts=False,
    )
    app.worker_main(
        [
            "worker",
            "--pool=threads",
            f"--concurrency={concurrency}",
            f"--queues={settings.worker_queue}",
            f"--loglevel={loglevel}",
            # One process per worker; no chatter between workers (they share nothing but jobs).
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ]
    )
