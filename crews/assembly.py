"""Assemble a crewai Crew from the role configuration, fresh for every run.

Crew objects are never shared between runs: crewai's crews are not safe to kick off
concurrently, and building one costs a few milliseconds.
"""

from __future__ import annotations

from typing import Any

from crewai import Crew, Process

from agents.factory import build_agent
from config.schema import RoleConfig
from config.settings import LLMSettings
from tasks.factory import build_task
from tools.recruiting import TOOL_CLASSES
from tools.workspace import Workspace


def build_crew(
    config: RoleConfig, crew_name: str, *, workspace: Workspace, llm_settings: LLMSettings
) -> Crew:
    """A crew with its agents, tasks and workspace-bound tools, ready to kick off."""
    spec = config.crews[crew_name]
    agents = {
        key: build_agent(
            key,
            config.agents[key],
            tools=[
                TOOL_CLASSES[name](workspace=workspace) for name in config.tools_for(crew_name, key)
            ],
            llm_settings=llm_settings,
        )
        for key in spec.agents
    }
    tasks = [
        build_task(key, config.tasks[key], agent=agents[config.tasks[key].agent])
        for key in spec.tasks
    ]
    hierarchy: dict[str, Any] = {"process": Process.sequential}
    if spec.process == "hierarchical":
        assert spec.manager is not None  # guaranteed by config validation
        hierarchy = {
            "process": Process.hierarchical,
            "manager_agent": build_agent(
                spec.manager,
                config.agents[spec.manager],
                tools=[],
                llm_settings=llm_settings,
                manager=True,
            ),
        }
    crew = Crew(
        name=crew_name, agents=list(agents.values()), tasks=tasks, verbose=False, **hierarchy
    )
    # crewai copies every task's output and messages into a SQLite file of its own for
    # `crewai replay` (latest_kickoff_task_outputs.db), which hirecrew never uses: that copy of
    # candidate text would sit outside the audit trail, erasure and retention. Runs are kept
    # (and replayed) from our own persistence instead.
    crew._task_output_handler = NoReplayStorage()
    return crew


class NoReplayStorage:
    """A crewai ``TaskOutputStorageHandler`` that keeps nothing (see ``build_crew``)."""

    def update(self, task_index: int, log: dict[str, Any]) -> None:
        """Keep nothing."""

    def add(self, *args: Any, **kwargs: Any) -> None:
        """Keep nothing."""

    def reset(self) -> None:
        """Nothing to reset."""

    def load(self) -> list[dict[str, Any]] | None:
        return []
