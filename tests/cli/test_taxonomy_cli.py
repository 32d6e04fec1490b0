"""``hirecrew taxonomy`` as a user runs it: real subprocesses, exit codes and output."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import zipfile
from pathlib import Path

import pytest

from tests.cli.support import run_hirecrew

ESCO = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "esco"


def _hirecrew(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    return run_hirecrew("taxonomy", *args, data_dir=data_dir)


def _small_esco(path: Path) -> Path:
    out = io.StringIO()
    writer = csv.DictWriter(
        out, fieldnames=["conceptUri", "skillType", "preferredLabel", "altLabels"]
    )
    writer.writeheader()
    writer.writerow(
        {
            "conceptUri": "http://data.europa.eu/esco/skill/s1",
            "skillType": "skill/competence",
            "preferredLabel": "manage musical staff",
            "altLabels": "manage music staff\ndirect musical staff\nabc",
        }
    )
    writer.writerow(
        {
            "conceptUri": "http://data.europa.eu/esco/skill/s2",
            "skillType": "knowledge",
            "preferredLabel": "JavaScript",
            "altLabels": "JavaScript\nclient-side JavaScript\nJS",
        }
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("skills_en.csv", out.getvalue())
    return path


def test_show_prints_canonical_aliases_related_and_group(tmp_path: Path) -> None:
    result = _hirecrew("show", "ECMAScript", "--json", data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["skill"] == "javascript"
    assert shown["group"] == "programming languages"
    assert {"js", "ecmascript"} <= set(shown["aliases"])
    assert "typescript" in shown["related"]
    assert shown["source"] == "curated"
    text = _hirecrew("show", "RN", data_dir=tmp_path)
    assert text.returncode == 0, text.stderr
    assert "skill:   nursing" in text.stdout
    assert "group:   nursing & patient care" in text.stdout


def test_show_unknown_skill_fails_cleanly(tmp_path: Path) -> None:
    result = _hirecrew("show", "underwater basket weaving", data_dir=tmp_path)
    assert result.returncode == 1
    assert "unknown skill: 'underwater basket weaving'" in result.stderr
    assert "Traceback" not in result.stderr


def test_import_esco_writes_the_extension_that_show_then_uses(tmp_path: Path) -> None:
    data = tmp_path / "data"
    archive = _small_esco(tmp_path / "esco_en.zip")
    result = _hirecrew("import-esco", str(archive), "--json", data_dir=data)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["rows"] == 2
    assert summary["skills"] == 1  # JavaScript is linked to the curated skill, not added
    assert summary["linked"] == 1
    assert summary["aliases"] == 3
    assert summary["skipped"] == {
        "alias claimed by a curated skill": 1,
        "alias shorter than 4 characters": 1,
    }
    assert summary["path"] == str(data.resolve() / "taxonomy" / "esco.json")
    assert (data / "taxonomy" / "esco.json").is_file()

    shown = _hirecrew("show", "Direct Musical Staff", "--json", data_dir=data)
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["skill"] == "manage musical staff"
    assert json.loads(shown.stdout)["source"] == "esco"
    linked = json.loads(_hirecrew("show", "client-side javascript", "--json", data_dir=data).stdout)
    assert linked["skill"] == "javascript" and linked["source"] == "curated"
    # The text report names the counts and the reasons.
    again = _hirecrew("import-esco", str(archive), data_dir=data)
    assert again.returncode == 0, again.stderr
    assert "skills imported: 1" in again.stdout
    assert "alias shorter than 4 characters" in again.stdout


def test_import_esco_refuses_a_missing_zip(tmp_path: Path) -> None:
    result = _hirecrew("import-esco", str(tmp_path / "nope.zip"), data_dir=tmp_path)
    assert result.returncode == 2
    assert "does not exist" in result.stderr
    assert not (tmp_path / "taxonomy").exists()


def test_import_real_esco(tmp_path: Path) -> None:
    if not (ESCO / "esco_en.zip").is_file():
        pytest.skip("shared ESCO data not available")
    result = _hirecrew("import-esco", str(ESCO / "esco_en.zip"), "--json", data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["rows"] == 13_896
    assert 13_000 <= summary["skills"] + summary["linked"] <= 13_896
    assert summary["aliases"] > 50_000
    shown = _hirecrew("show", "manage music staff", "--json", data_dir=tmp_path)
    assert json.loads(shown.stdout)["skill"] == "manage musical staff"
