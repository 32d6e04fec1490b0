"""The whole hiring pipeline over REST, crews running for real on the offline engine, on SQLite
and on PostgreSQL: start, follow (JSON and SSE), confirm, edit, reject, vote, stop."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.server.api_support import (
    add_user,
    api_settings,
    new_project,
    running_app,
    sse_events,
    start_intake,
    wait_for,
    wait_idle,
)

pytestmark = pytest.mark.slow


def test_a_project_goes_through_its_gates_over_rest(tmp_path: Path, db_url: str) -> None:
    with running_app(api_settings(tmp_path / "data", db_url)) as (client, app):
        dana = add_user(app, "Dana Weber", user_id="rec-demo")  # the demo pool is hers
        project = new_project(client, dana)
        assert project["status"] == "open" and project["flow_id"] is None
        intake_id = start_intake(client, dana, project["id"])

        # Only one run at a time, and only intake starts a flow.
        again = client.post(
            f"/api/projects/{project['id']}/runs", json={"stage": "intake"}, headers=dana
        )
        assert again.status_code == 409 and "intake" in again.json()["detail"]

        intake = wait_for(client, dana, intake_id)
        assert intake["status"] == "awaiting_review", intake["error"]
        # What the stage's models spent (the offline engine counts like a provider).
        assert intake["usage"]["total_tokens"] > 0 and intake["usage"]["calls"] > 0
        assert intake["fallback"] is None
        assert intake["stage"] == "intake" and intake["attempt"] == 1
        assert intake["artifact_kind"] == "reviewed"
        assert intake["artifact"]["title"] and intake["artifact"]["must_haves"]
        assert intake["review"]["verdict"] in ("pass", "warn")
        assert isinstance(intake["review"]["findings"], list)
        assert intake["actions"] == ["confirm", "edit", "reject", "stop"]
        assert intake["flow_id"]

        early = client.post(
            f"/api/projects/{project['id']}/runs", json={"stage": "sourcing"}, headers=dana
        )
        assert early.status_code == 409
        assert "intake" in early.json()["detail"] and intake_id in early.json()["detail"]

        # The stage's story as Server-Sent Events, ending once the run settled.
        events = sse_events(client, dana, intake_id)
        kinds = [e["event"] for e in events]
        assert kinds[0] == "stage_started" and kinds[-1] == "end"
        assert "crewai_event" in kinds and "stage_reviewed" in kinds
        assert events[-1]["data"]["status"] == "awaiting_review"
        seqs = [e["id"] for e in events if "id" in e]
        assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
        assert all(e["data"]["stage"] == "intake" for e in events[:-1])
        # Last-Event-ID resumes after that event.
        resumed = sse_events(client, dana, intake_id, **{"Last-Event-ID": str(seqs[-2])})
        assert [e.get("id") for e in resumed] == [seqs[-1], None]

        # A rejection needs a reason; an edit must validate for the stage.
        no_reason = client.post(
            f"/api/runs/{intake_id}/decision", json={"action": "reject"}, headers=dana
        )
        assert no_reason.status_code == 422 and "reason" in no_reason.json()["detail"]
        broken = client.post(
            f"/api/runs/{intake_id}/decision",
            json={"action": "edit", "artifact": {"title": ""}},
            headers=dana,
        )
        assert broken.status_code == 422 and "JobDescription" in broken.json()["detail"]

        # Edit: the recruiter's version is confirmed and the flow runs sourcing by itself.
        edited_jd = {**intake["artifact"], "nice_to_haves": intake["artifact"]["nice_to_haves"][1:]}
        edit = {"action": "edit", "artifact": edited_jd, "comment": "one nice-to-have is enough"}
        decided = client.post(f"/api/runs/{intake_id}/decision", json=edit, headers=dana)
        assert decided.status_code == 200, decided.text
        view = decided.json()
        assert view["status"] == "confirmed" and view["artifact_kind"] == "edited"
        assert view["artifact"]["nice_to_haves"] == edited_jd["nice_to_haves"]
        assert view["decision"]["action"] == "edit" and view["actions"] == []
        sourcing_id = view["next_run_id"]
        assert sourcing_id
        # The same decision again answers the same; a different one is refused.
        repeat = client.post(f"/api/runs/{intake_id}/decision", json=edit, headers=dana)
        assert repeat.status_code == 200 and repeat.json()["next_run_id"] == sourcing_id
        other = client.post(
            f"/api/runs/{intake_id}/decision", json={"action": "confirm"}, headers=dana
        )
        assert other.status_code == 409 and "already decided" in other.json()["detail"]

        # A stream opened while the run works follows it until it settles.
        live = sse_events(client, dana, sourcing_id)
        assert live[-1] == {
            "event": "end",
            "data": {"run_id": sourcing_id, "status": "awaiting_review"},
        }
        assert {e["data"]["stage"] for e in live[:-1]} == {"sourcing"}
        sourcing = wait_for(client, dana, sourcing_id)
        assert sourcing["status"] == "awaiting_review", sourcing["error"]
        assert sourcing["stage"] == "sourcing" and sourcing["attempt"] == 1
        candidates = sourcing["artifact"]["results"]["candidates"]
        assert candidates

        # Reject with a reason: the same stage runs again, as attempt 2, told why.
        reason = "Too many juniors: Kubernetes is a must-have."
        rejected = client.post(
            f"/api/runs/{sourcing_id}/decision",
            json={"action": "reject", "comment": reason},
            headers=dana,
        )
        assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
        retry_id = rejected.json()["next_run_id"]
        retry = wait_for(client, dana, retry_id)
        assert retry["status"] == "awaiting_review", retry["error"]
        assert retry["stage"] == "sourcing" and retry["attempt"] == 2
        # The rejection taught the recruiter's memory, and the retry recalled it.
        learned = client.get(f"/api/runs/{sourcing_id}", headers=dana).json()["memories_learned"]
        assert learned and set(learned) <= set(retry["memory_ids"])

        # Confirm with a vote on a candidate shown; a vote on someone not shown is refused.
        shown = retry["artifact"]["results"]["candidates"][0]["candidate_id"]
        unknown_vote = client.post(
            f"/api/runs/{retry_id}/decision",
            json={"action": "confirm", "votes": [{"candidate_id": "cand-nobody", "vote": "up"}]},
            headers=dana,
        )
        assert unknown_vote.status_code == 422 and "cand-nobody" in unknown_vote.json()["detail"]
        vote = {"candidate_id": shown, "vote": "down", "reason": "no Kubernetes experience"}
        confirmed = client.post(
            f"/api/runs/{retry_id}/decision",
            json={"action": "confirm", "votes": [vote]},
            headers=dana,
        )
        assert confirmed.status_code == 200 and confirmed.json()["artifact_kind"] == "confirmed"
        screening_id = confirmed.json()["next_run_id"]

        # Stop the screening stage while it is queued or running: 202, then it ends stopped.
        stop = client.post(
            f"/api/runs/{screening_id}/decision", json={"action": "stop"}, headers=dana
        )
        assert stop.status_code in (200, 202), stop.text
        repeat_stop = client.post(
            f"/api/runs/{screening_id}/decision", json={"action": "stop"}, headers=dana
        )
        # Idempotent: 202 while the stop is still being honoured, 200 once it is stopped.
        assert repeat_stop.status_code in (200, 202) and repeat_stop.json()["decision"]
        screening = wait_for(client, dana, screening_id)
        assert screening["status"] == "stopped"
        wait_idle(app)
        late = client.post(
            f"/api/runs/{screening_id}/decision", json={"action": "confirm"}, headers=dana
        )
        assert late.status_code == 409

        detail = client.get(f"/api/projects/{project['id']}", headers=dana).json()
        assert detail["status"] == "stopped"
        assert [(r["stage"], r["attempt"], r["status"]) for r in detail["runs"]] == [
            ("intake", 1, "confirmed"),
            ("sourcing", 1, "rejected"),
            ("sourcing", 2, "confirmed"),
            ("screening", 1, "stopped"),
        ]
        # The audit trail is whole.
        assert app.state.ctx.audit.verify()["intact"] is True


def test_a_restart_picks_up_what_was_queued_and_fails_what_was_cut_off(tmp_path: Path) -> None:
    from server.db.models import Project, Run

    settings = api_settings(tmp_path / "data")
    with running_app(settings) as (client, app):
        dana = add_user(app, "Dana Weber", user_id="rec-demo")
        queued = new_project(client, dana, title="Queued When It Stopped")
        cut = new_project(client, dana, title="Running When It Stopped")
        with app.state.ctx.writes() as session:  # as a server that died would leave them
            first = Run(project_id=queued["id"], stage="intake", attempt=1, status="queued")
            second = Run(project_id=cut["id"], stage="intake", attempt=1, status="running")
            session.add_all([first, second])
            session.get(Project, cut["id"]).flow_id = "flow-that-died"
            session.get(Project, cut["id"]).status = "active"
            session.commit()
            first_id, second_id = first.id, second.id
    with running_app(settings) as (client, app):
        picked_up = wait_for(client, dana, first_id)
        assert picked_up["status"] == "awaiting_review", picked_up["error"]
        failed = client.get(f"/api/runs/{second_id}", headers=dana).json()
        assert failed["status"] == "failed" and "interrupted" in failed["error"]
        assert failed["actions"] == []
        # A flow cut off mid-stage can start over.
        assert "intake" in client.get(f"/api/projects/{cut['id']}", headers=dana).json()["next"]
        assert start_intake(client, dana, cut["id"])
        wait_idle(app)


def test_a_job_that_fails_is_recorded_on_its_run(tmp_path: Path) -> None:
    from server.db.models import Run
    from server.workers import DecideJob

    with running_app(api_settings(tmp_path / "data")) as (client, app):
        erin = add_user(app, "Erin")
        project = new_project(client, erin)
        with app.state.ctx.writes() as session:
            run = Run(project_id=project["id"], stage="sourcing", attempt=1, status="queued")
            session.add(run)
            session.commit()
        app.state.ctx.pool.submit(
            DecideJob(
                run_id=run.id,
                project_id=project["id"],
                flow_id="no-such-flow",
                decision={"decision": "confirm"},
            )
        )
        wait_idle(app)
        view = client.get(f"/api/runs/{run.id}", headers=erin).json()
        assert view["status"] == "failed" and "no-such-flow" in view["error"]


def test_concurrent_decisions_on_one_run_apply_once(tmp_path: Path, db_url: str) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from server.db.models import Decision, Run

    with running_app(api_settings(tmp_path / "data", db_url)) as (client, app):
        fay = add_user(app, "Fay")
        project = new_project(client, fay)
        run_id = start_intake(client, fay, project["id"])
        assert wait_for(client, fay, run_id)["status"] == "awaiting_review"
        bodies = [{"action": "confirm"}] * 4 + [{"action": "reject", "comment": "try again"}] * 2

        def post(body: dict[str, str]) -> int:
            return client.post(f"/api/runs/{run_id}/decision", json=body, headers=fay).status_code

        with ThreadPoolExecutor(max_workers=6) as threads:
            codes = list(threads.map(post, bodies))
        # One kind of decision won; its repeats answered 200, the other kind 409.
        assert sorted(codes) in ([200] * 4 + [409] * 2, [200] * 2 + [409] * 4), codes
        with app.state.ctx.sessions() as session:
            assert session.query(Decision).filter_by(run_id=run_id).count() == 1
            assert session.query(Run).filter_by(project_id=project["id"]).count() == 2
        wait_idle(app)
