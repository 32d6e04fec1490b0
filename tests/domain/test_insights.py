"""Talent-pool insights: counts per must-have, co-occurring skills, the requirement to relax."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from domain.artifacts import JobDescription, SearchPlan
from domain.entities import Candidate
from domain.insights import pool_insights
from domain.screening import requirement_from_text

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"

POOL = [
    # Python, SQL and Kubernetes, the last in prose only: prose counts, not only skills lines.
    Candidate(id="c1", resume_text="Built Python services on SQL.\nRan Kubernetes with Docker."),
    Candidate(id="c2", resume_text="Python and SQL developer.\nSkills: Docker, Terraform"),
    Candidate(id="c3", resume_text="Python analyst.\nSkills: SQL, Docker, Tableau"),
    Candidate(id="c4", resume_text="Wrote SQL reports in Excel."),
    Candidate(id="c5", resume_text="Chef. Menu planning and food safety."),
]


def _jd(*must: str) -> JobDescription:
    return JobDescription(
        title="Data engineer",
        summary="x",
        must_haves=[requirement_from_text(text, "must_have") for text in must],
        text="x",
    )


def test_counts_per_must_have_and_meeting_all() -> None:
    insights = pool_insights(POOL, _jd("Python", "SQL", "Kubernetes"))
    assert insights.pool_size == 5
    assert [(m.requirement, m.skills, m.candidates) for m in insights.must_haves] == [
        ("Python", ["python"], 3),
        ("SQL", ["sql"], 4),
        ("Kubernetes", ["kubernetes"], 1),
    ]
    assert insights.meeting_all == 1
    assert insights.narrowest is not None
    assert insights.narrowest.requirement == "Kubernetes"
    assert (insights.narrowest.meeting_all, insights.narrowest.meeting_all_without) == (1, 3)
    assert insights.narrowest.message == (
        "Dropping 'Kubernetes' would raise the candidates meeting every must-have from 1 to 3."
    )


def test_co_occurring_skills_leave_out_the_must_haves_and_non_matching_candidates() -> None:
    insights = pool_insights(POOL, _jd("Python", "SQL"), top=3)
    assert [(s.skill, s.candidates) for s in insights.co_occurring] == [
        ("docker", 3),
        ("excel", 1),
        ("kubernetes", 1),
    ]


def test_or_requirements_and_search_plans() -> None:
    either = pool_insights(POOL, _jd("Kubernetes or Terraform"))
    assert either.must_haves[0].candidates == 2
    assert either.narrowest is None  # one must-have: nothing to relax against
    plan = SearchPlan(boolean_query="x", required_skills=["Python", "Postgres"])
    insights = pool_insights(POOL, plan)
    assert [(m.requirement, m.skills, m.candidates) for m in insights.must_haves] == [
        ("Python", ["python"], 3),
        ("Postgres", ["postgresql"], 0),
    ]
    assert insights.meeting_all == 0
    assert insights.narrowest is not None and insights.narrowest.meeting_all_without == 3


def test_an_empty_pool_and_no_must_haves() -> None:
    empty = pool_insights([], _jd("Python"))
    assert (empty.pool_size, empty.meeting_all, empty.must_haves[0].candidates) == (0, 0, 0)
    none = pool_insights(POOL, _jd())
    assert (none.must_haves, none.meeting_all, none.co_occurring) == ([], 0, [])


def test_real_resumes_count_quickly() -> None:
    resumes = DATA / "resumes" / "resumes.json"
    if not resumes.is_file():
        pytest.skip("shared resume data not available")
    records = json.loads(resumes.read_text(encoding="utf-8"))[:400]
    pool = [Candidate(id=r["id"], resume_text=r["text"]) for r in records]
    insights = pool_insights(pool, _jd("SQL", "Excel"))
    assert insights.pool_size == 400
    sql, excel = (m.candidates for m in insights.must_haves)
    assert 0 < insights.meeting_all <= min(sql, excel)
