"""``hirecrew audit bias`` in a subprocess, on decisions CSVs written by the tests."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

from tests.cli.support import run_hirecrew

ROOT = Path(__file__).resolve().parents[2]

# (sex, race_ethnicity, n, selected): the DCWP rule's intersectional example (6 RCNY §5-301).
CELLS = [
    ("Male", "Hispanic or Latino", 205, 90),
    ("Female", "Hispanic or Latino", 190, 82),
    ("Male", "White", 412, 215),
    ("Male", "Black or African American", 226, 95),
    ("Male", "Native Hawaiian or Pacific Islander", 87, 37),
    ("Male", "Asian", 321, 167),
    ("Male", "Native American or Alaska Native", 24, 11),
    ("Male", "Two or More Races", 115, 52),
    ("Female", "White", 385, 197),
    ("Female", "Black or African American", 164, 75),
    ("Female", "Native Hawaiian or Pacific Islander", 32, 15),
    ("Female", "Asian", 295, 135),
    ("Female", "Native American or Alaska Native", 17, 7),
    ("Female", "Two or More Races", 98, 44),
    ("Unknown", "Unknown", 250, 100),
]
NAAN_FEMALE = "Not Hispanic or Latino Native American or Alaska Native Female"
ROW_KEYS = {"category", "n", "selected", "rate", "impact_ratio", "excludable"}


def _decisions_csv(path: Path) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["candidate_id", "sex", "race_ethnicity", "selected"])
        number = 0
        for sex, race, n, hits in CELLS:
            for i in range(n):
                number += 1
                writer.writerow([f"cand-{number:05d}", sex, race, "yes" if i < hits else "no"])
    return path


def test_json_output(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    source = _decisions_csv(tmp_path / "decisions.csv")
    result = run_hirecrew("audit", "bias", "--input", str(source), "--json", data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    tables = json.loads(result.stdout)
    assert list(tables) == ["sex", "race_ethnicity", "intersectional", "unknown"]
    assert tables["unknown"] == 250
    assert [len(tables[k]) for k in ("sex", "race_ethnicity", "intersectional")] == [2, 7, 14]
    for key in ("sex", "race_ethnicity", "intersectional"):
        assert all(ROW_KEYS <= set(row) for row in tables[key])
    female = tables["sex"][1]
    assert (female["category"], female["n"], female["selected"]) == ("Female", 1181, 555)
    assert round(female["impact_ratio"], 3) == 0.979
    naan_f = tables["intersectional"][12]
    assert naan_f["category"] == NAAN_FEMALE
    assert round(naan_f["impact_ratio"], 3) == 0.789
    assert naan_f["below_four_fifths"] and naan_f["excludable"]
    # Demographic data goes nowhere but stdout, and only as aggregates.
    assert not any(data_dir.iterdir())
    assert "cand-" not in result.stdout


def test_table_output(tmp_path: Path) -> None:
    source = _decisions_csv(tmp_path / "decisions.csv")
    result = run_hirecrew("audit", "bias", "--input", str(source), data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for title in ("Sex categories", "Race/ethnicity categories", "Intersectional categories"):
        assert title in out
    line = next(x for x in out.splitlines() if x.startswith(f"{NAAN_FEMALE} "))
    assert "0.789" in line and "BELOW 4/5" in line and "<2% *" in line
    female = next(x for x in out.splitlines() if x.startswith("Female "))
    assert "0.979" in female and "BELOW" not in female
    assert "Unknown category: 250 individuals" in out
    assert "§5-301(d)" in out  # the note on excludable categories
    assert "no pass/fail threshold" in out


def test_exclusion_with_justification(tmp_path: Path) -> None:
    source = _decisions_csv(tmp_path / "decisions.csv")
    result = run_hirecrew(
        "audit",
        "bias",
        "--input",
        str(source),
        "--json",
        "--exclude",
        f"{NAAN_FEMALE}=17 of 2,571 (0.66%): too few for a stable ratio",
        data_dir=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    row = json.loads(result.stdout)["intersectional"][12]
    assert row["excluded"] and row["impact_ratio"] is None and row["n"] == 17
    refused = run_hirecrew(
        "audit", "bias", "--input", str(source), "--exclude", "Male=big", data_dir=tmp_path
    )
    assert refused.returncode == 2 and "under 2%" in refused.stderr


def test_scoring_mode(tmp_path: Path) -> None:
    source = tmp_path / "scores.csv"
    source.write_text(
        "candidate_id,sex,race_ethnicity,score\n"
        + "".join(f"m{i},Male,White,{s}\n" for i, s in enumerate([55, 62, 70, 71, 80, 90]))
        + "".join(f"f{i},Female,Asian,{s}\n" for i, s in enumerate([50, 58, 60, 65, 72, 85])),
        encoding="utf-8",
    )
    result = run_hirecrew(
        "audit", "bias", "--input", str(source), "--mode", "scoring", "--json", data_dir=tmp_path
    )
    assert result.returncode == 0, result.stderr
    male, female = json.loads(result.stdout)["sex"]
    assert (male["selected"], female["selected"]) == (4, 2)
    assert female["impact_ratio"] == 0.5
    table = run_hirecrew(
        "audit", "bias", "--input", str(source), "--mode", "scoring", data_dir=tmp_path
    )
    assert table.returncode == 0 and "median score of the full sample" in table.stdout
    assert "67.5" in table.stdout


def test_malformed_csv_exits_2_with_file_and_line(tmp_path: Path) -> None:
    source = tmp_path / "bad.csv"
    source.write_text(
        "candidate_id,sex,race_ethnicity,selected\na,Male,White,1\nb,Female,White,perhaps\n",
        encoding="utf-8",
    )
    result = run_hirecrew("audit", "bias", "--input", str(source), data_dir=tmp_path)
    assert result.returncode == 2
    assert f"{source}:3: column 'selected'" in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_missing_column_and_missing_file_exit_2(tmp_path: Path) -> None:
    source = tmp_path / "no-score.csv"
    source.write_text("candidate_id,sex,race_ethnicity,selected\na,Male,White,1\n", "utf-8")
    result = run_hirecrew(
        "audit", "bias", "--input", str(source), "--mode", "scoring", data_dir=tmp_path
    )
    assert result.returncode == 2 and f"{source}:1: missing column 'score'" in result.stderr
    gone = run_hirecrew("audit", "bias", "--input", str(tmp_path / "nope.csv"), data_dir=tmp_path)
    assert gone.returncode == 2 and "nope.csv" in gone.stderr and "Traceback" not in gone.stderr
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    result = run_hirecrew("audit", "bias", "--input", str(empty), data_dir=tmp_path)
    assert result.returncode == 2 and "empty" in result.stderr


def test_bias_command_does_not_import_crewai(tmp_path: Path) -> None:
    source = _decisions_csv(tmp_path / "decisions.csv")
    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from cli.main import app\n"
        f"r = CliRunner().invoke(app, ['audit', 'bias', '--input', {str(source)!r}, '--json'])\n"
        "assert r.exit_code == 0, r.output\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('crewai', 'mem0')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
