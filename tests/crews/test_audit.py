"""The audit trail: every agent event and human decision of a run, in a hash chain."""

from __future__ import annotations

import json
import multiprocessing
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
    assert any(p.startswith("line 2: content does not match") for p in verify_chain(log.path))
    del lines[1]
    log.path.write_text("\n".join(lines) + "\n")
    assert verify_chain(log.path)


def _append_many(path: str, worker: int) -> None:
    log = AuditLog(Path(path))
    for i in range(40):
        log.append("note", run_id=f"w{worker}", value=i)


def test_chain_stays_whole_under_concurrent_processes(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_append_many, args=(str(path), n)) for n in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
        assert worker.exitcode == 0
    records = list(AuditLog(path).records())
    assert [r["seq"] for r in records] == list(range(1, 121))
    assert verify_chain(path) == []


def test_records_larger_than_a_read_block_keep_the_chain(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.jsonl")
    log.append("big", run_id="r", text="ü" * 200_000)  # escaped: far more than 64 KiB
    second = log.append("after", run_id="r")
    assert second["seq"] == 2
    assert verify_chain(log.path) == []


def test_a_torn_last_line_is_reported_and_appends_go_on(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.jsonl")
    log.append("a", run_id="r")
    with log.path.open("a") as handle:
        handle.write('{"seq": 2, "kind": "half a rec')  # a crash mid-write
    record = log.append("b", run_id="r")
    assert record["seq"] == 2
    problems = verify_chain(log.path)
    assert problems == ["line 2: not a whole audit record (corrupt or torn)"]


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
    assert any(e.startswith("flow_") for e in events), "flow events must be filed under the run"
    decision = next(r for r in records if r["kind"] == "human_decision")
    assert decision["decision"] == "reject" and decision["reason"] == "make it shorter"
    assert decision["actor"] == project.recruiter.id
    assert verify_chain(runtime.audit.path) == []
