"""Custom crews declared in YAML with plugin tools run on their own, on the offline engine."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from config.errors import ConfigError
from config.settings import LLMSettings
from tests.custom_crews import EXAMPLE, REFERENCE_NOTES, example_config

OFFLINE = LLMSettings()
INPUTS = {"candidate_name": "Priya Raman", "reference_notes": REFERENCE_NOTES}


@pytest.fixture(autouse=True)
def _example_importable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(EXAMPLE))


class Audit:
    """An in-memory audit sink (the CLI's is a JSONL file, the server's a table)."""

    def __init__(self) -> None:
        self.records: list[dict[str, Any]] = []

    def append(self, kind: str, **fields: Any) -> dict[str, Any]:
        record = {"kind": kind, **fields}
        self.records.append(record)
        return record


def _load(directory: Path) -> Any:
    from crews.catalog import load_config

    return load_config(directory)


def test_the_example_crew_runs_and_returns_its_typed_output(tmp_path: Path) -> None:
    from crews.custom import run_custom_crew

    config = _load(example_config(tmp_path / "config"))
    audit = Audit()
    run = run_custom_crew(config, OFFLINE, audit, "reference_check", INPUTS, actor="dev")

    assert run.status == "completed", run.error
    assert run.output_model == "reference_check.models:ReferenceCheckSummary"
    assert isinstance(run.output, dict)
    assert [r["name"] for r in run.output["referees"]] == ["Dana Smith", "Luis Ortega"]
    assert run.output["shared_strengths"] == ["mentors junior engineers"]
    assert run.output["concerns"] == ["Dana Smith: slow to delegate at first"]
    assert run.output["recommendation"] == "discuss"  # a concern: the recruiter should talk
    assert run.usage.calls >= 2 and run.usage.total_tokens > 0
    assert run.models == ["offline"]
    kinds = [r["kind"] for r in audit.records]
    assert kinds[0] == "crew_run_started" and kinds[-1] == "crew_run_finished"
    started = audit.records[0]
    # Inputs by name only: they may hold what referees said about a person.
    assert started["inputs"] == ["candidate_name", "reference_notes"]
    assert "Dana Smith" not in json.dumps(audit.records[0]) + json.dumps(audit.records[-1])


def test_a_plugin_tools_error_fails_the_run_with_its_reason(tmp_path: Path) -> None:
    from crews.custom import run_custom_crew

    config = _load(example_config(tmp_path / "config"))
    bad = {"candidate_name": "Priya Raman", "reference_notes": "nothing structured here"}
    run = run_custom_crew(config, OFFLINE, Audit(), "reference_check", bad, actor="dev")

    assert run.status == "failed"
    assert run.error is not None and "no 'Referee:' line" in run.error
    assert run.output is None


def test_inputs_are_checked_before_anything_runs(tmp_path: Path) -> None:
    from crews.custom import run_custom_crew
    from crews.errors import CrewRunError

    config = _load(example_config(tmp_path / "config"))
    audit = Audit()
    with pytest.raises(CrewRunError) as missing:
        run_custom_crew(config, OFFLINE, audit, "reference_check", {}, actor="dev")
    assert "missing inputs: candidate_name, reference_notes" in str(missing.value)
    with pytest.raises(CrewRunError) as unknown:
        run_custom_crew(
            config, OFFLINE, audit, "reference_check", {**INPUTS, "salary": "1"}, actor="dev"
        )
    assert "does not take salary" in str(unknown.value)
    with pytest.raises(CrewRunError, match="must be text"):
        run_custom_crew(
            config,
            OFFLINE,
            audit,
            "reference_check",
            {**INPUTS, "reference_notes": ["a", "b"]},
            actor="dev",
        )
    with pytest.raises(CrewRunError, match="stage of the hiring flow"):
        run_custom_crew(config, OFFLINE, audit, "screening", {}, actor="dev")
    with pytest.raises(CrewRunError, match=r"custom crews: reference_check"):
        run_custom_crew(config, OFFLINE, audit, "nope", {}, actor="dev")
    assert audit.records == []  # nothing ran, nothing to record


def test_the_offline_engine_says_which_input_a_plugin_tool_lacks(tmp_path: Path) -> None:
    from crews.custom import run_custom_crew

    directory = example_config(
        tmp_path / "config",
        replace={
            "crews.yaml": ("inputs: [candidate_name, reference_notes]", "inputs: [candidate_name]"),
            "tasks.yaml": ("\n    {reference_notes}", ""),
        },
    )
    run = run_custom_crew(
        _load(directory),
        OFFLINE,
        Audit(),
        "reference_check",
        {"candidate_name": "Priya Raman"},
        actor="dev",
    )
    assert run.status == "failed"
    assert run.error is not None
    assert "'summarize_references' needs reference_notes" in run.error


def test_crew_list_describes_stage_and_custom_crews(tmp_path: Path) -> None:
    from crews.catalog import describe_crews

    crews = describe_crews(_load(example_config(tmp_path / "config")))
    assert [c.name for c in crews] == [
        "intake",
        "sourcing",
        "screening",
        "outreach",
        "review",
        "reference_check",
    ]
    custom = crews[-1]
    assert custom.kind == "custom" and custom.process == "sequential"
    assert custom.inputs == ["candidate_name", "reference_notes"]
    assert custom.tools == {"reference_checker": ["reference_check.tools:SummarizeReferencesTool"]}
    assert crews[0].kind == "stage" and crews[4].kind == "review"


def _issues(directory: Path) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        _load(directory)
    return [str(issue) for issue in caught.value.issues]


def test_bad_plugin_references_are_reported_with_file_key_and_line(tmp_path: Path) -> None:
    directory = example_config(
        tmp_path / "config",
        replace={
            "agents.yaml": (
                '"reference_check.tools:SummarizeReferencesTool"',
                '"reference_check.tools:NoSuchTool"',
            ),
            "tasks.yaml": (
                '"reference_check.models:ReferenceCheckSummary"',
                '"reference_check.nowhere:Summary"',
            ),
        },
    )
    issues = _issues(directory)
    agents_line = _line(directory / "agents.yaml", "reference_check.tools:NoSuchTool")
    tasks_line = _line(directory / "tasks.yaml", "reference_check.nowhere:Summary")
    assert any(
        f"agents.yaml:{agents_line}: reference_checker.tools.0:" in i and "has no 'NoSuchTool'" in i
        for i in issues
    ), issues
    assert any(
        f"tasks.yaml:{tasks_line}: summarize_references_task.output:" in i
        and "cannot import 'reference_check.nowhere'" in i
        for i in issues
    ), issues


def test_a_reference_to_something_that_is_not_a_tool_is_refused(tmp_path: Path) -> None:
    directory = example_config(
        tmp_path / "config",
        replace={
            "agents.yaml": (
                '"reference_check.tools:SummarizeReferencesTool"',
                '"reference_check.models:Referee"',
            )
        },
    )
    assert any("is not a crewai BaseTool subclass" in i for i in _issues(directory))


def test_a_custom_crew_cannot_use_the_project_bound_tools(tmp_path: Path) -> None:
    directory = example_config(
        tmp_path / "config",
        replace={
            "crews.yaml": (
                "  inputs: [candidate_name, reference_notes]",
                "  inputs: [candidate_name, reference_notes]\n"
                "  tools:\n    reference_checker: [screen_candidates]",
            )
        },
    )
    issues = _issues(directory)
    line = _line(directory / "crews.yaml", "reference_checker: [screen_candidates]")
    assert any(
        f"crews.yaml:{line}: reference_check.tools.reference_checker:" in i
        and "built-in tools screen_candidates" in i
        for i in issues
    ), issues


def test_an_entry_point_plugin_is_found_by_name(tmp_path: Path) -> None:
    """A plugin installed with an entry point in group hirecrew.tools is named in YAML by its
    entry-point name. The distribution's metadata is written as pip would (a .dist-info
    directory on the path), so importlib.metadata finds it for real."""
    from crews.custom import run_custom_crew
    from tools.plugins import plugin_tool_class, plugin_tool_names, refresh_entry_points

    site = tmp_path / "site"
    info = site / "reference_check-0.1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: reference-check\nVersion: 0.1.0\n")
    (info / "entry_points.txt").write_text(
        "[hirecrew.tools]\n"
        "summarize_references = reference_check.tools:SummarizeReferencesTool\n"
        "run_compliance_checks = reference_check.tools:SummarizeReferencesTool\n"
    )
    sys.path.insert(0, str(site))
    refresh_entry_points()
    try:
        assert "summarize_references" in plugin_tool_names()
        # A plugin cannot take a built-in tool's name.
        assert "run_compliance_checks" not in plugin_tool_names()
        assert plugin_tool_class("summarize_references").__name__ == "SummarizeReferencesTool"
        directory = example_config(
            tmp_path / "config",
            replace={
                "agents.yaml": (
                    '["reference_check.tools:SummarizeReferencesTool"]',
                    "[summarize_references]",
                )
            },
        )
        run = run_custom_crew(
            _load(directory), OFFLINE, Audit(), "reference_check", INPUTS, actor="dev"
        )
        assert run.status == "completed", run.error
        assert isinstance(run.output, dict) and run.output["recommendation"] == "discuss"
    finally:
        sys.path.remove(str(site))
        refresh_entry_points()
    with pytest.raises(ConfigError):
        _load(directory)  # uninstalled: the name is unknown again


def _line(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path}")


def test_a_custom_crew_is_priced_and_kept_to_the_budget(tmp_path: Path) -> None:
    from config.settings import ModelPrice
    from crews.custom import run_custom_crew

    config = _load(example_config(tmp_path / "config"))
    priced = LLMSettings(prices={"offline": ModelPrice(prompt=100.0, completion=200.0)})
    run = run_custom_crew(config, priced, Audit(), "reference_check", INPUTS, actor="dev")
    assert run.status == "completed", run.error
    expected = (run.usage.prompt_tokens * 100.0 + run.usage.completion_tokens * 200.0) / 1e6
    assert run.usage.cost_usd == pytest.approx(expected) and expected > 0
    # Unpriced, the offline engine is free (a remote model without a price would be null).
    free = run_custom_crew(config, OFFLINE, Audit(), "reference_check", INPUTS, actor="dev")
    assert free.usage.cost_usd == 0.0 and free.usage.total_tokens > 0

    # A budget smaller than the crew's first call: the second call is refused, with the reason.
    tight = LLMSettings(budget_tokens=run.usage.total_tokens // 3)
    stopped = run_custom_crew(config, tight, Audit(), "reference_check", INPUTS, actor="dev")
    assert stopped.status == "failed"
    assert stopped.error is not None and "HIRECREW_LLM__BUDGET_TOKENS" in stopped.error
    assert 0 < stopped.usage.calls < run.usage.calls
