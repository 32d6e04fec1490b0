"""Every state-changing API operation leaves an audit entry naming who did it (COMPLIANCE.md:
"every state-changing API path emits an event (coverage test over routes)"). A new POST, PUT,
PATCH or DELETE route fails this test until it is exercised here, and audited."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.custom_crews import EXAMPLE, REFERENCE_NOTES, example_config
from tests.server.api_support import add_user, api_settings, running_app, wait_idle

# Changes nothing: checks configuration files and answers.
READ_ONLY = {("POST", "/api/config/validate")}


def _actors_since(app: Any, seq: int) -> list[tuple[str, str | None]]:
    return [(e["kind"], e["actor"]) for e in app.state.ctx.audit.records(after_seq=seq)]


def _head(app: Any) -> int:
    records = app.state.ctx.audit.records()
    return int(records[-1]["seq"]) if records else 0


def test_every_state_changing_route_is_audited_with_its_actor(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from server.db.models import Application, OutboxMessage

    # The worked example's custom crew, so that POST /api/crews/{name}/runs has one to run.
    monkeypatch.syspath_prepend(str(EXAMPLE))
    config_dir = example_config(tmp_path / "config")
    settings = api_settings(tmp_path / "data").model_copy(update={"config_dir": config_dir})
    with running_app(settings) as (client, app):
        dana = add_user(app, "Dana Weber")
        editor = add_user(app, "Eddie Editor", role="editor")
        # From the OpenAPI schema: FastAPI 0.165 keeps included routers as ``_IncludedRouter``
        # entries in ``app.routes``, so walking APIRoutes there finds none of them.
        routes = {
            (method.upper(), path)
            for path, operations in app.openapi()["paths"].items()
            if path.startswith("/api")
            for method in operations
            if method.upper() in {"POST", "PUT", "PATCH", "DELETE"}
        } - READ_ONLY
        assert ("POST", "/api/projects") in routes  # the enumeration sees the API
        exercised: dict[tuple[str, str], str] = {}

        def audited(call: Any, key: tuple[str, str], kind: str) -> Any:
            before = _head(app)
            answer = call()
            assert answer.status_code < 300, (key, answer.status_code, answer.text)
            found = _actors_since(app, before)
            assert any(k == kind and actor for k, actor in found), (key, found)
            exercised[key] = kind
            return answer

        project = audited(
            lambda: client.post(
                "/api/projects", json={"title": "Engineer", "intake_notes": "Python"}, headers=dana
            ),
            ("POST", "/api/projects"),
            "project_created",
        ).json()
        run = audited(
            lambda: client.post(
                f"/api/projects/{project['id']}/runs", json={"stage": "intake"}, headers=dana
            ),
            ("POST", "/api/projects/{project_id}/runs"),
            "run_requested",
        ).json()
        audited(
            lambda: client.post(
                f"/api/runs/{run['run_id']}/decision", json={"action": "stop"}, headers=dana
            ),
            ("POST", "/api/runs/{run_id}/decision"),
            "decision_received",
        )
        wait_idle(app)
        imported = audited(
            lambda: client.post(
                "/api/candidates",
                json={"text": "Site reliability engineer: Kubernetes and Terraform since 2018."},
                headers=dana,
            ),
            ("POST", "/api/candidates"),
            "candidates_imported",
        ).json()
        [cid] = imported["imported"]
        audited(
            lambda: client.put(
                f"/api/candidates/{cid}/self-identification",
                json={"sex": "Female"},
                headers=dana,
            ),
            ("PUT", "/api/candidates/{candidate_id}/self-identification"),
            "self_identification_recorded",
        )
        with app.state.ctx.writes() as session:
            application = Application(
                project_id=project["id"], candidate_id=cid, stage="sourced", history=[]
            )
            session.add(application)
            session.commit()
            application_id = application.id
        audited(
            lambda: client.patch(
                f"/api/applications/{application_id}",
                json={"stage": "rejected", "reason": "withdrew"},
                headers=dana,
            ),
            ("PATCH", "/api/applications/{application_id}"),
            "application_moved",
        )
        moved = audited(
            lambda: client.post(
                f"/api/projects/{project['id']}/applications/move",
                json={"application_ids": [application_id], "stage": "sourced"},
                headers=dana,
            ),
            ("POST", "/api/projects/{project_id}/applications/move"),
            "applications_moved",
        ).json()
        assert [a["stage"] for a in moved["moved"]] == ["sourced"]
        with app.state.ctx.writes() as session:
            drafts = [
                OutboxMessage(
                    owner_id=project["owner_id"], project_id=project["id"], candidate_id=cid,
                    kind="rejection", dedupe_key=f"k{n}", to="p@mail.test", subject="s",
                    body="b", attachments=[], message_id=f"m{n}@hirecrew", status="draft",
                    attempts=0,
                )
                for n in range(2)
            ]  # fmt: skip
            session.add_all(drafts)
            session.commit()
            kept, dropped = (d.id for d in drafts)
        audited(
            lambda: client.patch(f"/api/outbox/{kept}", json={"body": "Thanks!"}, headers=dana),
            ("PATCH", "/api/outbox/{outbox_id}"),
            "outbox_edited",
        )
        audited(
            lambda: client.post(f"/api/outbox/{kept}/confirm", headers=dana),
            ("POST", "/api/outbox/{outbox_id}/confirm"),
            "outbox_confirmed",
        )
        audited(
            lambda: client.delete(f"/api/outbox/{dropped}", headers=dana),
            ("DELETE", "/api/outbox/{outbox_id}"),
            "outbox_discarded",
        )
        # An interview invite that went out, to move and to cancel.
        from datetime import UTC, datetime, timedelta

        from domain.artifacts import InterviewSlot
        from domain.scheduling import build_invite

        start = datetime(2030, 3, 4, 15, tzinfo=UTC)
        slot = InterviewSlot(candidate_id=cid, start=start, end=start + timedelta(hours=1),
                             interviewers=["ana@acme.test"])  # fmt: skip
        invite = build_invite(
            slot, title="Interview", organizer_email="dana@acme.test",
            attendee_emails=["p@mail.test", "ana@acme.test"], dtstamp=start,
        )  # fmt: skip
        with app.state.ctx.writes() as session:
            session.add(
                OutboxMessage(
                    owner_id=project["owner_id"], project_id=project["id"], candidate_id=cid,
                    kind="outreach", dedupe_key="sent-invite", to="p@mail.test", subject="s",
                    body="b", message_id="sent@hirecrew", status="sent", attempts=1,
                    attachments=[{"filename": invite.filename, "type": "text/calendar",
                                  "method": "REQUEST", "text": invite.ics}],
                )
            )  # fmt: skip
            session.commit()
        interview = f"/api/projects/{project['id']}/interviews/{cid}"
        audited(
            lambda: client.post(
                f"{interview}/reschedule",
                json={"start": (start + timedelta(days=1)).isoformat()},
                headers=dana,
            ),
            ("POST", "/api/projects/{project_id}/interviews/{candidate_id}/reschedule"),
            "interview_change_drafted",
        )
        audited(
            lambda: client.post(f"{interview}/cancel", json={}, headers=dana),
            ("POST", "/api/projects/{project_id}/interviews/{candidate_id}/cancel"),
            "interview_change_drafted",
        )
        audited(
            lambda: client.delete(f"/api/candidates/{cid}", headers=dana),
            ("DELETE", "/api/candidates/{candidate_id}"),
            "candidate_erased",
        )
        [memory] = audited(
            lambda: client.post(
                "/api/memories", json={"text": "Treat Terraform as a must-have."}, headers=dana
            ),
            ("POST", "/api/memories"),
            "memory_added",
        ).json()
        audited(
            lambda: client.patch(
                f"/api/memories/{memory['id']}",
                json={"text": "Treat Kubernetes as a must-have."},
                headers=dana,
            ),
            ("PATCH", "/api/memories/{memory_id}"),
            "memory_edited",
        )
        audited(
            lambda: client.delete(f"/api/memories/{memory['id']}", headers=dana),
            ("DELETE", "/api/memories/{memory_id}"),
            "memory_deleted",
        )
        audited(
            lambda: client.post(
                "/api/crews/reference_check/runs",
                json={"inputs": {"candidate_name": "Ann", "reference_notes": REFERENCE_NOTES}},
                headers=dana,
            ),
            ("POST", "/api/crews/{name}/runs"),
            "crew_run_started",
        )
        tasks = (config_dir / "tasks.yaml").read_text()
        audited(
            lambda: client.put("/api/config/tasks.yaml", json={"content": tasks}, headers=editor),
            ("PUT", "/api/config/{file}"),
            "config_changed",
        )
        audited(
            lambda: client.post(
                "/api/config/rollback", json={"version": 1, "message": "undo"}, headers=editor
            ),
            ("POST", "/api/config/rollback"),
            "config_rolled_back",
        )
        assert routes - set(exercised) == set(), "state-changing routes without an audit test"
        trail = app.state.ctx.audit.records()
        assert all(e["actor"] for e in trail if e["kind"] in exercised.values())
        assert app.state.ctx.audit.verify()["intact"] is True
