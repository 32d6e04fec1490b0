"""The stages of a hiring project: their crews, typed outputs and the inputs they accept.

Importing this module must stay cheap (no crewai): ``hirecrew config validate`` uses it.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel

from domain.artifacts import JobDescription, OutreachPlan, Review, Shortlist, SourcingReport

COMMON_INPUTS = frozenset(
    {
        "project_title",
        "company",
        "recruiter_name",
        "recruiter_preferences",
        "recruiter_feedback",
        "review_findings",
        "recruiter_memories",
    }
)


@dataclass(frozen=True)
class Stage:
    """One stage: the crew that runs it and the artifact it must produce."""

    name: str
    crew: str
    output: type[BaseModel]
    inputs: frozenset[str]
    gate_message: str


STAGES: tuple[Stage, ...] = (
    Stage(
        "intake",
        "intake",
        JobDescription,
        COMMON_INPUTS | {"intake_notes"},
        "Review the drafted job description: confirm, edit, reject or stop.",
    ),
    Stage(
        "sourcing",
        "sourcing",
        SourcingReport,
        COMMON_INPUTS | {"job_description"},
        "Review the search plan and the candidates found: confirm, edit, reject or stop.",
    ),
    Stage(
        "screening",
        "screening",
        Shortlist,
        COMMON_INPUTS | {"job_description", "sourced_candidates"},
        "Review the ranked shortlist and its evidence: confirm, edit, reject or stop.",
    ),
    Stage(
        "outreach",
        "outreach",
        OutreachPlan,
        COMMON_INPUTS | {"job_description", "shortlist"},
        "Review the drafted messages and proposed slots before anything is sent.",
    ),
)
STAGE_BY_NAME = {stage.name: stage for stage in STAGES}
STAGE_NAMES = tuple(stage.name for stage in STAGES)

REVIEW_CREW = "review"
REVIEW_INPUTS = frozenset({"project_title", "stage", "artifact"})
REVIEW_OUTPUT = Review

CREW_INPUTS: dict[str, frozenset[str]] = {
    **{stage.crew: stage.inputs for stage in STAGES},
    REVIEW_CREW: REVIEW_INPUTS,
}
