"""Load and validate the role configuration against what the code provides."""

from __future__ import annotations

from pathlib import Path

from agents.providers import KNOWN_PROVIDERS
from config import DEFAULT_CONFIG_DIR
from config.errors import ConfigError, ConfigIssue
from config.loader import load_role_config
from config.schema import Catalog, RoleConfig
from crews.stages import CREW_INPUTS, STAGES
from tasks.outputs import OUTPUT_MODELS
from tools.catalog import TOOL_NAMES


def catalog() -> Catalog:
    """What YAML may name: tools, outputs, the inputs of stage crews, LLM providers."""
    return Catalog(
        tools=TOOL_NAMES,
        outputs=frozenset(OUTPUT_MODELS),
        stage_inputs=dict(CREW_INPUTS),
        llm_providers=KNOWN_PROVIDERS,
    )


def load_config(directory: Path | None = None) -> RoleConfig:
    """Load a configuration directory and check that every stage crew is there and typed.

    Raises:
        ConfigError: naming file, key and line of every problem.
    """
    directory = directory or DEFAULT_CONFIG_DIR
    config = load_role_config(directory, catalog())
    issues: list[ConfigIssue] = []
    crews_file = directory / "crews.yaml"
    for stage in (*STAGES,):
        crew = config.crews.get(stage.crew)
        if crew is None:
            issues.append(
                ConfigIssue(crews_file, stage.crew, None, "the hiring flow needs this crew")
            )
            continue
        last_task = config.tasks[crew.tasks[-1]]
        if last_task.output != stage.output.__name__:
            issues.append(
                ConfigIssue(
                    directory / "tasks.yaml",
                    f"{crew.tasks[-1]}.output",
                    None,
                    f"the last task of crew '{stage.crew}' must output {stage.output.__name__}",
                )
            )
    if "review" not in config.crews:
        issues.append(ConfigIssue(crews_file, "review", None, "the hiring flow needs this crew"))
    if issues:
        raise ConfigError(f"configuration in {directory} is invalid", issues)
    return config
