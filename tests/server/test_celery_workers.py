"""Scale-out for real: a redis-server, Celery workers in processes of their own, PostgreSQL.

The API (a TestClient in this process, ``HIRECREW_WORKER=celery``) only queues jobs; a separate
``hirecrew worker`` process runs every stage. Then a worker is killed with SIGKILL in the middle
of a stage: the sweep notices its silent heartbeat, the stage's gate opens again (failed), a new
worker retries the stage on a reject, and nothing confirmed before is lost.

Redis comes from ``HIRECREW_TEST_REDIS_URL`` (CI's ``.ci/run`` starts one) or a ``redis-server``
started here on a free port in a temporary directory; when neither works, the tests fail and
say why. Each test uses a queue of its own, so a shared Redis carries nothing between tests.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from config.settings import Settings
from tests.server.api_support import (
    add_user,
    api_settings,
    new_project,
    running_app,
    start_intake,
    wait_for,
)

pytestmark = pytest.mark.slow

REDIS_ENV = "HIRECREW_TEST_REDIS_URL"
REPO = Path(__file__).resolve().parents[2]
HEARTBEAT_S = 0.5
STALE_S = 3.0


def _ping(url: str) -> str | None:
    """None when Redis answers at ``url``, else why not."""
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
        try:
            client.ping()
        finally:
            client.close()
    except redis.RedisError as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A running Redis: ``HIRECREW_TEST_REDIS_URL``, or a redis-server started for the session."""
    given = os.environ.get(REDIS_ENV)
    if given:
        problem = _ping(given)
        if problem:
            pytest.fail(f"{REDIS_ENV} is set but Redis does not answer there: {problem}")
        yield given
        return
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail(
            f"no Redis for the Celery tests: set {REDIS_ENV}, or install redis-server "
            "(apt-get install redis-server; .ci/run does)"
        )
    directory = tmp_path_factory.mktemp("redis")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    log = directory / "redis.log"
    server = subprocess.Popen(
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(directory),
            "--logfile",
            str(log),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    url = f"redis://127.0.0.1:{port}/0"
    try:
        deadline = time.monotonic() + 10
        while (problem := _ping(url)) is not None:
            if server.poll() is not None or time.monotonic() > deadline:
                detail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
                pytest.fail(f"redis-server did not start on port {port}: {problem}\n{detail}")
            time.sleep(0.05)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def celery_settings(data_dir: Path, db_url: str, redis: str) -> Settings:
    """The API's settings: stage runs go to a queue of this test's own."""
    return api_settings(data_dir, db_url).model_copy(
        update={
            "worker": "celery",
            "broker_url": SecretStr(redis),
            "worker_queue": f"hirecrew-test-{uuid.uuid4().hex[:10]}",
            "heartbeat_s": HEARTBEAT_S,
            "heartbeat_stale_s": STALE_S,
        }
    )


class Worker:
    """A ``hirecrew worker`` process on the API's settings; its output goes to ``log``."""

    def __init__(self, settings: Settings, log: Path) -> None:
        env = {
            **os.environ,
            "HIRECREW_DATA_DIR": str(settings.data_dir),
            "HIRECREW_DATABASE__URL": settings.database.url,
            "HIRECREW_WORKER": "celery",
            "HIRECREW_BROKER_URL": settings.broker_url.get_secret_value(),
            "HIRECREW_WORKER_QUEUE": settings.worker_queue,
            "HIRECREW_HEARTBEAT_S": str(settings.heartbeat_s),
            "HIRECREW_HEARTBEAT_STALE_S": str(settings.heartbeat_stale_s),
        }
        self.log = log
        self._output = log.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "cli", "worker", "--concurrency", "2"],
            cwd=REPO,
            env=env,
            stdout=self._output,
            stderr=subprocess.STDOUT,
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)
        self._output.close()


@contextmanager
def worker(settings: Settings, log: Path) -> Iterator[Worker]:
    """A worker for the block, killed at its end."""
    started = Worker(settings, log)
    try:
        yield started
    finally:
        started.kill()


def settled(client: Any, headers: Any, run_id: str, process: Worker) -> Any:
    """The run once settled; on a timeout, what the worker said."""
    try:
        return wait_for(client, headers, run_id, timeout=60)
    except AssertionError as exc:
        raise AssertionError(f"{exc}\n--- worker output ---\n{process.output()}") from exc


def run_row(app: Any, run_id: str) -> Any:
    from server.db.models import Run

    with app.state.ctx.sessions() as session:
        run = session.get(Run, run_id)
        session.expunge(run)
        return run


def test_a_celery_worker_process_runs_the_stages(
    tmp_path: Path, redis_url: str, new_postgres_database: Any
) -> None:
    from server.workers import CeleryWorkerPool

    settings = celery_settings(tmp_path / "data", new_postgres_database(), redis_url)
    # The worker first: it opens its runtime (seconds) while the API opens its own.
    with (
        worker(settings, tmp_path / "worker.log") as process,
        running_app(settings) as (client, app),
    ):
        assert isinstance(app.state.ctx.pool, CeleryWorkerPool)
        dana = add_user(app, "Dana Weber", user_id="rec-demo")
        project = new_project(client, dana)
        intake_id = start_intake(client, dana, project["id"])

        intake = settled(client, dana, intake_id, process)
        assert intake["status"] == "awaiting_review", intake["error"]
        assert intake["artifact"]["title"] and intake["actions"][0] == "confirm"
        # The worker process ran it, not this one.
        assert run_row(app, intake_id).worker.endswith(f":{process.pid}")

        confirmed = client.post(
            f"/api/runs/{intake_id}/decision", json={"action": "confirm"}, headers=dana
        )
        assert confirmed.status_code == 200, confirmed.text
        sourcing_id = confirmed.json()["next_run_id"]
        sourcing = settled(client, dana, sourcing_id, process)
        assert sourcing["status"] == "awaiting_review", sourcing["error"]
        assert sourcing["stage"] == "sourcing" and sourcing["artifact"]["results"]["candidates"]
        assert run_row(app, sourcing_id).worker.endswith(f":{process.pid}")
        assert app.state.ctx.audit.verify()["intact"] is True


