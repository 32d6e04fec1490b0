"""Assemble a crewai Crew from the role configuration, fresh for every run.

Crew objects are never shared between runs: crewai's crews are not safe to kick off
concurrently, and building one costs a few milliseconds.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from crewai import Crew, Process

from agents.factory import build_agent
from config.schema import RoleConfig
from config.settings import LLMSettings
from crews.errors import CrewRunError
from tasks.factory import build_task
from tools.plugins import build_plugin_tool
from tools.recruiting import TOOL_CLASSES
from tools.workspace import Workspace


def _tool(name: str, workspace: Workspace | None) -> Any:
    built_in = TOOL_CLASSES.get(name)
    if built_in is None:
        return build_plugin_tool(name)
    if workspace is None:  # refused when the configuration loads; kept as a clear error
        raise CrewRunError(f"tool '{name}' works on a hiring project and has none here")
    return built_in(workspace=workspace)


def build_crew(
    config: RoleConfig,
    crew_name: str,
    *,
    workspace: Workspace | None,
    llm_settings: LLMSettings,
    inputs: Mapping[str, str] | None = None,
) -> Crew:
    """A crew with its agents, tasks and tools, ready to kick off.

    Args:
        workspace: what the built-in tools work on (a stage of a hiring project); None for a
            custom crew, which has plugin tools only.
        inputs: a custom crew's inputs, for the offline engine to fill its plugin tools'
            arguments by name (a real model reads them from the task text).
    """
    spec = config.crews[crew_name]
    agents = {
        key: build_agent(
            key,
            config.agents[key],
            tools=[_tool(name, workspace) for name in config.tools_for(crew_name, key)],
            llm_settings=llm_settings,
            inputs=inputs,
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
                inputs=inputs,
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
