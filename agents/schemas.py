"""Bounded JSON schemas for what a model is asked to produce.

A task's ``output_pydantic`` reaches a model three ways, all built by crewai from the model's
``model_json_schema()``: the schema text in the task prompt, the conversion instructions, and
the ``response_format`` (a JSON schema an OpenAI-protocol server such as llama.cpp turns into a
grammar). An unbounded schema lets a small model loop inside one string or array until
``max_tokens``; with ``maxLength`` on every string and ``maxItems`` on every array the grammar
itself ends the value.

``bounded_model(Model)`` is a subclass of ``Model`` that only changes the schema it describes:
validation is the model's own, so nothing already stored, and nothing the offline engine
produces, is rejected because of a bound. Bounds come from the field's own constraints
(``Field(max_length=...)``) where there are any, else from ``FIELD_MAX_LENGTH`` /
``FIELD_MAX_ITEMS`` (by model and field name), else from the defaults below: a line of text
for a string, a handful of items for a list.
"""

from __future__ import annotations

from functools import cache
from typing import Any, TypeVar, cast

from pydantic import BaseModel
from pydantic.json_schema import DEFAULT_REF_TEMPLATE, GenerateJsonSchema, JsonSchemaMode

M = TypeVar("M", bound=BaseModel)

# A line of text: a title, an id, a skill, a name, a query, a reason.
DEFAULT_MAX_LENGTH = 200
# A handful of items: skills, responsibilities, requirements, evidence quotes.
DEFAULT_MAX_ITEMS = 20

# Fields that hold prose or a document: several times the offline engine's longest output
# (measured on the demo: job text 1,660 chars, invite 1,342, message body 638), so a real
# model has room, yet each value still ends.
FIELD_MAX_LENGTH: dict[tuple[str, str], int] = {
    ("JobDescription", "text"): 6000,
    ("JobDescription", "summary"): 1000,
    ("JobDescription", "responsibilities"): 300,
    ("Requirement", "text"): 300,
    ("SearchPlan", "boolean_query"): 1000,
    ("SearchPlan", "semantic_query"): 500,
    ("RelaxHint", "message"): 500,
    ("CriterionAssessment", "evidence"): 500,
    ("CriterionAssessment", "reason"): 300,
    ("ScreenedCandidate", "summary"): 600,
    ("OutreachMessage", "subject"): 200,
    ("OutreachMessage", "body"): 3000,
    ("CalendarInvite", "ics"): 4000,
    ("Finding", "message"): 600,
    ("Finding", "span"): 600,
    ("Finding", "suggestion"): 600,
    ("Review", "summary"): 1000,
}

# Lists of candidates follow the screening cut (HIRECREW_SCREEN_TOP, 25 by default) with room
# to spare; a review lists at most a few dozen findings.
FIELD_MAX_ITEMS: dict[tuple[str, str], int] = {
    ("CandidateList", "candidates"): 100,
    ("Shortlist", "candidates"): 100,
    ("OutreachPlan", "messages"): 100,
    ("OutreachPlan", "slots"): 100,
    ("OutreachPlan", "invites"): 100,
    ("ScreenedCandidate", "assessments"): 30,
    ("PoolInsights", "co_occurring"): 30,
    ("Review", "findings"): 50,
}


def bound_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` (a pydantic JSON schema, ``$defs`` included) with ``maxLength`` on every
    string and ``maxItems`` on every array. Bounds already there are kept. Mutates and returns
    ``schema``."""
    for name, sub in (schema.get("$defs") or {}).items():
        _bound(sub, name, None)
    _bound(schema, str(schema.get("title", "")), None)
    return schema


def _bound(node: Any, model: str, field: str | None) -> None:
    if not isinstance(node, dict) or "$ref" in node:
        return  # a reference is bounded where it is defined ($defs)
    properties = node.get("properties")
    if isinstance(properties, dict):
        owner = str(node.get("title", model))
        for name, sub in properties.items():
            _bound(sub, owner, name)
    for key in ("anyOf", "oneOf", "allOf"):
        for sub in node.get(key) or []:
            _bound(sub, model, field)
    kinds = node.get("type")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    if "string" in kinds and "maxLength" not in node:
        enum = node.get("enum")
        node["maxLength"] = (
            max(len(str(v)) for v in enum)
            if isinstance(enum, list) and enum
            else FIELD_MAX_LENGTH.get((model, field or ""), DEFAULT_MAX_LENGTH)
        )
    if "array" in kinds:
        if "maxItems" not in node:
            node["maxItems"] = FIELD_MAX_ITEMS.get((model, field or ""), DEFAULT_MAX_ITEMS)
        items = node.get("items")
        _bound(items, model, field)
        for sub in node.get("prefixItems") or []:
            _bound(sub, model, field)
    if isinstance(node.get("additionalProperties"), dict):
        _bound(node["additionalProperties"], model, field)


@cache
def bounded_model(model: type[M]) -> type[M]:
    """A subclass of ``model`` that validates exactly like it and describes itself with a
    bounded JSON schema (see the module docstring). Cached: one class per model."""
    if getattr(model, "__hirecrew_bounded__", False):
        return model

    def model_json_schema(
        cls: type[BaseModel],
        /,
        by_alias: bool = True,
        ref_template: str = DEFAULT_REF_TEMPLATE,
        schema_generator: type[GenerateJsonSchema] = GenerateJsonSchema,
        mode: JsonSchemaMode = "validation",
        **kwargs: Any,
    ) -> dict[str, Any]:
        schema = model.model_json_schema(
            by_alias=by_alias,
            ref_template=ref_template,
            schema_generator=schema_generator,
            mode=mode,
            **kwargs,
        )
        return bound_schema(schema)

    namespace = {
        "__module__": model.__module__,
        "__qualname__": model.__qualname__,
        "__doc__": model.__doc__,
        "__hirecrew_bounded__": True,
        "model_json_schema": classmethod(model_json_schema),
    }
    # Same name: the schema's title, the response_format's name and the prompts stay as they were.
    return cast(type[M], type(model.__name__, (model,), namespace))


def bound_task_outputs(crew: Any) -> None:
    """Give every task of ``crew`` the bounded version of its ``output_pydantic`` (its outputs
    are still instances of the original model: the bounded one is a subclass)."""
    for task in getattr(crew, "tasks", []):
        output = getattr(task, "output_pydantic", None)
        if isinstance(output, type) and issubclass(output, BaseModel):
            task.output_pydantic = bounded_model(output)
