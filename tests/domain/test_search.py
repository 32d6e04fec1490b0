"""Search plans from job descriptions, and BM25 + skill-coverage search over a pool."""

from __future__ import annotations

import pytest

from domain.artifacts import JobDescription, Requirement, SearchPlan
from domain.entities import Candidate
from domain.errors import DomainError
from domain.sample_data import generate_pool
from domain.search import CandidateIndex, build_search_plan, search_candidates, tokenize
from domain.skills import skill_aliases, skill_pattern


def _candidate(
    cid: str,
    resume: str,
    *,
    years: int = 6,
    location: str = "Berlin",
    headline: str = "Software Engineer",
    skills: tuple[str, ...] = (),
) -> Candidate:
    return Candidate(
        id=cid,
        name=f"Person {cid}",
        email=f"{cid}@example.test",
        location=location,
        headline=headline,
        years_experience=years,
        skills=list(skills),
        resume_text=resume,
    )


def _must(text: str, *skills: str, years: int | None = None) -> Requirement:
    return Requirement(text=text, kind="must_have", skills=list(skills), min_years=years)


def _nice(text: str, *skills: str) -> Requirement:
    return Requirement(text=text, kind="nice_to_have", skills=list(skills))


def _backend_jd(location: str | None = "Berlin (hybrid)") -> JobDescription:
    return JobDescription(
        title="Senior Backend Engineer",
        location=location,
        employment_type="Full-time",
        summary="Backend engineer for the payments platform.",
        must_haves=[
            _must("5+ years of professional Python development", "python", years=5),
            _must("PostgreSQL in production", "postgresql"),
            _must("Kubernetes", "kubernetes"),
        ],
        nice_to_haves=[_nice("Go", "go"), _nice("Experience in payments or fintech", "payments")],
        text="Senior Backend Engineer in Berlin.",
    )


def _plan(**changes: object) -> SearchPlan:
    fields: dict[str, object] = {
        "boolean_query": "",
        "required_skills": ["python", "postgresql", "kubernetes"],
        "optional_skills": ["go"],
        "min_years": None,
        "location": None,
    }
    fields.update(changes)
    return SearchPlan.model_validate(fields)


def _group(skill: str) -> str:
    return "(" + " OR ".join(f'"{alias}"' for alias in skill_aliases(skill)) + ")"


STRONG = """Summary
Backend engineer with 7 years of experience, mostly Python and PostgreSQL.

Experience
Backend Engineer, Ledgerly (2019–present)
- Built PostgreSQL-backed ledger services in Python handling 2M transactions a day.
- Moved 12 services to Kubernetes with Helm charts.
- Wrote a Python operator for Kubernetes that automates database failover.

Skills: Python, PostgreSQL, Kubernetes
"""

STUFFED = """Summary
Web developer with 7 years of experience building shops in PHP.

Experience
Web Developer, Foxglove Retail (2019–present)
- Maintained a PHP and MySQL e-commerce backend processing 9k orders a month.
- Mentored two developers.

Skills: Python, PostgreSQL, Kubernetes, PHP, MySQL
"""

UNRELATED = """Summary
Registered nurse with 9 years of experience on surgical wards.

Experience
Staff Nurse, Lakeshore Clinic (2016–present)
- Provided patient care for up to 8 patients per shift.

Skills: Patient Care, Triage
"""


# --- build_search_plan ---------------------------------------------------------------------


def test_plan_skills_years_and_location() -> None:
    plan = build_search_plan(_backend_jd())
    assert plan.required_skills == ["python", "postgresql", "kubernetes"]
    assert plan.optional_skills == ["go", "payments"]
    assert plan.min_years == 5
    assert plan.location == "Berlin"


def test_plan_boolean_query_ands_required_and_only_boosts_optional() -> None:
    plan = build_search_plan(_backend_jd())
    required = " AND ".join(_group(s) for s in ("python", "postgresql", "kubernetes"))
    assert plan.boolean_query == f"{required} [boost: {_group('go')} {_group('payments')}]"
    assert '("postgresql" OR "postgres" OR "psql")' in plan.boolean_query
    boost = plan.boolean_query.split("[boost:")[1]
    assert "AND" not in boost


def test_plan_semantic_query_is_title_and_must_haves() -> None:
    plan = build_search_plan(_backend_jd())
    assert plan.semantic_query.startswith("Senior Backend Engineer")
    for text in ("5+ years of professional Python development", "PostgreSQL in production"):
        assert text in plan.semantic_query
    assert "payments" not in plan.semantic_query


