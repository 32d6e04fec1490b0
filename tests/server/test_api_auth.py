"""Who may call what: tokens, roles, and recruiters kept apart (404, never a hint)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
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


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    data_dir = tmp_path_factory.mktemp("api-auth") / "data"
    with running_app(api_settings(data_dir)) as (client, app):
        yield client, app, data_dir


def _routes(client: Any) -> list[tuple[str, str]]:
    """Every API operation the OpenAPI document lists, path parameters filled in."""
    paths = client.get("/openapi.json").json()["paths"]
    return [
        (method.upper(), re.sub(r"\{[^}]+\}", "x", path))
        for path, operations in paths.items()
        for method in operations
    ]


def test_healthz_needs_no_token(api: Any) -> None:
    client, _, _ = api
    answer = client.get("/api/healthz")
    assert answer.status_code == 200 and answer.json()["status"] == "ok"


def test_every_other_route_requires_a_valid_bearer_token(api: Any) -> None:
    client, _, _ = api
    routes = [r for r in _routes(client) if r[1] != "/api/healthz"]
    assert ("POST", "/api/runs/x/decision") in routes and ("GET", "/api/runs/x/events") in routes
    for method, path in routes:
        for headers in (
            {},
            {"Authorization": "Bearer hc_not-a-real-token"},
            {"Authorization": "Basic dXNlcjpwYXNz"},
        ):
            answer = client.request(method, path, headers=headers, json={})
            assert answer.status_code == 401, (method, path, headers, answer.text)
            assert answer.json()["detail"], (method, path)
            assert answer.headers["www-authenticate"] == "Bearer"


def test_a_disabled_user_is_refused(api: Any) -> None:
    client, app, _ = api
    headers = add_user(app, "Gone Soon")
    assert client.get("/api/projects", headers=headers).status_code == 200
    from server.auth import hash_token
    from server.db.models import User

    token = headers["Authorization"].split()[1]
    with app.state.ctx.writes() as session:
        user = session.query(User).filter_by(token_hash=hash_token(token)).one()
        user.disabled = True
        session.commit()
    assert client.get("/api/projects", headers=headers).status_code == 401


def test_editors_manage_configuration_not_projects(api: Any) -> None:
    client, app, _ = api
    editor = add_user(app, "Eddie Editor", role="editor")
    answer = client.get("/api/projects", headers=editor)
    assert answer.status_code == 403 and "editor" in answer.json()["detail"]


def _cli(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cli", *args, "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "HIRECREW_DATABASE__URL": ""},
        check=False,
    )


def test_users_create_prints_a_token_that_works(api: Any) -> None:
    client, _, data_dir = api
    made = _cli("users", "create", "Sam Recruiter", "--role", "recruiter", data_dir=data_dir)
    assert made.returncode == 0, made.stderr
    token = re.search(r"token: (\S+)", made.stdout)
    assert token and "shown only now" in made.stdout
    listed = client.get("/api/projects", headers={"Authorization": f"Bearer {token[1]}"})
    assert listed.status_code == 200 and listed.json() == []

    as_json = _cli(
        "users", "create", "Ada Admin", "--role", "admin", "--email", "ada@example.test",
        "--json", data_dir=data_dir,
    )  # fmt: skip
    assert as_json.returncode == 0, as_json.stderr
    row = json.loads(as_json.stdout)
    assert row["role"] == "admin" and row["email"] == "ada@example.test"
    assert row["token"] != token[1]
    assert (
        client.get("/api/projects", headers={"Authorization": f"Bearer {row['token']}"}).status_code
        == 200
    )
    # Only the hash is stored.
    from server.db.models import User

    with client.app.state.ctx.sessions() as session:  # type: ignore[attr-defined]
        stored = {u.token_hash for u in session.query(User)}
    assert row["token"] not in stored and token[1] not in stored

    bad = _cli("users", "create", "Nobody", "--role", "owner", data_dir=data_dir)
    assert bad.returncode == 2 and "--role" in bad.stderr and "Traceback" not in bad.stderr


def test_recruiters_see_only_their_own_projects_and_runs(tmp_path: Path, db_url: str) -> None:
    with running_app(api_settings(tmp_path / "data", db_url)) as (client, app):
        alice = add_user(app, "Alice")
        bob = add_user(app, "Bob")
        admin = add_user(app, "Root", role="admin")
        project = new_project(client, alice, title="Payroll Specialist")
        run_id = start_intake(client, alice, project["id"])
        run = wait_for(client, alice, run_id)
        assert run["status"] == "awaiting_review", run["error"]

        pid = project["id"]
        for method, path, body in [
            ("GET", f"/api/projects/{pid}", None),
            ("POST", f"/api/projects/{pid}/runs", {"stage": "intake"}),
            ("GET", f"/api/runs/{run_id}", None),
            ("GET", f"/api/runs/{run_id}/events", None),
            ("POST", f"/api/runs/{run_id}/decision", {"action": "confirm"}),
        ]:
            answer = client.request(method, path, headers=bob, json=body)
            assert answer.status_code == 404, (method, path, answer.text)
            assert "Payroll" not in answer.text
        assert client.get("/api/projects", headers=bob).json() == []
        assert [p["id"] for p in client.get("/api/projects", headers=alice).json()] == [pid]
        # Bob's attempt changed nothing; an admin sees everyone's projects.
        assert client.get(f"/api/runs/{run_id}", headers=alice).json()["status"] == (
            "awaiting_review"
        )
        assert pid in [p["id"] for p in client.get("/api/projects", headers=admin).json()]
        assert client.get(f"/api/runs/{run_id}", headers=admin).status_code == 200

        # Alice stops at the gate; the flow ends, and the project can start over.
        stopped = client.post(
            f"/api/runs/{run_id}/decision", json={"action": "stop"}, headers=alice
        )
        assert stopped.status_code == 200 and stopped.json()["status"] == "stopped"
        wait_idle(app)
        detail = client.get(f"/api/projects/{pid}", headers=alice).json()
        assert detail["status"] == "stopped" and "intake" in detail["next"]
        again = start_intake(client, alice, pid)
        halt = client.post(f"/api/runs/{again}/decision", json={"action": "stop"}, headers=alice)
        assert halt.status_code in (200, 202), halt.text
        assert wait_for(client, alice, again)["status"] == "stopped"
        wait_idle(app)
