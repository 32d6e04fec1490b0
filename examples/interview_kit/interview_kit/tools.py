"""The interview-kit tool: the same job-related questions for every shortlisted candidate."""

import re
from typing import ClassVar

from crewai.tools import BaseTool
from pydantic import BaseModel, Field, ValidationError

from interview_kit.models import InterviewKit, InterviewQuestion

RANKED = re.compile(r"#\s*(\d+)\s+([\w.:-]+)")
MAX_TEXT = 300
GUIDANCE = (
    "Ask every candidate the same questions, in this order, and score each answer against its "
    "strong-answer notes before comparing candidates. Ask only about the job."
)


class Requirement(BaseModel):
    text: str = Field(min_length=1)


class JobDescription(BaseModel):
    """The fields of hirecrew's job description (domain.artifacts.JobDescription) used here."""

    title: str = Field(min_length=1)
    must_haves: list[Requirement] = Field(default_factory=list)
    nice_to_haves: list[Requirement] = Field(default_factory=list)


class KitRequest(BaseModel):
    job_description: str = Field(
        min_length=1, description="the confirmed job description, as JSON (title, must_haves...)"
    )
    shortlist: str = Field(
        min_length=1,
        description="the ranked shortlist: '#1 cand-1 score 0.82 (3/3 must-haves); #2 ...'",
    )


class DraftInterviewKitTool(BaseTool):
    name: str = "draft_interview_kit"
    description: str = (
        "Draft a structured interview kit from a job description and a ranked shortlist: two "
        "questions per must-have and one per nice-to-have, each with what a strong answer "
        "shows, the same for every candidate, and the candidates to interview in shortlist "
        "order. Returns JSON."
    )
    args_schema: type[BaseModel] = KitRequest
    network: ClassVar[bool] = False  # works on its arguments only

    def _run(self, job_description: str, shortlist: str) -> str:
        try:
            job = JobDescription.model_validate_json(job_description)
        except ValidationError as exc:
            problem = exc.errors()[0]["msg"]
            return f"Error: job_description is not a job description as JSON ({problem})"
        if not job.must_haves:
            return "Error: the job description lists no must_haves; there is nothing to ask"
        candidates = parse_shortlist(shortlist)
        if not candidates:
            return "Error: no '#<rank> <candidate id>' entry in the shortlist; nobody to interview"
        return draft_kit(job, candidates).model_dump_json()


def parse_shortlist(shortlist: str) -> list[str]:
    """The candidate ids of a ranked shortlist, best rank first, each once."""
    ranked = sorted(
        (int(rank), order, cid) for order, (rank, cid) in enumerate(RANKED.findall(shortlist))
    )
    seen: list[str] = []
    for _, _, candidate in ranked:
        if candidate not in seen and len(candidate) <= 64:
            seen.append(candidate)
    return seen


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 3].rstrip() + "..."


def must_have_questions(requirement: str) -> list[InterviewQuestion]:
    """Two questions: one for evidence of the requirement, one for its depth."""
    return [
        InterviewQuestion(
            requirement=requirement,
            kind="must_have",
            question=(
                f"This role requires: {requirement}. Walk us through a recent piece of work "
                "that shows it. What was your part, and what was the result?"
            ),
            strong_answer=(
                "A specific example, the candidate's own contribution in it, and a result "
                "they can describe or measure."
            ),
        ),
        InterviewQuestion(
            requirement=requirement,
            kind="must_have",
            question=(
                f"Thinking of {requirement}: what is the hardest problem you have solved in "
                "this area, which options did you weigh, and what would you do differently now?"
            ),
            strong_answer=(
                "Depth beyond the basics: the trade-offs weighed, a reasoned choice, and a "
                "lesson learned."
            ),
        ),
    ]


def nice_to_have_question(requirement: str) -> InterviewQuestion:
    """One question; a weak answer here is never a reason to reject on its own."""
    return InterviewQuestion(
        requirement=requirement,
        kind="nice_to_have",
        question=(
            f"The role would also benefit from: {requirement}. Tell us about any hands-on "
            "experience you have with it."
        ),
        strong_answer="Hands-on use in real work; a plus, not a requirement.",
    )


def draft_kit(job: JobDescription, candidates: list[str]) -> InterviewKit:
    """Must-have questions first, then nice-to-have ones, for the candidates in order."""
    questions = [q for r in job.must_haves for q in must_have_questions(_clip(r.text))]
    questions += [nice_to_have_question(_clip(r.text)) for r in job.nice_to_haves]
    return InterviewKit(
        job_title=_clip(job.title)[:200],
        questions=questions[:40],
        candidates=candidates[:50],
        guidance=GUIDANCE,
    )
