"""``hirecrew screen``: evidence-based screening of the pool against a job file.

The job file is YAML::

    title: Senior Backend Engineer
    description: Builds and runs the payments platform.
    must_have: ["5+ years of Python", "PostgreSQL in production"]
    nice_to_have: ["Go"]          # optional
    location: Berlin              # optional

Every candidate in ``<data dir>/pool`` is screened on their blind view; the top N are printed
with a verdict and verbatim quotes per criterion. ``--reveal`` adds who is behind each id.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml

from cli.common import EXIT_INVALID, DataDir, fail, settings_for
from config.errors import ConfigError, ConfigIssue
from domain.artifacts import JobDescription, ScreenedCandidate
from domain.candidate_store import CandidateStore
from domain.entities import Candidate
from domain.errors import HirecrewError
from domain.insights import PoolInsights, pool_insights
from domain.redaction import reveal
from domain.screening import requirement_from_text, screen_pool

# A single command held by its group's callback (see cli/search.py for why options may follow
# positionals).
app = typer.Typer(
    help="Screen the candidate pool against a job.",
    context_settings={"allow_interspersed_args": True},
)


_REQUIRED = ("title", "description", "must_have")
_OPTIONAL = ("nice_to_have", "location")


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def _strings(file: Path, key: str, node: yaml.Node, issues: list[ConfigIssue]) -> list[str] | None:
    """The non-empty strings of a YAML list; issues for anything else."""
    if not isinstance(node, yaml.SequenceNode):
        issues.append(ConfigIssue(file, key, _line(node), "expected a list of requirements"))
        return None
    items: list[str] = []
    for i, item in enumerate(node.value):
        value = yaml.safe_load(yaml.serialize(item))
        if not isinstance(value, str) or not value.strip():
            issues.append(
                ConfigIssue(file, f"{key}.{i}", _line(item), "expected a non-empty string")
            )
        else:
            items.append(value)
    return items


def load_job(file: Path) -> JobDescription:
    """Read a job file into a JobDescription; ``ConfigError`` names the file, key and line."""
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        issue = ConfigIssue(file, "", None, str(exc))
        raise ConfigError("cannot read the job file", [issue]) from exc
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(
            "invalid YAML", [ConfigIssue(file, "", line, f"invalid YAML: {problem}")]
        ) from exc
    if not isinstance(root, yaml.MappingNode):
        line = _line(root) if root is not None else 1
        raise ConfigError(
            "invalid job file",
            [ConfigIssue(file, "", line, f"expected a mapping with {', '.join(_REQUIRED)}")],
        )
    issues: list[ConfigIssue] = []
    nodes: dict[str, yaml.Node] = {}
    for key_node, value_node in root.value:
        key = str(key_node.value)
        if key not in _REQUIRED + _OPTIONAL:
            known = ", ".join(_REQUIRED + _OPTIONAL)
            issues.append(ConfigIssue(file, key, _line(key_node), f"unknown key; use {known}"))
        nodes[key] = value_node
    end = int(root.end_mark.line) + 1
    for key in _REQUIRED:
        if key not in nodes:
            issues.append(ConfigIssue(file, key, end, "missing required key"))
    values: dict[str, Any] = {}
    for key in ("title", "description", "location"):
        if key in nodes:
            value = yaml.safe_load(yaml.serialize(nodes[key]))
            if value is None and key == "location":
                continue
            if not isinstance(value, str) or not value.strip():
                issues.append(
                    ConfigIssue(file, key, _line(nodes[key]), "expected a non-empty string")
                )
            else:
                values[key] = value.strip()
    for key in ("must_have", "nice_to_have"):
        if key in nodes:
            values[key] = _strings(file, key, nodes[key], issues)
    if issues:
        raise ConfigError("invalid job file", issues)
    return JobDescription(
        title=values["title"],
        location=values.get("location"),
        summary=values["description"],
        must_haves=[requirement_from_text(t, "must_have") for t in values["must_have"]],
        nice_to_haves=[
            requirement_from_text(t, "nice_to_have") for t in values.get("nice_to_have") or []
        ],
        text=values["description"],
    )


def _as_json(candidate: ScreenedCandidate) -> dict[str, Any]:
    return {
        "candidate_id": candidate.candidate_id,
        "score": candidate.score,
        "rank": candidate.rank,
        "criteria": [
            {
                "criterion": a.requirement,
                "verdict": a.status.value,
                "quotes": list(a.evidence),
            }
            for a in candidate.assessments
        ],
    }


def _echo_insights(insights: PoolInsights) -> None:
    typer.echo(f"\nPool: {insights.pool_size} candidates")
    for must in insights.must_haves:
        typer.echo(f"  {must.candidates:>6}  meet '{must.requirement}'")
    typer.echo(f"  {insights.meeting_all:>6}  meet every must-have")
    if insights.co_occurring:
        skills = ", ".join(f"{s.skill} ({s.candidates})" for s in insights.co_occurring)
        typer.echo(f"Often found with the must-haves: {skills}")
    if insights.narrowest is not None:
        typer.echo(f"Hint: {insights.narrowest.message}")


def _echo_candidate(candidate: ScreenedCandidate, who: str) -> None:
    typer.echo(
        f"\n#{candidate.rank} {candidate.candidate_id}{who}  score {candidate.score}  "
        f"must-haves met {candidate.must_haves_met}/{candidate.must_haves_total}"
    )
    for a in candidate.assessments:
        kind = "must" if a.kind == "must_have" else "nice"
        reason = f" ({a.reason})" if a.reason else ""
        typer.echo(f"  [{kind}] {a.status.value:<11} {a.requirement}{reason}")
        for quote in a.evidence:
            typer.echo(f'      "{quote}"')


@app.callback(invoke_without_command=True)
def screen(
    job: Annotated[
        Path, typer.Option("--job", help="YAML: title, description, must_have, nice_to_have")
    ],
    top: Annotated[int, typer.Option("--top", min=1, help="how many candidates to show")] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
    show: Annotated[
        bool, typer.Option("--reveal", help="show names and e-mails next to the ids")
    ] = False,
    data_dir: DataDir = None,
) -> None:
    """Screen every candidate in the pool against JOB, criterion by criterion, blind."""
    settings = settings_for(data_dir)
    try:
        jd = load_job(job)
    except ConfigError as exc:
        raise fail(str(exc), EXIT_INVALID) from exc
    try:
        pool: list[Candidate] = CandidateStore(settings.data_path / "pool").all()
        shortlist = screen_pool(pool, jd, limit=top)
    except HirecrewError as exc:
        raise fail(str(exc), EXIT_INVALID) from exc
    ids = [c.candidate_id for c in shortlist.candidates]
    people = {r.candidate_id: r for r in reveal(ids, pool)} if show else {}
    if as_json:
        rows = []
        for candidate in shortlist.candidates:
            row = _as_json(candidate)
            if show:
                row |= {
                    "name": people[candidate.candidate_id].name,
                    "email": people[candidate.candidate_id].email,
                }
            rows.append(row)
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not pool:
        typer.echo(f"The pool at {settings.data_path / 'pool'} is empty: import candidates first.")
        return
    typer.echo(
        f"Screened {len(pool)} candidates for '{jd.title}' (blind); top {len(ids)} by evidence:"
    )
    for candidate in shortlist.candidates:
        person = people.get(candidate.candidate_id)
        who = ""
        if person is not None:
            who = f" ({person.name or 'no name'}{f' <{person.email}>' if person.email else ''})"
        _echo_candidate(candidate, who)
    _echo_insights(pool_insights(pool, jd))
