"""Load and validate the role configuration against what the code provides."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from agents.providers import KNOWN_PROVIDERS
from config import DEFAULT_CONFIG_DIR
from config.errors import ConfigError, ConfigIssue
from config.loader import load_role_config, locate
from config.schema import Catalog, RoleConfig
from crews.stages import CREW_INPUTS, REVIEW_CREW, REVIEW_OUTPUT, STAGES
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
    for crew_name, output in [(s.crew, s.output) for s in STAGES] + [(REVIEW_CREW, REVIEW_OUTPUT)]:
        crew = config.crews.get(crew_name)
        if crew is None:
            issues.append(
                ConfigIssue(crews_file, crew_name, None, "the hiring flow needs this crew")
            )
            continue
        last = crew.tasks[-1]
        if config.tasks[last].output != output.__name__:
            where = locate(directory / "tasks.yaml", last, "output")
            issues.append(
                replace(
                    where,
                    key=f"{last}.output",
                    message=f"the last task of crew '{crew_name}' must output {output.__name__}",
                )
            )
    if issues:
        raise ConfigError(f"configuration in {directory} is invalid", issues)
    return config
