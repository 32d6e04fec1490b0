"""Typed outputs of the pipeline stages, and the review that gates each of them.

These are what agents produce, what the compliance review checks and what a recruiter confirms
or edits. They are plain pydantic models, so crewai tasks use them as ``output_pydantic`` and the
API serves them as they are.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field

RequirementKind = Literal["must_have", "nice_to_have"]


class Requirement(BaseModel):
    """One requirement of a job, as the recruiter stated it, with the skills it names."""

    text: str = Field(min_length=1)
    kind: RequirementKind
    skills: list[str] = Field(default_factory=list, description="canonical skill names")
    min_years: int | None = Field(default=None, ge=0)


class JobDescription(BaseModel):
    """Intake stage output: the job description drafted from the recruiter's notes."""

    title: str = Field(min_length=1)
    location: str | None = None
    employment_type: str | None = None
    summary: str
    responsibilities: list[str] = Field(default_factory=list)
    must_haves: list[Requirement] = Field(default_factory=list)
    nice_to_haves: list[Requirement] = Field(default_factory=list)
    text: str = Field(min_length=1, description="the full job description as published")


class SearchPlan(BaseModel):
    """How to find candidates: a boolean string, structured filters and a semantic query."""

    boolean_query: str
    required_skills: list[str] = Field(default_factory=list)
    optional_skills: list[str] = Field(default_factory=list)
    related_skills: list[str] = Field(
        default_factory=list,
        description="skills the taxonomy relates to the must-haves; they only boost",
    )
    min_years: int | None = Field(default=None, ge=0)
    location: str | None = None
    semantic_query: str = ""
    learned: list[str] = Field(
        default_factory=list,
        description="what the recruiter's memories changed in this plan, with the memory ids",
    )


class CandidateMatch(BaseModel):
    """A candidate found by the search, with why they matched."""

    candidate_id: str
    name: str
    headline: str
    score: float
    matched_skills: list[str] = Field(default_factory=list)


class CandidateList(BaseModel):
    """Candidates found for a plan, best first."""

    candidates: list[CandidateMatch] = Field(default_factory=list)
    pool_size: int = Field(default=0, ge=0)


class MustHaveCount(BaseModel):
    """How many candidates meet one must-have."""

    requirement: str
    skills: list[str] = Field(default_factory=list)
    candidates: int = Field(ge=0)


class SkillCount(BaseModel):
    """A skill and how many candidates have it."""

    skill: str
    candidates: int = Field(ge=0)


class RelaxHint(BaseModel):
    """The must-have whose removal would widen the pool most."""

    requirement: str
    meeting_all: int = Field(ge=0, description="candidates meeting every must-have now")
    meeting_all_without: int = Field(ge=0, description="... if this one were dropped")
    message: str


class PoolInsights(BaseModel):
    """What the pool looks like for a set of must-haves."""

    pool_size: int = Field(ge=0)
    must_haves: list[MustHaveCount] = Field(default_factory=list)
    meeting_all: int = Field(ge=0, description="candidates meeting every must-have")
    co_occurring: list[SkillCount] = Field(
        default_factory=list,
        description="skills most often found with the must-haves (in candidates meeting any)",
    )
    narrowest: RelaxHint | None = None


class SourcingReport(BaseModel):
    """Sourcing stage output: the plan that ran, what it found, and what the pool looks like."""

    plan: SearchPlan
    results: CandidateList
    insights: PoolInsights | None = None


class CriterionStatus(StrEnum):
    """How far a resume shows one requirement; the four verdicts are kept distinct.

    ``met``: the candidate's work shows it. ``partly``: only claimed (a skills list, the header),
    some but not all of a multi-skill requirement, or fewer years than asked but close.
    ``not_met``: the resume says otherwise (it states 2 years where 5+ are required, or "no
    experience with ..."), quoted. ``no_evidence``: nothing in the resume speaks to it.
    """

    MET = "met"
    PARTLY = "partly"
    NOT_MET = "not_met"
    NO_EVIDENCE = "no_evidence"

    @classmethod
    def _missing_(cls, value: object) -> CriterionStatus | None:
        # Outputs written before the verdicts were split (and models that remember them) say
        # "partial"; it meant what "partly" means now.
        if isinstance(value, str) and value.strip().lower() in {"partial", "partially"}:
            return cls.PARTLY
        return None


class CriterionAssessment(BaseModel):
    """One requirement judged against one resume, with verbatim quotes as evidence."""

    requirement: str
    kind: RequirementKind
    status: CriterionStatus
    evidence: list[str] = Field(
        default_factory=list,
        description="verbatim quotes from the text screened (the blind view of the resume)",
    )
    reason: str = Field(default="", description="why this verdict, in one short phrase")


class ScreenedCandidate(BaseModel):
    """A candidate screened criterion by criterion.

    Screening sees the blind view, so ``name`` is empty there: the recruiter reveals who is
    behind a ``candidate_id`` after the shortlist.
    """

    candidate_id: str
    name: str = ""
    rank: int = Field(ge=1)
    score: float = Field(ge=0, le=100)
    must_haves_met: int = Field(ge=0)
    must_haves_total: int = Field(ge=0)
    assessments: list[CriterionAssessment] = Field(default_factory=list)
    summary: str = ""


class Shortlist(BaseModel):
    """Screening stage output: candidates ranked by evidence against the must-haves."""

    job_title: str
    candidates: list[ScreenedCandidate] = Field(default_factory=list)
    pool_size: int | None = Field(
        default=None, ge=0, description="how many candidates were screened before the cut"
    )


class OutreachMessage(BaseModel):
    """A draft message to a candidate; nothing is sent without a human."""

    candidate_id: str
    to: str
    subject: str
    body: str


class InterviewSlot(BaseModel):
    """A proposed interview slot (aware UTC datetimes)."""

    candidate_id: str
    start: datetime
    end: datetime
    interviewers: list[str] = Field(default_factory=list)


class CalendarInvite(BaseModel):
    """An iCalendar (.ics) invite for one proposed slot."""

    candidate_id: str
    filename: str
    ics: str


class OutreachPlan(BaseModel):
    """Outreach stage output: drafted messages, proposed slots and their invites."""

    messages: list[OutreachMessage] = Field(default_factory=list)
    slots: list[InterviewSlot] = Field(default_factory=list)
    invites: list[CalendarInvite] = Field(default_factory=list)


Severity = Literal["hard", "soft"]


class Finding(BaseModel):
    """One problem found by a review: hard findings block, soft ones warn."""

    rule: str = Field(description="rule id, e.g. JD-1.age or SCR-2")
    severity: Severity
    message: str
    where: str | None = Field(default=None, description="field path or candidate id")
    span: str | None = Field(default=None, description="the offending text")
    suggestion: str | None = None


class Verdict(StrEnum):
    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"


class Review(BaseModel):
    """The compliance review of one stage output."""

    verdict: Verdict
    findings: list[Finding] = Field(default_factory=list)
    summary: str = ""


def verdict_for(findings: list[Finding]) -> Verdict:
    """The verdict a list of findings deserves: any hard finding fails, any soft one warns."""
    if any(f.severity == "hard" for f in findings):
        return Verdict.FAIL
    if findings:
        return Verdict.WARN
    return Verdict.PASS
