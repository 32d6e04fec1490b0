"""What the interview-kit crew returns."""

from typing import Annotated, Literal

from pydantic import BaseModel, Field

CandidateId = Annotated[str, Field(min_length=1, max_length=64)]


class InterviewQuestion(BaseModel):
    """One question of the structured interview, asked of every candidate the same way."""

    requirement: str = Field(min_length=1, max_length=300, description="the requirement it probes")
    kind: Literal["must_have", "nice_to_have"]
    question: str = Field(min_length=1, max_length=600)
    strong_answer: str = Field(
        min_length=1, max_length=600, description="what a strong answer shows"
    )


class InterviewKit(BaseModel):
    """The same questions for every candidate on the shortlist, in shortlist order."""

    job_title: str = Field(min_length=1, max_length=200)
    questions: list[InterviewQuestion] = Field(min_length=1, max_length=40)
    candidates: list[CandidateId] = Field(
        default_factory=list, max_length=50, description="who to interview, best first"
    )
    guidance: str = Field(default="", max_length=600, description="how to run the interviews")
