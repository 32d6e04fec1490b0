"""Tests for the skills vocabulary and skill matching."""

from __future__ import annotations

import pytest

from domain.skills import SKILLS, canonical_skill, find_skills, skill_aliases, skill_pattern


def test_vocabulary_is_broad_lowercase_and_unambiguous() -> None:
    assert len(SKILLS) >= 80
    owners: dict[str, str] = {}
    for skill, aliases in SKILLS.items():
        assert skill == skill.lower().strip()
        for term in (skill, *aliases):
            assert term == term.lower().strip()
            # One term must not belong to two skills, or canonical_skill would be arbitrary.
            assert owners.setdefault(term, skill) == skill, term
    for skill in ("python", "kubernetes", "accounting", "nursing", "welding", "seo", "payroll"):
        assert skill in SKILLS


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("K8s", "kubernetes"),
        ("Postgres", "postgresql"),
        ("  Machine   Learning ", "machine learning"),
        ("golang", "go"),
        ("C++", "c++"),
        ("cpp", "c++"),
        ("dotnet", ".net"),
        ("cobol-85", None),
    ],
)
def test_canonical_skill(term: str, expected: str | None) -> None:
    assert canonical_skill(term) == expected


def test_skill_aliases_start_with_canonical_name() -> None:
    assert skill_aliases("psql") == ("postgresql", "postgres", "psql")
    assert skill_aliases("kubernetes") == ("kubernetes", "k8s")
    assert skill_aliases("not a skill") == ()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("We run k8s on AWS", ["kubernetes", "aws"]),
        ("C++ and C#/.NET, plus node.js", ["c++", "c#", ".net", "node.js"]),
        ("JavaScript, not Java", ["javascript", "java"]),
        ("node.js only", ["node.js"]),  # "js" inside "node.js" is not a second skill
        ("Python first; later python again", ["python"]),
        ("Machine-learning and ML ops", ["machine learning"]),
        ("crisis communication", ["communication"]),
        ("visual merchandising", ["visual merchandising"]),
        ("Python, Go and Rust", ["python", "go", "rust"]),
        ("- Go", ["go"]),
        ("PostgreSQL (psql) and MySQL", ["postgresql", "mysql"]),
    ],
)
def test_find_skills(text: str, expected: list[str]) -> None:
    assert find_skills(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Pythonic and scalable code",  # no "python", no "scala" inside words
        "go to market; Go Green initiatives; Gourmet-to-Go",
        "rust removal",
        "excel at every task",
        "we react quickly to incidents",
        "spark interest in our clients",
        "Managed the A/R process and R & D",
        "Give 5 ML of saline",
        "Cisco IOS routers",
        "sharks",
    ],
)
def test_find_skills_ignores_everyday_words(text: str) -> None:
    assert find_skills(text) == []


def test_skill_pattern_matches_every_alias_as_whole_word_and_is_cached() -> None:
    pattern = skill_pattern("kubernetes")
    assert pattern is skill_pattern("K8s")
    assert pattern.search("Deployed on K8S clusters")
    assert pattern.search("kubernetes")
    assert not pattern.search("k8sfoo")
    assert skill_pattern("c++").search("Modern C++.")
    assert not skill_pattern("c++").search("c+")


def test_skill_pattern_for_unknown_term_matches_the_term() -> None:
    pattern = skill_pattern("COBOL")
    assert pattern.search("ten years of cobol")
    assert not pattern.search("cobolt")


def _find_skills_by_full_scan(text: str) -> list[str]:
    """The reference: every skill's pattern over the whole text, leftmost-longest wins."""
    from domain.skills import SKILLS, skill_pattern

    matches = sorted(
        (m.start(), -m.end(), skill)
        for skill in SKILLS
        for m in skill_pattern(skill).finditer(text)
        if m.end() > m.start()
    )
    taken_until, found = -1, []
    for start, neg_end, skill in matches:
        if start < taken_until:
            continue
        taken_until = -neg_end
        if skill not in found:
            found.append(skill)
    return found


def test_anchored_matching_finds_what_a_full_scan_finds() -> None:
    import json
    from pathlib import Path

    texts = [
        "Go, Rust and R; node.js, .NET, C++ and C#; K8s; machine-learning; A/R; Go Green.",
        "İstanbul: Python and Straße planning",  # case folding changes the length
        "Senior accountant: GAAP, payroll, QuickBooks Online; React Native apps; Excel at SQL.",
    ]
    resumes = Path(__file__).resolve().parents[2].parent / "shared/data/resumes/resumes.json"
    if resumes.is_file():
        texts += [r["text"] for r in json.loads(resumes.read_text(encoding="utf-8"))[::120]]
    for text in texts:
        assert find_skills(text) == _find_skills_by_full_scan(text)
