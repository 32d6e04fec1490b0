"""Recovery without a single-server assumption: heartbeats, the sweep, redelivered jobs.

(A worker really killed mid-stage is in test_celery_workers.py.)"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.server.api_support import (
    add_user,
    api_settings,
    new_project,
    running_app,
    start_intake,
    wait_for,
    wait_idle,
)


def _runs(app: Any, project_id: str, **rows: dict[str, Any]) -> dict[str, str]:
    from server.db.models import Project, Run

    ids = {}
    with app.state.ctx.writes() as session:
        session.get(Project, project_id).status = "active"
        for name, values in rows.items():
            run = Run(project_id=project_id, stage="intake", attempt=1, **values)
            session.add(run)
            session.flush()
            ids[name] = run.id
        session.commit()
    return ids


def _row(app: Any, run_id: str) -> Any:
    from server.db.models import Run

    with app.state.ctx.sessions() as session:
        run = session.get(Run, run_id)
        session.expunge(run)
        return run


def test_the_sweep_fails_only_runs_whose_heartbeat_went_stale(tmp_path: Path, db_url: str) -> None:
    from server.runs import Heartbeat, recover, worker_id

    settings = api_settings(tmp_path / "data", db_url)
    now = datetime.now(UTC)
    long_ago = now - timedelta(seconds=settings.heartbeat_stale_s + 5)
    with running_app(settings) as (client, app):
        erin = add_user(app, "Erin")
        alive, dead, mine = (new_project(client, erin, title=t)["id"] for t in "ABC")
        ids = _runs(
            app, alive, alive={"status": "running", "worker": "elsewhere:1", "heartbeat_at": now}
        )
        ids |= _runs(
            app, dead, dead={"status": "running", "worker": "gone:2", "heartbeat_at": long_ago}
        )
        ids |= _runs(
            app, mine, mine={"status": "running", "worker": worker_id(), "heartbeat_at": long_ago}
        )

        # This process's job for `mine` beats: its run is alive again; updated_at stays.
        before = _row(app, ids["mine"])
        Heartbeat(app.state.ctx.writes, mine, settings.heartbeat_s).beat()
        after = _row(app, ids["mine"])
        assert after.heartbeat_at > now and after.updated_at == before.updated_at

        ctx = app.state.ctx
        assert (
            recover(
                ctx.writes, ctx.runtime, stale_after_s=settings.heartbeat_stale_s, requeue=False
            )
            == []
        )
        assert _row(app, ids["alive"]).status == "running"  # another worker's, and alive
        assert _row(app, ids["mine"]).status == "running"
        gone = client.get(f"/api/runs/{ids['dead']}", headers=erin).json()
        assert (
            gone["status"] == "failed"
            and "interrupted" in gone["error"]
            and "gone:2" in gone["error"]
        )
        # No checkpoint of that stage to reopen (no flow at all): the project starts over.
        assert gone["actions"] == [] and "intake" in gone["error"]


@pytest.mark.slow
def test_a_redelivered_decision_is_applied_once(tmp_path: Path) -> None:
    from server.db.models import Run
    from server.workers import DecideJob

    with running_app(api_settings(tmp_path / "data")) as (client, app):
        dana = add_user(app, "Dana Weber", user_id="rec-demo")
        project = new_project(client, dana)
        intake_id = start_intake(client, dana, project["id"])
        assert wait_for(client, dana, intake_id)["status"] == "awaiting_review"
        confirmed = client.post(
            f"/api/runs/{intake_id}/decision", json={"action": "confirm"}, headers=dana
        )
        sourcing = wait_for(client, dana, confirmed.json()["next_run_id"])
        assert sourcing["status"] == "awaiting_review", sourcing["error"]
        # The queue delivers the confirm again (a worker died before acknowledging it).
        again = DecideJob(
            run_id=intake_id,
            project_id=project["id"],
            flow_id=sourcing["flow_id"],
            decision={"decision": "confirm", "stage": "intake", "attempt": 1, "actor": "rec-demo"},
        )
        app.state.ctx.pool.submit(again)
        wait_idle(app)
        after = client.get(f"/api/runs/{sourcing['id']}", headers=dana).json()
        assert after["status"] == "awaiting_review" and after["error"] is None
        with app.state.ctx.sessions() as session:
            assert session.query(Run).filter_by(project_id=project["id"]).count() == 2
        # Skipped as applied already: no failure recorded, no second decision in the trail.
        trail = [e["kind"] for e in app.state.ctx.audit.records(run_id=sourcing["flow_id"])]
        assert "worker_failed" not in trail and trail.count("human_decision") == 1
        assert app.state.ctx.audit.verify()["intact"] is True


def _quiet_sweeper(settings: Any) -> Any:
    """The app's own periodic sweep out of the way (every 5 minutes): these tests sweep."""
    return settings.model_copy(
        update={"heartbeat_s": 300.0, "heartbeat_stale_s": 60.0, "requeue_after_s": 600.0}
    )


