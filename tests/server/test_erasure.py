"""Erasure with planted markers: a candidate who went through sourcing and screening (stage
outputs, decisions, saved flow states, the audit trail, a memory, pool snapshots and search
indexes) is erased over REST, and none of their markers is left in any table, any audit
payload, any memory or any file under the data directory; the chain still verifies, the
tombstone refuses the same resume, and the run goes on without them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import MetaData, select

from tests.cli.support import run_hirecrew
from tests.server.api_support import (
    add_user,
    api_settings,
    new_project,
    running_app,
    start_intake,
    wait_for,
)

pytestmark = pytest.mark.slow

NAME = "Zebulon Quillfeather"
EMAIL = "zq.erasure-marker@mail.test"
PHRASE = "Built the QUILLFEATHER-7731 settlement router in Python on Kubernetes."
RESUME = f"""{NAME}
Senior Backend Engineer · {EMAIL}

Experience
Senior Backend Engineer, Ledgerline Payments (2015–present)
- {PHRASE}
- Ran PostgreSQL in production for the payments ledger, including partitioning and failover.
- Wrote Python services that reconcile card settlements every night across 9 processors.
- Operated the team's Kubernetes clusters, including upgrades, autoscaling and on-call.

Skills: Python, PostgreSQL, Kubernetes, Go, payments
"""


def _import_pool(client: Any, headers: Any, data_dir: Path) -> None:
    from crews.demo import seed_demo_data
    from domain.entities import Candidate

    pool = seed_demo_data(data_dir / "seed")
    others = [Candidate.model_validate_json(line) for line in pool.read_text().splitlines()[:12]]
    for other in others:
        body = {"text": other.resume_text, "name": other.name, "email": other.email}
        done = client.post("/api/candidates", json=body, headers=headers)
        assert done.status_code == 201, done.text


def _markers(candidate_id: str) -> list[str]:
    return [NAME, "Quillfeather", EMAIL, "QUILLFEATHER-7731", candidate_id]


def _leaks_in_tables(engine: Any, markers: list[str]) -> list[str]:
    found = []
    metadata = MetaData()
    metadata.reflect(engine)
    with engine.connect() as conn:
        for table in metadata.sorted_tables:
            for row in conn.execute(select(table)):
                text = json.dumps([str(v) for v in row], ensure_ascii=False)
                found += [f"{table.name}: {m}" for m in markers if m.lower() in text.lower()]
    return found


def _leaks_in_files(root: Path, markers: list[str]) -> list[str]:
    found = []
    for path in root.rglob("*"):
        if path.is_file():
            data = path.read_bytes().lower()
            found += [f"{path}: {m}" for m in markers if m.lower().encode() in data]
    return found


def test_an_erased_candidate_is_gone_from_every_store(tmp_path: Path, db_url: str) -> None:
    settings = api_settings(tmp_path / "data", db_url)
    with running_app(settings) as (client, app):
        dana = add_user(app, "Dana Weber")
        _import_pool(client, dana, tmp_path)
        planted = client.post(
            "/api/candidates", json={"text": RESUME, "name": NAME, "email": EMAIL}, headers=dana
        )
        assert planted.status_code == 201, planted.text
        [zid] = planted.json()["imported"]
        markers = _markers(zid)

        project = new_project(client, dana)
        intake = wait_for(client, dana, start_intake(client, dana, project["id"]))
        decided = client.post(
            f"/api/runs/{intake['id']}/decision", json={"action": "confirm"}, headers=dana
        )
        sourcing = wait_for(client, dana, decided.json()["next_run_id"])
        found = [c["candidate_id"] for c in sourcing["artifact"]["results"]["candidates"]]
        assert zid in found  # the planted candidate is everywhere a run can put them
        decided = client.post(
            f"/api/runs/{sourcing['id']}/decision",
            json={
                "action": "confirm",
                "votes": [{"candidate_id": zid, "vote": "up", "reason": f"{NAME} looks strong"}],
            },
            headers=dana,
        )
        assert decided.status_code == 200, decided.text
        screening = wait_for(client, dana, decided.json()["next_run_id"])
        assert screening["status"] == "awaiting_review", screening["error"]
        assert zid in [c["candidate_id"] for c in screening["artifact"]["candidates"]]
        identified = client.put(
            f"/api/candidates/{zid}/self-identification",
            json={"sex": "Male", "race_ethnicity": "Asian"},
            headers=dana,
        )
        assert identified.status_code == 204
        ctx = app.state.ctx
        user_id = client.get("/api/projects", headers=dana).json()[0]["owner_id"]
        ctx.runtime.memory.remember(user_id, f"Ask {NAME} about the settlement router again")
        data_root = settings.data_path
        before_tables = _leaks_in_tables(ctx.engine, markers)
        assert any(leak.startswith("audit_events") for leak in before_tables)
        assert any(leak.startswith("flow_states") for leak in before_tables)
        assert any(leak.startswith("self_identifications") for leak in before_tables)
        assert _leaks_in_files(data_root, markers)  # pools, indexes, memories...

        erased = client.delete(f"/api/candidates/{zid}", headers=dana)
        assert erased.status_code == 204, erased.text

        assert client.get(f"/api/candidates/{zid}", headers=dana).status_code == 404
        assert _leaks_in_tables(ctx.engine, markers) == []
        assert _leaks_in_files(data_root, markers) == []
        memories = ctx.runtime.memory.memories(user_id)
        assert not [m for m in memories if "Quillfeather" in m.text]
        verified = ctx.audit.verify()
        assert verified["intact"] is True, verified
        [entry] = [e for e in ctx.audit.records() if e["kind"] == "candidate_erased"]
        assert entry["payload"]["redacted_seqs"] and entry["actor"] == user_id
        assert entry["payload"]["memories"] >= 1 and entry["payload"]["files"] >= 2

        # The tombstone: the same resume is refused, with the reason.
        again = client.post(
            "/api/candidates", json={"text": RESUME, "name": NAME, "email": EMAIL}, headers=dana
        )
        assert again.status_code == 422 and "erased at their request" in again.json()["detail"]
        # The run goes on without them.
        shown = client.get(f"/api/runs/{screening['id']}", headers=dana).json()
        assert zid not in [c["candidate_id"] for c in shown["artifact"]["candidates"]]
        confirmed = client.post(
            f"/api/runs/{screening['id']}/decision", json={"action": "confirm"}, headers=dana
        )
        assert confirmed.status_code == 200, confirmed.text
        outreach = wait_for(client, dana, confirmed.json()["next_run_id"])
        assert outreach["status"] == "awaiting_review", outreach["error"]
        assert zid not in [m["candidate_id"] for m in outreach["artifact"]["messages"]]
        assert ctx.audit.verify()["intact"] is True


def test_a_redacted_entry_without_its_erasure_record_breaks_the_chain(
    tmp_path: Path,
) -> None:
    from server.db.models import AuditEvent

    with running_app(api_settings(tmp_path / "data")) as (_client, app):
        audit = app.state.ctx.audit
        for n in range(3):
            audit.append("note", detail=f"Zebulon note {n}")
        assert audit.verify()["intact"] is True
        # Someone rewrites a payload and marks it redacted, without an erasure entry.
        redacted = audit.redact(lambda p: {**p, "detail": "[erased]"}, needle="note 1")
        assert len(redacted) == 1
        broken = audit.verify()
        assert broken["intact"] is False and broken["seq"] == redacted[0]
        assert "no erasure entry" in broken["reason"]
        audit.append("candidate_erased", redacted_seqs=redacted)
        assert audit.verify()["intact"] is True
        # A payload changed without being marked redacted is an edit.
        with app.state.ctx.writes() as session:
            row = session.get(AuditEvent, 3)
            row.payload = {"detail": "forged"}
            session.commit()
        edited = audit.verify()
        assert edited["intact"] is False and edited["seq"] == 3
    told = run_hirecrew("audit", "verify", "--database", data_dir=tmp_path / "data")
    assert told.returncode == 2 and "entry 3 is broken" in told.stderr
