"""Load and validate the role configuration against what the code provides."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from config import DEFAULT_CONFIG_DIR
from config.errors import ConfigError, ConfigIssue
from config.loader import load_role_config, locate
from config.providers import KNOWN_PROVIDERS
from config.schema import Catalog, RoleConfig
from config.settings import LLMSettings
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
        if crew_name != REVIEW_CREW:
            if crew.process != "hierarchical":
                issues.append(
                    replace(
                        locate(crews_file, crew_name, "process"),
                        key=f"{crew_name}.process",
                        message="a stage crew runs under the hiring manager: use hierarchical",
                    )
                )
            if crew.inputs:
                issues.append(
                    replace(
                        locate(crews_file, crew_name, "inputs"),
                        key=f"{crew_name}.inputs",
                        message=(
                            "the flow supplies a stage crew's inputs; it cannot add "
                            f"{', '.join(crew.inputs)} (available: "
                            f"{', '.join(sorted(CREW_INPUTS[crew_name]))})"
                        ),
                    )
                )
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


def check_llm_roles(config: RoleConfig, settings: LLMSettings) -> None:
    """Refuse per-role model settings for agents the configuration does not have.

    Raises:
        ConfigError: naming the variable to fix.
    """
    unknown = sorted(set(settings.roles) - set(config.agents))
    if unknown:
        issues = [
            ConfigIssue(
                None,
                f"HIRECREW_LLM__ROLES__{key.upper()}",
                None,
                f"no agent '{key}'; agents: {', '.join(sorted(config.agents))}",
            )
            for key in unknown
        ]
        raise ConfigError("settings name unknown agents", issues)
