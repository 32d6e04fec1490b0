"""Search plans from job descriptions, and BM25 + skill-coverage search over a pool."""

from __future__ import annotations

from domain.artifacts import JobDescription, Requirement, SearchPlan
from domain.search import build_search_plan, tokenize
from domain.skills import skill_aliases


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


def test_plan_skills_years_and_location() -> None:
    plan = build_search_plan(_backend_jd())
    assert plan.required_skills == ["python", "postgresql", "kubernetes"]
    assert plan.optional_skills == ["go", "payments"]
    assert plan.min_years == 5
    assert plan.location == "Berlin"


def test_plan_boolean_query_ands_required_and_only_boosts_optional() -> None:
    plan = build_search_plan(_backend_jd())
    required = " AND ".join(_group(s) for s in ("python", "postgresql", "kubernetes"))
    searched = plan.boolean_query.split(" [related:")[0]
    assert searched == f"{required} [boost: {_group('go')} {_group('payments')}]"
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
    assert plan.boolean_query.split(" [related:")[0].endswith(
        '[boost: ("marketplaces" OR "logistics startups")]'
    )


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


def test_plan_expands_must_haves_to_related_skills_that_only_boost() -> None:
    plan = build_search_plan(_backend_jd())
    assert plan.related_skills, "the taxonomy relates skills to python, postgresql, kubernetes"
    assert not set(plan.related_skills) & set(plan.required_skills + plan.optional_skills)
    assert "sql" in plan.related_skills  # postgresql's first related skill
    assert plan.boolean_query.endswith(f"[related: {', '.join(plan.related_skills)}]")
    assert " AND " not in plan.boolean_query.split("[related:")[1]
