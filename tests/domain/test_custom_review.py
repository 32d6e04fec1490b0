"""CUS-1: a custom stage's output (a model hirecrew does not know) is checked for protected-
attribute wording in every text it holds, wherever it is nested."""

from __future__ import annotations

from pydantic import BaseModel

from domain.review import review_custom_output


class Question(BaseModel):
    requirement: str
    question: str


class Kit(BaseModel):
    title: str
    questions: list[Question]
    notes: dict[str, str] = {}


def test_clean_output_passes() -> None:
    kit = Kit(
        title="Backend interview",
        questions=[Question(requirement="Python", question="How do you test a Python service?")],
    )
    review = review_custom_output("interview_kit", kit)
    assert review.verdict == "pass" and review.findings == []


def test_protected_wording_is_found_where_it_is() -> None:
    kit = Kit(
        title="Backend interview",
        questions=[
            Question(requirement="Python", question="How do you test a Python service?"),
            Question(requirement="Fit", question="Are you married?"),
        ],
        notes={"panel": "prefer a young team player"},
    )
    review = review_custom_output("interview_kit", kit)
    assert review.verdict == "fail"
    where = {f.where for f in review.findings}
    assert "questions[1].question" in where and "notes.panel" in where
    assert all(f.rule == "CUS-1" for f in review.findings)
    assert all("interview_kit output" in f.message for f in review.findings)
