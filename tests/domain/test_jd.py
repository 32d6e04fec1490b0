"""Tests for composing and re-rendering job descriptions."""

from __future__ import annotations

import pytest

from domain.intake import IntakeBrief, parse_intake_notes
from domain.jd import compose_job_description, render_job_description
from domain.language import (
    ACCOMMODATION_STATEMENT,
    AEDT_NOTICE,
    EEO_STATEMENT,
    lint_text,
    missing_statements,
)

NOTES = """\
Role: Senior Backend Engineer
Location: Berlin (hybrid)
Type: Full-time
We're building the payments platform. Looking for a young, energetic rockstar to own our ledger services.
Responsibilities:
- Design and run the ledger services
- Mentor two engineers
Must have:
- 5+ years of Python
- PostgreSQL in production
- Kubernetes
Nice to have:
- Go
- Payments or fintech experience
"""  # noqa: E501


@pytest.fixture
def brief() -> IntakeBrief:
    return parse_intake_notes(NOTES)


def test_composed_text_layout(brief: IntakeBrief) -> None:
    jd = compose_job_description(brief, company="Acme Pay")
    lines = jd.text.splitlines()
    assert lines[0] == "Senior Backend Engineer"
    assert lines[1] == "Acme Pay · Berlin (hybrid) · Full-time"
    headings = ["About the role", "What you'll do", "What you bring", "Nice to have"]
    positions = [lines.index(h) for h in headings]
    assert positions == sorted(positions)
    bring = lines.index("What you bring")
    assert lines[bring + 1 : bring + 4] == [
        "- 5+ years of Python",
        "- PostgreSQL in production",
        "- Kubernetes",
    ]
    assert jd.text.endswith(AEDT_NOTICE + "\n")


def test_composed_jd_carries_required_statements(brief: IntakeBrief) -> None:
    jd = compose_job_description(brief)
    for statement in (EEO_STATEMENT, ACCOMMODATION_STATEMENT, AEDT_NOTICE):
        assert statement in jd.text
    assert missing_statements(jd.text) == []


def test_composer_does_not_rewrite_biased_wording(brief: IntakeBrief) -> None:
    jd = compose_job_description(brief)
    assert "Looking for a young, energetic rockstar" in jd.text
    assert jd.summary == brief.summary
    hard = [f for f in lint_text(jd.text) if f.severity == "hard"]
    assert [(f.rule, f.span) for f in hard] == [("JD-1.age", "young")]


def test_structured_fields_are_copied(brief: IntakeBrief) -> None:
    jd = compose_job_description(brief)
    assert jd.title == brief.title
    assert jd.location == brief.location
    assert jd.employment_type == brief.employment_type
    assert jd.responsibilities == brief.responsibilities
    assert jd.must_haves == brief.must_haves
    assert jd.nice_to_haves == brief.nice_to_haves
    # Copies, not the brief's own objects: editing the JD must not edit the brief.
    assert jd.must_haves[0] is not brief.must_haves[0]


@pytest.mark.parametrize("preference", ["keep it short", "Concise please"])
def test_short_style_keeps_four_responsibilities(brief: IntakeBrief, preference: str) -> None:
    long_brief = brief.model_copy(update={"responsibilities": [f"Task {i}" for i in range(1, 7)]})
    jd = compose_job_description(long_brief, preferences=[preference])
    assert jd.responsibilities == ["Task 1", "Task 2", "Task 3", "Task 4"]
    assert "- Task 4" in jd.text
    assert "- Task 5" not in jd.text


def test_unknown_preferences_change_nothing(brief: IntakeBrief) -> None:
    plain = compose_job_description(brief)
    styled = compose_job_description(brief, preferences=["list salary range first"])
    assert styled == plain


def test_render_after_human_edit(brief: IntakeBrief) -> None:
    jd = compose_job_description(brief, company="Acme Pay")
    edited = jd.model_copy(
        update={"title": "Staff Backend Engineer", "nice_to_haves": [], "location": None}
    )
    text = render_job_description(edited, company="Acme Pay")
    assert text.startswith("Staff Backend Engineer\nAcme Pay · Full-time\n")
    assert "Nice to have" not in text
    assert "Payments or fintech experience" not in text
    assert missing_statements(text) == []
    # The composed text is exactly the rendering of its own fields.
    assert render_job_description(jd, company="Acme Pay") == jd.text


def test_render_without_company_keeps_the_company_already_in_the_text(
    brief: IntakeBrief,
) -> None:
    jd = compose_job_description(brief, company="Acme Pay")
    edited = jd.model_copy(update={"title": "Staff Backend Engineer", "location": "Remote"})
    assert render_job_description(edited).splitlines()[:2] == [
        "Staff Backend Engineer",
        "Acme Pay · Remote · Full-time",
    ]
    # A text rendered without a company does not turn the location into one.
    bare = jd.model_copy(
        update={"text": "Senior Backend Engineer\nBerlin (hybrid) · Full-time\n\n"}
    )
    assert render_job_description(bare).splitlines()[1] == "Berlin (hybrid) · Full-time"


def test_empty_sections_are_left_out() -> None:
    jd = compose_job_description(IntakeBrief(title="Barista"))
    assert jd.text.startswith("Barista\nOur company\n\nEqual opportunity\n")
    for heading in ("About the role", "What you'll do", "What you bring", "Nice to have"):
        assert heading not in jd.text
    assert missing_statements(jd.text) == []


def test_compose_is_deterministic(brief: IntakeBrief) -> None:
    assert compose_job_description(brief) == compose_job_description(brief)
