"""Build crewai tasks from their YAML specs, fresh for every run."""

from __future__ import annotations

from typing import Any

from crewai import Task

from config.schema import TaskSpec
from tasks.outputs import output_model


def build_task(key: str, spec: TaskSpec, *, agent: Any) -> Task:
    """A task bound to its agent, with its typed output model when it declares one."""
    output = output_model(spec.output) if spec.output else None
    return Task(
        name=key,
        description=spec.description,
        expected_output=spec.expected_output,
        agent=agent,
        output_pydantic=output,
    )
