"""The REST API's request and response models (``*Create``, ``*Read``, ``*In``).

ORM rows stay in ``server.db.models``; these are what goes over the wire and into OpenAPI.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from fastapi import Path
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from crews.decisions import CandidateVote
from domain.entities import PipelineStage

# A stage of a project's pipeline: a built-in one or one crews.yaml's ``pipeline:`` adds.
StageName = Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[a-z][a-z0-9_]*$")]


class RunStatus(StrEnum):
    """Where one stage attempt stands."""

    QUEUED = "queued"
    RUNNING = "running"
    AWAITING_REVIEW = "awaiting_review"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"
    STOPPED = "stopped"
    FAILED = "failed"


ACTIVE = frozenset({RunStatus.QUEUED, RunStatus.RUNNING})
SETTLED = frozenset(set(RunStatus) - ACTIVE)


class ProjectStatus(StrEnum):
    OPEN = "open"  # no flow yet
    ACTIVE = "active"  # a flow carries it
    COMPLETED = "completed"
    STOPPED = "stopped"


def _storable(value: str) -> str:
    """Text a database can keep: no NUL character (PostgreSQL refuses it in text columns).
    (Pydantic already refuses a lone surrogate, ``"\\ud800"``, which JSON lets through.)"""
    if "\x00" in value:
        raise ValueError("must not contain NUL characters (\\u0000)")
    return value


# Free text from a client: anything a person may write, nothing a database cannot store.
Text = Annotated[str, AfterValidator(_storable)]

# Ids are uuid hex (projects, runs), ``cand-`` and hex (candidates) or uuids (memories):
# anything else cannot name one, and never reaches the database.
ID_PATTERN = r"^[A-Za-z0-9_-]+$"
ID_MAX_LENGTH = 64


def id_param(what: str) -> Any:
    """A path parameter that names ``what`` by its id."""
    return Path(
        min_length=1,
        max_length=ID_MAX_LENGTH,
        pattern=ID_PATTERN,
        description=f"the {what}'s id",
    )


ProjectId = Annotated[str, id_param("project")]
RunId = Annotated[str, id_param("run")]
CandidateId = Annotated[str, id_param("candidate")]
MemoryId = Annotated[str, id_param("memory")]
ApplicationId = Annotated[str, id_param("application")]

# The largest value a BIGINT column (and SQLite's INTEGER) holds: bigger numbers in a query
# are refused (422) rather than overflowing in the database driver.
MAX_INT = 2**63 - 1


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Health(BaseModel):
    status: Literal["ok"] = "ok"
    version: str


class ProjectCreate(Strict):
    title: Text = Field(min_length=1, max_length=300)
    intake_notes: Text = Field(
        min_length=1, max_length=50_000, description="the hiring manager's brief, free text"
    )
    company: Text | None = Field(default=None, min_length=1, max_length=300)


class RunCreate(Strict):
    stage: StageName = Field(description="the stage to run; a new project starts at intake")


class RunQueued(BaseModel):
    run_id: str
    status: RunStatus
    stage: StageName


class Review(BaseModel):
    verdict: Literal["pass", "warn", "fail"]
    findings: list[dict[str, Any]]
    summary: str | None = None


class DecisionRead(BaseModel):
    action: Literal["confirm", "edit", "reject", "stop"]
    comment: str | None
    votes: list[dict[str, Any]]
    actor_id: str
    at: datetime


class RunRead(BaseModel):
    """One attempt of one stage: its status, output, review, memories and decision."""

    id: str
    project_id: str
    flow_id: str | None
    stage: StageName
    next_stage: str | None = Field(
        default=None, description="the stage a confirmation of this run starts (None: the last)"
    )
    attempt: int
    status: RunStatus
    stop_requested: bool
    error: str | None
    artifact: dict[str, Any] | None = Field(description="the latest version of the output")
    artifact_kind: str | None = Field(description="reviewed | edited | confirmed")
    review: Review | None
    memory_ids: list[str] = Field(description="the recruiter's memories recalled for this run")
    memories_applied: list[str] = Field(description="of those, the ones that changed the output")
    memories_learned: list[str] = Field(description="memories the decision on this run wrote")
    decision: DecisionRead | None
    actions: list[str] = Field(description="the decisions this run accepts now")
    next_run_id: str | None = Field(description="the run this one's decision queued")
    usage: dict[str, int] | None = Field(
        default=None,
        description="model usage of this attempt: prompt_tokens, completion_tokens, "
        "total_tokens, calls",
    )
    fallback: str | None = Field(
        default=None,
        description="why the deterministic engine produced the output instead of the model",
    )
    cost_usd: float | None = Field(
        default=None,
        description="what this attempt's model calls cost in US dollars at the configured "
        "prices (HIRECREW_LLM__PRICES); null when unknown: see unpriced_models",
    )
    unpriced_models: list[str] = Field(
        default_factory=list,
        description="models this attempt used that have no price (its cost is then unknown)",
    )
    config_version: int | None = Field(
        default=None,
        description="the configuration version the flow started with (GET /api/config/"
        "versions/{n}); every stage of the flow runs on it",
    )
    created_at: datetime
    updated_at: datetime


class RunSummary(BaseModel):
    id: str
    stage: StageName
    attempt: int
    status: RunStatus
    error: str | None
    created_at: datetime


class ProjectRead(BaseModel):
    id: str
    owner_id: str
    title: str
    company: str = Field(description="empty when not given")
    intake_notes: str
    status: str
    flow_id: str | None
    created_at: datetime
    updated_at: datetime


class ProjectDetail(ProjectRead):
    stages: list[str] = Field(
        description="the project's pipeline, in order: its flow's once started (fixed then), "
        "else the configuration's"
    )
    runs: list[RunSummary]
    next: str = Field(description="what the project waits for, in words")


class DecisionIn(Strict):
    action: Literal["confirm", "edit", "reject", "stop"]
    artifact: dict[str, Any] | None = Field(
        default=None, description="the edited output (edit only); must validate for the stage"
    )
    comment: Text | None = Field(
        default=None,
        max_length=2000,
        description="why: required to reject; to confirm an edit the review fails",
    )
    votes: list[CandidateVote] = Field(default_factory=list, max_length=500)


class ApplicationMove(BaseModel):
    """One step of an application's history: where it went, when, who moved it, and why."""

    stage: PipelineStage
    at: datetime
    actor: str | None
    why: str | None


class ApplicationRead(BaseModel):
    """A candidate in a project's pipeline."""

    id: str
    project_id: str
    candidate_id: str
    stage: PipelineStage
    history: list[ApplicationMove] = Field(description="every move, oldest first")
    updated_at: datetime


class ApplicationUpdate(Strict):
    stage: PipelineStage = Field(description="where the candidate goes (any pipeline stage)")
    reason: Text | None = Field(default=None, max_length=2000, description="why, for the history")


class Problem(BaseModel):
    """Every error answer: a message for a person, and the details when there are several."""

    detail: str
    errors: list[dict[str, Any]] | None = None


def _problem(description: str) -> dict[str, Any]:
    return {"model": Problem, "description": description}


# The error answers every authenticated route may give (each router declares them, so the
# OpenAPI document lists every status a client can get; a route adds its own 404 and 409).
ERRORS: dict[int | str, dict[str, Any]] = {
    400: _problem("malformed JSON, or a body that is not UTF-8"),
    401: _problem("no token, or one that is invalid or revoked"),
    403: _problem("the caller's role may not do this"),
    413: _problem("the request body is over the limit"),
    422: _problem("invalid request: each problem with where it is"),
}
