"""Settings come from HIRECREW_* variables, nested with __, and fail naming the variable."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from config.errors import ConfigError
from config.settings import Settings, get_settings, quiet_environment


def test_nested_environment_variables(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HIRECREW_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("HIRECREW_DATABASE__URL", "postgresql+psycopg://u@localhost/h")
    monkeypatch.setenv("HIRECREW_LLM__ROLES__SCREENER", "ollama/llama3.1")
    monkeypatch.setenv("HIRECREW_LLM__API_KEY", "sk-secret")
    settings = Settings()
    assert settings.data_path == tmp_path.resolve()
    assert settings.database_url == "postgresql+psycopg://u@localhost/h"
    assert settings.llm.roles == {"screener": "ollama/llama3.1"}
    assert "sk-secret" not in repr(settings)  # secrets never end up in logs


def test_default_database_is_sqlite_under_the_data_dir(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    assert settings.database_url == f"sqlite:///{tmp_path.resolve() / 'hirecrew.db'}"


def test_invalid_variable_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HIRECREW_MAX_REVIEW_ROUNDS", "many")
    get_settings.cache_clear()
    try:
        with pytest.raises(ConfigError, match="HIRECREW_MAX_REVIEW_ROUNDS"):
            get_settings()
    finally:
        get_settings.cache_clear()


def test_quiet_environment_points_crewai_and_mem0_into_the_data_dir(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name in ("CREWAI_STORAGE_DIR", "MEM0_DIR", "CREWAI_DISABLE_TELEMETRY", "MEM0_TELEMETRY"):
        monkeypatch.delenv(name, raising=False)
    quiet_environment(Settings(data_dir=tmp_path))
    assert os.environ["CREWAI_STORAGE_DIR"] == str(tmp_path.resolve() / "crewai")
    assert os.environ["MEM0_DIR"] == str(tmp_path.resolve() / "mem0")
    assert os.environ["CREWAI_DISABLE_TELEMETRY"] == "true"
    assert os.environ["MEM0_TELEMETRY"] == "false"


@pytest.mark.parametrize("value", ["bogus", "madeup/x", " offline", "openai/"])
def test_bad_model_strings_are_refused_at_load(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("HIRECREW_LLM__DEFAULT", value)
    get_settings.cache_clear()
    try:
        with pytest.raises(ConfigError, match="HIRECREW_LLM__DEFAULT"):
            get_settings()
    finally:
        get_settings.cache_clear()


def test_role_settings_must_name_known_agents(tmp_path: Path) -> None:
    from crews.catalog import check_llm_roles, load_config

    settings = Settings(data_dir=tmp_path, llm={"roles": {"screenr": "offline"}})
    with pytest.raises(ConfigError, match="HIRECREW_LLM__ROLES__SCREENR: no agent 'screenr'"):
        check_llm_roles(load_config(), settings.llm)
