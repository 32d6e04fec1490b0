"""The hiring flow, run for real: crews on the offline engine, review loop, gates, resume."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest
from pydantic import SecretStr

from crews.errors import GateError, RunNotFoundError
from tests.crews.conftest import run


def _start(runtime: Any, project: Any) -> Any:
    from crews.runner import start_run

    return run(start_run(runtime, project))


def test_run_pauses_at_the_intake_gate_with_a_reviewed_job_description(
    runtime: Any, project: Any
) -> None:
    state = _start(runtime, project)
    assert state.status == "awaiting_decision"
    assert state.current_stage == "intake"
    intake = state.stages["intake"]
    assert intake.status == "awaiting_decision"
    assert intake.artifact["title"] == "Senior Backend Engineer"
    assert [r.text for r in intake_must_haves(intake)] == [
        "5+ years of professional Python development",
        "PostgreSQL in production",
        "Kubernetes",
    ]
    assert intake.review is not None and intake.review.verdict != "fail"
    assert all(s.status == "pending" for n, s in state.stages.items() if n != "intake")


def intake_must_haves(record: Any) -> list[Any]:
    from domain.artifacts import JobDescription

    return JobDescription.model_validate(record.artifact).must_haves


def test_reviewer_sends_biased_draft_back_and_the_writer_revises_it(
    runtime: Any, project: Any
) -> None:
    state = _start(runtime, project)
    intake = state.stages["intake"]
    assert intake.review_rounds == 2
    first, last = intake.review_history
    assert first.verdict == "fail"
    flagged = {f.span.lower() for f in first.findings if f.severity == "hard" and f.span}
    assert "young" in " ".join(flagged)
    assert last.verdict in ("pass", "warn")
    assert "young" not in intake.artifact["text"].lower()
    # The recruiter's requirements survive the revision word for word.
    assert intake.artifact["must_haves"][1]["text"] == "PostgreSQL in production"


def test_revise_loop_is_bounded_and_the_human_sees_the_failing_review(
    settings: Any, project: Any, config_copy: Any
) -> None:
    from crews.runner import open_runtime

    # A writer without the revise tool cannot fix its draft: the loop must stop by itself.
    directory = config_copy(
        {
            "agents.yaml": (
                "tools: [parse_intake_notes, draft_job_description, check_inclusive_language, "
                "revise_job_description, recall_memories]",
                "tools: [parse_intake_notes, draft_job_description, recall_memories]",
            )
        }
    )
    runtime = open_runtime(settings.model_copy(update={"config_dir": directory}))
    state = _start(runtime, project)
    intake = state.stages["intake"]
    assert intake.review_rounds == settings.max_review_rounds + 1
    assert intake.review.verdict == "fail"
    assert intake.status == "awaiting_decision"


def test_confirming_every_gate_completes_the_pipeline(
    runtime: Any, project: Any, confirm: Any
) -> None:
    state = _start(runtime, project)
    seen = []
    while state.status == "awaiting_decision":
        seen.append(state.current_stage)
        state = confirm(runtime, state.id)
    assert seen == ["intake", "sourcing", "screening", "outreach"]
    assert state.status == "completed"
    assert all(s.status == "confirmed" for s in state.stages.values())
    sourcing = state.stages["sourcing"].artifact
    assert sourcing["results"]["candidates"], "sourcing found nobody"
    shortlist = state.stages["screening"].artifact["candidates"]
    assert [c["rank"] for c in shortlist] == list(range(1, len(shortlist) + 1))
    outreach = state.stages["outreach"].artifact
    assert len(outreach["messages"]) == len(outreach["slots"]) == len(outreach["invites"]) >= 1
    assert outreach["slots"][0]["candidate_id"] == shortlist[0]["candidate_id"]


def test_edit_at_a_gate_replaces_the_artifact_and_feeds_the_next_stage(
    runtime: Any, project: Any, confirm: Any
) -> None:
    state = _start(runtime, project)
    edited = dict(state.stages["intake"].artifact)
    edited["title"] = "Staff Backend Engineer"
    edited["nice_to_haves"] = []
    state = confirm(runtime, state.id, decision="edit", artifact=edited)
    assert state.stages["intake"].status == "confirmed"
    assert state.stages["intake"].edited
    assert state.stages["intake"].artifact["title"] == "Staff Backend Engineer"
    plan = state.stages["sourcing"].artifact["plan"]
    assert plan["optional_skills"] == []  # the edit removed every nice-to-have
    assert "Staff Backend Engineer" in plan["semantic_query"]


def test_invalid_edit_is_refused_and_the_gate_stays_open(
    runtime: Any, project: Any, confirm: Any
) -> None:
    state = _start(runtime, project)
    broken = {**state.stages["intake"].artifact, "title": ""}
    with pytest.raises(GateError, match="title"):
        confirm(runtime, state.id, decision="edit", artifact=broken)
    state = confirm(runtime, state.id)  # the pending gate was not consumed
    assert state.current_stage == "sourcing"


def test_reject_reruns_the_stage_with_the_reason(runtime: Any, project: Any, confirm: Any) -> None:
    state = _start(runtime, project)
    state = confirm(runtime, state.id)
    assert state.stages["sourcing"].attempts == 1
    state = confirm(runtime, state.id, decision="reject", reason="Too many juniors, go again")
    sourcing = state.stages["sourcing"]
    assert state.current_stage == "sourcing"
    assert sourcing.attempts == 2
    assert sourcing.feedback == "Too many juniors, go again"
    assert [d.decision for d in sourcing.decisions] == ["reject"]
    assert sourcing.status == "awaiting_decision"
    reruns = [
        r
        for r in runtime.audit.records(state.id)
        if r["kind"] == "stage_started" and r["stage"] == "sourcing"
    ]
    assert [r["attempt"] for r in reruns] == [1, 2]


def test_stop_ends_the_run_and_no_gate_waits(runtime: Any, project: Any, confirm: Any) -> None:
    state = _start(runtime, project)
    state = confirm(runtime, state.id, decision="stop")
    assert state.status == "stopped"
    assert state.stages["intake"].status == "stopped"
    assert state.stages["sourcing"].attempts == 0
    with pytest.raises(RunNotFoundError):
        confirm(runtime, state.id)


def test_a_paused_run_resumes_in_another_process(runtime: Any, project: Any, settings: Any) -> None:
    from crews.runner import get_run

    state = _start(runtime, project)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "cli",
            "project",
            "decide",
            state.id,
            "confirm",
            "--json",
            "--data-dir",
            str(settings.data_path),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    statuses = {s["name"]: s["status"] for s in summary["stages"]}
    assert statuses["intake"] == "confirmed"
    assert statuses["sourcing"] == "awaiting_decision"
    # This process sees what the other one did.
    assert get_run(runtime, state.id).stages["sourcing"].status == "awaiting_decision"


def test_a_failed_model_call_leaves_a_retryable_gate(
    settings: Any, project: Any, confirm: Any
) -> None:
    from crews.runner import open_runtime

    # A configured remote model that cannot be reached: the closest real failure we can run.
    runtime = open_runtime(_unreachable(settings, fallback="none"))
    state = _start(runtime, project)
    intake = state.stages["intake"]
    assert state.status == "awaiting_decision"
    assert intake.status == "failed"
    assert "Connection error" in intake.error and "2 tries" in intake.error
    with pytest.raises(GateError, match="reject it to retry"):
        confirm(runtime, state.id)
    # The operator fixes the model; the recruiter retries the stage from the same gate.
    fixed = open_runtime(settings)
    state = confirm(fixed, state.id, decision="reject", reason="retry after outage")
    assert state.stages["intake"].status == "awaiting_decision"
    assert state.stages["intake"].attempts == 2


def test_the_reject_reason_reaches_the_rerun_crew(runtime: Any, project: Any, confirm: Any) -> None:
    from crewai.events import crewai_event_bus
    from crewai.events.types.llm_events import LLMCallStartedEvent

    state = _start(runtime, project)
    prompts: list[str] = []
    with crewai_event_bus.scoped_handlers():

        @crewai_event_bus.on(LLMCallStartedEvent)
        def seen(source: Any, event: Any) -> None:
            prompts.append(json.dumps(event.messages))

        confirm(runtime, state.id, decision="reject", reason="Mention the on-call rota")
        crewai_event_bus.flush()
    assert any("Mention the on-call rota" in p for p in prompts)


def test_a_decision_for_another_stage_or_attempt_is_refused(
    runtime: Any, project: Any, confirm: Any
) -> None:
    state = _start(runtime, project)
    with pytest.raises(GateError, match="waits at intake"):
        confirm(runtime, state.id, stage="sourcing")
    state = confirm(runtime, state.id, stage="intake", attempt=1)
    # A retried "confirm intake" must not silently confirm sourcing.
    with pytest.raises(GateError, match="waits at sourcing"):
        confirm(runtime, state.id, stage="intake", attempt=1)
    state = confirm(runtime, state.id, decision="reject", reason="again", stage="sourcing")
    with pytest.raises(GateError, match="attempt 1 of sourcing, but attempt 2"):
        confirm(runtime, state.id, stage="sourcing", attempt=1)


def test_concurrent_decisions_on_one_run_apply_once(
    runtime: Any, project: Any, settings: Any
) -> None:
    from crews.runner import get_run

    state = _start(runtime, project)
    command = [
        sys.executable,
        "-m",
        "cli",
        "project",
        "decide",
        state.id,
        "confirm",
        "--stage",
        "intake",
        "--data-dir",
        str(settings.data_path),
    ]
    procs = [
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    codes = sorted(p.wait(timeout=300) for p in procs)
    assert codes == [0, 2]
    final = get_run(runtime, state.id)
    assert [d.decision for d in final.stages["intake"].decisions] == ["confirm"]
    assert final.stages["sourcing"].attempts == 1


def test_an_edit_that_fails_the_review_needs_a_reason(
    runtime: Any, project: Any, confirm: Any
) -> None:
    state = _start(runtime, project)
    biased = dict(state.stages["intake"].artifact)
    biased["summary"] = "Join a young team of digital natives."
    with pytest.raises(GateError, match="fails the compliance review"):
        confirm(runtime, state.id, decision="edit", artifact=biased)
    state = confirm(
        runtime, state.id, decision="edit", artifact=biased, reason="legal approved wording"
    )
    intake = state.stages["intake"]
    assert intake.status == "confirmed" and intake.edited
    assert intake.review.verdict == "fail"  # the review of what was confirmed, kept on record


def test_an_edited_shortlist_may_only_name_sourced_candidates(
    runtime: Any, project: Any, confirm: Any
) -> None:
    state = _start(runtime, project)
    state = confirm(runtime, state.id)
    state = confirm(runtime, state.id)
    shortlist = state.stages["screening"].artifact
    ghost = json.loads(json.dumps(shortlist))
    ghost["candidates"][0]["candidate_id"] = "ghost-999"
    with pytest.raises(GateError, match="EDIT-1"):
        confirm(runtime, state.id, decision="edit", artifact=ghost)
    trimmed = {**shortlist, "candidates": shortlist["candidates"][1:2]}
    trimmed["candidates"][0]["rank"] = 1
    state = confirm(runtime, state.id, decision="edit", artifact=trimmed)
    outreach = state.stages["outreach"].artifact
    assert [s["candidate_id"] for s in outreach["slots"]] == [
        trimmed["candidates"][0]["candidate_id"]
    ]


def _unreachable(settings: Any, **llm: Any) -> Any:
    """``settings`` with the JD writer on a remote model nobody answers for."""
    return settings.model_copy(
        update={
            "llm": settings.llm.model_copy(
                update={
                    "roles": {"jd_writer": "openai/gpt-4o-mini"},
                    "base_url": "http://127.0.0.1:9/v1",
                    "timeout_s": 2.0,
                    "max_retries": 0,
                    "api_key": SecretStr("test-key"),
                    **llm,
                }
            )
        }
    )


def test_a_stage_whose_model_keeps_failing_falls_back_to_the_offline_engine_marked(
    settings: Any, project: Any
) -> None:
    from crews.runner import open_runtime

    runtime = open_runtime(_unreachable(settings, stage_attempts=2))
    state = _start(runtime, project)
    intake = state.stages["intake"]
    assert state.status == "awaiting_decision" and intake.status == "awaiting_decision"
    assert intake.fallback and "deterministic engine" in intake.fallback
    assert intake.artifact and intake.artifact["title"]
    trail = [r["kind"] for r in runtime.audit.records(run_id=state.id)]
    # Each review round asks the model twice, then falls back (the demo's intake needs two).
    fallbacks = trail.count("stage_fallback")
    assert fallbacks >= 1 and trail.count("stage_output_invalid") == 2 * fallbacks


def test_a_run_past_its_token_budget_stops_cleanly_and_says_why(
    settings: Any, project: Any
) -> None:
    from crews.runner import open_runtime

    runtime = open_runtime(
        settings.model_copy(update={"llm": settings.llm.model_copy(update={"budget_tokens": 50})})
    )
    state = _start(runtime, project)
    intake = state.stages["intake"]
    assert intake.usage.total_tokens > 50 and state.usage.total_tokens == intake.usage.total_tokens
    assert state.status == "stopped" and intake.status == "stopped"
    assert "budget" in (intake.error or "")
    trail = [r for r in runtime.audit.records(run_id=state.id) if r["kind"] == "stage_stopped"]
    assert trail and "budget" in trail[-1]["reason"]
