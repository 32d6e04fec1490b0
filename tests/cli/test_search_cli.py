"""``hirecrew search`` on a small pool with the real model: once in a subprocess as a user runs
it, then in-process (CliRunner) for the options, which saves a Python start-up per case."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from domain.entities import Candidate
from domain.sample_data import write_pool_jsonl


def _hirecrew(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cli", "search", *args, "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _in_process(*args: str, data_dir: Path) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["search", *args, "--data-dir", str(data_dir)])
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("data")
    (root / "pool").mkdir()
    pool = [
        Candidate(
            id="acc-1",
            location="Berlin",
            resume_text="Staff accountant: general ledger, month-end close, reconciliations, CPA.",
            source="resumes/acc-1.pdf",
        ),
        Candidate(
            id="ops-1",
            location="London",
            resume_text="Platform engineer running K8s clusters and Python services.",
            source="resumes/ops-1.pdf",
        ),
        Candidate(
            id="chef-1",
            resume_text="Sous chef: ran the line, menu planning, food safety.",
            source="resumes/chef-1.docx",
        ),
    ]
    write_pool_jsonl(pool, root / "pool" / "candidates.jsonl")
    return root


def test_json_lists_best_first_with_sources_and_skills(data_dir: Path) -> None:
    result = _hirecrew("Kubernetes platform engineer", "--json", data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert rows[0] == {
        "id": "ops-1",
        "score": rows[0]["score"],
        "source": "resumes/ops-1.pdf",
        "matched_skills": ["kubernetes"],
    }
    scores = [row["score"] for row in rows]
    assert scores == sorted(scores, reverse=True)
    assert (data_dir / "index" / "embeddings.npy").is_file()


def test_filters_and_top(data_dir: Path) -> None:
    code, out = _in_process(
        "accountant", "--top", "1", "--location", "Berlin", "--json", data_dir=data_dir
    )
    assert code == 0, out
    assert [row["id"] for row in json.loads(out)] == ["acc-1"]
    code, out = _in_process("engineer", "--must", "python", "--json", data_dir=data_dir)
    assert [row["id"] for row in json.loads(out)] == ["ops-1"]


def test_text_output_and_empty_query(data_dir: Path) -> None:
    code, out = _in_process("sous chef for our kitchen", data_dir=data_dir)
    assert code == 0, out
    assert "searched 3 candidates" in out
    assert "1. " in out and "chef-1" in out.splitlines()[1]
    code, out = _in_process("   ", data_dir=data_dir)
    assert code == 2
    assert "empty" in out
