"""Bounded output schemas: every string and array a model is asked for has a bound, in the
schema crewai puts in the prompt and in the response_format an OpenAI-protocol server gets,
while validation stays the output model's own (the offline engine's outputs pass both)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from pydantic import BaseModel, Field

from agents.schemas import DEFAULT_MAX_ITEMS, DEFAULT_MAX_LENGTH, bound_schema, bounded_model
from tasks.outputs import OUTPUT_MODELS

STAGE_OUTPUT = {
    "intake": "JobDescription",
    "sourcing": "SourcingReport",
    "screening": "Shortlist",
    "outreach": "OutreachPlan",
}


def _unbounded_nodes(node: Any, path: str = "$") -> list[str]:
    """Paths of string nodes without maxLength and array nodes without maxItems."""
    found: list[str] = []
    if isinstance(node, dict):
        kinds = node.get("type")
        kinds = kinds if isinstance(kinds, list) else [kinds]
        if "string" in kinds and "maxLength" not in node:
            found.append(path)
        if "array" in kinds and "maxItems" not in node:
            found.append(path)
        for key, value in node.items():
            found += _unbounded_nodes(value, f"{path}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _unbounded_nodes(value, f"{path}[{index}]")
    return found


@pytest.fixture(scope="module")
def offline_outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Every stage's output and review from a whole run on the offline engine."""
    from datetime import UTC, datetime

    from config.settings import Settings
    from crews.decisions import GateDecision
    from crews.demo import demo_project
    from crews.runner import decide, open_runtime, start_run

    settings = Settings(data_dir=Path(tmp_path_factory.mktemp("bounded")) / "data")
    runtime = open_runtime(settings)
    now = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    state = asyncio.run(start_run(runtime, demo_project(settings.data_path, now=now)))
    outputs: dict[str, Any] = {"reviews": []}
    for stage in STAGE_OUTPUT:
        record = state.stages[stage]
        assert record.status == "awaiting_decision" and record.artifact is not None
        outputs[stage] = record.artifact
        outputs["reviews"] += [r.model_dump(mode="json") for r in record.review_history]
        if stage != "outreach":
            state = asyncio.run(decide(runtime, state.id, GateDecision(decision="confirm")))
    return outputs


@pytest.mark.parametrize("name", sorted(OUTPUT_MODELS))
def test_every_string_and_array_of_every_output_schema_is_bounded(name: str) -> None:
    from crewai.utilities.pydantic_schema_utils import generate_model_description
    from openai.lib._parsing._completions import type_to_response_format_param

    model = OUTPUT_MODELS[name]
    bounded = bounded_model(model)
    # What the model is asked: the prompt's schema text, and the response_format the OpenAI
    # SDK builds for crewai's structured call (llama.cpp makes its grammar from it).
    prompt = generate_model_description(bounded, strip_null_types=False)["json_schema"]["schema"]
    request = type_to_response_format_param(bounded)
    assert isinstance(request, dict)
    sent = request["json_schema"]["schema"]
    for schema in (bounded.model_json_schema(), prompt, sent):
        assert _unbounded_nodes(schema) == []
    assert request["json_schema"]["name"] == name  # the prompts name it as before
    # Unbounded before: there was something to fix.
    assert _unbounded_nodes(model.model_json_schema())


@pytest.mark.parametrize("name", sorted(OUTPUT_MODELS))
def test_a_bounded_model_is_its_model_under_the_same_name(name: str) -> None:
    model = OUTPUT_MODELS[name]
    bounded = bounded_model(model)
    assert issubclass(bounded, model) and bounded.__name__ == model.__name__
    assert bounded_model(model) is bounded and bounded_model(bounded) is bounded
    assert set(bounded.model_fields) == set(model.model_fields)


def test_bounds_are_asked_for_never_enforced_on_what_comes_back() -> None:
    model = OUTPUT_MODELS["JobDescription"]
    long = "x" * (DEFAULT_MAX_LENGTH * 50)
    stored = {"title": long, "summary": long, "text": long, "responsibilities": [long] * 50}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(stored, bounded_model(model).model_json_schema())
    # Data stored before (or an edit by a recruiter) still validates, as the model's own.
    assert bounded_model(model).model_validate(stored).text == long
    model.model_validate(stored)


def test_the_offline_engines_outputs_fit_the_bounded_schemas(
    offline_outputs: dict[str, Any],
) -> None:
    for stage, name in STAGE_OUTPUT.items():
        bounded = bounded_model(OUTPUT_MODELS[name])
        jsonschema.validate(offline_outputs[stage], bounded.model_json_schema())
        assert isinstance(bounded.model_validate(offline_outputs[stage]), OUTPUT_MODELS[name])
    review = bounded_model(OUTPUT_MODELS["Review"])
    assert offline_outputs["reviews"]
    for found in offline_outputs["reviews"]:
        jsonschema.validate(found, review.model_json_schema())


def test_a_field_constraint_gives_the_bound_and_defaults_fill_the_rest() -> None:
    class Item(BaseModel):
        code: str = Field(max_length=8)
        notes: list[str] = Field(default_factory=list, max_length=3)
        tags: list[str] = Field(default_factory=list)

    class Form(BaseModel):
        items: list[Item]
        kind: str | None = None

    schema = bounded_model(Form).model_json_schema()
    item = schema["$defs"]["Item"]["properties"]
    assert item["code"]["maxLength"] == 8
    assert item["notes"]["maxItems"] == 3
    assert item["notes"]["items"]["maxLength"] == DEFAULT_MAX_LENGTH
    assert item["tags"]["maxItems"] == DEFAULT_MAX_ITEMS
    assert schema["properties"]["items"]["maxItems"] == DEFAULT_MAX_ITEMS
    kind = next(s for s in schema["properties"]["kind"]["anyOf"] if s.get("type") == "string")
    assert kind["maxLength"] == DEFAULT_MAX_LENGTH
    # Validation is Form's: the bounds are the request's only.
    Form.model_validate({"items": [{"code": "x" * 8, "tags": ["t"] * 50}]})
    bounded_model(Form).model_validate({"items": [{"code": "x" * 8, "tags": ["t"] * 50}]})


def test_bound_schema_keeps_existing_bounds_and_bounds_enums_by_their_values() -> None:
    schema = {
        "type": "object",
        "title": "X",
        "properties": {
            "a": {"type": "string", "maxLength": 5},
            "b": {"type": "string", "enum": ["pass", "warn", "fail"]},
            "c": {"type": "array", "items": {"type": "integer"}, "maxItems": 2},
        },
    }
    bounded = bound_schema(json.loads(json.dumps(schema)))
    assert bounded["properties"]["a"]["maxLength"] == 5
    assert bounded["properties"]["b"]["maxLength"] == 4
    assert bounded["properties"]["c"]["maxItems"] == 2


def test_a_crews_tasks_ask_for_bounded_outputs(tmp_path: Path) -> None:
    from crewai import Agent, Crew, Task

    from agents.offline import OfflineLLM
    from agents.schemas import bound_task_outputs

    model = OUTPUT_MODELS["Review"]
    agent = Agent(role="r", goal="g", backstory="b", llm=OfflineLLM(model="offline"))
    task = Task(description="d", expected_output="e", agent=agent, output_pydantic=model)
    crew = Crew(agents=[agent], tasks=[task])
    bound_task_outputs(crew)
    assert task.output_pydantic is bounded_model(model)
    assert _unbounded_nodes(task.output_pydantic.model_json_schema()) == []