def test_plan_uses_key_phrases_of_requirements_without_skills() -> None:
    jd = _backend_jd().model_copy(
        update={
            "must_haves": [_must("Python", "python"), _must("Fluent German")],
            "nice_to_haves": [_nice("Experience with marketplaces or logistics startups")],
        }
    )
    plan = build_search_plan(jd)
    assert plan.required_skills == ["python"]
    assert plan.boolean_query.startswith(f'{_group("python")} AND ("German")')
    assert plan.boolean_query.endswith('[boost: ("marketplaces" OR "logistics startups")]')


def test_plan_canonicalises_and_deduplicates_skills() -> None:
    jd = _backend_jd().model_copy(
        update={
            "must_haves": [_must("Postgres", "Postgres"), _must("PostgreSQL", "postgresql")],
            "nice_to_haves": [_nice("Postgres tuning", "postgresql"), _nice("K8s", "k8s")],
        }
    )
    plan = build_search_plan(jd)
    assert plan.required_skills == ["postgresql"]
    assert plan.optional_skills == ["kubernetes"]
    assert plan.min_years is None


def test_plan_without_requirements_or_location() -> None:
    jd = JobDescription(title="Office Manager", summary="", text="Office Manager")
    plan = build_search_plan(jd)
    assert plan.boolean_query == '("Office Manager")'
    assert plan.required_skills == [] and plan.optional_skills == []
    assert plan.location is None
    assert plan.semantic_query == "Office Manager"


# --- search ----------------------------------------------------------------------------------


def test_experience_ranks_above_a_skills_line() -> None:
    pool = [_candidate("c-1", STUFFED), _candidate("c-2", STRONG), _candidate("c-3", UNRELATED)]
    result = search_candidates(pool, _plan())
    ids = [m.candidate_id for m in result.candidates]
    assert ids == ["c-2", "c-1"]  # the nurse matches no term and is left out
    strong, stuffed = result.candidates
    assert strong.score > stuffed.score
    assert strong.matched_skills == ["python", "postgresql", "kubernetes"]
    assert stuffed.matched_skills == ["python", "postgresql", "kubernetes"]
    assert result.pool_size == 3


def test_scores_are_rounded_and_best_gets_full_bm25() -> None:
    pool = [_candidate("c-1", STUFFED), _candidate("c-2", STRONG)]
    result = search_candidates(pool, _plan())
    # Full coverage and the best BM25 of the query: 0.6 * 1 + 0.4 * 1.
    assert result.candidates[0].score == 1.0
    for match in result.candidates:
        assert match.score == round(match.score, 4)
    # Claimed only: half coverage, and a BM25 below the best.
    assert 0.3 < result.candidates[1].score < 0.7


def test_min_years_filter_has_one_year_of_tolerance() -> None:
    pool = [
        _candidate("c-3y", STRONG, years=3),
        _candidate("c-4y", STRONG, years=4),
        _candidate("c-9y", STRONG, years=9),
    ]
    result = search_candidates(pool, _plan(min_years=5))
    assert [m.candidate_id for m in result.candidates] == ["c-4y", "c-9y"]
    no_minimum = search_candidates(pool, _plan())
    assert len(no_minimum.candidates) == 3


def test_location_filters_when_enough_candidates_are_local() -> None:
    pool = [
        _candidate("c-1", STRONG, location="Berlin"),
        _candidate("c-2", STRONG, location="London"),
        _candidate("c-3", STRONG, location="Remote"),
        _candidate("c-4", STRONG, location="berlin, Germany"),
    ]
    result = search_candidates(pool, _plan(location="Berlin (hybrid)"), limit=3)
    assert [m.candidate_id for m in result.candidates] == ["c-1", "c-3", "c-4"]
    # Filtered, not boosted: equal resumes, equal scores, ordered by id.
    assert len({m.score for m in result.candidates}) == 1


def test_location_falls_back_to_a_boost_when_too_few_are_local() -> None:
    pool = [
        _candidate("c-1", STRONG, location="London"),
        _candidate("c-2", STRONG, location="Berlin"),
        _candidate("c-3", STRONG, location="Remote"),
    ]
    result = search_candidates(pool, _plan(location="Berlin"), limit=25)
    scores = {m.candidate_id: m.score for m in result.candidates}
    assert [m.candidate_id for m in result.candidates] == ["c-2", "c-1", "c-3"]
    assert scores["c-2"] == round(scores["c-1"] + 0.05, 4)
    assert scores["c-1"] == scores["c-3"]


