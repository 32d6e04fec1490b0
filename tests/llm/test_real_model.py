"""The pipeline on a real language model behind the OpenAI protocol (SmolLM2-135M on
llama.cpp's server): whatever the model says, every stage ends in a defined state, what reaches
a gate validates, quotes are verbatim or flagged, invented facts are flagged, and the audit log
has the model and its token usage. Then faults between hirecrew and the model (errors, rate
limits, timeouts, truncated or corrupt answers, dropped connections): retried, then the stage
falls back to the deterministic engine, marked, or fails cleanly with a reason."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, SecretStr

from config.settings import LLMSettings, Settings
from domain.artifacts import JobDescription, Shortlist, SourcingReport
from tests.llm.conftest import FaultProxy

pytestmark = [pytest.mark.llm, pytest.mark.slow]

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
MODEL = "openai/smollm2"


def _settings(tmp_path: Path, url: str, **llm: Any) -> Settings:
    values: dict[str, Any] = {
        "default": MODEL,
        "base_url": url,
        "api_key": SecretStr("local"),
        "timeout_s": 120.0,
        "max_retries": 1,
        "stage_attempts": 1,
        "max_tokens": 256,
    }
    return Settings(data_dir=tmp_path / "data", llm=LLMSettings(**(values | llm)))


def _runtime(settings: Settings) -> Any:
    from crews.runner import open_runtime

    return open_runtime(settings)


def _start(runtime: Any, settings: Settings) -> Any:
    from crews.demo import demo_project
    from crews.runner import start_run

    return asyncio.run(start_run(runtime, demo_project(settings.data_path, now=NOW)))


def _confirm(runtime: Any, run_id: str) -> Any:
    from crews.decisions import GateDecision
    from crews.runner import decide

    return asyncio.run(decide(runtime, run_id, GateDecision(decision="confirm")))


def _defined(record: Any, output: type[BaseModel]) -> BaseModel | None:
    """A stage at its gate: a valid output with its review, or failed with a reason."""
    assert record.status in ("awaiting_decision", "failed"), record.status
    if record.status == "failed":
        assert record.error and len(record.error) > 10
        return None
    assert record.review is not None and record.review.verdict in ("pass", "warn", "fail")
    return output.model_validate(record.artifact)


def test_intake_sourcing_and_screening_on_the_real_model_end_in_defined_states(
    tmp_path: Path, llm_url: str
) -> None:
    from domain.redaction import blind_texts
    from domain.review import invented_facts
    from domain.screening import verify_evidence

    settings = _settings(tmp_path, llm_url)
    runtime = _runtime(settings)
    state = _start(runtime, settings)
    intake = state.stages["intake"]
    job = _defined(intake, JobDescription)
    assert isinstance(job, JobDescription)  # the demo's intake never fails: it falls back
    notes = state.project.intake_notes
    if invented_facts(job, notes):  # what the model made up, the reviewer flags
        assert any(f.rule == "JD-4" for f in intake.review.findings)
    records = list(runtime.audit.records(run_id=state.id))
    calls = [r for r in records if r.get("event") == "llm_call_completed"]
    assert calls and {r.get("model") for r in calls} >= {"smollm2"}
    assert sum((r.get("usage") or {}).get("total_tokens", 0) for r in calls) > 0
    assert intake.usage.total_tokens > 0 and intake.usage.calls > 0

    state = _confirm(runtime, state.id)
    if _defined(state.stages["sourcing"], SourcingReport) is None:
        return  # failed with a reason the recruiter can act on: a defined end
    state = _confirm(runtime, state.id)
    screening = state.stages["screening"]
    shortlist = _defined(screening, Shortlist)
    if shortlist is None:
        return
    assert isinstance(shortlist, Shortlist)
    from crews.project import load_pool

    pool = load_pool(state.project.pool_path)
    ids = {c.candidate_id for c in shortlist.candidates}
    problems = verify_evidence(shortlist, blind_texts(c for c in pool if c.id in ids))
    # Every quote is verbatim, or the review says which is not.
    assert not problems or any(f.rule == "SCR-3" for f in screening.review.findings)
    assert state.usage.total_tokens >= intake.usage.total_tokens


def _faulty(tmp_path: Path, proxy: FaultProxy, **llm: Any) -> Settings:
    """Only the JD writer on the model (through the proxy): one stage, quick to run."""
    return _settings(tmp_path, proxy.url, default=None, roles={"jd_writer": MODEL}, **llm)


@pytest.mark.parametrize("fault", ["500", "truncate", "corrupt", "drop", "delay"])
def test_a_faulty_model_falls_back_to_the_offline_engine_marked(
    tmp_path: Path, proxy: FaultProxy, fault: str
) -> None:
    proxy.inject(fault, delay_s=4.0)
    settings = _faulty(tmp_path, proxy, timeout_s=2.0, max_retries=1)
    runtime = _runtime(settings)
    state = _start(runtime, settings)
    intake = state.stages["intake"]
    assert intake.status == "awaiting_decision", intake.error
    assert intake.fallback and "deterministic engine" in intake.fallback
    JobDescription.model_validate(intake.artifact)
    trail = [r["kind"] for r in runtime.audit.records(run_id=state.id)]
    assert "stage_output_invalid" in trail and "stage_fallback" in trail
    assert proxy.faults_served >= 1


def test_without_fallback_a_failing_model_leaves_a_retryable_gate(
    tmp_path: Path, proxy: FaultProxy
) -> None:
    proxy.inject("500")
    settings = _faulty(tmp_path, proxy, fallback="none", max_retries=0)
    runtime = _runtime(settings)
    state = _start(runtime, settings)
    intake = state.stages["intake"]
    assert intake.status == "failed" and "1 tries" in (intake.error or "")
    assert intake.fallback is None
    # The model comes back: rejecting the failed stage runs it again.
    proxy.inject(None)
    from crews.decisions import GateDecision
    from crews.runner import decide

    again = asyncio.run(
        decide(runtime, state.id, GateDecision(decision="reject", reason="model is back"))
    )
    assert again.stages["intake"].attempts == 2
    _defined(again.stages["intake"], JobDescription)


def test_a_rate_limited_call_is_retried(tmp_path: Path, proxy: FaultProxy) -> None:
    proxy.inject("429", times=1)
    settings = _faulty(tmp_path, proxy, max_retries=2)
    runtime = _runtime(settings)
    state = _start(runtime, settings)
    assert proxy.faults_served == 1 and proxy.requests > 1  # the retry reached the model
    _defined(state.stages["intake"], JobDescription)
