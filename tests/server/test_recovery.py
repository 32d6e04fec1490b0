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
