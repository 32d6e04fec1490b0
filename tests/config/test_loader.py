"""Every class of YAML error names the file, the key and the line; valid config loads."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from config import DEFAULT_CONFIG_DIR
from config.errors import ConfigError
from config.loader import placeholders
from crews.catalog import load_config


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    target = tmp_path / "config"
    target.mkdir()
    for name in ("agents.yaml", "tasks.yaml", "crews.yaml"):
        shutil.copy(DEFAULT_CONFIG_DIR / name, target / name)
    return target


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"fixture text {old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1))


def _line_of(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not found")


def _issues(config_dir: Path) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_config(config_dir)
    return [str(issue) for issue in caught.value.issues]


def test_bundled_configuration_is_valid() -> None:
    config = load_config(DEFAULT_CONFIG_DIR)
    assert set(config.crews) == {"intake", "sourcing", "screening", "outreach", "review"}
    assert config.crews["intake"].manager == "hiring_manager"
    assert config.agents["jd_writer"].role == "Job Description Writer"  # '>-' leaves no newline


def test_bad_yaml_names_file_and_line(config_dir: Path) -> None:
    path = config_dir / "agents.yaml"
    _replace(path, "  llm: offline\n  max_iter: 10", "  llm: [offline\n  max_iter: 10")
    issues = _issues(config_dir)
    assert len(issues) == 1
    assert str(path) in issues[0] and "invalid YAML" in issues[0]
    line = _line_of(path, "max_iter: 10")
    assert f"agents.yaml:{line}: hiring_manager.max_iter: invalid YAML" in issues[0]


def test_unknown_agent_in_task(config_dir: Path) -> None:
    path = config_dir / "tasks.yaml"
    _replace(path, "agent: sourcer", "agent: souwcer")
    line = _line_of(path, "agent: souwcer")
    issues = _issues(config_dir)
    assert any(
        f"tasks.yaml:{line}: source_candidates_task.agent: unknown agent 'souwcer'" in i
        for i in issues
    ), issues


def test_unknown_tool(config_dir: Path) -> None:
    path = config_dir / "agents.yaml"
    _replace(path, "tools: [screen_candidates,", "tools: [screen_candidatez,")
    line = _line_of(path, "screen_candidatez")
    issues = _issues(config_dir)
    assert any(
        f"agents.yaml:{line}: screener.tools.0: unknown tool 'screen_candidatez'" in i
        and "known tools:" in i
        for i in issues
    ), issues


def test_missing_placeholder_input(config_dir: Path) -> None:
    path = config_dir / "tasks.yaml"
    _replace(path, "Sourced candidates: {sourced_candidates}", "Sourced: {sourced_people}")
    issues = _issues(config_dir)
    assert any(
        "screen_candidates_task.description: placeholder '{sourced_people}' is not an input "
        "of crew 'screening'" in i
        for i in issues
    ), issues


def test_manager_given_tools(config_dir: Path) -> None:
    path = config_dir / "agents.yaml"
    _replace(
        path,
        "  llm: offline\n  max_iter: 10",
        "  llm: offline\n  max_iter: 10\n  tools: [search_candidates]",
    )
    line = _line_of(path, "tools: [search_candidates]")
    issues = _issues(config_dir)
    assert any(
        f"agents.yaml:{line}: hiring_manager.tools: 'hiring_manager' manages crew" in i
        and "must have no tools" in i
        for i in issues
    ), issues


def test_unknown_key_and_missing_key(config_dir: Path) -> None:
    path = config_dir / "agents.yaml"
    _replace(path, "  goal: >-\n    Turn a job's", "  gaol: >-\n    Turn a job's")
    issues = _issues(config_dir)
    assert any("sourcer.gaol: unknown key" in i for i in issues), issues
    assert any("sourcer.goal: required key is missing" in i for i in issues), issues


def test_unknown_llm_provider_lists_known_ones(config_dir: Path) -> None:
    path = config_dir / "agents.yaml"
    _replace(path, "  llm: offline\n  tools: [screen", "  llm: madeup/model-1\n  tools: [screen")
    issues = _issues(config_dir)
    assert any("screener.llm: unknown LLM provider 'madeup'" in i and "openai" in i for i in issues)


def test_every_issue_is_reported_at_once(config_dir: Path) -> None:
    _replace(config_dir / "tasks.yaml", "agent: sourcer", "agent: nobody")
    _replace(config_dir / "crews.yaml", "agents: [screener]", "agents: [screener, ghost]")
    issues = _issues(config_dir)
    assert any("unknown agent 'nobody'" in i for i in issues)
    assert any("screening.agents.1: unknown agent 'ghost'" in i for i in issues)


def test_missing_file(config_dir: Path) -> None:
    (config_dir / "crews.yaml").unlink()
    issues = _issues(config_dir)
    assert any("crews.yaml" in i and "file not found" in i for i in issues)


def test_placeholders_ignore_json_braces() -> None:
    assert placeholders('Use {job_title} and {"a": 1} and {{literal}}') == {"job_title"}


def test_stage_task_with_the_wrong_output_type(config_dir: Path) -> None:
    path = config_dir / "tasks.yaml"
    _replace(path, "output: Shortlist", "output: Review")
    line = _line_of(path, "output: Review")
    issues = _issues(config_dir)
    assert any(
        f"tasks.yaml:{line}: screen_candidates_task.output: the last task of crew 'screening' "
        "must output Shortlist" in i
        for i in issues
    ), issues


def test_stage_crews_must_be_hierarchical_and_take_no_extra_inputs(config_dir: Path) -> None:
    path = config_dir / "crews.yaml"
    _replace(
        path,
        "sourcing:\n  process: hierarchical\n  manager: hiring_manager",
        "sourcing:\n  process: sequential",
    )
    _replace(path, "  agents: [screener]", "  agents: [screener]\n  inputs: [target_region]")
    issues = _issues(config_dir)
    assert any("sourcing.process: a stage crew runs under the hiring manager" in i for i in issues)
    assert any(
        f"crews.yaml:{_line_of(path, 'inputs: [target_region]')}: screening.inputs:" in i
        for i in issues
    ), issues


def test_an_empty_value_is_read_as_null_and_reported_not_crashed(config_dir: Path) -> None:
    path = config_dir / "agents.yaml"
    _replace(path, "  llm: offline\n  max_iter: 10", "  llm:\n  max_iter: 10")
    issues = _issues(config_dir)
    line = _line_of(path, "  llm:")
    assert f"agents.yaml:{line}: hiring_manager.llm: Input should be a valid string" in issues[0]
    (config_dir / "crews.yaml").write_text("data: \n")
    assert any("crews.yaml" in issue for issue in _issues(config_dir))
