"""Per-project bias audits from the database: the candidates' self-identification (kept in
its own table) against what the screening stage shortlisted; demographics never reach what a
stage run reads."""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

from domain.bias_audit import Decision, RaceEthnicity, Sex, audit_decisions
from tests.cli.support import run_hirecrew
from tests.server.api_support import add_user, api_settings, new_project, running_app

REPO = Path(__file__).resolve().parents[2]

# (sex, race, shortlisted) for 20 candidates: women shortlisted 3 of 10, men 6 of 10.
PEOPLE = (
    [("Female", "White", i < 2) for i in range(6)]
    + [("Female", "Asian", i < 1) for i in range(4)]
    + [("Male", "White", i < 4) for i in range(6)]
    + [("Male", "Asian", i < 2) for i in range(4)]
)


def _seed(client: Any, app: Any, headers: Any, project_id: str) -> list[str]:
    from server.db.models import Application

    ids = []
    for n, (sex, race, shortlisted) in enumerate(PEOPLE):
        text = f"Engineer number {n}: Python services and PostgreSQL since {2000 + n}."
        [cid] = client.post("/api/candidates", json={"text": text}, headers=headers).json()[
            "imported"
        ]
        ids.append(cid)
        answer = client.put(
            f"/api/candidates/{cid}/self-identification",
            json={"sex": sex, "race_ethnicity": race},
            headers=headers,
        )
        assert answer.status_code == 204, answer.text
        history = [{"stage": "sourced"}] + ([{"stage": "shortlisted"}] if shortlisted else [])
        with app.state.ctx.writes() as session:
            session.add(
                Application(
                    project_id=project_id,
                    candidate_id=cid,
                    # A shortlisted candidate later rejected by hand still counts as selected.
                    stage="rejected" if shortlisted and n % 2 else history[-1]["stage"],
                    history=history,
                )
            )
            session.commit()
    return ids


def test_a_projects_bias_audit_uses_self_identification_and_the_shortlist(
    tmp_path: Path,
) -> None:
    with running_app(api_settings(tmp_path / "data")) as (client, app):
        dana, olga = add_user(app, "Dana Weber"), add_user(app, "Olga Other")
        project = new_project(client, dana)
        url = f"/api/projects/{project['id']}/bias-audit"
        empty = client.get(url, headers=dana)
        assert empty.status_code == 422 and "no bias audit" in empty.json()["detail"]
        ids = _seed(client, app, dana, project["id"])
        # One candidate declined to say: counted as unknown.
        declined = client.put(
            f"/api/candidates/{ids[0]}/self-identification", json={}, headers=dana
        )
        assert declined.status_code == 204

        audit = client.get(url, headers=dana)
        assert audit.status_code == 200, audit.text
        body = audit.json()
        assert body["unknown"] == 1
        sex = {row["category"]: row for row in body["sex"]}
        assert (sex["Female"]["n"], sex["Female"]["selected"]) == (9, 2)
        assert (sex["Male"]["n"], sex["Male"]["selected"]) == (10, 6)
        assert sex["Male"]["impact_ratio"] == 1.0
        assert sex["Female"]["impact_ratio"] < 0.8 and sex["Female"]["below_four_fifths"]
        # The same numbers as the domain's audit of the same decisions.
        expected = audit_decisions(
            [
                Decision(
                    candidate_id=str(n),
                    sex=None if n == 0 else Sex(s),
                    race_ethnicity=None if n == 0 else RaceEthnicity(r),
                    selected=picked,
                )
                for n, (s, r, picked) in enumerate(PEOPLE)
            ]
        ).tables()
        assert {k: body[k] for k in expected} == expected

        assert client.get(url, headers=olga).status_code == 404
        hidden = client.put(
            f"/api/candidates/{ids[1]}/self-identification", json={"sex": "Male"}, headers=olga
        )
        assert hidden.status_code == 404
        bad = client.put(
            f"/api/candidates/{ids[1]}/self-identification", json={"sex": "M"}, headers=dana
        )
        assert bad.status_code == 422
        # The trail records that self-identification was given, never what it was.
        entries = [
            e for e in app.state.ctx.audit.records() if e["kind"] == "self_identification_recorded"
        ]
        assert len(entries) == len(PEOPLE) + 1
        assert all("Female" not in str(e) and "Asian" not in str(e) for e in entries)

    # The same audit from a terminal, on the same database.
    told = run_hirecrew(
        "audit", "bias", "--project", project["id"], "--json", data_dir=tmp_path / "data"
    )
    assert told.returncode == 0, told.stderr
    assert json.loads(told.stdout) == expected
    unknown = run_hirecrew("audit", "bias", "--project", "nope", data_dir=tmp_path / "data")
    assert unknown.returncode == 2 and "no project" in unknown.stderr


def _imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_demographics_never_reach_what_a_stage_run_reads() -> None:
    """Only the bias audit, the route that records self-identification, erasure and the
    models may touch the table; the code that builds a run's inputs (server.specs,
    server.runs, the workers) and everything below the server (crews, agents, tasks, tools,
    memory, domain) cannot, and the domain's audit module is imported by no crew code."""
    allowed = {
        REPO / "server" / "bias.py",
        REPO / "server" / "erasure.py",
        REPO / "server" / "db" / "models.py",
        REPO / "server" / "routes" / "candidates.py",
        REPO / "server" / "db" / "migrations" / "versions" / "0003_self_identification.py",
    }
    readers = []
    for path in sorted(REPO.glob("*/**/*.py")):
        if ".venv" in path.parts or "tests" in path.parts or "bench" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        if "SelfIdentification" in text or "self_identifications" in text:
            readers.append(path)
    assert set(readers) - allowed == set(), [str(p) for p in set(readers) - allowed]
    for package in ("crews", "agents", "tasks", "tools", "memory"):
        for path in (REPO / package).rglob("*.py"):
            assert not any(
                name.startswith(("domain.bias_audit", "server")) for name in _imports_of(path)
            ), path
