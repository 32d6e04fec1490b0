"""Each stage's crew, built from YAML and kicked off for real; the manager delegates."""

from __future__ import annotations

from typing import Any

import pytest

from crews.project import index_dir, load_pool
from domain.artifacts import (
    CandidateList,
    CandidateMatch,
    JobDescription,
    OutreachPlan,
    Shortlist,
    SourcingReport,
)
from domain.intake import parse_intake_notes
from domain.jd import compose_job_description
from domain.scheduling import read_invite
from domain.screening import screen_pool
from domain.search import build_search_plan


@pytest.fixture
def workspace_for(project: Any, settings: Any) -> Any:
    from tools.workspace import Workspace

    pool = load_pool(project.pool_path)
    job = compose_job_description(parse_intake_notes(project.intake_notes), company="Acme")
    # The ten backend engineers of the pool stand in for a confirmed sourcing result.
    chosen = [c for c in pool if "Backend" in c.headline][:10]
    results = CandidateList(
        candidates=[
            CandidateMatch(candidate_id=c.id, name=c.name, headline=c.headline, score=1.0)
            for c in chosen
        ]
    )
    sourcing = SourcingReport(plan=build_search_plan(job), results=results)

    def make(stage: str) -> Workspace:
        return Workspace(
            stage=stage,
            recruiter=project.recruiter,
            company=project.company,
            intake_notes=project.intake_notes,
            pool=pool,
            interviewers=project.interviewers,
            schedule_start=project.schedule_start,
            job=job,
            sourcing=sourcing,
            shortlist=screen_pool(chosen, job),
            index_dir=index_dir(settings.cache_path, project.pool_path),
        )

    return make


def _kickoff(runtime: Any, crew: str, workspace: Any, inputs: dict[str, str]) -> Any:
    from crews.assembly import build_crew
    from crews.audit import current_run

    token = current_run.set(f"crew-test-{crew}")
    try:
        built = build_crew(
            runtime.config, crew, workspace=workspace, llm_settings=runtime.settings.llm
        )
        return built.kickoff(inputs=inputs)
    finally:
        current_run.reset(token)


COMMON = {
    "project_title": "Senior Backend Engineer",
    "company": "Acme",
    "recruiter_name": "Dana",
    "recruiter_preferences": "none",
    "recruiter_feedback": "none",
    "recruiter_memories": "none yet",
    "review_findings": "<review_findings>[]</review_findings>",
}


@pytest.mark.parametrize(
    ("crew", "extra", "output", "worker"),
    [
        ("intake", {"intake_notes": "x"}, JobDescription, "Job Description Writer"),
        ("sourcing", {"job_description": "{}"}, SourcingReport, "Candidate Sourcer"),
        (
            "screening",
            {"job_description": "{}", "sourced_candidates": "all"},
            Shortlist,
            "Resume Screener",
        ),
        (
            "outreach",
            {"job_description": "{}", "shortlist": "top"},
            OutreachPlan,
            "Interview Coordinator",
        ),
    ],
)
def test_stage_crew_returns_its_typed_output_through_the_manager(
    runtime: Any, workspace_for: Any, crew: str, extra: dict[str, str], output: type, worker: str
) -> None:
    from crewai.events import crewai_event_bus

    result = _kickoff(runtime, crew, workspace_for(crew), {**COMMON, **extra})
    assert isinstance(result.pydantic, output)
    crewai_event_bus.flush()
    records = list(runtime.audit.records(f"crew-test-{crew}"))
    delegations = [
        r
        for r in records
        if r.get("event") == "tool_usage_finished"
        and r.get("tool_name") == "delegate_work_to_coworker"
    ]
    assert delegations, "the manager did not delegate"
    assert all(r["agent_role"] == "Hiring Manager" for r in delegations)
    worker_tools = {
        r["tool_name"]
        for r in records
        if r.get("event") == "tool_usage_finished" and r.get("agent_role") == worker
    }
    assert worker_tools, f"{worker} used no tool"
    assert "delegate_work_to_coworker" not in worker_tools


def test_outreach_crew_plans_one_message_and_invite_per_slot(
    runtime: Any, workspace_for: Any
) -> None:
    result = _kickoff(
        runtime,
        "outreach",
        workspace_for("outreach"),
        {**COMMON, "job_description": "{}", "shortlist": "top"},
    )
    plan = result.pydantic
    assert plan.slots and len(plan.messages) == len(plan.invites) == len(plan.slots)
    for slot, invite in zip(plan.slots, plan.invites, strict=True):
        assert slot.candidate_id == invite.candidate_id
        assert read_invite(invite.ics).start == slot.start
