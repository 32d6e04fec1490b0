"""Tests for parsing a recruiter's intake notes."""

from __future__ import annotations

import pytest

from domain.errors import DomainError
from domain.intake import parse_intake_notes, parse_min_years

EXAMPLE = """\
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


def test_example_notes_fields_and_summary() -> None:
    brief = parse_intake_notes(EXAMPLE)
    assert brief.title == "Senior Backend Engineer"
    assert brief.location == "Berlin (hybrid)"
    assert brief.employment_type == "Full-time"
    # The recruiter's wording is kept, bias included: the review flags it later.
    assert brief.summary == (
        "We're building the payments platform. "
        "Looking for a young, energetic rockstar to own our ledger services."
    )
    assert brief.responsibilities == ["Design and run the ledger services", "Mentor two engineers"]


def test_example_notes_requirements() -> None:
    brief = parse_intake_notes(EXAMPLE)
    assert [r.text for r in brief.must_haves] == [
        "5+ years of Python",
        "PostgreSQL in production",
        "Kubernetes",
    ]
    assert [r.skills for r in brief.must_haves] == [["python"], ["postgresql"], ["kubernetes"]]
    assert [r.min_years for r in brief.must_haves] == [5, None, None]
    assert {r.kind for r in brief.must_haves} == {"must_have"}
    assert [r.text for r in brief.nice_to_haves] == ["Go", "Payments or fintech experience"]
    assert [r.skills for r in brief.nice_to_haves] == [["go"], ["payments", "fintech"]]
    assert {r.kind for r in brief.nice_to_haves} == {"nice_to_have"}


@pytest.mark.parametrize(
    ("text", "years"),
    [
        ("5+ years of Python", 5),
        ("at least 3 years of SQL", 3),
        ("3-5 years in sales", 3),
        ("3 to 5 yrs", 3),
        ("five years of nursing", 5),
        ("Twelve+ years", 12),
        ("three to five years", 3),
        ("10+yrs", 10),
        ("2 years of Go and 5 years of Python", 5),
        ("no more than 10 years of experience", None),  # a cap, not a minimum
        ("age 25 to 35 years old", None),  # an age, not experience
        ("Kubernetes", None),
    ],
)
def test_parse_min_years(text: str, years: int | None) -> None:
    assert parse_min_years(text) == years


def test_variant_headers_and_bullets() -> None:
    notes = """\
Position: Staff Accountant
Job type: Contract

Requirements:
* CPA
• 2-4 years of accounting
1. Excel

Pluses:
1) QuickBooks
2) Payroll
"""
    brief = parse_intake_notes(notes)
    assert brief.title == "Staff Accountant"
    assert brief.employment_type == "Contract"
    assert [r.text for r in brief.must_haves] == ["CPA", "2-4 years of accounting", "Excel"]
    assert brief.must_haves[1].min_years == 2
    assert brief.must_haves[1].skills == ["accounting"]
    assert [r.text for r in brief.nice_to_haves] == ["QuickBooks", "Payroll"]


@pytest.mark.parametrize("header", ["Must-haves:", "Required:", "## Requirements", "**Must have**"])
def test_must_have_header_spellings(header: str) -> None:
    brief = parse_intake_notes(f"Title: Nurse\n{header}\n- BLS\n- patient care\n")
    assert [r.text for r in brief.must_haves] == ["BLS", "patient care"]


@pytest.mark.parametrize("header", ["Nice-to-haves:", "Bonus:", "Preferred:", "Pluses:"])
def test_nice_to_have_header_spellings(header: str) -> None:
    brief = parse_intake_notes(f"Job: Chef\n{header}\n- menu planning\n")
    assert [r.text for r in brief.nice_to_haves] == ["menu planning"]
    assert brief.must_haves == []


def test_inline_requirements_outside_sections() -> None:
    notes = (
        "Title: Data Analyst\n"
        "We're a small team in Lisbon. They must have 3 years of SQL. Kafka is a plus; "
        "bonus if they know Tableau. Required: Excel, Python and R.\n"
    )
    brief = parse_intake_notes(notes)
    assert [(r.text, r.min_years) for r in brief.must_haves] == [
        ("3 years of SQL", 3),
        ("Excel", None),
        ("Python", None),
        ("R", None),
    ]
    assert [r.text for r in brief.nice_to_haves] == ["Kafka", "Tableau"]
    # Sentences that became requirements are not repeated in the summary.
    assert brief.summary == "We're a small team in Lisbon."


def test_optional_marker_inside_requirements_moves_item_to_nice_to_have() -> None:
    brief = parse_intake_notes("Title: Analyst\nRequirements:\n- SQL\n- Tableau (nice to have)\n")
    assert [r.text for r in brief.must_haves] == ["SQL"]
    assert [r.text for r in brief.nice_to_haves] == ["Tableau (nice to have)"]


def test_list_without_bullets_and_prose_after_blank_line() -> None:
    notes = "Title: Welder\nMust have:\nWelding\nBlueprint reading\n\nWe work on bridges.\n"
    brief = parse_intake_notes(notes)
    assert [r.text for r in brief.must_haves] == ["Welding", "Blueprint reading"]
    assert brief.summary == "We work on bridges."


def test_title_from_first_line_or_hiring_sentence() -> None:
    assert parse_intake_notes("Senior Data Analyst\nMust have: SQL\n").title == (
        "Senior Data Analyst"
    )
    brief = parse_intake_notes("We're hiring a Senior Product Designer to join us in Paris.")
    assert brief.title == "Senior Product Designer"


@pytest.mark.parametrize("notes", ["", "   \n\t\n"])
def test_empty_notes_raise(notes: str) -> None:
    with pytest.raises(DomainError, match="empty"):
        parse_intake_notes(notes)


def test_notes_without_title_raise() -> None:
    with pytest.raises(DomainError, match="Title:"):
        parse_intake_notes("Hi team, notes from the call:\n- they need SQL\n")


def test_parsing_is_deterministic() -> None:
    assert parse_intake_notes(EXAMPLE) == parse_intake_notes(EXAMPLE)