class _Lost:
    """A worker pool whose jobs never run: the worker that took them is gone."""

    def __init__(self) -> None:
        self.jobs: list[Any] = []

    def submit(self, job: Any) -> None:
        self.jobs.append(job)


def _intake_confirmed_job_lost(
    client: Any, app: Any, headers: Any, project_id: str
) -> tuple[str, str, Any]:
    """Run intake to its gate, confirm it, and keep the decision's job from any worker:
    (the intake run, the run the confirm queued, the job)."""
    intake_id = start_intake(client, headers, project_id)
    assert wait_for(client, headers, intake_id)["status"] == "awaiting_review"
    ctx = app.state.ctx
    pool, ctx.pool = ctx.pool, _Lost()
    try:
        confirmed = client.post(
            f"/api/runs/{intake_id}/decision", json={"action": "confirm"}, headers=headers
        )
        assert confirmed.status_code == 200, confirmed.text
        (job,) = ctx.pool.jobs
    finally:
        ctx.pool = pool
    return intake_id, confirmed.json()["next_run_id"], job


@pytest.mark.slow
def test_a_decision_whose_worker_died_after_taking_the_gate_is_applied_again(
    tmp_path: Path,
) -> None:
    """The window between a worker taking a gate and the next stage's first checkpoint: the
    flow's saved state still stands at the gate, and the decision must not be lost (before,
    the run had to start over at intake)."""
    from server.db.models import Run
    from server.runs import recover

    settings = _quiet_sweeper(api_settings(tmp_path / "data"))
    with running_app(settings) as (client, app):
        dana = add_user(app, "Dana Weber", user_id="rec-demo")
        project = new_project(client, dana)
        intake_id, next_id, job = _intake_confirmed_job_lost(client, app, dana, project["id"])
        ctx = app.state.ctx

        # The worker that got the job took the next run and the gate, then died.
        persistence = ctx.runtime.persistence
        assert persistence.load_pending_feedback(job.flow_id) is not None
        persistence.clear_pending_feedback(job.flow_id)
        long_ago = datetime.now(UTC) - timedelta(seconds=settings.heartbeat_stale_s + 5)
        with ctx.writes() as session:
            row = session.get(Run, next_id)
            row.worker, row.heartbeat_at = "gone:7", long_ago
            session.commit()

        # While that worker still beat, the sweep left it alone.
        with ctx.writes() as session:
            session.get(Run, next_id).heartbeat_at = datetime.now(UTC)
            session.commit()
        sweep = {"stale_after_s": settings.heartbeat_stale_s, "requeue": False}
        assert recover(ctx.writes, ctx.runtime, **sweep) == []
        assert persistence.load_pending_feedback(job.flow_id) is None
        with ctx.writes() as session:
            session.get(Run, next_id).heartbeat_at = long_ago
            session.commit()

        # Silent now: the gate opens again and the kept decision is queued again.
        (again,) = recover(ctx.writes, ctx.runtime, **sweep)
        assert again.run_id == intake_id and again.decision["decision"] == "confirm"
        ctx.pool.submit(again)
        wait_idle(app)
        sourcing = wait_for(client, dana, next_id)
        assert sourcing["status"] == "awaiting_review", sourcing["error"]
        assert sourcing["stage"] == "sourcing"
        trail = [e["kind"] for e in ctx.audit.records(run_id=job.flow_id)]
        assert trail.count("human_decision") == 1 and "worker_failed" not in trail
        with ctx.sessions() as session:
            assert session.query(Run).filter_by(project_id=project["id"]).count() == 2


