"""The synthetic candidate pool, the sample intake notes and the JSONL pool files."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from domain.entities import Candidate
from domain.errors import DomainError
from domain.sample_data import (
    SAMPLE_INTAKE_NOTES,
    generate_pool,
    read_pool_jsonl,
    write_pool_jsonl,
)
from domain.screening import experience_text
from domain.skills import skill_pattern

BACKEND_MUST_HAVES = ("python", "postgresql", "kubernetes")


@pytest.fixture(scope="module")
def pool() -> list[Candidate]:
    return generate_pool()


def _shows(text: str, skill: str) -> bool:
    return skill_pattern(skill).search(text) is not None


def test_same_seed_gives_the_same_pool(pool: list[Candidate]) -> None:
    assert generate_pool() == pool
    assert generate_pool(size=240, seed=7) == pool
    assert generate_pool(seed=8) != pool


def test_smaller_pool_is_a_prefix_of_the_larger(pool: list[Candidate]) -> None:
    assert generate_pool(size=10) == pool[:10]


def test_pool_size_ids_and_emails(pool: list[Candidate]) -> None:
    assert len(pool) >= 200
    assert [c.id for c in pool] == [f"cand-{n:04d}" for n in range(1, len(pool) + 1)]
    emails = [c.email for c in pool]
    assert len(set(emails)) == len(emails)
    assert all(re.fullmatch(r"[a-z.]+\.\d{4}@example\.test", e) for e in emails)


def test_size_zero_and_negative() -> None:
    assert generate_pool(size=0) == []
    with pytest.raises(DomainError, match="pool size"):
        generate_pool(size=-1)


def test_locations_are_mixed(pool: list[Candidate]) -> None:
    locations = {c.location for c in pool}
    assert {"Berlin", "Remote", "London", "New York", "Lisbon", "Toronto", "Bangalore"} <= locations


def test_resumes_have_every_section(pool: list[Candidate]) -> None:
    for candidate in pool:
        lines = candidate.resume_text.splitlines()
        assert lines[0] == candidate.name
        for heading in ("Summary", "Experience", "Education"):
            assert heading in lines, (candidate.id, heading)
        assert lines[-1].startswith("Skills: ")
        assert f"{candidate.years_experience} years of experience" in candidate.resume_text


def test_each_resume_has_two_to_four_roles_of_two_to_four_bullets(pool: list[Candidate]) -> None:
    for candidate in pool:
        experience = candidate.resume_text.split("\nExperience\n")[1].split("\nEducation\n")[0]
        roles = [block.splitlines() for block in experience.strip().split("\n\n")]
        assert 2 <= len(roles) <= 4, candidate.id
        for role in roles:
            assert re.search(r"\((\d{4})–(\d{4}|present)\)$", role[0]), role[0]
            bullets = role[1:]
            assert 2 <= len(bullets) <= 4, (candidate.id, role)
            assert all(b.startswith("- ") for b in bullets)


def test_skills_field_matches_the_skills_line(pool: list[Candidate]) -> None:
    for candidate in pool:
        line = candidate.resume_text.splitlines()[-1].removeprefix("Skills: ")
        assert candidate.skills == [s.lower() for s in line.split(", ")]


def test_backend_candidates_vary_in_strength(pool: list[Candidate]) -> None:
    strong = stuffed = mentions = 0
    for candidate in pool:
        experience = experience_text(candidate.resume_text)
        if any(_shows(candidate.resume_text, s) for s in BACKEND_MUST_HAVES):
            mentions += 1
        if all(_shows(experience, s) for s in BACKEND_MUST_HAVES):
            strong += 1
        elif all(_shows(candidate.resume_text, s) for s in BACKEND_MUST_HAVES) and not any(
            _shows(experience, s) for s in BACKEND_MUST_HAVES
        ):
            stuffed += 1
    # A backend search should find a few dozen relevant people, not the whole pool.
    assert 10 <= strong <= 40
    assert stuffed >= 2
    assert strong < mentions < len(pool) // 2


def test_other_job_families_are_present(pool: list[Candidate]) -> None:
    text = "\n".join(c.headline for c in pool)
    for title in ("Nurse", "Teacher", "Account", "HR", "Data", "Frontend", "DevOps"):
        assert title in text


def test_the_word_go_only_appears_for_go_developers(pool: list[Candidate]) -> None:
    # "Go" the language is a skill: the generator must not use the everyday word by accident.
    for candidate in pool:
        if re.search(r"\bgo\b", candidate.resume_text, re.IGNORECASE):
            assert "go" in candidate.skills or "Go" in experience_text(candidate.resume_text)


def test_sample_intake_notes_format() -> None:
    lines = SAMPLE_INTAKE_NOTES.splitlines()
    assert lines[:3] == [
        "Role: Senior Backend Engineer",
        "Location: Berlin (hybrid)",
        "Type: Full-time",
    ]
    headers = [lines.index(h) for h in ("Responsibilities:", "Must have:", "Nice to have:")]
    assert headers == sorted(headers)
    assert all(line.startswith("- ") for line in lines[headers[0] + 1 : headers[1]])
    must = lines[headers[1] + 1 : headers[2]]
    nice = lines[headers[2] + 1 :]
    assert must and all(line.startswith("- ") for line in must)
    assert nice and all(line.startswith("- ") for line in nice)
    assert "5+ years" in must[0] and "Python" in must[0]
    assert any("PostgreSQL" in line for line in must)
    assert any("Kubernetes" in line for line in must)
    assert any(line == "- Go" for line in nice)
    assert any("payments" in line or "fintech" in line for line in nice)
    # Deliberately biased wording, for the compliance review to catch.
    assert "young and energetic" in SAMPLE_INTAKE_NOTES
    assert "rockstar" in SAMPLE_INTAKE_NOTES


def test_jsonl_round_trip(tmp_path: Path, pool: list[Candidate]) -> None:
    path = tmp_path / "pool.jsonl"
    write_pool_jsonl(pool, path)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(pool)
    assert json.loads(lines[0])["id"] == "cand-0001"
    assert read_pool_jsonl(path) == pool
    assert read_pool_jsonl(str(path)) == pool


def test_reading_skips_blank_lines(tmp_path: Path, pool: list[Candidate]) -> None:
    path = tmp_path / "pool.jsonl"
    write_pool_jsonl(pool[:2], path)
    path.write_text(path.read_text(encoding="utf-8") + "\n  \n", encoding="utf-8")
    assert read_pool_jsonl(path) == pool[:2]


@pytest.mark.parametrize(
    "bad_line",
    ["{not json", '{"id": "cand-9999"}', "[1, 2, 3]"],
    ids=["invalid-json", "missing-fields", "not-an-object"],
)
def test_reading_a_bad_line_names_its_number(
    tmp_path: Path, pool: list[Candidate], bad_line: str
) -> None:
    path = tmp_path / "pool.jsonl"
    write_pool_jsonl(pool[:2], path)
    content = path.read_text(encoding="utf-8") + bad_line + "\n"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DomainError, match=r"line 3\b"):
        read_pool_jsonl(path)
