"""What a recruiter can decide at a gate."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator

DecisionKind = Literal["confirm", "edit", "reject", "stop"]


class CandidateVote(BaseModel):
    """A thumbs up or down on one candidate of the stage's output, with why.

    Votes teach the recruiter's memory ("down: no Kubernetes experience", twice, makes
    Kubernetes a must-have of the next search plan); they do not change the artifact.
    """

    candidate_id: str = Field(min_length=1, max_length=200)
    vote: Literal["up", "down"]
    reason: str | None = Field(default=None, max_length=2000)


class GateDecision(BaseModel):
    """A recruiter's decision on a stage's output.

    ``edit`` carries the edited artifact (it replaces the stage output once it validates);
    ``reject`` carries the reason, which the stage's re-run receives as feedback.
    """

    decision: DecisionKind
    stage: str | None = Field(
        default=None,
        description="the stage this decision is for; refused if the run waits elsewhere",
    )
    attempt: int | None = Field(
        default=None, ge=1, description="the attempt seen; refused if the stage ran again"
    )
    artifact: dict[str, Any] | None = None
    reason: str | None = Field(
        default=None,
        max_length=2000,
        description="why: required to reject, and to confirm an edit the review fails",
    )
    actor: str | None = Field(default=None, description="who decided; defaults to the recruiter")
    votes: list[CandidateVote] = Field(
        default_factory=list, max_length=500, description="per-candidate thumbs up/down"
    )

    @model_validator(mode="after")
    def _complete(self) -> GateDecision:
        if self.decision == "edit" and self.artifact is None:
            raise ValueError("an edit needs the edited artifact")
        if self.decision == "reject" and not (self.reason and self.reason.strip()):
            raise ValueError("a rejection needs a reason the stage can act on")
        return self


class DecisionRecord(BaseModel):
    """A decision as it was applied, for the stage's history."""

    decision: DecisionKind
    reason: str | None = None
    actor: str
    votes: list[CandidateVote] = Field(default_factory=list)
    learned_memory_ids: list[str] = Field(
        default_factory=list, description="memories this decision wrote or updated"
    )
    at: datetime = Field(default_factory=lambda: datetime.now(UTC))
