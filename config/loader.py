"""Read agents.yaml, tasks.yaml and crews.yaml into a validated ``RoleConfig``.

Every problem is reported with the file, the key path and the line, all at once, so an editor
can fix a file in one pass. Nothing here raises anything but ``ConfigError``.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from config.errors import ConfigError, ConfigIssue
from config.schema import AgentSpec, Catalog, CrewSpec, PipelineStep, RoleConfig, TaskSpec

FILES = {"agents": "agents.yaml", "tasks": "tasks.yaml", "crews": "crews.yaml"}
# crews.yaml's reserved key: the ordered stages of the hiring flow (never a crew's name).
PIPELINE_KEY = "pipeline"
MAX_STAGE_NAME = 32  # the database keeps a run's stage in 32 characters
OFFLINE = "offline"
_KEY_RE = re.compile(r"^[a-z][a-z0-9_]*$")

Path_ = tuple[str | int, ...]


class _Document:
    """A YAML mapping with the line of every key path (1-based)."""

    def __init__(self, file: Path, data: dict[str, Any], lines: dict[Path_, int]) -> None:
        self.file = file
        self.data = data
        self.lines = lines

    def line(self, path: Path_) -> int | None:
        """The line of a path, or of its nearest ancestor that has one."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), None)

    def issue(self, path: Path_, message: str) -> ConfigIssue:
        key = ".".join(str(p) for p in path)
        return ConfigIssue(file=self.file, key=key, line=self.line(path), message=message)


def _scalar(node: yaml.Node) -> Any:
    """A scalar as safe_load reads it ("key: " is None), without re-serialising the node
    (serialising a lone empty scalar produces YAML that does not parse)."""
    return yaml.constructor.SafeConstructor().construct_object(node, deep=True)


def _to_python(node: yaml.Node, path: Path_, lines: dict[Path_, int]) -> Any:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _scalar(key_node) if key_node.tag else key_node.value
            child = (*path, str(key))
            out[key] = _to_python(value_node, child, lines)
            lines[child] = key_node.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_to_python(item, (*path, i), lines) for i, item in enumerate(node.value)]
    return _scalar(node)


_KEY_LINE = re.compile(r"^(?P<indent> *)(?P<key>[A-Za-z_][\w-]*)\s*:")


def _key_near(text: str, line: int) -> str:
    """The dotted key path of the mapping entry at or above a line (for syntax errors)."""
    path: list[tuple[int, str]] = []
    for raw in text.splitlines()[:line]:
        match = _KEY_LINE.match(raw)
        if not match:
            continue
        indent = len(match.group("indent"))
        while path and path[-1][0] >= indent:
            path.pop()
        path.append((indent, match.group("key")))
    return ".".join(key for _, key in path)


def _read(file: Path) -> _Document:
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ConfigError(
            "configuration file missing",
            [ConfigIssue(file, "", None, "file not found: every config dir needs it")],
        ) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(
            "cannot read configuration", [ConfigIssue(file, "", None, str(exc))]
        ) from exc
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        key = _key_near(text, line) if line is not None else ""
        raise ConfigError(
            "invalid YAML", [ConfigIssue(file, key, line, f"invalid YAML: {problem}")]
        ) from exc
    lines: dict[Path_, int] = {}
    if node is None:
        return _Document(file, {}, lines)
    data = _to_python(node, (), lines)
    if not isinstance(data, dict):
        raise ConfigError(
            "invalid configuration",
            [ConfigIssue(file, "", 1, "the file must be a mapping of names to definitions")],
        )
    return _Document(file, data, lines)


def _validate_entries(
    doc: _Document, model: type[BaseModel], issues: list[ConfigIssue]
) -> dict[str, Any]:
    specs: dict[str, Any] = {}
    for name, body in doc.data.items():
        if not isinstance(name, str) or not _KEY_RE.match(name):
            issues.append(doc.issue((str(name),), "names must be snake_case identifiers"))
            continue
        if not isinstance(body, dict):
            issues.append(doc.issue((name,), "expected a mapping of fields"))
            continue
        try:
            specs[name] = model.model_validate(body)
        except ValidationError as exc:
            for err in exc.errors():
                loc = tuple(str(p) for p in err["loc"])
                msg = err["msg"]
                if err["type"] == "extra_forbidden":
                    msg = "unknown key"
                elif err["type"] == "missing":
                    msg = "required key is missing"
                issues.append(doc.issue((name, *loc), msg))
    return specs


