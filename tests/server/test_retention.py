"""Retention with a frozen clock moved forward: quarantine, restore on new activity, legal
hold, erasure after quarantine (with its tombstone), audit payload expiry with the chain
intact, memory expiry; off by default; audit periods under 183 days refused."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from config.settings import RetentionSettings
from tests.cli.support import run_hirecrew
from tests.server.api_support import add_user, api_settings, new_project, running_app

pytestmark = pytest.mark.slow

RESUMES = {
    "A": "Ada Archer\nBackend engineer: Python, PostgreSQL, Kafka at a shipper since 2016.",
    "B": "Bo Birch\nSite reliability engineer: Kubernetes, Terraform at a bank since 2018.",
    "C": "Cy Cedar\nData engineer: Spark and Airflow pipelines for a retailer since 2017.",
}


def _policy(**changes: Any) -> RetentionSettings:
    values: dict[str, Any] = {
        "enabled": True,
        "candidate_days": 30,
        "quarantine_days": 10,
        "audit_days": 183,
        "memory_days": 60,
    }
    return RetentionSettings(**(values | changes))


def _listed(client: Any, headers: Any) -> set[str]:
    return {c["id"] for c in client.get("/api/candidates", headers=headers).json()}


def test_the_retention_clock_quarantines_restores_holds_and_erases(tmp_path: Path) -> None:
    from server.db.models import Application, CandidateRow
    from server.retention import place_hold, run_retention

    settings = api_settings(tmp_path / "data").model_copy(update={"retention": _policy()})
    start = datetime.now(UTC)
    with running_app(settings) as (client, app):
        dana = add_user(app, "Dana Weber")
        ids = {}
        for key, text in RESUMES.items():
            done = client.post("/api/candidates", json={"text": text}, headers=dana)
            [ids[key]] = done.json()["imported"]
        project = new_project(client, dana)
        owner = project["owner_id"]
        ctx = app.state.ctx
        assert place_hold(
            ctx, owner_id=owner, candidate_id=ids["C"], until=start + timedelta(days=100),
            reason="an open tribunal claim",
        )  # fmt: skip
        ctx.runtime.memory.remember(owner, "Prefers short job descriptions")

        first = run_retention(ctx, now=start + timedelta(days=31))
        assert (first.quarantined, first.held, first.erased) == (2, 1, 0)
        assert _listed(client, dana) == {ids["C"]}  # quarantined: out of every search

        # B applies again (their application moves on day 35): the clock starts over.
        with ctx.writes() as session:
            session.add(
                Application(
                    project_id=project["id"],
                    candidate_id=ids["B"],
                    stage="sourced",
                    history=[],
                    updated_at=start + timedelta(days=35),
                )
            )
            session.commit()
        second = run_retention(ctx, now=start + timedelta(days=42))
        assert (second.erased, second.restored, second.held) == (1, 1, 1)
        assert _listed(client, dana) == {ids["B"], ids["C"]}
        assert client.get(f"/api/candidates/{ids['A']}", headers=dana).status_code == 404
        again = client.post("/api/candidates", json={"text": RESUMES["A"]}, headers=dana)
        assert again.status_code == 422 and "erased" in again.json()["detail"]

        # Day 200: the hold has ended, the audit payloads of day 0 are past 183 days, the
        # memory past 60.
        late = start + timedelta(days=200)
        third = run_retention(ctx, now=late)
        assert third.quarantined == 2 and third.held == 0
        assert third.audit_redacted > 0 and third.memories_forgotten == 1
        assert ctx.runtime.memory.memories(owner) == []
        with ctx.sessions() as session:
            rows = session.query(CandidateRow).all()
            assert all(r.quarantined_at is not None for r in rows)
        records = ctx.audit.records()
        expired = [r for r in records if r["payload"] == {"expired": True}]
        assert len(expired) == third.audit_redacted
        assert ctx.audit.verify()["intact"] is True
        runs = [r for r in records if r["kind"] == "retention_applied"]
        assert len(runs) == 3 and runs[-1]["payload"]["erased"] == 0
        # No person in the retention trail: counts and entry numbers only.
        assert "Ada" not in json.dumps(runs) and ids["A"] not in json.dumps(runs)


def test_retention_is_off_until_enabled_and_refuses_short_audit_periods(tmp_path: Path) -> None:
    from server.retention import run_retention

    with pytest.raises(ValidationError, match="183"):
        RetentionSettings(audit_days=100)
    settings = api_settings(tmp_path / "data").model_copy(
        update={"retention": _policy(enabled=False)}
    )
    with running_app(settings) as (client, app):
        dana = add_user(app, "Dana Weber")
        client.post("/api/candidates", json={"text": RESUMES["A"]}, headers=dana)
        report = run_retention(app.state.ctx, now=datetime.now(UTC) + timedelta(days=400))
        assert report.dry_run and report.quarantined == 1 and report.audit_redacted > 0
        assert len(_listed(client, dana)) == 1  # nothing changed
        assert not [r for r in app.state.ctx.audit.records() if r["payload"] == {"expired": True}]

    cli = run_hirecrew("retention", "run", "--json", data_dir=tmp_path / "data")
    assert cli.returncode == 0, cli.stderr
    told = json.loads(cli.stdout)
    assert told["enabled"] is False and told["dry_run"] is True
    # A cron job logs as the server does: one JSON object per line on stderr.
    logged = [json.loads(line) for line in cli.stderr.splitlines() if line.strip()]
    assert any(entry["logger"] == "server.retention" for entry in logged), cli.stderr
    assert told["candidates_checked"] == 1
    bad = run_hirecrew("retention", "run", "--now", "someday", data_dir=tmp_path / "data")
    assert bad.returncode == 2 and "not an ISO date" in bad.stderr
