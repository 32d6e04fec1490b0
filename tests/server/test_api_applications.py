"""Applications over REST: a confirmed sourcing stage puts its candidates in the project's
pipeline at "sourced"; a recruiter lists them (by stage) and moves one by hand."""

from __future__ import annotations

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


def _confirm(client: Any, headers: Any, run_id: str, **body: Any) -> Any:
    """Confirm (or decide otherwise) ``run_id`` and wait for the run it queues."""
    decided = client.post(
        f"/api/runs/{run_id}/decision", json={"action": "confirm", **body}, headers=headers
    )
    assert decided.status_code == 200, decided.text
    following = decided.json().get("next_run_id")
    return None if following is None else wait_for(client, headers, following)


def test_screening_and_outreach_move_their_candidates_forward_never_back(tmp_path: Path) -> None:
    with running_app(api_settings(tmp_path / "data")) as (client, app):
        dana = add_user(app, "Dana Weber", user_id="rec-demo")
        project = new_project(client, dana)
        url = f"/api/projects/{project['id']}/applications"
        intake = wait_for(client, dana, start_intake(client, dana, project["id"]))
        sourcing = _confirm(client, dana, intake["id"])
        assert sourcing["status"] == "awaiting_review", sourcing["error"]
        screening = _confirm(client, dana, sourcing["id"])
        assert screening["status"] == "awaiting_review", screening["error"]
        shortlisted = [c["candidate_id"] for c in screening["artifact"]["candidates"]]
        assert len(shortlisted) >= 2
        stages = {a["candidate_id"]: a for a in client.get(url, headers=dana).json()}
        assert all(stages[c]["stage"] == "sourced" for c in shortlisted)

        # The recruiter rejects one shortlisted candidate by hand before confirming.
        dropped = stages[shortlisted[-1]]
        moved = client.patch(
            f"/api/applications/{dropped['id']}",
            json={"stage": "rejected", "reason": "withdrew"},
            headers=dana,
        )
        assert moved.status_code == 200, moved.text

        outreach = _confirm(client, dana, screening["id"])
        assert outreach["status"] == "awaiting_review", outreach["error"]
        after_screening = {a["candidate_id"]: a for a in client.get(url, headers=dana).json()}
        for cid in shortlisted[:-1]:
            assert after_screening[cid]["stage"] == "shortlisted"
            assert [h["stage"] for h in after_screening[cid]["history"]] == [
                "sourced",
                "shortlisted",
            ]
        assert after_screening[dropped["candidate_id"]]["stage"] == "rejected"  # kept
        not_shortlisted = set(after_screening) - set(shortlisted)
        assert all(after_screening[c]["stage"] == "sourced" for c in not_shortlisted)

        contacted = [m["candidate_id"] for m in outreach["artifact"]["messages"]]
        assert contacted and set(contacted) <= set(shortlisted)
        assert _confirm(client, dana, outreach["id"]) is None  # the last stage
        wait_idle(app)
        final = {a["candidate_id"]: a for a in client.get(url, headers=dana).json()}
        for cid in contacted:
            if cid != dropped["candidate_id"]:
                assert final[cid]["stage"] == "contacted"
                assert final[cid]["history"][-1]["why"].startswith("outreach confirm")
        assert final[dropped["candidate_id"]]["stage"] == "rejected"
        by_stage = client.get(url, params={"stage": "contacted"}, headers=dana).json()
        assert {a["candidate_id"] for a in by_stage} == set(contacted) - {dropped["candidate_id"]}
        assert app.state.ctx.audit.verify()["intact"] is True

        # The server's trail tells each candidate's story too (`hirecrew audit explain
        # --database` reads the same table).
        from cli.explain import SERVER_KINDS
        from crews.explain import explain_candidate
        from server.admin import audit_records

        story = explain_candidate(
            audit_records(app.state.ctx.settings, SERVER_KINDS), dropped["candidate_id"]
        )
        [told] = story.runs
        assert [s.stage for s in told.steps][:2] == ["sourcing", "screening"]
        assert told.steps[1].decided_by == "rec-demo"
        assert story.moves[0]["to"] == "rejected" and story.moves[0]["reason"] == "withdrew"
