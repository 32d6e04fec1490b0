"""Tests for the ESCO importer: safe aliases, links to curated skills, groups, the real zip."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pytest

from domain.errors import DomainError
from domain.esco import (
    SKIP_CURATED,
    SKIP_LONG,
    SKIP_LOOSE,
    SKIP_NO_LABEL,
    SKIP_NUMBER,
    SKIP_SHARED,
    SKIP_SHORT,
    SKIP_STOP,
    EscoImport,
    import_esco,
    write_extension,
)
from domain.taxonomy import load_taxonomy

ESCO = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "esco"
URI = "http://data.europa.eu/esco/skill/"

SKILL_FIELDS = ["conceptType", "conceptUri", "skillType", "reuseLevel", "preferredLabel"]
SKILL_FIELDS += ["altLabels", "hiddenLabels", "status", "description"]


def _csv(fields: list[str], rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _skill(uid: str, label: str, *alts: str) -> dict[str, str]:
    return {
        "conceptType": "KnowledgeSkillCompetence",
        "conceptUri": URI + uid,
        "skillType": "skill/competence",
        "reuseLevel": "sector-specific",
        "preferredLabel": label,
        "altLabels": "\n".join(alts),
        "status": "released",
        "description": "A description that the importer does not keep.",
    }


@pytest.fixture()
def esco_zip(tmp_path: Path) -> Path:
    rows = [
        _skill("s1", "Manage musical staff", "manage music staff", "direct musical staff", "staff"),
        _skill("s2", "Python (computer programming)", "Python", "Py3K", "Python prog"),
        _skill("s3", "conduct orchestra", "direct musical staff", "lead orchestras", "abc"),
        _skill("s4", "JavaScript", "Mocha", "JavaScripts", "ECMAScript", "client-side JavaScript"),
        _skill("s5", "", "orphan alias"),
        _skill("s6", "tune pianos", "1234", "the use", "adjust the tension of piano strings " * 2),
    ]
    path = tmp_path / "esco_en.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("skills_en.csv", _csv(SKILL_FIELDS, rows))
        archive.writestr("occupations_en.csv", "conceptUri,preferredLabel\n")
    return path


@pytest.fixture()
def relations_zip(tmp_path: Path) -> Path:
    hierarchy = [
        {"Level 0 URI": URI + "S", "Level 0 preferred term": "skills"},
        {
            "Level 0 URI": URI + "S",
            "Level 0 preferred term": "skills",
            "Level 1 URI": URI + "S4",
            "Level 1 preferred term": "Management skills",
        },
        {
            "Level 0 URI": URI + "S",
            "Level 0 preferred term": "skills",
            "Level 1 URI": URI + "S4",
            "Level 1 preferred term": "Management skills",
            "Level 2 URI": URI + "S4.8",
            "Level 2 preferred term": "leading and motivating",
        },
    ]
    levels = [f"Level {n} {kind}" for n in range(4) for kind in ("URI", "preferred term")]
    broader = [
        {"conceptUri": URI + "s1", "broaderUri": URI + "S4.8"},
        {"conceptUri": URI + "s3", "broaderUri": URI + "s1"},  # skill under skill
        {"conceptUri": URI + "s6", "broaderUri": URI + "S"},
    ]
    related = [
        {"originalSkillUri": URI + "s3", "relatedSkillUri": URI + "s1"},
        {"originalSkillUri": URI + "s3", "relatedSkillUri": URI + "s2"},
        {"originalSkillUri": URI + "s3", "relatedSkillUri": URI + "nowhere"},
    ]
    path = tmp_path / "esco_rel.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("skillsHierarchy_en.csv", _csv(levels, hierarchy))
        archive.writestr(
            "broaderRelationsSkillPillar.csv", _csv(["conceptUri", "broaderUri"], broader)
        )
        archive.writestr(
            "skillSkillRelations.csv", _csv(["originalSkillUri", "relatedSkillUri"], related)
        )
    return path


def _by_name(result: EscoImport) -> dict[str, tuple[str, ...]]:
    return {skill.skill: skill.aliases for skill in result.skills}


def test_import_keeps_safe_aliases_and_reports_what_it_skipped(esco_zip: Path) -> None:
    result = import_esco(esco_zip)
    assert result.rows == 6
    assert _by_name(result) == {
        "manage musical staff": ("manage music staff",),
        "python (computer programming)": ("py3k", "python prog"),
        "conduct orchestra": ("lead orchestras",),
        "javascript": ("javascripts", "client-side javascript"),
        "tune pianos": (),
    }
    assert result.skipped == {
        SKIP_NO_LABEL: 1,
        SKIP_STOP: 1,  # "the use"
        SKIP_SHARED: 2,  # "direct musical staff", in two concepts
        SKIP_SHORT: 1,  # "abc"
        SKIP_CURATED: 2,  # "python", "ecmascript"
        SKIP_LOOSE: 2,  # "staff", "mocha"
        SKIP_NUMBER: 1,
        SKIP_LONG: 1,
    }
    assert result.alias_count == 6
    assert result.grouped is False
    assert all(skill.group is None for skill in result.skills)


def test_labels_of_curated_skills_link_to_them(esco_zip: Path) -> None:
    result = import_esco(esco_zip)
    links = {skill.skill: skill.same_as for skill in result.skills if skill.same_as}
    assert links == {"python (computer programming)": "python", "javascript": "javascript"}
    assert result.linked == 2


def test_relations_give_groups_and_related_skills(esco_zip: Path, relations_zip: Path) -> None:
    result = import_esco(esco_zip, relations_zip=relations_zip)
    assert result.grouped is True
    skills = {skill.skill: skill for skill in result.skills}
    assert skills["manage musical staff"].group == "management skills"
    assert skills["conduct orchestra"].group == "management skills"  # through its broader skill
    assert skills["tune pianos"].group == "skills"  # only a level-0 parent
    # Related URIs resolve to names; a linked concept resolves to its curated skill.
    assert skills["conduct orchestra"].related == ("manage musical staff", "python")


def test_extension_round_trip_through_the_taxonomy(
    esco_zip: Path, relations_zip: Path, tmp_path: Path
) -> None:
    target = tmp_path / "data" / "taxonomy" / "esco.json"
    write_extension(import_esco(esco_zip, relations_zip=relations_zip), target)
    assert not list(target.parent.glob("*.tmp"))
    taxonomy = load_taxonomy(target)
    assert taxonomy.canonical("Manage Music Staff") == "manage musical staff"
    assert taxonomy.canonical("Py3K") == "python"
    assert taxonomy.canonical("client-side JavaScript") == "javascript"
    assert taxonomy.group("conduct orchestra") == "management skills"
    assert taxonomy.related("lead orchestras") == ["manage musical staff", "python"]
    assert taxonomy.related("manage musical staff") == ["conduct orchestra"]
    entry = taxonomy.entry("tune pianos")
    assert entry is not None and entry.source == "esco" and entry.uri == URI + "s6"


def test_bad_input_is_a_domain_error(tmp_path: Path) -> None:
    with pytest.raises(DomainError, match="does not exist"):
        import_esco(tmp_path / "nope.zip")
    (tmp_path / "text.zip").write_text("not a zip")
    with pytest.raises(DomainError, match="not a readable zip"):
        import_esco(tmp_path / "text.zip")
    empty = tmp_path / "empty.zip"
    with zipfile.ZipFile(empty, "w") as archive:
        archive.writestr("occupations_en.csv", "conceptUri\n")
    with pytest.raises(DomainError, match=r"has no skills_en\.csv"):
        import_esco(empty)


@pytest.fixture(scope="module")
def real_import() -> EscoImport:
    if not (ESCO / "esco_en.zip").is_file():
        pytest.skip("shared ESCO data not available")
    relations = ESCO / "esco_rel.zip"
    return import_esco(
        ESCO / "esco_en.zip", relations_zip=relations if relations.is_file() else None
    )


def test_real_esco_zip(real_import: EscoImport) -> None:
    result = real_import
    assert result.rows == 13_896
    assert 13_000 <= len(result.skills) <= 13_896
    assert 100 <= result.linked <= 400
    assert 50_000 <= result.alias_count <= 97_675  # ESCO has 97,675 alternative labels
    assert 1_000 <= sum(result.skipped.values()) <= 20_000
    skills = {skill.skill: skill for skill in result.skills}
    musical = skills["manage musical staff"]
    assert "manage music staff" in musical.aliases
    assert skills["java (computer programming)"].same_as == "java"
    assert skills["python (computer programming)"].same_as == "python"
    if result.grouped:
        assert musical.group == "management skills"
    # No alias is a bare everyday word the curated taxonomy keeps out.
    every_alias = {alias for skill in result.skills for alias in skill.aliases}
    assert not every_alias & {"access", "press", "diet", "mocha", "java", "python", "staff"}


def test_real_extension_loads_as_a_taxonomy(real_import: EscoImport, tmp_path: Path) -> None:
    target = tmp_path / "esco.json"
    write_extension(real_import, target)
    taxonomy = load_taxonomy(target)
    assert len(taxonomy) > 13_000
    assert taxonomy.canonical("coordinate duties of musical staff") == "manage musical staff"
    assert taxonomy.canonical("ECMAScript") == "javascript"
    assert taxonomy.canonical("Java (computer programming)") == "java"
    assert taxonomy.group("javascript") == "programming languages"  # curated wins
