"""The interview-kit example (examples/interview_kit): its tool, its output model, its crew on
the offline engine, and the pipeline its crews.yaml fragment declares."""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from pydantic import ValidationError

from config.settings import LLMSettings
from domain.artifacts import JobDescription, Requirement
from domain.review import protected_terms
from tests.examples.support import (
    EXAMPLE,
    JOB,
    JOB_DESCRIPTION,
    SHORTLIST,
    example_config,
)


@pytest.fixture(autouse=True)
def _example_importable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(EXAMPLE))


@pytest.fixture
def tools() -> ModuleType:
    import interview_kit.tools

    return interview_kit.tools


@pytest.fixture
def models() -> ModuleType:
    import interview_kit.models

    return interview_kit.models


def _kit(tools: ModuleType, job: str = JOB_DESCRIPTION, shortlist: str = SHORTLIST) -> Any:
    answer = tools.DraftInterviewKitTool().run(job_description=job, shortlist=shortlist)
    assert not answer.startswith("Error:"), answer
    return json.loads(answer)


def _texts(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [t for item in value.values() for t in _texts(item)]
    if isinstance(value, list):
        return [t for item in value for t in _texts(item)]
    return []


def test_two_questions_per_must_have_then_one_per_nice_to_have(
    tools: ModuleType, models: ModuleType
) -> None:
    kit = models.InterviewKit.model_validate(_kit(tools))

    assert kit.job_title == "Senior Backend Engineer"
    asked = [(q.kind, q.requirement) for q in kit.questions]
    assert asked == [
        ("must_have", "5+ years of professional Python development"),
        ("must_have", "5+ years of professional Python development"),
        ("must_have", "PostgreSQL in production"),
        ("must_have", "PostgreSQL in production"),
        ("must_have", "Kubernetes"),
        ("must_have", "Kubernetes"),
        ("nice_to_have", "Go"),
        ("nice_to_have", "Experience in payments or fintech"),
    ]
    for question in kit.questions:
        assert question.requirement in question.question
        assert question.strong_answer.strip()
    # The two questions on one must-have ask different things.
    assert kit.questions[0].question != kit.questions[1].question
    assert "same questions" in kit.guidance


def test_every_candidate_gets_the_same_questions(tools: ModuleType) -> None:
    first = _kit(tools, shortlist="#1 cand-1 score 0.82 (3/3 must-haves)")
    second = _kit(tools, shortlist="#1 cand-9 score 0.4 (1/3 must-haves); #2 cand-3 score 0.3")

    assert first["questions"] == second["questions"]
    for question in first["questions"]:
        for candidate in ("cand-1", "cand-9", "cand-3"):
            assert candidate not in json.dumps(question)


def test_candidates_are_interviewed_in_shortlist_order(tools: ModuleType) -> None:
    assert _kit(tools)["candidates"] == ["cand-1", "cand-7"]
    # By rank, whatever order the entries come in; each candidate once.
    shuffled = (
        "#3 cand-12 score 40.0; #1 cand-0158 score 100.0; #2 cand-23 score 90.0; #1 cand-0158"
    )
    assert _kit(tools, shortlist=shuffled)["candidates"] == ["cand-0158", "cand-23", "cand-12"]
    assert tools.parse_shortlist("no ranked entries here") == []


def test_bad_arguments_are_an_error_the_agent_can_act_on(tools: ModuleType) -> None:
    tool = tools.DraftInterviewKitTool()
    no_must_haves = JOB.model_copy(update={"must_haves": []}).model_dump_json()
    cases = {
        "not json at all": (SHORTLIST, "job_description is not a job description as JSON"),
        '{"must_haves": []}': (SHORTLIST, "job_description is not a job description as JSON"),
        '{"title": "X", "must_haves": [{"kind": "must_have"}]}': (
            SHORTLIST,
            "job_description is not a job description as JSON",
        ),
        no_must_haves: (SHORTLIST, "lists no must_haves"),
        JOB_DESCRIPTION: ("cand-1, cand-7", "no '#<rank> <candidate id>' entry"),
    }
    for job, (shortlist, message) in cases.items():
        answer = tool.run(job_description=job, shortlist=shortlist)
        assert answer.startswith("Error: ") and message in answer, (job, answer)


def test_questions_are_about_the_job_only(tools: ModuleType) -> None:
    from domain.review import review_custom_output

    kit = _kit(tools)
    for text in _texts(kit):
        assert protected_terms(text, prose=True) == [], text
    for text in _texts(kit["questions"]):
        for topic in ("age", "family", "children", "married", "nationality", "health", "religion"):
            assert f" {topic} " not in f" {text.lower()} ", (topic, text)
    # The flow's own check of a custom stage's output finds nothing either.
    from interview_kit.models import InterviewKit

    review = review_custom_output("interview_kit", InterviewKit.model_validate(kit))
    assert review.verdict == "pass", review.findings


def test_sizes_are_bounded(tools: ModuleType, models: ModuleType) -> None:
    many = JobDescription(
        title="T" * 500,
        summary="A job.",
        must_haves=[
            Requirement(text=f"skill {i} " + "x" * 400, kind="must_have") for i in range(30)
        ],
        nice_to_haves=[Requirement(text="Go", kind="nice_to_have")],
        text="A job.",
    ).model_dump_json()
    shortlist = "; ".join(f"#{i} cand-{i} score 1.0" for i in range(1, 80))
    kit = _kit(tools, job=many, shortlist=shortlist)

    assert len(kit["questions"]) == 40  # must-haves first: those are what the job needs
    assert {q["kind"] for q in kit["questions"]} == {"must_have"}
    assert max(len(q["requirement"]) for q in kit["questions"]) <= 300
    assert len(kit["job_title"]) <= 200
    assert kit["candidates"][:3] == ["cand-1", "cand-2", "cand-3"] and len(kit["candidates"]) == 50

    question = {"requirement": "Go", "kind": "must_have", "question": "Q?", "strong_answer": "A"}
    models.InterviewKit(job_title="T", questions=[question] * 40)
    for bad in (
        {"job_title": "T", "questions": []},
        {"job_title": "T", "questions": [question] * 41},
        {"job_title": "T", "questions": [question], "candidates": ["c"] * 51},
        {"job_title": "T", "questions": [question], "candidates": ["c" * 65]},
        {"job_title": "T", "questions": [{**question, "question": "q" * 601}]},
        {"job_title": "T", "questions": [{**question, "kind": "personal"}]},
    ):
        with pytest.raises(ValidationError):
            models.InterviewKit.model_validate(bad)


def test_the_crew_runs_on_the_offline_engine(tmp_path: Path) -> None:
    from crews.catalog import load_config
    from crews.custom import run_custom_crew

    class Audit:
        def __init__(self) -> None:
            self.records: list[dict[str, Any]] = []

        def append(self, kind: str, **fields: Any) -> dict[str, Any]:
            self.records.append({"kind": kind, **fields})
            return self.records[-1]

    config = load_config(example_config(tmp_path / "config"))
    inputs = {"job_description": JOB_DESCRIPTION, "shortlist": SHORTLIST}
    run = run_custom_crew(config, LLMSettings(), Audit(), "interview_kit", inputs, actor="dev")

    assert run.status == "completed", run.error
    assert run.output_model == "interview_kit.models:InterviewKit"
    assert isinstance(run.output, dict)
    assert run.output["candidates"] == ["cand-1", "cand-7"]
    assert len(run.output["questions"]) == 8


def test_the_fragment_makes_the_crew_a_gated_stage(tmp_path: Path) -> None:
    from crews.catalog import load_config
    from crews.stages import pipeline_of

    config = load_config(example_config(tmp_path / "config"))
    steps = pipeline_of(config)

    assert [s.name for s in steps] == [
        "intake",
        "sourcing",
        "screening",
        "interview_kit",
        "outreach",
    ]
    stage = next(s for s in steps if s.name == "interview_kit")
    assert stage.custom
    assert stage.gate == "Review the interview kit before any interview is booked."