def test_a_job_lost_by_the_queue_is_queued_again_by_the_periodic_sweep(tmp_path: Path) -> None:
    from server.runs import recover

    settings = _quiet_sweeper(api_settings(tmp_path / "data"))
    with running_app(settings) as (client, app):
        erin = add_user(app, "Erin")
        project = new_project(client, erin)["id"]
        now = datetime.now(UTC)
        ids = _runs(app, project, waiting={"status": "queued"})
        ctx = app.state.ctx
        sweep = {"stale_after_s": settings.heartbeat_stale_s, "requeue": False}
        # Queued a moment ago: maybe still in the broker's queue; left alone.
        assert recover(ctx.writes, ctx.runtime, lost_after_s=600, **sweep) == []
        from server.db.models import Run

        with ctx.writes() as session:
            session.get(Run, ids["waiting"]).updated_at = now - timedelta(seconds=601)
            session.commit()
        (job,) = recover(ctx.writes, ctx.runtime, lost_after_s=600, **sweep)
        assert job.run_id == ids["waiting"] and job.kind == "start"
        # Queued again just now: not again on the next sweep.
        assert recover(ctx.writes, ctx.runtime, lost_after_s=600, **sweep) == []


@pytest.mark.slow
def test_a_stage_cut_off_after_its_checkpoint_reopens_failed_on_either_database(
    tmp_path: Path, db_url: str
) -> None:
    """The sweep reopens a dead stage's gate through the flow's persistence, which writes to
    the same database as the sweep: on SQLite that must happen outside the sweep's own write
    transaction, or the two wait for each other's lock."""
    from crews.flow import HiringState, StageStatus
    from crews.flow import RunStatus as FlowStatus
    from server.db.models import Run
    from server.runs import recover

    settings = _quiet_sweeper(api_settings(tmp_path / "data", db_url))
    with running_app(settings) as (client, app):
        dana = add_user(app, "Dana Weber", user_id="rec-demo")
        project = new_project(client, dana)
        _, next_id, job = _intake_confirmed_job_lost(client, app, dana, project["id"])
        ctx = app.state.ctx

        # A worker took the gate, saved the sourcing stage's first checkpoint (as the flow
        # does before any work) and was killed.
        persistence = ctx.runtime.persistence
        state = HiringState.model_validate(persistence.load_pending_feedback(job.flow_id)[0])
        persistence.clear_pending_feedback(job.flow_id)
        state.stages["intake"].status = StageStatus.CONFIRMED
        state.current_stage = "sourcing"
        state.stages["sourcing"].attempts = 1
        state.status = FlowStatus.RUNNING
        persistence.save_state(job.flow_id, "run_sourcing", state)
        long_ago = datetime.now(UTC) - timedelta(seconds=settings.heartbeat_stale_s + 5)
        with ctx.writes() as session:
            row = session.get(Run, next_id)
            row.status, row.attempt, row.worker, row.heartbeat_at = (
                "running",
                1,
                "gone:9",
                long_ago,
            )
            session.commit()

        sweep = {"stale_after_s": settings.heartbeat_stale_s, "requeue": False}
        assert recover(ctx.writes, ctx.runtime, **sweep) == []
        cut = client.get(f"/api/runs/{next_id}", headers=dana).json()
        assert cut["status"] == "failed" and "gone:9" in cut["error"]
        assert "reject this run to retry the sourcing stage" in cut["error"]
        assert "reject" in cut["actions"]
        # Retried: the stage runs again from the confirmed intake.
        retried = client.post(
            f"/api/runs/{next_id}/decision",
            json={"action": "reject", "comment": "worker died"},
            headers=dana,
        )
        assert retried.status_code == 200, retried.text
        again = wait_for(client, dana, retried.json()["next_run_id"])
        assert again["status"] == "awaiting_review" and again["stage"] == "sourcing"
