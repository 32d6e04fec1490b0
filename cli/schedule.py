"""``hirecrew schedule``: interview times for one candidate from two YAML files (no crewai import).

PANEL.yaml::

    duration_minutes: 60
    any_of: 2                   # optional: any 2 interviewers attend (default: all of them)
    notice_hours: 24            # optional: business hours of notice (default 0)
    granularity_minutes: 15     # optional (default 15)
    horizon_days: 14            # optional (default 14)
    interviewers:
      - name: Ana
        email: ana@example.com
        timezone: Europe/Berlin
        working_hours: "09:00-17:00"
        max_per_day: 3          # optional
        busy:
          - {start: 2026-03-23T10:00:00+01:00, end: 2026-03-23T11:00:00+01:00}
        busy_ics: ana.ics       # optional: an iCalendar file, relative to PANEL.yaml

CANDIDATE.yaml: ``name``, ``email``, ``timezone``, ``availability: [{start, end}]`` and optionally
``allow_outside_hours: true``. Times are ISO-8601 with an offset.

Exit codes: 0 slots found, 1 nothing fits (the blocking constraint is named), 2 a file cannot be
read or holds a bad value (file, key and line are named).
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
import yaml
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError, field_validator

from cli.common import EXIT_FAILED, fail
from domain.errors import DomainError
from domain.solver import (
    AnyOf,
    CandidateRequest,
    InfeasibleScheduleError,
    InterviewType,
    PanelMember,
    Proposal,
    SchedulingProblem,
    busy_from_ics,
    parse_hours,
    propose,
    resolve_zone,
)

MAX_FILE_BYTES = 1_000_000

M = TypeVar("M", bound=BaseModel)
_KEY_LINE = re.compile(r"^(?P<indent>[ -]*)(?P<key>[A-Za-z_][\w-]*)\s*:")

_KeyPath = tuple[str | int, ...]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TimeRange(_Strict):
    """An ``{start, end}`` pair of aware times."""

    start: AwareDatetime
    end: AwareDatetime


def _zone(value: str) -> str:
    try:
        resolve_zone(value)
    except DomainError as exc:
        raise ValueError(str(exc)) from exc
    return value


class InterviewerFile(_Strict):
    """One interviewer of PANEL.yaml."""

    name: str = Field(min_length=1)
    email: str = Field(min_length=3)
    timezone: str
    working_hours: str = "09:00-17:00"
    max_per_day: int | None = Field(default=None, ge=1)
    busy: list[TimeRange] = Field(default_factory=list)
    busy_ics: str | None = None

    _check_zone = field_validator("timezone")(_zone)

    @field_validator("working_hours")
    @classmethod
    def _hours(cls, value: str) -> str:
        try:
            parse_hours(value)
        except DomainError as exc:
            raise ValueError(str(exc)) from exc
        return value


class PanelFile(_Strict):
    """PANEL.yaml."""

    duration_minutes: int = Field(ge=1, le=24 * 60)
    any_of: int | None = Field(default=None, ge=1)
    notice_hours: float = Field(default=0, ge=0)
    granularity_minutes: int = Field(default=15, ge=1, le=1440)
    horizon_days: int = Field(default=14, ge=1, le=366)
    interviewers: list[InterviewerFile] = Field(min_length=1)


class CandidateFile(_Strict):
    """CANDIDATE.yaml."""

    name: str = Field(min_length=1)
    email: str | None = None
    timezone: str
    availability: list[TimeRange] = Field(min_length=1)
    allow_outside_hours: bool = False

    _check_zone = field_validator("timezone")(_zone)


def schedule(
    panel: Annotated[Path, typer.Option("--panel", help="PANEL.yaml: duration and interviewers")],
    candidate: Annotated[
        Path, typer.Option("--candidate", help="CANDIDATE.yaml: zone and availability")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="print the slots as JSON")] = False,
    now: Annotated[
        str | None, typer.Option("--now", help="ISO-8601 time to plan from; default: the clock")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="how many alternatives")] = 5,
) -> None:
    """Propose interview slots for a candidate and a panel, best first: inside everyone's
    working hours, clear of busy blocks, within the candidate's availability and reasonable
    hours (their local 09:00-17:00 preferred), earlier first."""
    panel_spec = _load(panel, PanelFile)
    candidate_spec = _load(candidate, CandidateFile)
    start = _now(now)
    members = tuple(_member(panel, i, spec) for i, spec in enumerate(panel_spec.interviewers))
    names = tuple(member.name for member in members)
    if panel_spec.any_of is not None and panel_spec.any_of > len(members):
        raise fail(f"{panel}: any_of: {panel_spec.any_of} exceeds the {len(members)} interviewers")
    interview = (
        InterviewType("interview", panel_spec.duration_minutes, any_of=(AnyOf(names, any_of),))
        if (any_of := panel_spec.any_of) is not None
        else InterviewType("interview", panel_spec.duration_minutes, required=names)
    )
    try:
        problem = SchedulingProblem(
            panel=members,
            interviews=(interview,),
            now=start,
            notice_hours=panel_spec.notice_hours,
            granularity_minutes=panel_spec.granularity_minutes,
            horizon_days=panel_spec.horizon_days,
        )
        request = CandidateRequest(
            id=candidate_spec.email or candidate_spec.name,
            name=candidate_spec.name,
            timezone=candidate_spec.timezone,
            availability=tuple((r.start, r.end) for r in candidate_spec.availability),
            allow_outside_hours=candidate_spec.allow_outside_hours,
        )
        proposals = propose(problem, request, limit=limit)
    except InfeasibleScheduleError as exc:
        raise fail(f"no interview slot fits: {exc.explanation}", EXIT_FAILED) from exc
    except DomainError as exc:
        raise fail(f"{panel} / {candidate}: {exc}") from exc
    emails = {member.name: member.email for member in members}
    if as_json:
        typer.echo(json.dumps({"slots": [_slot(p, emails) for p in proposals]}, indent=2))
        return
    zone = resolve_zone(candidate_spec.timezone)
    for rank, proposal in enumerate(proposals, start=1):
        local_start = proposal.start.astimezone(zone)
        local_end = proposal.end.astimezone(zone)
        people = ", ".join(proposal.sessions[0].interviewers)
        typer.echo(
            f"{rank}. {local_start:%a %Y-%m-%d %H:%M}-{local_end:%H:%M} {candidate_spec.timezone} "
            f"({proposal.start:%Y-%m-%d %H:%M} UTC) with {people}"
        )


def _slot(proposal: Proposal, emails: dict[str, str]) -> dict[str, Any]:
    return {
        "start": proposal.start.isoformat(),
        "end": proposal.end.isoformat(),
        "interviewers": [emails[name] for name in proposal.sessions[0].interviewers],
    }


def _now(value: str | None) -> datetime:
    if value is None:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise fail(f"--now {value!r} is not an ISO-8601 time") from exc
    if moment.tzinfo is None:
        raise fail(f"--now {value!r} needs an offset, e.g. 2026-03-23T09:00:00+01:00")
    return moment


def _member(panel: Path, index: int, spec: InterviewerFile) -> PanelMember:
    busy = [(r.start, r.end) for r in spec.busy]
    if spec.busy_ics is not None:
        ics = panel.parent / spec.busy_ics
        where = f"{panel}: interviewers.{index}.busy_ics"
        try:
            busy += busy_from_ics(ics.read_text(encoding="utf-8"), floating_timezone=spec.timezone)
        except (OSError, UnicodeDecodeError) as exc:
            raise fail(f"{where}: cannot read {ics} ({exc})") from exc
        except DomainError as exc:
            raise fail(f"{where}: {ics}: {exc}") from exc
    try:
        return PanelMember(
            name=spec.name,
            email=spec.email,
            timezone=spec.timezone,
            working_hours=spec.working_hours,
            busy=tuple(busy),
            max_per_day=spec.max_per_day,
        )
    except DomainError as exc:
        raise fail(f"{panel}: interviewers.{index}: {exc}") from exc


def _load(file: Path, model: type[M]) -> M:
    """The file validated as ``model``; exit 2 naming file, key and line on any problem."""
    try:
        if file.stat().st_size > MAX_FILE_BYTES:
            raise fail(f"{file}: larger than 1 MB; not a scheduling file")
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise fail(f"{file}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    except OSError as exc:
        raise fail(f"{file}: cannot read it ({exc.strerror or exc})") from exc
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        where = f"{file}:{line}" if line is not None else str(file)
        key = _key_near(text, line) if line is not None else ""
        near = f" (near key {key})" if key else ""
        raise fail(f"{where}: invalid YAML{near}: {problem}") from exc
    lines: dict[_KeyPath, int] = {}
    data = _to_python(node, (), lines) if node is not None else None
    if not isinstance(data, dict):
        raise fail(f"{file}:1: the file must be a mapping of keys to values")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            path: _KeyPath = tuple(err["loc"])
            key = ".".join(str(part) for part in path) or "(top level)"
            message = err["msg"].removeprefix("Value error, ")
            if err["type"] == "missing":
                message = "required key is missing"
            if err["type"] == "extra_forbidden":
                message = "unknown key"
            problems.append(f"{file}:{_line(lines, path)}: {key}: {message}")
        raise fail("\n".join(problems)) from exc


def _key_near(text: str, line: int) -> str:
    """The dotted key path of the mapping entry at or above ``line`` (for syntax errors)."""
    path: list[tuple[int, str]] = []
    for raw in text.splitlines()[:line]:
        match = _KEY_LINE.match(raw)
        if match is None:
            continue
        indent = len(match.group("indent"))
        while path and path[-1][0] >= indent:
            path.pop()
        path.append((indent, match.group("key")))
    return ".".join(key for _, key in path)


def _line(lines: dict[_KeyPath, int], path: _KeyPath) -> int:
    while path and path not in lines:
        path = path[:-1]
    return lines.get(path, 1)


def _to_python(node: yaml.Node, path: _KeyPath, lines: dict[_KeyPath, int]) -> Any:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _scalar(key_node)
            child = (*path, str(key))
            lines[child] = key_node.start_mark.line + 1
            out[key] = _to_python(value_node, child, lines)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_to_python(item, (*path, i), lines) for i, item in enumerate(node.value)]
    return _scalar(node)


def _scalar(node: yaml.Node) -> Any:
    if not isinstance(node, yaml.ScalarNode):
        return node.value
    return yaml.constructor.SafeConstructor().construct_object(node, deep=True)
