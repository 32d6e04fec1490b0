"""Load and validate the role configuration against what the code provides."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, Field, RootModel

from config import DEFAULT_CONFIG_DIR
from config.errors import ConfigError, ConfigIssue
from config.loader import load_role_config, locate
from config.providers import KNOWN_PROVIDERS
from config.schema import Catalog, CrewSpec, RoleConfig
from config.settings import LLMSettings
from crews.stages import (
    CREW_INPUTS,
    FLOW_VALUES,
    REVIEW_CREW,
    REVIEW_OUTPUT,
    STAGE_NAMES,
    STAGES,
    output_key,
    pipeline_of,
)
from tasks.outputs import OUTPUT_MODELS, check_output, output_model
from tools.catalog import TOOL_NAMES
from tools.plugins import check_tool, is_reference, plugin_tool_names

# The crews the hiring flow runs itself; every other crew in crews.yaml is a custom crew,
# run on its own (`hirecrew crew run`, POST /api/crews/{name}/runs).
FLOW_CREWS = frozenset(CREW_INPUTS)


class ReferencePolicy:
    """Which ``module:Class`` references a configuration may name (naming one imports its
    module, so a change through the API may only add references to trusted packages).

    Args:
        modules: packages whose modules may be named (``pkg`` allows ``pkg`` and ``pkg.x``).
        known: exact references allowed whatever their package (those already in force).
    """

    def __init__(self, modules: Collection[str] = (), known: Collection[str] = ()) -> None:
        self.modules = tuple(modules)
        self.known = frozenset(known)

    def problem(self, reference: str) -> str | None:
        module = reference.partition(":")[0]
        if reference in self.known or any(
            module == p or module.startswith(f"{p}.") for p in self.modules
        ):
            return None
        allowed = ", ".join(self.modules) or "none"
        return (
            f"'{reference}' names a module outside the packages a change through the API may "
            f"import (HIRECREW_SERVER__PLUGIN_MODULES: {allowed}); install the tool with a "
            "hirecrew.tools entry point, or have an operator add its package"
        )


def references_in(files: Mapping[str, str]) -> set[str]:
    """The ``module:Class`` references a configuration names where it names code: agents'
    and crews' tools and tasks' outputs (comments and prose do not count). Files that do not
    parse name none."""
    found: set[str] = set()
    for name, text in files.items():
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError:
            continue
        if not isinstance(data, dict):
            continue
        for body in data.values():
            if not isinstance(body, dict):
                continue
            names: list[Any] = []
            if name == "agents.yaml":
                names = _listed(body.get("tools"))
            elif name == "tasks.yaml":
                names = [body.get("output")]
            elif name == "crews.yaml" and isinstance(body.get("tools"), dict):
                names = [t for tools in body["tools"].values() for t in _listed(tools)]
            found.update(n for n in names if isinstance(n, str) and is_reference(n))
    return found


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _plugin_checker(policy: ReferencePolicy | None) -> Callable[[str, str], str | None]:
    def check(kind: str, name: str) -> str | None:
        if policy is not None and is_reference(name) and (problem := policy.problem(name)):
            return problem  # refused before anything is imported
        if kind == "output":
            return check_output(name)
        if not is_reference(name) and name not in plugin_tool_names():
            return f"unknown tool '{name}'"
        return check_tool(name)

    return check


def catalog(policy: ReferencePolicy | None = None) -> Catalog:
    """What YAML may name: tools (built-in and plugins), outputs, the inputs of stage crews,
    LLM providers; ``policy`` limits ``module:Class`` references (None: any)."""
    return Catalog(
        tools=TOOL_NAMES,
        outputs=frozenset(OUTPUT_MODELS),
        stage_inputs=dict(CREW_INPUTS),
        llm_providers=KNOWN_PROVIDERS,
        check_plugin=_plugin_checker(policy),
    )


def load_config(
    directory: Path | None = None, *, references: ReferencePolicy | None = None
) -> RoleConfig:
    """Load a configuration directory and check that every stage crew is there and typed.

    Raises:
        ConfigError: naming file, key and line of every problem.
    """
    directory = directory or DEFAULT_CONFIG_DIR
    config = load_role_config(directory, catalog(references))
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
    issues.extend(_custom_crew_issues(config, directory))
    issues.extend(_pipeline_issues(config, directory / "crews.yaml"))
    if issues:
        raise ConfigError(f"configuration in {directory} is invalid", issues)
    return config


def _custom_crew_issues(config: RoleConfig, directory: Path) -> list[ConfigIssue]:
    """A custom crew runs without a hiring project, so the built-in tools (bound to a
    project's workspace) are not available to it: say so at load time, not mid-run."""
    issues: list[ConfigIssue] = []
    for crew_name, crew in config.crews.items():
        if crew_name in FLOW_CREWS:
            continue
        for agent_name in crew.agents:
            built_in = sorted(set(config.tools_for(crew_name, agent_name)) & TOOL_NAMES)
            if not built_in:
                continue
            if agent_name in crew.tools:
                where = replace(
                    locate(directory / "crews.yaml", crew_name, "tools", agent_name),
                    key=f"{crew_name}.tools.{agent_name}",
                )
            else:
                where = replace(
                    locate(directory / "crews.yaml", crew_name, "agents"),
                    key=f"{crew_name}.agents",
                )
            issues.append(
                replace(
                    where,
                    message=(
                        f"agent '{agent_name}' gets the built-in tools {', '.join(built_in)}, "
                        "which work on a hiring project; a custom crew runs on its own: give "
                        f"it plugin tools in '{crew_name}.tools.{agent_name}' ([] for none)"
                    ),
                )
            )
    return issues


def _pipeline_issues(config: RoleConfig, crews_file: Path) -> list[ConfigIssue]:
    """What makes crews.yaml's ``pipeline:`` unrunnable: the built-in stages out of order,
    a stage whose crew is missing or untyped, an input nothing gives."""
    issues: list[ConfigIssue] = []

    def issue(path: tuple[str | int, ...], message: str) -> None:
        where = locate(crews_file, "pipeline", *path)
        key = ".".join(str(p) for p in ("pipeline", *path))
        issues.append(replace(where, key=key, message=message))

    built_in_seen: list[str] = []
    names: set[str] = set()
    available = {name for name, after in FLOW_VALUES.items() if after is None}
    for i, step in enumerate(config.pipeline):
        if step.stage in names:
            issue((i, "stage"), f"stage '{step.stage}' is listed twice")
            continue
        names.add(step.stage)
        if i == 0 and step.stage != STAGE_NAMES[0]:
            issue((i,), f"a hiring flow starts at {STAGE_NAMES[0]}: list it first")
        if step.stage in STAGE_NAMES:
            expected = STAGE_NAMES[len(built_in_seen)]
            if step.stage != expected:
                issue(
                    (i,),
                    f"the built-in stages run in the order {', '.join(STAGE_NAMES)}, each "
                    f"after the one before it: '{expected}' must come before '{step.stage}'",
                )
            built_in_seen.append(step.stage)
            extra = [k for k, v in (("crew", step.crew), ("gate", step.gate)) if v]
            extra += ["with"] if step.with_ else []
            if extra:
                issue(
                    (i, extra[0]),
                    f"'{step.stage}' is a built-in stage with its own crew and gate: only "
                    "custom stages take crew, gate or with",
                )
            available |= {name for name, after in FLOW_VALUES.items() if after == step.stage}
            continue
        if step.stage == REVIEW_CREW:
            issue((i, "stage"), "'review' is the compliance review of every stage, not a stage")
            continue
        crew_name = step.crew_name
        crew_key: tuple[str | int, ...] = (i, "crew") if step.crew else (i, "stage")
        crew = config.crews.get(crew_name)
        if crew is None:
            custom = sorted(n for n in config.crews if crew_kind(n) == "custom")
            issue(crew_key, f"no crew '{crew_name}' (custom crews: {', '.join(custom) or 'none'})")
            continue
        if crew_kind(crew_name) != "custom":
            issue(crew_key, f"'{crew_name}' is a crew the flow runs itself; name a custom crew")
            continue
        last = crew.tasks[-1]
        output = config.tasks[last].output
        if output is None:
            issue(
                crew_key,
                f"a stage's output is reviewed and edited at its gate, so it must be typed: "
                f"give task '{last}' (the last of crew '{crew_name}') an output model",
            )
        elif check_output(output) is None and issubclass(output_model(output), RootModel):
            issue(
                crew_key,
                f"a stage's output is kept as a JSON object: '{output}' (the output of task "
                f"'{last}') is a root model; wrap its value in a field",
            )
        for key in sorted(set(step.with_) & set(FLOW_VALUES)):
            issue(
                (i, "with", key),
                f"'{key}' comes from the flow (the recruiter's feedback, the review's findings, "
                "the project); 'with:' gives only the crew's own inputs",
            )
        for key in sorted(set(step.with_) - set(crew.inputs)):
            issue(
                (i, "with", key),
                f"crew '{crew_name}' takes no input '{key}' (inputs: "
                f"{', '.join(crew.inputs) or 'none'})",
            )
        for key in crew.inputs:
            if key not in step.with_ and key not in available:
                issue(
                    crew_key,
                    f"crew '{crew_name}' takes '{key}', which the flow does not have at this "
                    f"point (it has: {', '.join(sorted(available))}); give it in 'with:' or "
                    "move the stage after the one that produces it",
                )
        available.add(output_key(step.stage))
    return issues


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


class CrewInfo(BaseModel):
    """What ``crew list`` shows of a crew."""

    name: str
    kind: Literal["stage", "review", "custom"]
    description: str
    process: str
    manager: str | None
    agents: list[str]
    tasks: list[str]
    tools: dict[str, list[str]] = Field(description="agent -> the tools it gets in this crew")
    inputs: list[str] = Field(description="what a run must give (custom crews)")
    output: str | None = Field(description="the last task's output model, if typed")
    stages: list[str] = Field(
        default_factory=list, description="the stages of the pipeline this crew runs"
    )


def crew_kind(name: str) -> Literal["stage", "review", "custom"]:
    """Whether the hiring flow runs a crew (a stage or the review) or it is a custom crew."""
    if name == "review":
        return "review"
    return "stage" if name in FLOW_CREWS else "custom"


def describe_crews(config: RoleConfig) -> list[CrewInfo]:
    """Every crew of a configuration, stage crews first, then custom crews by name."""
    pipeline = pipeline_of(config)
    infos = [
        _describe(config, name, spec, [s.name for s in pipeline if s.crew == name])
        for name, spec in config.crews.items()
    ]
    # Stages in the order the flow runs them, then the review, then custom crews by name.
    order = {name: i for i, name in enumerate(CREW_INPUTS)}
    return sorted(infos, key=lambda info: (order.get(info.name, len(order)), info.name))


def _describe(config: RoleConfig, name: str, spec: CrewSpec, stages: list[str]) -> CrewInfo:
    return CrewInfo(
        name=name,
        kind=crew_kind(name),
        description=spec.description,
        process=spec.process,
        manager=spec.manager,
        agents=list(spec.agents),
        tasks=list(spec.tasks),
        tools={agent: list(config.tools_for(name, agent)) for agent in spec.agents},
        inputs=list(spec.inputs),
        output=config.tasks[spec.tasks[-1]].output,
        stages=stages,
    )