def _pipeline_steps(
    doc: _Document, raw: Any, issues: list[ConfigIssue]
) -> tuple[PipelineStep, ...]:
    """crews.yaml's ``pipeline:``: a list of stage names (built-in stages) and mappings
    (``stage:``, ``crew:``, ``gate:``, ``with:``). What each step may name is checked later,
    against the crews (``crews.catalog.load_config``)."""
    if raw is None:
        return ()
    if not isinstance(raw, list) or not raw:
        issues.append(doc.issue((PIPELINE_KEY,), "expected a list of stages"))
        return ()
    steps: list[PipelineStep] = []
    for i, item in enumerate(raw):
        path: Path_ = (PIPELINE_KEY, i)
        body = {"stage": item} if isinstance(item, str) else item
        if not isinstance(body, dict):
            issues.append(doc.issue(path, "a stage is a name or a mapping with 'stage:'"))
            continue
        try:
            step = PipelineStep.model_validate(body)
        except ValidationError as exc:
            for err in exc.errors():
                loc = tuple(str(p) for p in err["loc"])
                msg = {"extra_forbidden": "unknown key", "missing": "required key is missing"}
                issues.append(doc.issue((*path, *loc), msg.get(err["type"], err["msg"])))
            continue
        if not _KEY_RE.match(step.stage) or len(step.stage) > MAX_STAGE_NAME:
            issues.append(
                doc.issue(
                    (*path, "stage"),
                    f"stage names are snake_case identifiers of at most {MAX_STAGE_NAME} "
                    "characters",
                )
            )
            continue
        steps.append(step)
    return tuple(steps)


def placeholders(text: str) -> set[str]:
    """The ``{name}`` placeholders crewai will interpolate in a task text."""
    names: set[str] = set()
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError:
        # crewai interpolates with a regex, not str.format; unbalanced braces are legal text.
        return set(re.findall(r"\{([A-Za-z_][A-Za-z0-9_]*)\}", text))
    for _, field_name, _, _ in parsed:
        if field_name and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", field_name):
            names.add(field_name)
    return names


def _check_llm(value: str, catalog: Catalog) -> str | None:
    if value == OFFLINE:
        return None
    provider, sep, model = value.partition("/")
    if not sep or not model:
        return f"llm '{value}' must be 'offline' or '<provider>/<model>'"
    if catalog.llm_providers and provider not in catalog.llm_providers:
        known = ", ".join(sorted(catalog.llm_providers))
        return f"unknown LLM provider '{provider}'; known providers: {known}"
    return None


