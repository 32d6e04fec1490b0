"""The audit trail: every agent event and human decision of a run, in a hash chain."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from crews.audit import AuditLog, verify_chain
from tests.crews.conftest import run


def test_chain_detects_edits_and_removals(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.jsonl")
    for i in range(4):
        log.append("note", run_id="r1", value=i)
    assert verify_chain(log.path) == []
    lines = log.path.read_text().splitlines()
    tampered = json.loads(lines[1])
    tampered["value"] = 99
    lines[1] = json.dumps(tampered)
    log.path.write_text("\n".join(lines) + "\n")
    assert any("record 2" in p for p in verify_chain(log.path))
    del lines[1]
    log.path.write_text("\n".join(lines) + "\n")
    assert verify_chain(log.path)


def test_chain_continues_across_log_instances(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    AuditLog(path).append("a", run_id="r")
    AuditLog(path).append("b", run_id="r")  # as a second process would
    assert [r["seq"] for r in AuditLog(path).records()] == [1, 2]
    assert verify_chain(path) == []


def test_a_run_is_fully_audited(runtime: Any, project: Any, confirm: Any) -> None:
    from crewai.events import crewai_event_bus

    from crews.runner import start_run

    state = run(start_run(runtime, project))
    state = confirm(runtime, state.id, decision="reject", reason="make it shorter")
    crewai_event_bus.flush()
    records = list(runtime.audit.records(state.id))
    kinds = {r["kind"] for r in records}
    assert {"run_started", "stage_started", "stage_reviewed", "human_decision"} <= kinds
    events = {r["event"] for r in records if r["kind"] == "crewai_event"}
    assert {"llm_call_started", "llm_call_completed", "tool_usage_finished"} <= events
    assert any(e.startswith("crew_kickoff") for e in events)
    decision = next(r for r in records if r["kind"] == "human_decision")
    assert decision["decision"] == "reject" and decision["reason"] == "make it shorter"
    assert decision["actor"] == project.recruiter.id
    assert verify_chain(runtime.audit.path) == []
