"""Entities of a hiring project: who is hired for what, by whom, and where each candidate stands."""

from __future__ import annotations

from datetime import datetime, time
from enum import StrEnum

from pydantic import BaseModel, Field


class Recruiter(BaseModel):
    """A person who owns hiring projects and decides at every gate."""

    id: str
    name: str
    email: str
    timezone: str = "UTC"


class Candidate(BaseModel):
    """A person in the candidate pool, with the plain-text resume the tools read.

    Imported resumes are often anonymised: name, e-mail, location and years may be unknown.
    """

    id: str
    name: str = ""
    email: str | None = None
    location: str | None = None
    headline: str = ""
    years_experience: int | None = Field(default=None, ge=0)
    skills: list[str] = Field(default_factory=list)
    resume_text: str
    source: str | None = Field(default=None, description="where the resume was imported from")
    flags: list[str] = Field(
        default_factory=list, description="what ingestion found and kept out (hidden text...)"
    )


class Job(BaseModel):
    """A requisition: what the recruiter wrote at intake and where it is."""

    id: str
    recruiter_id: str
    title: str
    intake_notes: str
    location: str | None = None


class PipelineStage(StrEnum):
    """Where an application stands; moves only after a human decision."""

    SOURCED = "sourced"
    SCREENED = "screened"
    SHORTLISTED = "shortlisted"
    CONTACTED = "contacted"
    INTERVIEW_SCHEDULED = "interview_scheduled"
    INTERVIEWING = "interviewing"
    OFFER = "offer"
    HIRED = "hired"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class Application(BaseModel):
    """A candidate considered for a job."""

    id: str
    job_id: str
    candidate_id: str
    stage: PipelineStage = PipelineStage.SOURCED
    score: float | None = None


class BusyBlock(BaseModel):
    """A time an interviewer is not available (aware datetimes)."""

    start: datetime
    end: datetime


class Interviewer(BaseModel):
    """A panel member with working hours in their own time zone and known busy blocks."""

    name: str
    email: str
    timezone: str = "UTC"
    work_start: time = time(9, 0)
    work_end: time = time(17, 0)
    busy: list[BusyBlock] = Field(default_factory=list)


class Interview(BaseModel):
    """A scheduled interview; proposed until a human confirms the outreach."""

    id: str
    application_id: str
    start: datetime
    end: datetime
    interviewers: list[str]
    confirmed: bool = False


class Feedback(BaseModel):
    """What an interviewer recorded after an interview."""

    interview_id: str
    author: str
    rating: int = Field(ge=1, le=5)
    notes: str = ""