def test_remote_job_does_not_filter_by_location() -> None:
    pool = [_candidate("c-1", STRONG, location="Lisbon"), _candidate("c-2", STRONG)]
    result = search_candidates(pool, _plan(location="Remote"), limit=1)
    assert [m.candidate_id for m in result.candidates] == ["c-1"]


def test_ties_are_broken_by_candidate_id() -> None:
    pool = [_candidate(cid, STRONG) for cid in ("c-9", "c-2", "c-5")]
    result = search_candidates(pool, _plan())
    assert [m.candidate_id for m in result.candidates] == ["c-2", "c-5", "c-9"]


def test_limit() -> None:
    pool = [_candidate(f"c-{n}", STRONG) for n in range(5)]
    assert len(search_candidates(pool, _plan(), limit=2).candidates) == 2
    assert search_candidates(pool, _plan(), limit=0).candidates == []
    with pytest.raises(DomainError, match="limit"):
        search_candidates(pool, _plan(), limit=-1)


def test_optional_skills_boost_but_are_not_required() -> None:
    with_go = STRONG.replace("Mentored", "x") + "- Wrote a Go gateway for partner traffic.\n"
    pool = [_candidate("c-1", STRONG), _candidate("c-2", with_go)]
    result = search_candidates(pool, _plan())
    assert [m.candidate_id for m in result.candidates] == ["c-2", "c-1"]
    assert result.candidates[0].matched_skills[-1] == "go"


def test_aliases_count_for_their_skill() -> None:
    resume = "Experience\n- Ran Postgres on K8s for a Python3 API.\n"
    result = search_candidates([_candidate("c-1", resume)], _plan())
    assert result.candidates[0].matched_skills == ["python", "postgresql", "kubernetes"]
    assert result.candidates[0].score == 1.0


def test_plan_without_skills_searches_the_semantic_query() -> None:
    pool = [
        _candidate("c-1", "Experience\n- Ran the front office and supplier contracts.\n"),
        _candidate("c-2", UNRELATED),
    ]
    plan = _plan(required_skills=[], optional_skills=[], semantic_query="Office Manager. Suppliers")
    result = search_candidates(pool, plan)
    assert [m.candidate_id for m in result.candidates] == ["c-1"]
    assert result.candidates[0].score == 1.0


def test_index_reuse_gives_the_same_results() -> None:
    pool = [
        _candidate("c-1", STUFFED, location="London"),
        _candidate("c-2", STRONG),
        _candidate("c-3", UNRELATED),
        _candidate("c-4", STRONG.replace("Kubernetes", "Docker"), years=3),
    ]
    index = CandidateIndex(pool)
    assert len(index) == 4
    first = index.search(_plan(min_years=4, location="Berlin"), limit=10)
    other = index.search(_plan(required_skills=["kubernetes"], optional_skills=[]), limit=10)
    again = index.search(_plan(min_years=4, location="Berlin"), limit=10)
    assert first == again
    assert first == search_candidates(pool, _plan(min_years=4, location="Berlin"), limit=10)
    assert other == search_candidates(
        pool, _plan(required_skills=["kubernetes"], optional_skills=[])
    )


def test_empty_pool() -> None:
    result = search_candidates([], _plan(location="Berlin"))
    assert result.candidates == [] and result.pool_size == 0


def test_tokenize_keeps_technical_names() -> None:
    assert tokenize("PostgreSQL-backed Node.js, C++ and C# services.") == [
        "postgresql",
        "backed",
        "node.js",
        "c++",
        "and",
        "c#",
        "services",
    ]


def test_generated_pool_backend_search() -> None:
    pool = generate_pool()
    plan = build_search_plan(_backend_jd())
    result = CandidateIndex(pool).search(plan)
    assert result.pool_size == len(pool)
    assert len(result.candidates) == 25
    python = skill_pattern("python")
    by_id = {c.id: c for c in pool}
    for match in result.candidates[:10]:
        assert python.search(by_id[match.candidate_id].resume_text), match
        assert {"python", "postgresql", "kubernetes"} <= set(match.matched_skills)
    scores = [m.score for m in result.candidates]
    assert scores == sorted(scores, reverse=True)
    assert all(by_id[m.candidate_id].years_experience >= 4 for m in result.candidates)
