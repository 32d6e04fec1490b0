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
    rules = {(f.where, f.rule) for f in review.findings}
    # A statement carries protected wording (CUS-1); a question asks about it (CUS-2 too).
    assert rules == {
        ("questions[1].question", "CUS-1"),
        ("questions[1].question", "CUS-2"),
        ("notes.panel", "CUS-1"),
    }
    assert all("interview_kit output" in f.message for f in review.findings)


def test_questions_about_protected_topics_are_found_but_not_a_statement() -> None:
    unlawful = [
        "How many children do you have?",
        "Do you plan to start a family soon?",
        "Where were you born?",
        "Do you have any disabilities we should know about?",
        "Which church do you attend?",
        "Have you ever been arrested?",
        "What is your date of birth?",
    ]
    kit = Kit(
        title="Backend interview",
        questions=[Question(requirement="Fit", question=q) for q in unlawful],
        # An equal-opportunity statement names the same topics without asking about them.
        notes={
            "eeo": "We hire without regard to religion, disability, marital status or children."
        },
    )
    review = review_custom_output("interview_kit", kit)
    asked = {f.where for f in review.findings if f.rule == "CUS-2"}
    assert asked == {f"questions[{i}].question" for i in range(len(unlawful))}
    assert not any(f.where == "notes.eeo" and f.rule == "CUS-2" for f in review.findings)
    assert review.verdict == "fail"


def test_job_related_questions_pass() -> None:
    fine = [
        "Walk us through a Python service you built. What was your part?",
        "How do you decide between a queue and a direct call?",
        "Are you able to work the on-call rota described in the job description?",
        "Tell us about a time you managed a production incident. What did you learn?",
    ]
    kit = Kit(title="Backend", questions=[Question(requirement="x", question=q) for q in fine])
    assert review_custom_output("interview_kit", kit).findings == []
