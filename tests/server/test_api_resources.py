"""Memories, candidates, the audit trail and the role configuration over REST: each scoped to
its owner (404 for anyone else), configuration changed only by editors and only when valid."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from config import DEFAULT_CONFIG_DIR
from tests.server.api_support import (
    add_user,
    api_settings,
    new_project,
    running_app,
    start_intake,
    wait_for,
    wait_idle,
)

RESUME = """Jordan Lee
Senior Backend Engineer, Berlin
Skills: Python, PostgreSQL, Kubernetes, Terraform
Experience
2017 - 2024  Backend Engineer at Fintech GmbH: built payment services in Python on Kubernetes,
ran PostgreSQL in production, mentored three engineers.
"""


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    data_dir = tmp_path_factory.mktemp("api-resources") / "data"
    with running_app(api_settings(data_dir)) as (client, app):
        yield client, app, data_dir


def test_memories_are_the_callers_own(api: Any) -> None:
    client, app, _ = api
    mia, noah = add_user(app, "Mia"), add_user(app, "Noah")
    added = client.post(
        "/api/memories", json={"text": "Treat Terraform as a must-have."}, headers=mia
    )
    assert added.status_code == 201, added.text
    memory = added.json()[0]
    assert memory["kind"] == "preference" and memory["key"]
    client.post("/api/memories", json={"text": "Hiring managers like short lists."}, headers=mia)

    listed = client.get("/api/memories", headers=mia).json()
    assert {m["id"] for m in listed} >= {memory["id"]} and len(listed) == 2
    found = client.get("/api/memories", params={"q": "terraform infrastructure"}, headers=mia)
    assert found.status_code == 200 and found.json()[0]["score"] is not None
    assert client.get("/api/memories", headers=noah).json() == []

    # Noah cannot see, change or erase Mia's memory: it does not exist for him.
    assert (
        client.patch(
            f"/api/memories/{memory['id']}", json={"text": "Treat Go as a must-have."}, headers=noah
        ).status_code
        == 404
    )
    assert client.delete(f"/api/memories/{memory['id']}", headers=noah).status_code == 404

    edited = client.patch(
        f"/api/memories/{memory['id']}", json={"text": "Treat Rust as a must-have."}, headers=mia
    )
    assert edited.status_code == 200 and "Rust" in edited.json()["text"]
    assert (
        client.patch(f"/api/memories/{memory['id']}", json={"text": ""}, headers=mia).status_code
        == 422
    )
    assert client.delete(f"/api/memories/{memory['id']}", headers=mia).status_code == 204
    assert client.delete(f"/api/memories/{memory['id']}", headers=mia).status_code == 404
    assert [m["text"] for m in client.get("/api/memories", headers=mia).json()] == [
        "Hiring managers like short lists."
    ]


def test_candidates_import_search_show_delete(api: Any) -> None:
    client, app, _ = api
    olga, paul = add_user(app, "Olga"), add_user(app, "Paul")
    as_text = client.post(
        "/api/candidates", json={"text": RESUME, "source": "referral"}, headers=olga
    )
    assert as_text.status_code == 201, as_text.text
    (cid,) = as_text.json()["imported"]
    again = client.post(
        "/api/candidates", json={"text": RESUME, "source": "referral"}, headers=olga
    )
    assert again.json()["unchanged"] == [cid] and again.json()["imported"] == []

    other = RESUME.replace("Jordan Lee", "Sam Park").replace("Terraform", "Go")
    upload = client.post(
        "/api/candidates",
        files={"file": ("sam-park.txt", other.encode(), "text/plain")},
        headers=olga,
    )
    assert upload.status_code == 201, upload.text
    (upload_id,) = upload.json()["imported"]
    for name, data, words in [
        ("virus.exe", b"MZ....", "unsupported file type"),
        ("empty.txt", b"", "empty"),
    ]:
        refused = client.post(
            "/api/candidates",
            files={"file": (name, data, "application/octet-stream")},
            headers=olga,
        )
        assert refused.status_code == 422 and words in refused.json()["detail"], refused.text
    no_file = client.post("/api/candidates", data={"note": "x"}, headers=olga)
    assert no_file.status_code == 422 and "'file'" in no_file.json()["detail"]
    bad_json = client.post("/api/candidates", json={"resume": RESUME}, headers=olga)
    assert bad_json.status_code == 422 and "text" in bad_json.json()["detail"]
    huge = client.post(
        "/api/candidates",
        files={"file": ("big.txt", b"a" * (11 * 1024 * 1024), "text/plain")},
        headers=olga,
    )
    assert huge.status_code == 413 and "too large" in huge.json()["detail"]

    listed = client.get("/api/candidates", headers=olga).json()
    assert {c["id"] for c in listed} == {cid, upload_id}
    hits = client.get("/api/candidates", params={"q": "terraform"}, headers=olga).json()
    assert [c["id"] for c in hits] == [cid]
    shown = client.get(f"/api/candidates/{cid}", headers=olga).json()
    assert "Fintech GmbH" in shown["resume_text"] and shown["source"] == "referral"
    assert client.get("/api/candidates", headers=paul).json() == []
    assert client.get(f"/api/candidates/{cid}", headers=paul).status_code == 404
    assert client.delete(f"/api/candidates/{cid}", headers=paul).status_code == 404

    # A project of Olga's searches her pool: a snapshot of her candidates.
    project = new_project(client, olga, title="Platform Engineer")
    run_id = start_intake(client, olga, project["id"])
    assert wait_for(client, olga, run_id)["status"] == "awaiting_review"
    from server.db.models import Project

    with app.state.ctx.sessions() as session:
        pool = Path(session.get(Project, project["id"]).spec["pool_path"])
    assert {json.loads(line)["id"] for line in pool.read_text().splitlines()} == {cid, upload_id}

    assert client.delete(f"/api/candidates/{cid}", headers=olga).status_code == 204
    assert client.get(f"/api/candidates/{cid}", headers=olga).status_code == 404


def test_the_audit_trail_is_read_by_owner_and_verified_by_admins(api: Any) -> None:
    client, app, _ = api
    rita, sven = add_user(app, "Rita"), add_user(app, "Sven")
    admin = add_user(app, "Admin", role="admin")
    project = new_project(client, rita, title="Data Analyst")
    run_id = start_intake(client, rita, project["id"])
    run = wait_for(client, rita, run_id)
    assert run["status"] == "awaiting_review"
    wait_idle(app)

    page = client.get("/api/audit", params={"project_id": project["id"]}, headers=rita).json()
    kinds = {e["kind"] for e in page["events"]}
    assert {"run_started", "stage_started", "stage_reviewed"} <= kinds
    # The recruiter's own requests come first (before the flow had an id), then the flow's.
    assert {"project_created", "run_requested"} <= kinds
    requests = ("project_created", "run_requested")
    assert {e["run_id"] for e in page["events"] if e["kind"] not in requests} == {run["flow_id"]}
    mine = client.get("/api/audit", headers=rita).json()["events"]
    assert {e["seq"] for e in page["events"]} <= {e["seq"] for e in mine}
    first = client.get(
        "/api/audit", params={"project_id": project["id"], "limit": 5}, headers=rita
    ).json()
    assert len(first["events"]) == 5 and first["next_after"] == first["events"][-1]["seq"]
    after = client.get(
        "/api/audit",
        params={"project_id": project["id"], "after": first["next_after"], "limit": 5},
        headers=rita,
    ).json()
    assert after["events"][0]["seq"] > first["next_after"]

    assert (
        client.get("/api/audit", params={"project_id": project["id"]}, headers=sven).status_code
        == 404
    )
    assert run["flow_id"] not in {
        e["run_id"] for e in client.get("/api/audit", headers=sven).json()["events"]
    }
    everything = client.get("/api/audit", params={"limit": 1000}, headers=admin).json()["events"]
    assert run["flow_id"] in {e["run_id"] for e in everything}

    assert client.get("/api/audit/verify", headers=rita).status_code == 403
    check = client.get("/api/audit/verify", headers=admin).json()
    assert check["intact"] is True and check["count"] >= len(everything)


def test_configuration_changes_are_checked_and_only_by_editors(api: Any) -> None:
    client, app, data_dir = api
    recruiter, editor = add_user(app, "Uma"), add_user(app, "Vic Editor", role="editor")
    current = client.get("/api/config", headers=recruiter).json()
    assert set(current["files"]) == {"agents.yaml", "tasks.yaml", "crews.yaml"}
    assert "screener" in current["agents"]

    tasks = (DEFAULT_CONFIG_DIR / "tasks.yaml").read_text()
    broken = tasks.replace("agent: screener", "agent: screenr", 1)
    checked = client.post(
        "/api/config/validate", json={"files": {"tasks.yaml": broken}}, headers=editor
    ).json()
    assert checked["valid"] is False
    issue = next(i for i in checked["issues"] if "screenr" in i["message"])
    assert issue["file"] == "tasks.yaml" and issue["line"] and issue["key"]

    assert (
        client.put("/api/config/tasks.yaml", json={"content": tasks}, headers=recruiter).status_code
        == 403
    )
    refused = client.put("/api/config/tasks.yaml", json={"content": broken}, headers=editor)
    assert refused.status_code == 422 and "nothing was changed" in refused.json()["detail"]
    assert any(e["file"] == "tasks.yaml" and e["line"] for e in refused.json()["errors"])
    not_yaml = client.put(
        "/api/config/agents.yaml", json={"content": "screener: [unclosed"}, headers=editor
    )
    assert not_yaml.status_code == 422
    assert (
        client.put("/api/config/secrets.yaml", json={"content": "x: 1"}, headers=editor).status_code
        == 422
    )
    assert client.get("/api/config", headers=recruiter).json()["files"] == current["files"]

    agents = (DEFAULT_CONFIG_DIR / "agents.yaml").read_text()
    changed = agents.replace("You only credit what a resume shows.", "Credit only what it shows.")
    assert changed != agents
    applied = client.put("/api/config/agents.yaml", json={"content": changed}, headers=editor)
    assert applied.status_code == 200, applied.text
    assert applied.json()["sha256_before"] and applied.json()["sha256_after"]
    assert (data_dir / "config" / "agents.yaml").read_text() == changed
    now = client.get("/api/config", headers=recruiter).json()
    assert now["files"]["agents.yaml"] == changed and now["directory"].endswith("config")
    admin = add_user(app, "Wes Admin", role="admin")
    trail = client.get("/api/audit", params={"limit": 1000}, headers=admin).json()["events"]
    assert any(e["kind"] == "config_changed" and e["actor"] for e in trail)
