"""The assistant learns from a recruiter's decisions, one scenario per stage, on real crews and
a real Mem0: feedback in one project changes the next project's output, lists the memory that
changed it, and never reaches another recruiter."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from domain.artifacts import JobDescription, OutreachPlan, Shortlist, SourcingReport
from domain.jd import render_job_description
from domain.preferences import body_words
from domain.sample_data import SAMPLE_INTAKE_NOTES
from tests.crews.conftest import run

NOTES_WITHOUT_KUBERNETES = SAMPLE_INTAKE_NOTES.replace(
    "- Run and evolve our PostgreSQL databases and Kubernetes deployments\n", ""
).replace("- Kubernetes\n", "")


def _other_recruiter(project: Any) -> Any:
    recruiter = project.recruiter.model_copy(update={"id": "rec-other", "name": "Sam Other"})
    return project.model_copy(update={"recruiter": recruiter})


def _confirm_until(runtime: Any, state: Any, stage: str, confirm: Callable[..., Any]) -> Any:
    while state.current_stage != stage:
        state = confirm(runtime, state.id, stage=state.current_stage)
    return state


def test_a_shortened_job_description_makes_the_next_draft_shorter(
    runtime: Any, project: Any, confirm: Callable[..., Any]
) -> None:
    from crews.runner import start_run

    state = run(start_run(runtime, project))
    draft = JobDescription.model_validate(state.stages["intake"].artifact)
    short = draft.model_copy(update={"responsibilities": draft.responsibilities[:1]})
    short = short.model_copy(update={"nice_to_haves": [], "text": render_job_description(short)})
    state = confirm(
        runtime, state.id, decision="edit", artifact=short.model_dump(mode="json"), stage="intake"
    )
    learned = state.stages["intake"].decisions[-1].learned_memory_ids
    assert len(learned) == 1

    again = run(start_run(runtime, project))
    record = again.stages["intake"]
    redrafted = JobDescription.model_validate(record.artifact)
    assert body_words(redrafted) < body_words(draft)
    assert redrafted.nice_to_haves == []
    assert learned[0] in record.memories_applied
    assert learned[0] in record.memory_ids

    elsewhere = run(start_run(runtime, _other_recruiter(project)))
    untouched = JobDescription.model_validate(elsewhere.stages["intake"].artifact)
    assert body_words(untouched) == body_words(draft)
    assert elsewhere.stages["intake"].memory_ids == []


def test_two_rejections_for_no_kubernetes_make_it_a_must_have_of_the_next_search(
    runtime: Any, project: Any, confirm: Callable[..., Any]
) -> None:
    from crews.runner import start_run

    project = project.model_copy(update={"intake_notes": NOTES_WITHOUT_KUBERNETES})
    state = _confirm_until(runtime, run(start_run(runtime, project)), "sourcing", confirm)
    report = SourcingReport.model_validate(state.stages["sourcing"].artifact)
    assert "kubernetes" not in report.plan.required_skills
    first, second = (c.candidate_id for c in report.results.candidates[:2])
    votes = [
        {"candidate_id": first, "vote": "down", "reason": "no Kubernetes experience"},
        {"candidate_id": second, "vote": "down", "reason": "has never used k8s"},
    ]
    state = confirm(runtime, state.id, stage="sourcing", votes=votes)
    learned = state.stages["sourcing"].decisions[-1].learned_memory_ids
    assert learned, "the votes taught nothing"

    again = _confirm_until(runtime, run(start_run(runtime, project)), "sourcing", confirm)
    record = again.stages["sourcing"]
    plan = SourcingReport.model_validate(record.artifact).plan
    assert "kubernetes" in plan.required_skills
    assert any(learned[-1] in note for note in plan.learned)
    assert learned[-1] in record.memories_applied

    other = _other_recruiter(project)
    elsewhere = _confirm_until(runtime, run(start_run(runtime, other)), "sourcing", confirm)
    other_plan = SourcingReport.model_validate(elsewhere.stages["sourcing"].artifact).plan
    assert "kubernetes" not in other_plan.required_skills
    assert other_plan.learned == []


def test_one_rejection_is_remembered_but_not_yet_a_rule(
    runtime: Any, project: Any, confirm: Callable[..., Any]
) -> None:
    from crews.runner import start_run

    project = project.model_copy(update={"intake_notes": NOTES_WITHOUT_KUBERNETES})
    state = _confirm_until(runtime, run(start_run(runtime, project)), "sourcing", confirm)
    report = SourcingReport.model_validate(state.stages["sourcing"].artifact)
    vote = {
        "candidate_id": report.results.candidates[0].candidate_id,
        "vote": "down",
        "reason": "no Kubernetes experience",
    }
    confirm(runtime, state.id, stage="sourcing", votes=[vote])
    again = _confirm_until(runtime, run(start_run(runtime, project)), "sourcing", confirm)
    plan = SourcingReport.model_validate(again.stages["sourcing"].artifact).plan
    assert "kubernetes" not in plan.required_skills
    assert again.stages["sourcing"].memory_ids, "the lesson so far is recalled for the agents"


def test_a_trimmed_shortlist_sets_the_size_of_the_next_one(
    runtime: Any, project: Any, confirm: Callable[..., Any]
) -> None:
    from crews.runner import start_run

    state = _confirm_until(runtime, run(start_run(runtime, project)), "screening", confirm)
    shortlist = Shortlist.model_validate(state.stages["screening"].artifact)
    assert len(shortlist.candidates) > 3
    trimmed = shortlist.model_copy(update={"candidates": shortlist.candidates[:3]})
    confirm(
        runtime,
        state.id,
        decision="edit",
        artifact=trimmed.model_dump(mode="json"),
        stage="screening",
    )
    again = _confirm_until(runtime, run(start_run(runtime, project)), "screening", confirm)
    record = again.stages["screening"]
    assert len(Shortlist.model_validate(record.artifact).candidates) == 3
    assert record.memories_applied


def test_shortened_outreach_makes_the_next_messages_brief(
    runtime: Any, project: Any, confirm: Callable[..., Any]
) -> None:
    from crews.runner import start_run

    state = _confirm_until(runtime, run(start_run(runtime, project)), "outreach", confirm)
    plan = OutreachPlan.model_validate(state.stages["outreach"].artifact)
    assert plan.messages
    shorter = [
        m.model_copy(update={"body": " ".join(m.body.split()[: len(m.body.split()) // 2])})
        for m in plan.messages
    ]
    edited = plan.model_copy(update={"messages": shorter})
    confirm(
        runtime,
        state.id,
        decision="edit",
        artifact=edited.model_dump(mode="json"),
        stage="outreach",
        reason="shorter is better",
    )
    again = _confirm_until(runtime, run(start_run(runtime, project)), "outreach", confirm)
    record = again.stages["outreach"]
    brief = OutreachPlan.model_validate(record.artifact)

    def words(p: OutreachPlan) -> float:
        return sum(len(m.body.split()) for m in p.messages) / len(p.messages)

    assert words(brief) < words(plan)
    assert record.memories_applied


def test_a_vote_on_someone_the_stage_did_not_show_is_refused(
    runtime: Any, project: Any, confirm: Callable[..., Any]
) -> None:
    from crews.errors import GateError
    from crews.runner import start_run

    state = _confirm_until(runtime, run(start_run(runtime, project)), "sourcing", confirm)
    with pytest.raises(GateError, match="does not show"):
        confirm(
            runtime,
            state.id,
            stage="sourcing",
            votes=[{"candidate_id": "not-in-this-run", "vote": "down", "reason": "no Go"}],
        )


def test_a_memory_the_recruiter_deletes_stops_shaping_the_next_run(
    runtime: Any, project: Any, confirm: Callable[..., Any]
) -> None:
    from crews.runner import start_run

    service = runtime.memory
    rid = project.recruiter.id
    [memory] = service.remember(rid, "Keep job descriptions to about 40 words.")
    shaped = run(start_run(runtime, project))
    assert memory.id in shaped.stages["intake"].memories_applied
    service.forget(rid, memory.id)
    plain = run(start_run(runtime, project))
    assert plain.stages["intake"].memory_ids == []
    assert body_words(JobDescription.model_validate(plain.stages["intake"].artifact)) > body_words(
        JobDescription.model_validate(shaped.stages["intake"].artifact)
    )
