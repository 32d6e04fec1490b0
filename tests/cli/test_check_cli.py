"""``hirecrew check jd``: the job-ad checker from a terminal, as a person and a script see it."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from domain.language import REQUIRED_STATEMENTS
from tests.cli.support import run_hirecrew

STATEMENTS = "\n\n".join(REQUIRED_STATEMENTS.values())


def check(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_hirecrew("check", "jd", *args, data_dir=tmp_path / "data")


def test_json_lists_every_finding_with_its_offsets(tmp_path: Path) -> None:
    ad = tmp_path / "ad.md"
    text = "# Engineer\n\nWe want a young rockstar who is a culture fit.\n\n" + STATEMENTS + "\n"
    ad.write_text(text, encoding="utf-8")
    done = check(tmp_path, str(ad), "--json")
    assert done.returncode == 1, done.stderr  # "young" blocks publication
    findings = json.loads(done.stdout)
    assert [f["span"] for f in findings] == ["young", "rockstar", "culture fit"]
    for finding in findings:
        assert set(finding) == {"span", "start", "end", "category", "severity", "why", "suggestion"}
        assert text[finding["start"] : finding["end"]] == finding["span"]
    assert [f["severity"] for f in findings] == ["blocking", "warning", "warning"]


def test_the_table_names_file_line_and_column_and_the_gender_balance(tmp_path: Path) -> None:
    ad = tmp_path / "ad.txt"
    ad.write_text(
        "Engineer\nResponsibilities: collaborate with a supportive team.\n\n" + STATEMENTS,
        encoding="utf-8",
    )
    done = check(tmp_path, str(ad))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "gender coding: feminine-coded (0 masculine-coded, 3 feminine-coded words" in done.stdout
    assert "1 of them weak evidence" in done.stdout and "'Responsibilities'" in done.stdout
    assert "0 blocking, 0 warnings" in done.stdout

    draft = tmp_path / "draft.txt"
    draft.write_text("Engineer\nMust be able to stand for 8 hours.\n", encoding="utf-8")
    found = check(tmp_path, str(draft))
    assert found.returncode == 1
    assert f"{draft}:2:1: warning [disability]" in found.stdout
    assert "with or without reasonable accommodation" in found.stdout
    assert "required statement missing" in found.stdout
    relaxed = check(tmp_path, str(draft), "--no-statements")
    assert relaxed.returncode == 0 and "1 warnings" in relaxed.stdout


def test_an_unreadable_file_is_a_clear_error(tmp_path: Path) -> None:
    missing = check(tmp_path, str(tmp_path / "nope.txt"))
    assert missing.returncode == 2 and "cannot read it" in missing.stderr
    binary = tmp_path / "ad.pdf"
    binary.write_bytes(b"%PDF-1.7\xff\xfe\x00")
    refused = check(tmp_path, str(binary))
    assert refused.returncode == 2 and "not UTF-8 text" in refused.stderr
    assert "Traceback" not in refused.stderr
