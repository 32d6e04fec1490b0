"""What the reference-check crew returns."""

from typing import Literal

from pydantic import BaseModel, Field


class Referee(BaseModel):
    """What one referee said."""

    name: str
    relationship: str = ""
    strengths: list[str] = Field(default_factory=list)
    concerns: list[str] = Field(default_factory=list)
    would_rehire: bool | None = None


class ReferenceCheckSummary(BaseModel):
    """The references of one candidate, summarised for the recruiter to read."""

    candidate: str
    referees: list[Referee] = Field(min_length=1)
    shared_strengths: list[str] = Field(
        default_factory=list, description="strengths more than one referee named"
    )
    concerns: list[str] = Field(default_factory=list)
    recommendation: Literal["proceed", "discuss", "hold"] = Field(
        description="advisory only: the recruiter decides"
    )
