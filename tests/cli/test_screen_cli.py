"""``hirecrew screen`` in a subprocess, on a small pool in a temporary data directory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from domain.entities import Candidate

ROOT = Path(__file__).resolve().parents[2]

JOB = """\
title: Backend Engineer
description: Builds and runs the payments platform.
must_have:
  - 5+ years of Python
  - Kubernetes
nice_to_have:
  - Go
location: Berlin
"""

POOL = [
    Candidate(
        id="c-strong",
        name="Ana Example",
        email="ana@example.test",
        years_experience=8,
        resume_text=(
            "Ana Example\nana@example.test\n\nSummary\nEngineer with 8 years of Python.\n\n"
            "Experience\n- Ran Kubernetes clusters for Python services.\n\nSkills: Go\n"
        ),
    ),
    Candidate(
        id="c-weak",
        name="Bo Sample",
        resume_text="Experience\n- I have 2 years of Python.\n- No experience with Kubernetes.\n",
    ),
    Candidate(id="c-none", name="Cy Other", resume_text="Experience\n- Chef for 10 years.\n"),
]


def _run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HIRECREW_DATA_DIR": str(tmp_path)}
    return subprocess.run(
        [sys.executable, "-m", "cli", "screen", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
        check=False,
    )


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    pool = tmp_path / "pool"
    pool.mkdir()
    lines = "".join(c.model_dump_json() + "\n" for c in POOL)
    (pool / "candidates.jsonl").write_text(lines, encoding="utf-8")
    (tmp_path / "job.yaml").write_text(JOB, encoding="utf-8")
    return tmp_path


def test_json_lists_ranked_candidates_with_verdicts_and_quotes(data_dir: Path) -> None:
    result = _run(data_dir, "--job", str(data_dir / "job.yaml"), "--json", "--top", "3")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    # The two with nothing met tie on score 0; the candidate id breaks the tie.
    assert [(r["candidate_id"], r["rank"]) for r in rows] == [
        ("c-strong", 1),
        ("c-none", 2),
        ("c-weak", 3),
    ]
    assert set(rows[0]) == {"candidate_id", "score", "rank", "criteria"}
    assert rows[0]["score"] == round(100 * (3 + 3 + 0.5) / 7, 1)
    assert (
        len(json.loads(_run(data_dir, "--job", str(data_dir / "job.yaml"), "--json").stdout)) == 3
    )
    top_one = _run(data_dir, "--job", str(data_dir / "job.yaml"), "--json", "--top", "1")
    assert [r["candidate_id"] for r in json.loads(top_one.stdout)] == ["c-strong"]
    strong = {c["criterion"]: c for c in rows[0]["criteria"]}
    assert strong["5+ years of Python"] == {
        "criterion": "5+ years of Python",
        "verdict": "met",
        "quotes": [
            "Engineer with 8 years of Python.",
            "Ran Kubernetes clusters for Python services.",
        ],
    }
    assert strong["Go"]["verdict"] == "partly"
    weak = {c["criterion"]: c["verdict"] for c in rows[2]["criteria"]}
    assert weak == {"5+ years of Python": "not_met", "Kubernetes": "not_met", "Go": "no_evidence"}
    assert "Ana" not in result.stdout and "ana@" not in result.stdout  # blind


def test_text_output_reveals_on_request_and_shows_insights(data_dir: Path) -> None:
    blind = _run(data_dir, "--job", str(data_dir / "job.yaml"))
    assert blind.returncode == 0, blind.stderr
    assert "#1 c-strong" in blind.stdout and "Ana" not in blind.stdout
    assert "Pool: 3 candidates" in blind.stdout
    assert "meet every must-have" in blind.stdout
    shown = _run(data_dir, "--job", str(data_dir / "job.yaml"), "--reveal", "--top", "1")
    assert "#1 c-strong (Ana Example <ana@example.test>)" in shown.stdout
    revealed = _run(data_dir, "--job", str(data_dir / "job.yaml"), "--reveal", "--json")
    assert json.loads(revealed.stdout)[0]["name"] == "Ana Example"


@pytest.mark.parametrize(
    ("job", "expected"),
    [
        ("title: x\ndescription: y\n", "job.yaml:3: must_have: missing required key"),
        ("title: x\ndescription: y\nmust_have: Python\n", "job.yaml:3: must_have: expected a list"),
        ("title: x\ndescription: y\nmust_have: [a]\nmust_haves: [b]\n", "job.yaml:4: must_haves:"),
        ("title: x\ndescription: [y\nmust_have: [a]\n", "job.yaml:3: invalid YAML"),
        ("- just a list\n", "job.yaml:1: expected a mapping"),
        ("title: ''\ndescription: y\nmust_have: [a]\n", "job.yaml:1: title: expected a non-empty"),
    ],
)
def test_a_bad_job_file_exits_2_naming_file_key_and_line(
    data_dir: Path, job: str, expected: str
) -> None:
    path = data_dir / "job.yaml"
    path.write_text(job, encoding="utf-8")
    result = _run(data_dir, "--job", str(path))
    assert result.returncode == 2
    assert expected in result.stderr


def test_an_empty_pool_says_so(tmp_path: Path) -> None:
    (tmp_path / "job.yaml").write_text(JOB, encoding="utf-8")
    result = _run(tmp_path, "--job", str(tmp_path / "job.yaml"))
    assert result.returncode == 0
    assert "is empty" in result.stdout
    assert json.loads(_run(tmp_path, "--job", str(tmp_path / "job.yaml"), "--json").stdout) == []
