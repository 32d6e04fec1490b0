"""Typed models of the role configuration (agents.yaml, tasks.yaml, crews.yaml)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator


class _Spec(BaseModel):
    # Unknown keys are typos more often than features: refuse them so the editor hears of it.
    model_config = ConfigDict(extra="forbid", frozen=True)


class AgentSpec(_Spec):
    """One role: who the agent is, which model plays it and its default tools."""

    role: str = Field(min_length=1)
    goal: str = Field(min_length=1)
    backstory: str = Field(min_length=1)
    llm: str = "offline"
    tools: tuple[str, ...] = ()
    max_iter: int = Field(default=15, ge=1, le=50)
    allow_delegation: bool = False

    @field_validator("role", "goal", "backstory", "llm")
    @classmethod
    def _strip(cls, value: str) -> str:
        # YAML '>' keeps a trailing newline that would leak into prompts and role matching.
        return value.strip()


class TaskSpec(_Spec):
    """One task: what to do, what a good answer looks like, who does it, what it returns."""

    description: str = Field(min_length=1)
    expected_output: str = Field(min_length=1)
    agent: str = Field(min_length=1)
    output: str | None = Field(default=None, description="name of the typed output model")

    @field_validator("description", "expected_output")
    @classmethod
    def _strip(cls, value: str) -> str:
        return value.strip()


class CrewSpec(_Spec):
    """One crew: its agents, tasks, process, manager and the tools each agent gets in it."""

    description: str = Field(default="", description="what the crew is for (crew list)")

    agents: tuple[str, ...] = Field(min_length=1)
    tasks: tuple[str, ...] = Field(min_length=1)
    process: Literal["hierarchical", "sequential"] = "hierarchical"
    manager: str | None = None
    tools: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    inputs: tuple[str, ...] = Field(
        default=(), description="placeholders a custom crew accepts; stage crews have theirs"
    )


class PipelineStep(_Spec):
    """One stage of the pipeline (crews.yaml ``pipeline:``): a built-in stage by name, or a
    custom crew made a stage, with its gate message and constant inputs."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    stage: str = Field(min_length=1)
    crew: str | None = Field(default=None, description="the crew that runs it (the stage name)")
    gate: str = Field(default="", description="what the gate asks the recruiter")
    with_: dict[str, str] = Field(
        default_factory=dict, alias="with", description="constant values for the crew's inputs"
    )

    @field_validator("gate")
    @classmethod
    def _strip(cls, value: str) -> str:
        return value.strip()

    @field_validator("with_", mode="before")
    @classmethod
    def _as_text(cls, value: object) -> object:
        # YAML reads `count: 2` as a number; a crew's inputs are text.
        if isinstance(value, dict):
            return {
                k: ("yes" if v else "no")
                if isinstance(v, bool)
                else str(v)
                if isinstance(v, int | float)
                else v
                for k, v in value.items()
            }
        return value

    @property
    def crew_name(self) -> str:
        return self.crew or self.stage


class RoleConfig(_Spec):
    """The three files, parsed and cross-checked."""

    agents: dict[str, AgentSpec]
    tasks: dict[str, TaskSpec]
    crews: dict[str, CrewSpec]
    pipeline: tuple[PipelineStep, ...] = Field(
        default=(), description="crews.yaml's ``pipeline:``; empty: the four built-in stages"
    )

    def tools_for(self, crew_name: str, agent_name: str) -> tuple[str, ...]:
        """The tools an agent gets in a crew: the crew's list, else the agent's default."""
        crew = self.crews[crew_name]
        if agent_name in crew.tools:
            return crew.tools[agent_name]
        return self.agents[agent_name].tools


@dataclass(frozen=True)
class Catalog:
    """What the code offers that YAML may name: tools, output models, inputs, LLM providers."""

    tools: frozenset[str]
    outputs: frozenset[str]
    stage_inputs: dict[str, frozenset[str]] = field(default_factory=dict)
    llm_providers: frozenset[str] = frozenset()
    # Checks a name the lists above do not hold: a tool plugin or a ``module:Class``
    # reference, by kind ("tool" or "output"). Returns why it cannot be used, or None.
    check_plugin: Callable[[str, str], str | None] | None = None
