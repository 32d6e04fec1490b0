"""The command line as a user runs it: real subprocesses, exit codes and messages."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

from config import DEFAULT_CONFIG_DIR
from tests.cli.support import run_hirecrew


def _hirecrew(*args: str, data_dir: Path, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    return run_hirecrew(*args, data_dir=data_dir, timeout=timeout)


def test_demo_yes_json_confirms_four_reviewed_stages(tmp_path: Path) -> None:
    result = _hirecrew("demo", "--yes", "--json", data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["project"]["status"] == "completed"
    assert [s["name"] for s in summary["stages"]] == ["intake", "sourcing", "screening", "outreach"]
    for stage in summary["stages"]:
        assert stage["status"] == "confirmed"
        assert stage["review"]["verdict"] in ("pass", "warn")
        assert isinstance(stage["review"]["findings"], list)
        assert stage["artifact"]
        # Every attempt's model use, priced: the offline engine counts its calls, free.
        assert stage["usage"]["calls"] > 0 and stage["usage"]["total_tokens"] > 0
        assert stage["usage"]["cost_usd"] == 0.0 and stage["fallback"] is None
    assert (tmp_path / "audit.jsonl").exists()
    verify = _hirecrew("audit", "verify", data_dir=tmp_path)
    assert verify.returncode == 0 and "chain intact" in verify.stdout


def test_demo_text_shows_each_stages_model_use(tmp_path: Path) -> None:
    result = _hirecrew("demo", "--yes", data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if line.strip().startswith("models:")]
    assert len(lines) == 4, result.stdout
    assert all(re.search(r"models: \d+ call\(s\), [\d,]+ tokens, \$0\.0000", x) for x in lines)


def test_config_validate_ok_and_broken(tmp_path: Path) -> None:
    ok = _hirecrew("config", "validate", data_dir=tmp_path)
    assert ok.returncode == 0 and "valid" in ok.stdout
    broken = tmp_path / "cfg"
    shutil.copytree(
        DEFAULT_CONFIG_DIR, broken, ignore=shutil.ignore_patterns("*.py", "__pycache__")
    )
    tasks = broken / "tasks.yaml"
    tasks.write_text(tasks.read_text().replace("agent: screener", "agent: screenr", 1))
    bad = _hirecrew("config", "validate", str(broken), data_dir=tmp_path)
    assert bad.returncode == 2
    assert "tasks.yaml:" in bad.stderr and "unknown agent 'screenr'" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_bad_decisions_get_clear_errors_not_tracebacks(tmp_path: Path) -> None:
    missing_reason = _hirecrew("project", "decide", "abc", "reject", data_dir=tmp_path)
    assert missing_reason.returncode == 2
    assert "a rejection needs a reason" in missing_reason.stderr
    unknown = _hirecrew("project", "decide", "no-such-run", "confirm", data_dir=tmp_path)
    assert unknown.returncode == 2
    assert "no run with id 'no-such-run'" in unknown.stderr
    assert "Traceback" not in unknown.stderr + missing_reason.stderr


def test_a_project_runs_on_imported_candidates(tmp_path: Path) -> None:
    resumes = tmp_path / "resumes"
    resumes.mkdir()
    for number in range(3):
        (resumes / f"r{number}.txt").write_text(
            f"Backend Engineer {number}\nSummary\nBuilt Python services on PostgreSQL and ran them "
            f"on Kubernetes for {number + 5} years at a payments company.\nSkills: Python, Go\n",
            encoding="utf-8",
        )
    missing = _hirecrew("project", "start", "--from-store", data_dir=tmp_path)
    assert missing.returncode == 2 and "candidates import" in missing.stderr
    imported = _hirecrew("candidates", "import", str(resumes), "--json", data_dir=tmp_path)
    assert json.loads(imported.stdout)["imported"] == 3
    started = _hirecrew("project", "start", "--from-store", "--json", data_dir=tmp_path)
    assert started.returncode == 0, started.stderr
    run_id = json.loads(started.stdout)["project"]["id"]
    sourced = _hirecrew("project", "decide", run_id, "confirm", "--json", data_dir=tmp_path)
    assert sourced.returncode == 0, sourced.stderr
    sourcing = next(s for s in json.loads(sourced.stdout)["stages"] if s["name"] == "sourcing")
    found = {c["candidate_id"] for c in sourcing["artifact"]["results"]["candidates"]}
    stored = {json.loads(line)["id"] for line in (tmp_path / "pool/candidates.jsonl").open()}
    assert found and found <= stored
