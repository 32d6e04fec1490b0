"""Bad input gets a 4xx with a message, never a 500; the OpenAPI document and docs are served."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
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


# --- Regressions: inputs that reached the database or a parser and answered 500 -------------


@pytest.fixture
def both(db_url: str, tmp_path: Any) -> Iterator[Any]:
    """An app on SQLite or PostgreSQL (PostgreSQL refuses NUL in text, overflows BIGINT)."""
    with running_app(api_settings(tmp_path / "data", db_url)) as (client, app):
        yield client, add_user(app, "Rex Regress"), add_user(app, "Eda Edit", role="editor")


def test_text_a_database_cannot_store_is_refused(both: Any) -> None:
    client, headers, _ = both
    json_headers = {**headers, "Content-Type": "application/json"}
    for body, words in [
        # NUL: PostgreSQL refuses it in a text column (DataError, was a 500).
        (b'{"title": "a\\u0000b", "intake_notes": "notes"}', "NUL"),
        (b'{"title": "T", "intake_notes": "n", "company": "\\u0000"}', "NUL"),
        # A lone surrogate parses as JSON but is not UTF-8: pydantic refuses it.
        (b'{"title": "\\ud800", "intake_notes": "notes"}', "title"),
        (b'{"title": "T", "intake_notes": "x\\udfff"}', "intake_notes"),
    ]:
        answer = client.post("/api/projects", content=body, headers=json_headers)
        assert answer.status_code == 422, answer.text
        assert words in answer.json()["detail"], answer.text
    candidate = client.post(
        "/api/candidates", json={"text": "Python engineer", "name": "A\x00B"}, headers=headers
    )
    assert candidate.status_code == 422 and "NUL" in candidate.json()["detail"], candidate.text
    memory = client.post("/api/memories", json={"text": "prefer\x00 Go"}, headers=headers)
    assert memory.status_code == 422 and "NUL" in memory.json()["detail"], memory.text
    query = client.get("/api/candidates", params={"q": "go\x00"}, headers=headers)
    assert query.status_code == 422 and "NUL" in query.json()["detail"], query.text


@pytest.mark.parametrize(
    "path",
    [
        "/api/projects/a%00b",  # NUL reached session.get (PostgreSQL: DataError, was a 500)
        "/api/projects/" + "p" * 65,  # longer than any id column
        "/api/projects/a%20b/runs",
        "/api/runs/%E2%9C%93",
        "/api/runs/x%00/events",
        "/api/candidates/cand-%00",
        "/api/audit?project_id=a%00b",
    ],
)
def test_ids_that_cannot_name_anything_are_refused(both: Any, path: str) -> None:
    client, headers, _ = both
    method = "POST" if path.endswith("/runs") else "GET"
    answer = client.request(method, path, headers=headers, json={"stage": "intake"})
    assert answer.status_code == 422, answer.text
    assert "invalid request" in answer.json()["detail"], answer.text


def test_numbers_past_a_bigint_are_refused(both: Any) -> None:
    client, headers, _ = both
    huge = str(2**64)
    # SQLite: OverflowError binding the number; PostgreSQL: out of range for BIGINT (500s).
    for path, params, extra in [
        ("/api/projects", {"offset": huge}, {}),
        ("/api/audit", {"after": huge}, {}),
        ("/api/runs/r1/events", {}, {"Last-Event-ID": huge}),
    ]:
        answer = client.get(path, params=params, headers={**headers, **extra})
        assert answer.status_code == 422, (path, answer.text)
        assert "less than or equal" in answer.json()["detail"], answer.text
    assert client.get("/api/projects", params={"offset": 2**63 - 1}, headers=headers).json() == []


def test_an_empty_yaml_value_is_an_invalid_file_not_a_500(both: Any) -> None:
    client, _, editor = both
    # config.loader re-parses a value on its own and let yaml's ParserError through (was a 500).
    for file in ("crews.yaml", "agents.yaml", "tasks.yaml"):
        answer = client.put(f"/api/config/{file}", json={"content": "data: "}, headers=editor)
        assert answer.status_code == 422, answer.text
        assert answer.json()["detail"] and answer.json()["errors"], answer.text
    check = client.post(
        "/api/config/validate", json={"files": {"crews.yaml": "x: "}}, headers=editor
    )
    assert check.status_code == 200 and check.json()["valid"] is False, check.text
    nul = client.put("/api/config/crews.yaml", json={"content": "a\x00"}, headers=editor)
    assert nul.status_code == 422 and "NUL" in nul.json()["detail"], nul.text


def test_uploads_with_odd_names_and_bytes(both: Any) -> None:
    client, headers, _ = both
    # A file name longer than the source column (1000), with a path and control characters
    # (PostgreSQL refused it: value too long for varchar(1000), was a 500): stored clipped.
    name = "../" + "n\x01" * 700 + ".txt"
    answer = client.post(
        "/api/candidates",
        files={"file": (name, b"Dana Diaz\nPython and PostgreSQL engineer in Berlin.")},
        headers=headers,
    )
    assert answer.status_code == 201, answer.text
    candidate_id = answer.json()["imported"][0]
    source = client.get(f"/api/candidates/{candidate_id}", headers=headers).json()["source"]
    assert source.endswith(".txt") and "\x01" not in source and len(source) <= 255
    # A raw NUL byte in the file name (a client that does not escape it): never a 500.
    raw = (
        b'--xyz\r\nContent-Disposition: form-data; name="file"; filename="a\x00b.txt"\r\n'
        b"Content-Type: text/plain\r\n\r\nEve Evans, Rust and Go engineer in Lisbon, 9 years.\r\n"
        b"--xyz--\r\n"
    )
    multipart = {**headers, "Content-Type": "multipart/form-data; boundary=xyz"}
    answer = client.post("/api/candidates", content=raw, headers=multipart)
    assert answer.status_code in (201, 400, 422), answer.text
    # Bytes that are not UTF-8 in a text resume: decoded leniently, never a 500.
    latin = client.post(
        "/api/candidates",
        files={"file": ("cv.txt", b"J\xf6rg M\xfcller\nGo and Kubernetes engineer \xff\xfe\x00")},
        headers=headers,
    )
    assert latin.status_code in (201, 422), latin.text
    assert latin.json()["detail" if latin.status_code == 422 else "imported"]
    # A multipart body that is not one: 400 with a message.
    broken = client.post(
        "/api/candidates",
        content=b'--xyz\r\nContent-Disposition: form-data; name="file"\r\n\r\nno end',
        headers={**headers, "Content-Type": "multipart/form-data; boundary=xyz"},
    )
    assert 400 <= broken.status_code < 500 and broken.json()["detail"], broken.text


def test_the_body_limits_are_the_server_settings(tmp_path: Path) -> None:
    from config.settings import ServerSettings

    settings = api_settings(tmp_path / "data").model_copy(
        update={"server": ServerSettings(max_json_bytes=2_000, max_upload_bytes=4_096)}
    )
    with running_app(settings) as (client, app):
        headers = add_user(app, "Erin")
        small = client.post(
            "/api/projects",
            json={"title": "Engineer", "intake_notes": "x" * 1_500},
            headers=headers,
        )
        assert small.status_code == 201, small.text
        big = client.post(
            "/api/projects",
            json={"title": "Engineer", "intake_notes": "x" * 2_500},
            headers=headers,
        )
        assert big.status_code == 413 and "2,000 bytes" in big.json()["detail"]
        resume = b"Site reliability engineer. Kubernetes, Terraform and Python at scale.\n" * 40
        assert 2_000 < len(resume) < 4_096
        fits = client.post(
            "/api/candidates", files={"file": ("cv.txt", resume, "text/plain")}, headers=headers
        )
        assert fits.status_code == 201, fits.text
        # Over the upload limit but under the form overhead the middleware allows: the
        # ingestion pipeline refuses it, with the configured limit.
        over = client.post(
            "/api/candidates",
            files={"file": ("cv2.txt", resume * 2, "text/plain")},
            headers=headers,
        )
        assert over.status_code == 422 and "the limit is 4" in over.json()["detail"], over.text
        far_over = client.post(
            "/api/candidates",
            files={"file": ("cv3.txt", b"a" * 200_000, "text/plain")},
            headers=headers,
        )
        assert far_over.status_code == 413
