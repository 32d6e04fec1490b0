"""Applications over REST: a confirmed sourcing stage puts its candidates in the project's
pipeline at "sourced"; a recruiter lists them (by stage) and moves one by hand."""

from __future__ import annotations

from pathlib import Path

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

pytestmark = pytest.mark.slow


def test_confirmed_sourcing_fills_the_pipeline_and_a_recruiter_moves_one(tmp_path: Path) -> None:
    with running_app(api_settings(tmp_path / "data")) as (client, app):
        dana = add_user(app, "Dana Weber", user_id="rec-demo")  # the demo pool is hers
        other = add_user(app, "Olga Other")
        admin = add_user(app, "Ada Admin", role="admin")
        project = new_project(client, dana)
        url = f"/api/projects/{project['id']}/applications"
        assert client.get(url, headers=dana).json() == []

        intake = wait_for(client, dana, start_intake(client, dana, project["id"]))
        assert intake["status"] == "awaiting_review", intake["error"]
        decided = client.post(
            f"/api/runs/{intake['id']}/decision", json={"action": "confirm"}, headers=dana
        )
        assert decided.status_code == 200, decided.text
        assert client.get(url, headers=dana).json() == []  # intake moves nobody

        sourcing = wait_for(client, dana, decided.json()["next_run_id"])
        assert sourcing["status"] == "awaiting_review", sourcing["error"]
        found = [c["candidate_id"] for c in sourcing["artifact"]["results"]["candidates"]]
        assert found
        confirmed = client.post(
            f"/api/runs/{sourcing['id']}/decision", json={"action": "confirm"}, headers=dana
        )
        assert confirmed.status_code == 200, confirmed.text
        screening_id = confirmed.json()["next_run_id"]
        stop = client.post(
            f"/api/runs/{screening_id}/decision", json={"action": "stop"}, headers=dana
        )
        assert stop.status_code in (200, 202), stop.text

        listed = client.get(url, headers=dana)
        assert listed.status_code == 200, listed.text
        applications = listed.json()
        assert sorted(a["candidate_id"] for a in applications) == sorted(set(found))
        for application in applications:
            assert application["stage"] == "sourced"
            assert application["project_id"] == project["id"]
            [entry] = application["history"]
            assert entry["stage"] == "sourced" and entry["actor"] == "rec-demo"
            assert sourcing["id"] in entry["why"] and entry["at"]
        by_stage = client.get(url, params={"stage": "sourced"}, headers=dana).json()
        assert len(by_stage) == len(applications)
        assert client.get(url, params={"stage": "hired"}, headers=dana).json() == []
        bad_filter = client.get(url, params={"stage": "promoted"}, headers=dana)
        assert bad_filter.status_code == 422

        # Move one by hand: the history says who and why, and the audit trail has it.
        first = applications[0]
        moved = client.patch(
            f"/api/applications/{first['id']}",
            json={"stage": "rejected", "reason": "no Kubernetes"},
            headers=dana,
        )
        assert moved.status_code == 200, moved.text
        body = moved.json()
        assert body["stage"] == "rejected" and body["candidate_id"] == first["candidate_id"]
        assert [h["stage"] for h in body["history"]] == ["sourced", "rejected"]
        assert body["history"][-1]["actor"] == "rec-demo"
        assert body["history"][-1]["why"] == "no Kubernetes"
        rejected = client.get(url, params={"stage": "rejected"}, headers=dana).json()
        assert [a["id"] for a in rejected] == [first["id"]]
        events = app.state.ctx.audit.records(project_id=project["id"])
        [audited] = [e for e in events if e["kind"] == "application_moved"]
        assert audited["actor"] == "rec-demo"

        # A stage that is not a pipeline stage is refused.
        bad = client.patch(
            f"/api/applications/{first['id']}", json={"stage": "promoted"}, headers=dana
        )
        assert bad.status_code == 422

        # Another recruiter sees nothing of it; an admin does.
        assert client.get(url, headers=other).status_code == 404
        hidden = client.patch(
            f"/api/applications/{first['id']}", json={"stage": "hired"}, headers=other
        )
        assert hidden.status_code == 404
        assert client.get(url, headers=admin).status_code == 200
        hired = client.patch(
            f"/api/applications/{first['id']}", json={"stage": "hired"}, headers=admin
        )
        assert hired.status_code == 200 and hired.json()["stage"] == "hired"
        wait_idle(app)
        assert app.state.ctx.audit.verify()["intact"] is True
