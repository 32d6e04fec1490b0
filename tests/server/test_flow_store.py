"""crewai flow persistence in the database: checkpoints, pending gates, a real hiring run that
pauses, "restarts" and resumes with a new runtime, on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel
from sqlalchemy import Engine, text

from config.settings import LLMSettings, MemorySettings, Settings
from crews.errors import GateError
from server.db.engine import make_engine
from server.flow_store import SqlFlowPersistence

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


class Inner(BaseModel):
    when: datetime
    tags: set[str] = set()


def _context(flow_id: str, method: str) -> Any:
    from crewai.flow.async_feedback.types import PendingFeedbackContext

    return PendingFeedbackContext(
        flow_id=flow_id,
        flow_class="tests.Flow",
        method_name=method,
        method_output={"title": "Draft", "when": NOW},
        message="Look at it",
    )


def test_states_load_latest_first(db_engine: Engine) -> None:
    store = SqlFlowPersistence(db_engine)
    assert store.load_state("nope") is None
    store.save_state("f1", "begin", {"step": 1})
    store.save_state("f2", "begin", {"step": 100})
    store.save_state("f1", "run", {"step": 2, "inner": Inner(when=NOW, tags={"a"})})
    assert store.load_state("f1") == {
        "step": 2,
        "inner": {"when": "2026-11-25T09:00:00Z", "tags": ["a"]},
    }
    assert store.load_state("f2") == {"step": 100}
    # Another object on another engine (a restarted process) sees the same.
    other = make_engine(db_engine.url)
    try:
        assert SqlFlowPersistence(other).load_state("f1") == store.load_state("f1")
    finally:
        other.dispose()


def test_pending_feedback_round_trip(db_engine: Engine) -> None:
    store = SqlFlowPersistence(db_engine)
    assert store.load_pending_feedback("f1") is None
    store.save_pending_feedback("f1", _context("f1", "gate_intake"), {"stage": "intake"})
    state, context = store.load_pending_feedback("f1") or ({}, None)
    assert state == {"stage": "intake"}
    assert context.method_name == "gate_intake"
    assert context.method_output == {"title": "Draft", "when": str(NOW)}  # crewai's own form
    assert store.load_state("f1") == {"stage": "intake"}  # the gate is a checkpoint too
    # Pausing again (a retried stage) replaces the gate.
    store.save_pending_feedback("f1", _context("f1", "gate_intake"), {"stage": "again"})
    assert (store.load_pending_feedback("f1") or ({},))[0] == {"stage": "again"}
    store.clear_pending_feedback("f1")
    assert store.load_pending_feedback("f1") is None
    # Without having loaded it, clearing is crewai's plain delete.
    SqlFlowPersistence(db_engine).clear_pending_feedback("f1")


def test_a_gate_is_consumed_once_across_workers(db_engine: Engine) -> None:
    first, second = SqlFlowPersistence(db_engine), SqlFlowPersistence(db_engine)
    first.save_pending_feedback("f1", _context("f1", "gate_intake"), {"stage": "intake"})
    assert first.load_pending_feedback("f1") is not None
    assert second.load_pending_feedback("f1") is not None
    first.clear_pending_feedback("f1")
    # The first worker carries the run on to the next gate before the second one clears.
    first.save_pending_feedback("f1", _context("f1", "gate_sourcing"), {"stage": "sourcing"})
    with pytest.raises(GateError, match="resumed by another worker"):
        second.clear_pending_feedback("f1")
    pending = first.load_pending_feedback("f1")
    assert pending is not None and pending[1].method_name == "gate_sourcing"


def test_unmigrated_database_is_refused(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    try:
        with pytest.raises(RuntimeError, match="migrate"):
            SqlFlowPersistence(engine)
    finally:
        engine.dispose()


def _settings(data_dir: Path) -> Settings:
    # Memory off: this is about persistence (and Mem0 costs seconds per runtime).
    return Settings(data_dir=data_dir, llm=LLMSettings(), memory=MemorySettings(backend="none"))


@pytest.fixture
def detach_audit(tmp_path: Path) -> Any:
    """crewai's events go to one audit sink per process: after the test, not to a database
    that is about to be dropped."""
    yield
    from crews.audit import AuditLog, listen_to_crewai

    listen_to_crewai(AuditLog(tmp_path / "detached.jsonl"))


@pytest.mark.slow
@pytest.mark.usefixtures("detach_audit")
def test_a_paused_run_survives_a_restart_and_resumes_elsewhere(
    db_engine: Engine, db_url: str, tmp_path: Path
) -> None:
    from crewai.events import crewai_event_bus

    from crews.decisions import GateDecision
    from crews.demo import demo_project
    from crews.runner import decide, get_run, open_runtime, start_run
    from server.audit_store import SqlAuditLog

    settings = _settings(tmp_path / "data")
    project = demo_project(settings.data_path, now=NOW)
    audit = SqlAuditLog(db_engine)
    runtime = open_runtime(settings, persistence=SqlFlowPersistence(db_engine), audit=audit)
    state = asyncio.run(start_run(runtime, project))
    assert (state.status, state.current_stage) == ("awaiting_decision", "intake")
    crewai_event_bus.flush()

    # "Restart": nothing of the first runtime is used again, not even its engine.
    engine = make_engine(db_url)
    try:
        later = open_runtime(
            settings, persistence=SqlFlowPersistence(engine), audit=SqlAuditLog(engine)
        )
        assert get_run(later, state.id).current_stage == "intake"
        decision = GateDecision.model_validate({"decision": "confirm", "actor": "rec-demo"})
        resumed = asyncio.run(decide(later, state.id, decision))
        assert resumed.stages["intake"].status == "confirmed"
        assert (resumed.status, resumed.current_stage) == ("awaiting_decision", "sourcing")
        assert resumed.stages["sourcing"].artifact is not None
        pending = later.persistence.load_pending_feedback(state.id)
        assert pending is not None and pending[1].method_name == "gate_sourcing"
        assert get_run(later, state.id).current_stage == "sourcing"
        crewai_event_bus.flush()
    finally:
        engine.dispose()

    # The whole story is in the audit table, crewai's own events included, chain intact.
    records = audit.records(run_id=state.id)
    kinds = {r["kind"] for r in records}
    assert {"run_started", "stage_started", "stage_reviewed", "human_decision"} <= kinds
    events = {r["payload"]["event"] for r in records if r["kind"] == "crewai_event"}
    assert {"crew_kickoff_started", "task_completed", "llm_call_completed"} <= events
    assert {"flow_paused", "tool_usage_finished"} <= events
    decision_entry = next(r for r in records if r["kind"] == "human_decision")
    assert decision_entry["actor"] == "rec-demo"
    assert decision_entry["stage"] == "intake"
    assert decision_entry["payload"]["decision"] == "confirm"
    assert {r["stage"] for r in records if r["kind"] == "stage_started"} == {
        "intake",
        "sourcing",
    }
    assert audit.verify()["intact"] is True
    with db_engine.connect() as conn:
        count = conn.execute(text("SELECT COUNT(*) FROM audit_events")).scalar()
    assert audit.verify()["count"] == count
