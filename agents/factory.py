"""Build crewai agents from their YAML specs, fresh for every run."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from crewai import Agent

from agents.llms import build_llm
from config.schema import AgentSpec
from config.settings import LLMSettings


def build_agent(
    key: str,
    spec: AgentSpec,
    *,
    tools: Sequence[Any],
    llm_settings: LLMSettings,
    manager: bool = False,
    inputs: Mapping[str, str] | None = None,
) -> Agent:
    """An agent for one run. A manager gets delegation and never tools of its own."""
    return Agent(
        role=spec.role,
        goal=spec.goal,
        backstory=spec.backstory,
        llm=build_llm(key, spec.llm, llm_settings, inputs=inputs),
        tools=[] if manager else list(tools),
        allow_delegation=manager or spec.allow_delegation,
        max_iter=spec.max_iter,
        verbose=False,
    )
