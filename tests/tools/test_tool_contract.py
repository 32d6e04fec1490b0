"""The contract every tool an agent can be given passes: the built-in tools, every plugin
installed under the ``hirecrew.tools`` entry-point group, and the worked examples' plugins.

A plugin added to the environment is picked up here without editing this file:
- a snake_case name that matches the name YAML uses, unique;
- a description an LLM can act on, and an argument schema crewai can render;
- bad arguments give an error that names the argument (never a crash deep in the tool);
- valid arguments give text (JSON or an ``Error: ...`` line), with sockets closed unless the
  tool declares ``network: ClassVar[bool] = True``.
"""

from __future__ import annotations

import json
import re
import socket
from typing import Any

import pytest
from pydantic import BaseModel

from tests.custom_crews import EXAMPLE, REFERENCE_NOTES
from tests.examples import support as kit_example
from tests.tools.support import workspace
from tools.catalog import TOOL_NAMES
from tools.plugins import plugin_tool_names

# The example plugins, named as their YAML names them.
EXAMPLE_TOOL = "reference_check.tools:SummarizeReferencesTool"
INTERVIEW_KIT_TOOL = kit_example.TOOL
# Arguments a tool needs to do real work (others are generated from the schema).
SAMPLE_ARGUMENTS: dict[str, dict[str, Any]] = {
    EXAMPLE_TOOL: {"candidate_name": "Priya Raman", "reference_notes": REFERENCE_NOTES},
    INTERVIEW_KIT_TOOL: {
        "job_description": kit_example.JOB_DESCRIPTION,
        "shortlist": kit_example.SHORTLIST,
    },
}


def _registered() -> list[str]:
    return sorted(TOOL_NAMES) + sorted(plugin_tool_names()) + [EXAMPLE_TOOL, INTERVIEW_KIT_TOOL]


@pytest.fixture(autouse=True)
def _example_importable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(EXAMPLE))
    monkeypatch.syspath_prepend(str(kit_example.EXAMPLE))


def _build(name: str) -> Any:
    from tools.plugins import build_plugin_tool
    from tools.recruiting import TOOL_CLASSES

    if name in TOOL_CLASSES:
        return TOOL_CLASSES[name](workspace=workspace())
    return build_plugin_tool(name)


def _schema(tool: Any) -> dict[str, Any]:
    args = tool.args_schema
    assert isinstance(args, type) and issubclass(args, BaseModel), "args_schema: a pydantic model"
    schema = args.model_json_schema()
    json.dumps(schema)  # what crewai shows the model must be JSON
    assert schema.get("type") == "object"
    return schema


def _sample(schema: dict[str, Any]) -> dict[str, Any]:
    """Valid-looking arguments from a JSON schema (required fields, simple types)."""
    values: dict[str, Any] = {}
    properties: dict[str, Any] = schema.get("properties", {})
    for name in schema.get("required", []):
        kind = properties.get(name, {}).get("type", "string")
        values[name] = {"string": "python", "integer": 1, "number": 1.0, "boolean": False}.get(
            kind, []
        )
    return values


def _no_network(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    attempts: list[str] = []

    def refuse(*args: Any, **kwargs: Any) -> Any:
        attempts.append(repr(args[:2]))
        raise OSError("network access from a tool that does not declare it")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    return attempts


def test_every_registered_tool_is_found() -> None:
    names = _registered()
    assert len(names) == len(set(names)), "tool names must be unique"
    assert EXAMPLE_TOOL in names and INTERVIEW_KIT_TOOL in names and "screen_candidates" in names


@pytest.mark.parametrize("name", _registered())
def test_name_description_and_schema(name: str) -> None:
    tool = _build(name)
    assert re.fullmatch(r"[a-z][a-z0-9_]*", tool.name), tool.name
    if ":" not in name:
        assert tool.name == name, "the tool's name must be the name YAML uses"
    description = tool.description.strip()
    assert len(description) >= 40, "say what the tool does and returns, for the model"
    assert description.lower() != tool.name.replace("_", " ")
    _schema(tool)
    from crewai.tools.structured_tool import format_description_for_llm

    rendered = format_description_for_llm(tool.name, tool.args_schema, tool.description)
    assert rendered.startswith(f"Tool Name: {tool.name}\nTool Arguments: {{")


@pytest.mark.parametrize("name", _registered())
def test_bad_arguments_are_an_error_naming_the_argument(name: str) -> None:
    tool = _build(name)
    schema = _schema(tool)
    properties: dict[str, Any] = schema.get("properties", {})
    if not properties:
        # A tool without arguments ignores what a model adds by mistake, and still works.
        answer = tool.run(unexpected="value")
        assert isinstance(answer, str) and answer.strip()
        return
    target = next(iter(properties))
    bad = {**_sample(schema), target: {"not": "a valid value"}}
    try:
        answer = tool.run(**bad)
    except (ValueError, TypeError) as exc:
        assert target in str(exc), str(exc)
    else:
        assert isinstance(answer, str) and answer.startswith("Error:"), answer
        assert target in answer or "argument" in answer.lower(), answer


@pytest.mark.parametrize("name", _registered())
def test_valid_arguments_give_text_without_the_network(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tools.plugins import declares_network

    tool = _build(name)
    arguments = SAMPLE_ARGUMENTS.get(name) or _sample(_schema(tool))
    attempts = [] if declares_network(tool) else _no_network(monkeypatch)
    answer = tool.run(**arguments)
    assert isinstance(answer, str) and answer.strip(), answer
    if not answer.startswith("Error:"):
        json.loads(answer)  # a tool answers JSON, or an error the agent can act on
    assert attempts == [], f"{name} reached for the network: {attempts}"
