"""Bad input gets a 4xx with a message, never a 500; the OpenAPI document and docs are served."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.server.api_support import add_user, api_settings, new_project, running_app


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with running_app(api_settings(tmp_path_factory.mktemp("api-inputs") / "data")) as (
        client,
        app,
    ):
        yield client, app, add_user(app, "Ines Input")


def _queued_run(app: Any, project_id: str) -> str:
    """A run row left queued (no job behind it): a run that does not wait for a decision."""
    from server.db.models import Run

    with app.state.ctx.writes() as session:
        run = Run(project_id=project_id, stage="intake", attempt=1, status="queued")
        session.add(run)
        session.commit()
        return run.id


def test_openapi_and_docs_are_served(api: Any) -> None:
    client, _, _ = api
    schema = client.get("/openapi.json").json()
    for path in (
        "/api/healthz",
        "/api/projects",
        "/api/projects/{project_id}",
        "/api/projects/{project_id}/runs",
        "/api/runs/{run_id}",
        "/api/runs/{run_id}/decision",
        "/api/runs/{run_id}/events",
    ):
        assert path in schema["paths"], path
    assert "HTTPBearer" in schema["components"]["securitySchemes"]
    assert client.get("/docs").status_code == 200


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        (b'{"title": "x", "intake_notes": ', 400, "malformed JSON"),
        (b"not json at all", 400, "malformed JSON"),
        (b'{"title": 123, "intake_notes": "notes"}', 422, "title"),
        (b'{"title": "Engineer", "intake_notes": ["a", "b"]}', 422, "intake_notes"),
        (b'{"title": "Engineer"}', 422, "intake_notes"),
        (b'{"title": "", "intake_notes": "notes"}', 422, "title"),
        (b'{"title": "Engineer", "intake_notes": "n", "owner_id": "someone"}', 422, "owner_id"),
        (b"null", 422, "invalid request"),
        (b"[]", 422, "invalid request"),
        (b"", 422, "invalid request"),
    ],
)
def test_bad_project_bodies(api: Any, body: bytes, status: int, words: str) -> None:
    client, _, headers = api
    answer = client.post(
        "/api/projects",
        content=body,
        headers={**headers, "Content-Type": "application/json"},
    )
    assert answer.status_code == status, answer.text
    assert words in answer.json()["detail"]


def test_an_oversized_body_is_refused_before_it_is_read(api: Any) -> None:
    client, _, headers = api
    notes = "x" * 1_200_000
    answer = client.post(
        "/api/projects", json={"title": "Engineer", "intake_notes": notes}, headers=headers
    )
    assert answer.status_code == 413 and "too large" in answer.json()["detail"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        yield b'{"title": "Engineer", "intake_notes": "'
        for _ in range(30):
            yield b"y" * 50_000
        yield b'"}'

    chunked = client.post(
        "/api/projects",
        content=chunks(),
        headers={**headers, "Content-Type": "application/json"},
    )
    assert chunked.status_code == 413, chunked.text


def test_bad_runs_and_decisions(api: Any) -> None:
    client, app, headers = api
    project = new_project(client, headers)
    pid = project["id"]
    for body, words in [
        ({"stage": "interviewing"}, "stage"),
        ({}, "stage"),
        ({"stage": 3}, "stage"),
    ]:
        answer = client.post(f"/api/projects/{pid}/runs", json=body, headers=headers)
        assert answer.status_code == 422 and words in answer.json()["detail"], answer.text
    later = client.post(f"/api/projects/{pid}/runs", json={"stage": "screening"}, headers=headers)
    assert later.status_code == 409 and "intake" in later.json()["detail"]
    assert (
        client.post(
            "/api/projects/nope/runs", json={"stage": "intake"}, headers=headers
        ).status_code
        == 404
    )
    assert client.get("/api/runs/nope", headers=headers).status_code == 404
    assert (
        client.post(
            "/api/runs/nope/decision", json={"action": "confirm"}, headers=headers
        ).status_code
        == 404
    )

    run_id = _queued_run(app, pid)
    for body, words in [
        ({"action": "approve"}, "action"),
        ({"action": "confirm", "votes": "all good"}, "votes"),
        ({"action": "confirm", "votes": [{"candidate_id": "c-1", "vote": "sideways"}]}, "vote"),
        ({"action": "confirm", "comment": "x" * 3000}, "comment"),
        ({"action": "edit", "artifact": "not an object"}, "artifact"),
    ]:
        answer = client.post(f"/api/runs/{run_id}/decision", json=body, headers=headers)
        assert answer.status_code == 422 and words in answer.json()["detail"], answer.text
    # A run that does not wait for review: only stop is possible (202: requested).
    confirm = client.post(
        f"/api/runs/{run_id}/decision", json={"action": "confirm"}, headers=headers
    )
    assert confirm.status_code == 409 and "only stop" in confirm.json()["detail"]
    stop = client.post(f"/api/runs/{run_id}/decision", json={"action": "stop"}, headers=headers)
    assert stop.status_code == 202 and stop.json()["stop_requested"] is True
    again = client.post(f"/api/runs/{run_id}/decision", json={"action": "stop"}, headers=headers)
    assert again.status_code == 202 and again.json() == stop.json()
    other = client.post(f"/api/runs/{run_id}/decision", json={"action": "confirm"}, headers=headers)
    assert other.status_code == 409

    events = client.get(
        f"/api/runs/{run_id}/events", headers={**headers, "Last-Event-ID": "yesterday"}
    )
    assert events.status_code == 422 and "last-event-id" in events.json()["detail"].lower()


def test_unknown_routes_and_methods_answer_json(api: Any) -> None:
    client, _, headers = api
    missing = client.get("/api/nothing-here", headers=headers)
    assert missing.status_code == 404 and missing.json()["detail"]
    wrong = client.delete("/api/projects", headers=headers)
    assert wrong.status_code == 405 and wrong.json()["detail"]
    query = client.get("/api/projects?limit=lots", headers=headers)
    assert query.status_code == 422 and "limit" in query.json()["detail"]


def test_the_api_names_the_flows_stages() -> None:
    from typing import get_args

    from crews.stages import STAGE_NAMES
    from server.schemas import StageName

    assert list(get_args(StageName)) == list(STAGE_NAMES)
