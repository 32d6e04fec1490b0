"""``hirecrew doctor``: a verdict per check; exit 1 naming the check that failed."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from config import DEFAULT_CONFIG_DIR
from tests.cli.support import run_hirecrew


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The doctor reads the environment: only what each test sets counts."""
    for name in list(os.environ):
        if name.startswith("HIRECREW_"):
            monkeypatch.delenv(name)


def _doctor(data_dir: Path) -> tuple[int, dict[str, Any]]:
    result = run_hirecrew("doctor", "--json", data_dir=data_dir)
    report = json.loads(result.stdout)
    assert set(report) == {"checks", "ok"}, result.stdout
    for check in report["checks"]:
        assert set(check) == {"name", "verdict", "detail"}
        assert check["verdict"] in ("ok", "warn", "fail")
        assert check["detail"]
    return result.returncode, report


def _by_name(report: dict[str, Any]) -> dict[str, dict[str, str]]:
    return {check["name"]: check for check in report["checks"]}


def test_a_fresh_data_directory_passes(tmp_path: Path) -> None:
    code, report = _doctor(tmp_path / "data")
    checks = _by_name(report)
    assert code == 0, report
    assert report["ok"] is True
    assert {"settings", "configuration", "database", "data_dir", "disk", "memory"} <= set(checks)
    assert {"workers", "llm:offline", "mail"} <= set(checks)
    assert checks["configuration"]["verdict"] == "ok"
    assert checks["llm:offline"]["verdict"] == "ok"
    assert all(c["verdict"] != "fail" for c in report["checks"])


def test_a_migrated_database_is_at_head(tmp_path: Path) -> None:
    from server.db.migrate import upgrade

    data = tmp_path / "data"
    data.mkdir()
    upgrade(f"sqlite:///{data / 'hirecrew.db'}")
    code, report = _doctor(data)
    assert code == 0, report
    database = _by_name(report)["database"]
    assert database["verdict"] == "ok", database
    assert "at head" in database["detail"]


def test_broken_role_configuration_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "config"
    config.mkdir()
    for source in DEFAULT_CONFIG_DIR.glob("*.yaml"):
        shutil.copy(source, config / source.name)
    with (config / "agents.yaml").open("a", encoding="utf-8") as handle:
        handle.write("\nbroken: [\n")
    monkeypatch.setenv("HIRECREW_CONFIG_DIR", str(config))
    monkeypatch.setenv("HIRECREW_MEMORY__BACKEND", "none")
    code, report = _doctor(tmp_path / "data")
    assert code == 1
    assert report["ok"] is False
    checks = _by_name(report)
    assert checks["configuration"]["verdict"] == "fail"
    assert "agents.yaml" in checks["configuration"]["detail"]
    assert checks["memory"]["verdict"] == "ok"
    assert "skipped" in checks["memory"]["detail"]
    assert [c["name"] for c in report["checks"] if c["verdict"] == "fail"] == ["configuration"]


def test_an_unreachable_model_fails_and_secrets_stay_masked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HIRECREW_MEMORY__BACKEND", "none")
    monkeypatch.setenv("HIRECREW_LLM__DEFAULT", "openai/x")
    monkeypatch.setenv("HIRECREW_LLM__BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("HIRECREW_LLM__API_KEY", "sk-never-print-this")
    monkeypatch.setenv(
        "HIRECREW_DATABASE__URL", "postgresql+psycopg://hirecrew:pg-hunter2@127.0.0.1:9/hirecrew"
    )
    result = run_hirecrew("doctor", "--json", data_dir=tmp_path / "data")
    assert result.returncode == 1
    assert "sk-never-print-this" not in result.stdout + result.stderr
    assert "pg-hunter2" not in result.stdout + result.stderr
    checks = _by_name(json.loads(result.stdout))
    assert checks["llm:openai/x"]["verdict"] == "fail"
    assert "127.0.0.1:9/v1/models" in checks["llm:openai/x"]["detail"]
    assert checks["database"]["verdict"] == "fail"
    assert "hirecrew:***@127.0.0.1:9" in checks["database"]["detail"]
    assert "llm:offline" not in checks  # HIRECREW_LLM__DEFAULT overrides every role

    # The text report says the same, masked too.
    text = run_hirecrew("doctor", data_dir=tmp_path / "data")
    assert text.returncode == 1
    assert "fail  llm:openai/x" in text.stdout
    assert "pg-hunter2" not in text.stdout + text.stderr
    assert "sk-never-print-this" not in text.stdout + text.stderr


def test_mail_enabled_without_a_server_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HIRECREW_MEMORY__BACKEND", "none")
    monkeypatch.setenv("HIRECREW_MAIL__ENABLED", "true")
    monkeypatch.setenv("HIRECREW_MAIL__HOST", "127.0.0.1")
    monkeypatch.setenv("HIRECREW_MAIL__PORT", "9")
    monkeypatch.setenv("HIRECREW_MAIL__PASSWORD", "smtp-secret-pw")
    result = run_hirecrew("doctor", "--json", data_dir=tmp_path / "data")
    assert result.returncode == 1
    assert "smtp-secret-pw" not in result.stdout
    assert _by_name(json.loads(result.stdout))["mail"]["verdict"] == "fail"


def test_an_unreachable_broker_fails_masked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HIRECREW_MEMORY__BACKEND", "none")
    monkeypatch.setenv("HIRECREW_WORKER", "celery")
    monkeypatch.setenv("HIRECREW_BROKER_URL", "redis://:broker-secret@127.0.0.1:9/0")
    result = run_hirecrew("doctor", "--json", data_dir=tmp_path / "data")
    assert result.returncode == 1
    assert "broker-secret" not in result.stdout
    workers = _by_name(json.loads(result.stdout))["workers"]
    assert workers["verdict"] == "fail"
    assert "redis://:***@127.0.0.1:9/0" in workers["detail"]
