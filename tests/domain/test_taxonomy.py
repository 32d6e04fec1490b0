"""Tests for the curated skills taxonomy: aliases meet, relations expand, the JSON is checked."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from domain.errors import DomainError
from domain.skills import SKILLS, canonical_skill, find_skills
from domain.taxonomy import (
    Taxonomy,
    default_taxonomy,
    extension_path,
    load_taxonomy,
    parse_curated,
    taxonomy_for,
)

# Every job category of the shared resume set, and the taxonomy group that covers it.
CATEGORY_GROUPS = {
    "ACCOUNTANT": "accounting",
    "ADVOCATE": "legal",
    "AGRICULTURE": "agriculture",
    "APPAREL": "apparel & fashion",
    "ARTS": "arts",
    "AUTOMOBILE": "automotive",
    "AVIATION": "aviation",
    "BANKING": "banking",
    "BPO": "bpo & customer service",
    "BUSINESS-DEVELOPMENT": "business development",
    "CHEF": "culinary",
    "CONSTRUCTION": "construction trades",
    "CONSULTANT": "consulting",
    "DESIGNER": "design",
    "DIGITAL-MEDIA": "digital media",
    "ENGINEERING": "engineering & manufacturing",
    "FINANCE": "finance",
    "FITNESS": "fitness",
    "HEALTHCARE": "nursing & patient care",
    "HR": "human resources",
    "INFORMATION-TECHNOLOGY": "it & networking",
    "PUBLIC-RELATIONS": "public relations",
    "SALES": "sales",
    "TEACHER": "teaching",
}


def _doc(*skills: dict[str, Any]) -> dict[str, Any]:
    return {"version": 1, "skills": list(skills)}


def _skill(name: str, *, aliases: tuple[str, ...] = (), related: tuple[str, ...] = ()) -> Any:
    return {"skill": name, "group": "test", "aliases": list(aliases), "related": list(related)}


def _build(document: dict[str, Any]) -> Taxonomy:
    return Taxonomy(parse_curated(document))


@pytest.fixture()
def taxonomy() -> Taxonomy:
    return default_taxonomy()


@pytest.mark.parametrize(
    ("terms", "skill"),
    [
        (("JS", "ECMAScript", "JavaScript", " javascript "), "javascript"),
        (("k8s", "Kubernetes"), "kubernetes"),
        (("CPA", "Certified Public Accountant"), "cpa"),
        (("RN", "Registered Nurse", "nursing"), "nursing"),
        (("Postgres", "psql"), "postgresql"),
        (("A/B testing", "split testing"), "a/b testing"),
        (("ServSafe", "food safety"), "food safety"),
    ],
)
def test_aliases_meet_in_the_taxonomy_and_in_skills(
    taxonomy: Taxonomy, terms: tuple[str, ...], skill: str
) -> None:
    for term in terms:
        assert taxonomy.canonical(term) == skill, term
        assert canonical_skill(term) == skill, term


def test_short_forms_are_matched_safely_in_text() -> None:
    assert find_skills("RN with BLS and ACLS; ECMAScript and k8s") == [
        "nursing",
        "bls",
        "acls",
        "javascript",
        "kubernetes",
    ]
    # Lower-case "rn", "pals" and "vat" are not the credentials; "Swift" needs tech context.
    assert find_skills("learn to turn; my pals; a vat of soup; swift response") == []
    assert find_skills("iOS apps in Swift, Kotlin") == ["ios development", "swift", "kotlin"]


def test_one_and_two_letter_terms_are_the_reviewed_few(taxonomy: Taxonomy) -> None:
    # A new tiny alias must be reviewed and guarded in domain/skills.py before it is added here.
    short = {
        term
        for entry in taxonomy.entries()
        for term in (entry.skill, *entry.aliases)
        if len(term) <= 2
    }
    assert short == {"js", "ml", "ai", "rn", "qa", "qc", "r", "go", "ux", "c#"}


def test_related_expansion(taxonomy: Taxonomy) -> None:
    assert taxonomy.related("K8s")[:2] == ["docker", "devops"]
    expanded = taxonomy.expand("k8s")
    assert expanded[:2] == ["kubernetes", "k8s"]
    assert "docker" in expanded
    assert taxonomy.expand("k8s", related=False) == ["kubernetes", "k8s"]
    # Relations are symmetric: python lists django, so django gets python back.
    assert "django" in taxonomy.related("python")
    assert "python" in taxonomy.related("django")
    assert "bookkeeping" in taxonomy.expand("accounting")
    assert taxonomy.expand("  Underwater Basket Weaving ") == ["underwater basket weaving"]
    assert taxonomy.related("not a skill") == []
    assert taxonomy.aliases("not a skill") == ()


def test_groups_cover_the_professions(taxonomy: Taxonomy) -> None:
    assert len(taxonomy) >= 400
    assert len(taxonomy.groups()) >= 20
    for category, group in CATEGORY_GROUPS.items():
        assert len(taxonomy.skills_in_group(group)) >= 4, category
    assert taxonomy.group("ECMAScript") == "programming languages"
    assert taxonomy.group("registered nurse") == "nursing & patient care"
    assert taxonomy.group("tax returns") == "taxation"
    assert "javascript" in taxonomy.skills_in_group("Programming Languages")
    assert taxonomy.group("unknown") is None


def test_skills_vocabulary_is_the_curated_taxonomy(taxonomy: Taxonomy) -> None:
    assert dict(SKILLS) == {entry.skill: entry.aliases for entry in taxonomy.entries()}
    assert all(entry.source == "curated" for entry in taxonomy.entries())
    assert default_taxonomy() is default_taxonomy()


def test_bundled_json_is_normalised_and_every_relation_resolves() -> None:
    document = json.loads(
        (Path(__file__).resolve().parents[2] / "domain" / "data" / "taxonomy.json").read_text()
    )
    entries = parse_curated(document)
    assert len(entries) == len(default_taxonomy())
    for entry in entries:
        assert entry.related, entry.skill  # every curated skill expands to something


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (
            _doc(_skill("javascript", aliases=("js",)), _skill("java", aliases=("js",))),
            "alias 'js' of skill 'java' is already claimed by skill 'javascript'",
        ),
        (
            _doc(_skill("javascript", aliases=("java",)), _skill("java")),
            "alias 'java' of skill 'javascript' is already claimed by skill 'java'",
        ),
        (
            _doc(_skill("python", related=("cobol",))),
            "skill 'python' lists unknown related skill 'cobol'",
        ),
        (_doc(_skill("Python")), "skill 'Python': term 'Python' must be lowercase"),
        (_doc(_skill("python", aliases=("py  3",))), "term 'py  3' must be lowercase"),
        (_doc(_skill("python"), _skill("python")), "skill 'python' is defined twice"),
        (_doc(_skill("python", aliases=("python",))), "'python' lists itself as an alias"),
        (_doc({"skill": "python", "aliases": "py3"}), "aliases of skill 'python' must be a list"),
        (_doc({"skill": "python", "aliases": []}), "skill 'python' has no group"),
        ({"skill": []}, "must be an object with a 'skills' list"),
    ],
)
def test_invalid_json_is_refused_naming_the_skill(document: Any, message: str) -> None:
    with pytest.raises(DomainError, match=message.replace("(", r"\(")):
        _build(document)


def test_cycles_are_fine() -> None:
    taxonomy = _build(
        _doc(
            _skill("a", related=("b",)),
            _skill("b", related=("c",)),
            _skill("c", related=("a", "c")),
        )
    )
    assert taxonomy.related("a") == ["b", "c"]
    assert taxonomy.expand("c") == ["c", "a", "b"]


def _write_extension(path: Path, skills: list[dict[str, Any]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"version": 1, "source": "esco", "skills": skills}))
    return path


def test_extension_adds_skills_and_the_curated_side_wins(tmp_path: Path) -> None:
    extension = _write_extension(
        tmp_path / "ext.json",
        [
            # Same as a curated skill: its free names become extra aliases of "python".
            {"skill": "python (computer programming)", "same_as": "python", "aliases": ["py3k"]},
            # Named like a curated alias: folded into that skill too.
            {"skill": "ecmascript", "aliases": ["client-side javascript"]},
            {
                "skill": "manage musical staff",
                "group": "management skills",
                "aliases": ["manage music staff", "k8s", "direct musical staff"],
                "related": ["python (computer programming)", "choir direction", "missing"],
                "uri": "http://data.europa.eu/esco/skill/0005c151",
            },
            {"skill": "choir direction", "aliases": ["direct musical staff"]},
        ],
    )
    taxonomy = load_taxonomy(extension)
    assert taxonomy.canonical("Py3K") == "python"
    assert taxonomy.canonical("python (computer programming)") == "python"
    assert taxonomy.canonical("client-side JavaScript") == "javascript"
    assert taxonomy.canonical("manage music staff") == "manage musical staff"
    assert taxonomy.canonical("k8s") == "kubernetes"  # curated alias is not stolen
    assert taxonomy.aliases("manage musical staff") == (
        "manage music staff",
        "direct musical staff",
    )
    assert taxonomy.aliases("choir direction") == ()  # the first claimant kept the alias
    assert taxonomy.related("manage musical staff") == ["python", "choir direction"]
    assert taxonomy.related("choir direction") == ["manage musical staff"]
    # Extension links never leak into the curated skill's expansion.
    assert "manage musical staff" not in taxonomy.related("python")
    assert taxonomy.group("manage musical staff") == "management skills"
    entry = taxonomy.entry("direct musical staff")
    assert entry is not None and entry.source == "esco" and entry.uri is not None
    assert taxonomy.group("python") == "programming languages"


def test_unreadable_extension_is_a_domain_error(tmp_path: Path) -> None:
    with pytest.raises(DomainError, match="does not exist"):
        load_taxonomy(tmp_path / "missing.json")
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    with pytest.raises(DomainError, match="cannot read"):
        load_taxonomy(broken)


def test_taxonomy_for_uses_the_extension_only_when_present(tmp_path: Path) -> None:
    assert taxonomy_for(tmp_path) is default_taxonomy()
    path = _write_extension(extension_path(tmp_path), [{"skill": "manage musical staff"}])
    assert path == tmp_path / "taxonomy" / "esco.json"
    first = taxonomy_for(tmp_path)
    assert first.canonical("manage musical staff") == "manage musical staff"
    assert taxonomy_for(tmp_path) is first  # cached while the file is unchanged
    _write_extension(path, [{"skill": "supervise correctional procedures"}])
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    second = taxonomy_for(tmp_path)
    assert second.canonical("supervise correctional procedures") is not None
    assert second.canonical("manage musical staff") is None
    assert default_taxonomy().canonical("manage musical staff") is None