def _cross_check(
    docs: dict[str, _Document],
    agents: dict[str, AgentSpec],
    tasks: dict[str, TaskSpec],
    crews: dict[str, CrewSpec],
    catalog: Catalog,
    issues: list[ConfigIssue],
) -> None:
    a_doc, t_doc, c_doc = docs["agents"], docs["tasks"], docs["crews"]

    def plugin_problem(kind: str, name: str) -> str | None:
        if catalog.check_plugin is None:
            return f"unknown {kind} '{name}'"
        return catalog.check_plugin(kind, name)

    def unknown_tools(doc: _Document, path: Path_, names: Iterable[str]) -> None:
        for i, tool in enumerate(names):
            if tool in catalog.tools:
                continue
            problem = plugin_problem("tool", tool)
            if problem is not None:
                known = ", ".join(sorted(catalog.tools))
                issues.append(doc.issue((*path, i), f"{problem}; known tools: {known}"))

    for name, agent in agents.items():
        problem = _check_llm(agent.llm, catalog)
        if problem:
            issues.append(a_doc.issue((name, "llm"), problem))
        unknown_tools(a_doc, (name, "tools"), agent.tools)

    for name, task in tasks.items():
        if task.agent not in agents:
            issues.append(t_doc.issue((name, "agent"), f"unknown agent '{task.agent}'"))
        if task.output is not None and task.output not in catalog.outputs:
            problem = plugin_problem("output", task.output)
            if problem is not None:
                known = ", ".join(sorted(catalog.outputs))
                issues.append(t_doc.issue((name, "output"), f"{problem}; known: {known}"))

    for name, crew in crews.items():
        for i, agent_name in enumerate(crew.agents):
            if agent_name not in agents:
                issues.append(c_doc.issue((name, "agents", i), f"unknown agent '{agent_name}'"))
        available = set(crew.inputs) | catalog.stage_inputs.get(name, frozenset())
        for i, task_name in enumerate(crew.tasks):
            found = tasks.get(task_name)
            if found is None:
                issues.append(c_doc.issue((name, "tasks", i), f"unknown task '{task_name}'"))
                continue
            task = found
            if task.agent not in crew.agents:
                issues.append(
                    t_doc.issue(
                        (task_name, "agent"),
                        f"agent '{task.agent}' is not a member of crew '{name}'",
                    )
                )
            used = placeholders(task.description) | placeholders(task.expected_output)
            for missing in sorted(used - available):
                field = (
                    "description"
                    if missing in placeholders(task.description)
                    else ("expected_output")
                )
                issues.append(
                    t_doc.issue(
                        (task_name, field),
                        f"placeholder '{{{missing}}}' is not an input of crew '{name}' "
                        f"(inputs: {', '.join(sorted(available)) or 'none'})",
                    )
                )
        for agent_name, tools in crew.tools.items():
            if agent_name not in crew.agents and agent_name != crew.manager:
                issues.append(
                    c_doc.issue((name, "tools", agent_name), "tools given to a non-member agent")
                )
            unknown_tools(c_doc, (name, "tools", agent_name), tools)
        if crew.process == "hierarchical":
            if crew.manager is None:
                issues.append(c_doc.issue((name, "process"), "a hierarchical crew needs a manager"))
            elif crew.manager not in agents:
                issues.append(c_doc.issue((name, "manager"), f"unknown agent '{crew.manager}'"))
            else:
                if crew.manager in crew.agents:
                    issues.append(
                        c_doc.issue((name, "manager"), "the manager must not be in agents")
                    )
                if agents[crew.manager].tools:
                    issues.append(
                        a_doc.issue(
                            (crew.manager, "tools"),
                            f"'{crew.manager}' manages crew '{name}' and must have no tools",
                        )
                    )
                if crew.tools.get(crew.manager):
                    issues.append(
                        c_doc.issue((name, "tools", crew.manager), "a manager must have no tools")
                    )
        elif crew.manager is not None:
            issues.append(c_doc.issue((name, "manager"), "only hierarchical crews take a manager"))


def locate(file: Path, *path: str | int) -> ConfigIssue:
    """An issue positioned at a key path of a file (for checks made after loading)."""
    return _read(file).issue(tuple(path), "")


def load_role_config(directory: Path, catalog: Catalog) -> RoleConfig:
    """Read and cross-check the three YAML files of a configuration directory.

    Args:
        directory: holds agents.yaml, tasks.yaml and crews.yaml.
        catalog: what the code provides (tools, outputs, stage inputs, LLM providers).

    Returns:
        The validated configuration.

    Raises:
        ConfigError: listing every issue with its file, key and line.
    """
    issues: list[ConfigIssue] = []
    docs: dict[str, _Document] = {}
    for kind, filename in FILES.items():
        try:
            docs[kind] = _read(directory / filename)
        except ConfigError as exc:
            issues.extend(exc.issues)
    if issues:
        raise ConfigError(f"configuration in {directory} is invalid", issues)
    pipeline = _pipeline_steps(docs["crews"], docs["crews"].data.pop(PIPELINE_KEY, None), issues)
    agents = _validate_entries(docs["agents"], AgentSpec, issues)
    tasks = _validate_entries(docs["tasks"], TaskSpec, issues)
    crews = _validate_entries(docs["crews"], CrewSpec, issues)
    _cross_check(docs, agents, tasks, crews, catalog, issues)
    if issues:
        raise ConfigError(f"configuration in {directory} is invalid", issues)
    return RoleConfig(agents=agents, tasks=tasks, crews=crews, pipeline=pipeline)
