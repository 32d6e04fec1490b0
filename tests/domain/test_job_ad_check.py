"""The job-ad checker: located findings by category, severities, rewrites, gender balance
with weak evidence marked, and clean ads left clean."""

from __future__ import annotations

import pytest

from domain.job_ad_check import AdFinding, check_job_ad
from domain.language import REQUIRED_STATEMENTS

STATEMENTS = "\n\n".join(REQUIRED_STATEMENTS.values())


def _one(text: str, category: str) -> AdFinding:
    found = [f for f in check_job_ad(text).findings if f.category == category]
    assert len(found) == 1, [f.model_dump() for f in check_job_ad(text).findings]
    return found[0]


@pytest.mark.parametrize(
    ("text", "category", "span", "severity"),
    [
        ("We need digital natives for this role.", "age", "digital natives", "warning"),
        ("Ideal for a recent graduate in data.", "age", "recent graduate", "blocking"),
        ("Applicants aged 25-35 preferred.", "age", "aged 25-35", "blocking"),
        ("Must be a US citizen to apply.", "national origin or citizenship", None, "blocking"),
        ("Must be able to lift 50 lbs daily.", "disability", None, "warning"),
        (
            "No kids or plans to start a family.",
            "sex, pregnancy or family status",
            None,
            "blocking",
        ),
        ("You will be a great culture fit.", "culture fit", "culture fit", "warning"),
        ("We want a rockstar developer.", "gender-coded wording", "rockstar", "warning"),
    ],
)
def test_each_ground_is_found_located_and_graded(
    text: str, category: str, span: str | None, severity: str
) -> None:
    finding = _one(text + "\n\n" + STATEMENTS, category)
    assert finding.severity == severity
    start, end = finding.start, finding.end
    assert (text + "\n\n" + STATEMENTS)[start:end] == finding.span
    if span is not None:
        assert finding.span == span
    assert finding.why


def test_a_physical_demand_gets_the_accommodation_rewrite() -> None:
    finding = _one("Must be able to lift 50 lbs.\n\n" + STATEMENTS, "disability")
    assert "with or without reasonable accommodation" in (finding.suggestion or "")
    # Already saying it: no finding.
    fine = check_job_ad(
        "Must be able to lift 50 lbs, with or without reasonable accommodation.\n\n" + STATEMENTS
    )
    assert not [f for f in fine.findings if f.category == "disability"]


def test_missing_statements_block_and_say_what_to_add() -> None:
    report = check_job_ad("A friendly team building payroll software.")
    missing = [f for f in report.findings if f.category == "required statement missing"]
    assert len(missing) == len(REQUIRED_STATEMENTS)
    assert {f.suggestion for f in missing} == set(REQUIRED_STATEMENTS.values())
    assert report.blocking == len(missing)
    assert not [
        f
        for f in check_job_ad("A team.", require_statements=False).findings
        if f.category == "required statement missing"
    ]


def test_gender_balance_counts_both_lists_and_marks_weak_prefix_matches() -> None:
    text = (
        "Responsibilities: lead an ambitious, competitive analytics team. You are "
        "collaborative, supportive and committed.\n\n" + STATEMENTS
    )
    gender = check_job_ad(text).gender
    masculine = [w.word for w in gender.words if w.coding == "masculine"]
    feminine = [w.word for w in gender.words if w.coding == "feminine"]
    assert masculine == ["lead", "ambitious", "competitive", "analytics"]
    assert feminine == ["Responsibilities", "collaborative", "supportive", "committed"]
    assert (gender.masculine, gender.feminine) == (4, 4) and gender.balance == "neutral"
    weak = {w.word: w.note for w in gender.words if w.weak}
    assert set(weak) == {"Responsibilities", "analytics"}
    assert "respon" in (weak["Responsibilities"] or "") and gender.weak == 2
    # The words of our own required statements never count.
    assert all(w.start < text.index(STATEMENTS) for w in gender.words)


def test_a_masculine_ad_reports_each_word_and_weak_ones_say_so() -> None:
    text = "An aggressive, dominant, competitive analyst who will lead.\n\n" + STATEMENTS
    report = check_job_ad(text)
    coded = [f for f in report.findings if f.category == "gender-coded wording"]
    assert [f.span for f in coded] == ["aggressive", "dominant", "competitive", "analyst", "lead"]
    analyst = next(f for f in coded if f.span == "analyst")
    assert analyst.weak and "Weak evidence" in analyst.why
    aggressive = next(f for f in coded if f.span == "aggressive")
    assert not aggressive.weak and aggressive.suggestion == "proactive"
    assert report.gender.balance == "strongly masculine-coded"


def test_a_clean_ad_has_no_findings() -> None:
    text = (
        "Backend Engineer\n\nYou will design and run the services behind our payroll product "
        "with a small, collaborative team. Requirements: 3+ years of Python, PostgreSQL.\n\n"
        + STATEMENTS
    )
    report = check_job_ad(text)
    assert report.findings == [] and report.blocking == report.warnings == 0


def test_culture_is_not_flagged_without_fit() -> None:
    report = check_job_ad("We have a culture of written design reviews.\n\n" + STATEMENTS)
    assert not [f for f in report.findings if f.category == "culture fit"]