def _kill_while_running(app: Any, run_id: str, process: Worker) -> bool:
    """SIGKILL the worker as soon as ``run_id`` runs; False when the stage settled first."""
    from server.db.models import Run

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with app.state.ctx.sessions() as session:
            status = session.get(Run, run_id).status
        if status == "running":
            process.kill()
            break
        if status not in ("queued", "running"):
            return False
        assert process.process.poll() is None, process.output()
        time.sleep(0.005)
    else:
        raise AssertionError(f"run {run_id} never ran\n{process.output()}")
    return run_row(app, run_id).status == "running"


def test_a_worker_killed_mid_stage_leaves_the_stage_retryable(
    tmp_path: Path, redis_url: str, new_postgres_database: Any
) -> None:
    settings = celery_settings(tmp_path / "data", new_postgres_database(), redis_url)
    first = Worker(settings, tmp_path / "worker-1.log")
    spares: list[Worker] = []
    try:
        with running_app(settings) as (client, app):
            dana = add_user(app, "Dana Weber", user_id="rec-demo")
            project = new_project(client, dana)
            try:
                intake_id = start_intake(client, dana, project["id"])
                intake = settled(client, dana, intake_id, first)
                assert intake["status"] == "awaiting_review", intake["error"]
                confirmed = client.post(
                    f"/api/runs/{intake_id}/decision", json={"action": "confirm"}, headers=dana
                )
                assert confirmed.status_code == 200, confirmed.text
                # Kill the worker while sourcing runs. The offline engine is quick: if the stage
                # settles before the kill lands, reject it and catch the next attempt.
                run_id, current = confirmed.json()["next_run_id"], first
                for _ in range(5):
                    if _kill_while_running(app, run_id, current):
                        break
                    if current.process.poll() is not None:  # killed a moment too late
                        current = Worker(settings, tmp_path / f"worker-spare-{len(spares)}.log")
                        spares.append(current)
                    view = settled(client, dana, run_id, current)
                    assert view["status"] == "awaiting_review", view["error"]
                    again = client.post(
                        f"/api/runs/{run_id}/decision",
                        json={"action": "reject", "comment": "once more, to be cut off"},
                        headers=dana,
                    )
                    assert again.status_code == 200, again.text
                    run_id = again.json()["next_run_id"]
                else:
                    raise AssertionError("the sourcing stage always settled before the kill")
            finally:
                for started in (first, *spares):
                    started.kill()  # no worker is left running
            killed_attempt = run_row(app, run_id).attempt

            # No worker is left. The API's sweep sees the heartbeat go stale and reopens the gate.
            deadline = time.monotonic() + STALE_S + 10
            while (view := client.get(f"/api/runs/{run_id}", headers=dana).json())[
                "status"
            ] == "running":
                assert time.monotonic() < deadline, "the killed run was never noticed"
                time.sleep(0.2)
            assert view["status"] == "failed", view
            assert "interrupted" in view["error"] and "reject" in view["error"], view["error"]
            assert view["actions"] == ["reject", "stop"]
            detail = client.get(f"/api/projects/{project['id']}", headers=dana).json()
            assert detail["status"] == "active" and run_id in detail["next"]

            # A new worker retries the stage from the confirmed intake.
            with worker(settings, tmp_path / "worker-2.log") as second:
                retried = client.post(
                    f"/api/runs/{run_id}/decision",
                    json={"action": "reject", "comment": "the worker died; run it again"},
                    headers=dana,
                )
                assert retried.status_code == 200, retried.text
                retry = settled(client, dana, retried.json()["next_run_id"], second)
                assert retry["status"] == "awaiting_review", retry["error"]
                assert retry["stage"] == "sourcing" and retry["attempt"] == killed_attempt + 1
                assert retry["artifact"]["results"]["candidates"]
                assert run_row(app, retry["id"]).worker.endswith(f":{second.pid}")

            # Nothing confirmed was lost: intake, its artifact and its decision; the trail is whole.
            intake_after = client.get(f"/api/runs/{intake_id}", headers=dana).json()
            assert intake_after["status"] == "confirmed"
            assert intake_after["artifact_kind"] == "confirmed"
            assert intake_after["artifact"] == intake["artifact"]
            assert intake_after["decision"]["action"] == "confirm"
            runs = client.get(f"/api/projects/{project['id']}", headers=dana).json()["runs"]
            assert runs[0] == {**runs[0], "stage": "intake", "attempt": 1, "status": "confirmed"}
            assert [(r["id"], r["status"]) for r in runs[-2:]] == [
                (run_id, "rejected"),  # the killed attempt, retried
                (retry["id"], "awaiting_review"),
            ]
            killed = client.get(f"/api/runs/{run_id}", headers=dana).json()
            assert "interrupted" in killed["error"] and killed["decision"]["action"] == "reject"
            assert app.state.ctx.audit.verify()["intact"] is True
    finally:
        for started in (first, *spares):
            started.kill()
