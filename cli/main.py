"""``hirecrew``: run the demo, drive hiring runs from a terminal, validate configuration.

Commands that do not run crews never import crewai (it costs seconds to import).
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import click
import typer

from cli.bias import bias as audit_bias_command
from cli.candidates import app as candidates_app
from cli.check import app as check_app
from cli.common import EXIT_FAILED, EXIT_INVALID, DataDir, fail, settings_for
from cli.config_cmds import config_diff, config_history, config_rollback
from cli.crew import app as crew_app
from cli.doctor import doctor as doctor_command
from cli.explain import explain as explain_command
from cli.memory import app as memory_app
from cli.outbox import app as outbox_app
from cli.retention import app as retention_app
from cli.schedule import schedule as schedule_command
from cli.screen import app as screen_app
from cli.search import app as search_app
from cli.server_cmds import serve as serve_command
from cli.server_cmds import users_app
from cli.server_cmds import worker as worker_command
from cli.taxonomy import app as taxonomy_app
from config import DEFAULT_CONFIG_DIR
from config.errors import ConfigError
from config.settings import Settings, active_config_dir, quiet_environment
from domain.errors import HirecrewError

if TYPE_CHECKING:
    from crews.flow import HiringState, Runtime

app = typer.Typer(help="hirecrew: a recruiting assistant with human gates.", no_args_is_help=True)
config_app = typer.Typer(help="Check the role configuration (agents, tasks, crews YAML).")
project_app = typer.Typer(help="Start a hiring run, decide at its gates, show where it is.")
audit_app = typer.Typer(help="Inspect the audit trail.")
app.add_typer(candidates_app, name="candidates")
app.add_typer(taxonomy_app, name="taxonomy")
# `search` and `screen` are single commands: their sub-apps hold one callback each.
app.add_typer(search_app, name="search")
app.add_typer(screen_app, name="screen")
app.add_typer(config_app, name="config")
app.add_typer(project_app, name="project")
app.add_typer(audit_app, name="audit")
audit_app.command("explain")(explain_command)
audit_app.command("bias")(audit_bias_command)
app.add_typer(memory_app, name="memory")
app.add_typer(crew_app, name="crew")
app.add_typer(check_app, name="check")
app.add_typer(retention_app, name="retention")
app.add_typer(outbox_app, name="outbox")
app.add_typer(users_app, name="users")
app.command("serve")(serve_command)
app.command("worker")(worker_command)
app.command("schedule")(schedule_command)
app.command("doctor")(doctor_command)
config_app.command("history")(config_history)
config_app.command("diff")(config_diff)
config_app.command("rollback")(config_rollback)

T = TypeVar("T")


def _runtime(settings: Settings) -> Runtime:
    quiet_environment(settings)
    from crews.runner import open_runtime  # crewai is imported only from here on

    try:
        return open_runtime(settings)
    except ConfigError as exc:
        raise fail(str(exc), EXIT_INVALID) from exc


def _guarded(call: Callable[[], T]) -> T:
    try:
        return call()
    except HirecrewError as exc:
        raise fail(str(exc), EXIT_INVALID) from exc


# --- config ------------------------------------------------------------------------------


@config_app.command("validate")
def config_validate(
    directory: Annotated[Path | None, typer.Argument(help="config dir; default: bundled")] = None,
) -> None:
    """Exit 0 when the YAML is valid; exit 2 listing each problem's file, key and line."""
    from crews.catalog import check_llm_roles, load_config

    target = directory or active_config_dir(settings_for(None))
    try:
        config = load_config(target)
        check_llm_roles(config, settings_for(None).llm)
    except ConfigError as exc:
        raise fail(str(exc), EXIT_INVALID) from exc
    typer.echo(
        f"{target}: valid ({len(config.agents)} agents, {len(config.tasks)} tasks, "
        f"{len(config.crews)} crews)"
    )


@config_app.command("init")
def config_init(
    directory: Annotated[Path, typer.Argument(help="where to write the three YAML files")],
    force: Annotated[bool, typer.Option("--force", help="overwrite files already there")] = False,
) -> None:
    """Copy the bundled agents, tasks and crews YAML into a directory to start a configuration
    of your own (then point HIRECREW_CONFIG_DIR at it)."""
    from config.loader import FILES

    names = list(FILES.values())
    existing = [name for name in names if (directory / name).exists()]
    if existing and not force:
        raise fail(f"{directory} already has {', '.join(existing)}; --force overwrites them")
    try:
        directory.mkdir(parents=True, exist_ok=True)
        for name in names:
            (directory / name).write_bytes((DEFAULT_CONFIG_DIR / name).read_bytes())
    except OSError as exc:
        raise fail(f"cannot write to {directory}: {exc.strerror or exc}") from exc
    typer.echo(
        f"{directory}: {', '.join(names)} copied; export HIRECREW_CONFIG_DIR={directory.resolve()}"
    )


# --- rendering ---------------------------------------------------------------------------


def _echo_stage(stage: dict[str, Any]) -> None:
    typer.secho(f"\n== {stage['name']} [{stage['status']}]", bold=True)
    if stage["status"] == "awaiting_decision" and stage.get("gate"):
        typer.secho(f"  {stage['gate']}", fg=typer.colors.CYAN)
    if stage["error"]:
        typer.secho(f"  failed: {stage['error']}", fg=typer.colors.RED)
    for number, earlier in enumerate(stage["earlier_reviews"], start=1):
        typer.secho(
            f"  review round {number}: {earlier['verdict']}, sent back to the crew with "
            f"{len(earlier['findings'])} finding(s):",
            fg=typer.colors.YELLOW,
        )
        for finding in earlier["findings"][:8]:
            span = f" '{finding['span']}'" if finding.get("span") else ""
            typer.echo(
                f"    - [{finding['severity']}] {finding['rule']}{span}: {finding['message']}"
            )
    review = stage["review"]
    if review:
        color = {"pass": "green", "warn": "yellow", "fail": "red"}[review["verdict"]]
        typer.secho(
            f"  review: {review['verdict']} ({len(review['findings'])} finding(s); "
            f"{stage['review_rounds']} round(s))",
            fg=color,
        )
        for finding in review["findings"][:8]:
            typer.echo(f"    - [{finding['severity']}] {finding['rule']}: {finding['message']}")
    if stage.get("memories_applied"):
        typer.secho(
            f"  shaped by your memories: {', '.join(stage['memories_applied'])} "
            "(`hirecrew memory list` shows them)",
            fg=typer.colors.CYAN,
        )
    usage = stage.get("usage") or {}
    if usage.get("calls"):
        cost = usage.get("cost_usd")
        priced = (
            f"${cost:.4f}"
            if cost is not None
            else f"cost unknown (no price for {', '.join(usage.get('unpriced_models', []))})"
        )
        typer.secho(
            f"  models: {usage['calls']} call(s), {usage['total_tokens']:,} tokens, {priced}"
            + (f"; {stage['fallback']}" if stage.get("fallback") else ""),
            dim=True,
        )
    artifact = stage["artifact"]
    if artifact:
        typer.echo(_artifact_preview(stage["name"], artifact))


def _artifact_preview(name: str, artifact: dict[str, Any]) -> str:
    if name == "intake":
        return "\n".join("  " + line for line in str(artifact.get("text", "")).splitlines())
    if name == "sourcing":
        plan = artifact["plan"]
        rows = [f"  query: {plan['boolean_query']}"]
        rows.append(f"  filters: skills {plan['required_skills']}, location {plan['location']}")
        rows += [f"  learned: {note}" for note in plan.get("learned", [])]
        rows += [
            f"  {c['candidate_id']}  {c['score']:.3f}  {c['name']} - {c['headline']}"
            for c in artifact["results"]["candidates"][:10]
        ]
        insights = artifact.get("insights")
        if insights:
            rows.append(
                f"  pool: {insights['pool_size']} candidates, {insights['meeting_all']} show "
                "every must-have"
            )
            if insights.get("narrowest"):
                rows.append(f"  hint: {insights['narrowest']['message']}")
        return "\n".join(rows)
    if name == "screening":
        rows = []
        for c in artifact["candidates"][:8]:
            rows.append(
                f"  #{c['rank']} {c['candidate_id']} {c['name']}: {c['score']} "
                f"({c['must_haves_met']}/{c['must_haves_total']} must-haves)"
            )
            for a in c["assessments"][:3]:
                quote = a["evidence"][0] if a["evidence"] else "-"
                rows.append(f'      {a["status"]:8} {a["requirement"]}: "{quote[:90]}"')
        return "\n".join(rows)
    if name == "outreach":
        rows = [f"  {s['candidate_id']}: {s['start']} -> {s['end']}" for s in artifact["slots"]]
        for m in artifact["messages"][:1]:
            rows.append(f"  first message to {m['to']}: {m['subject']}")
            rows += ["    " + line for line in m["body"].splitlines()]
        return "\n".join(rows)
    # A stage the pipeline added: its output model is the crew's own; show it as JSON.
    lines = json.dumps(artifact, indent=2, ensure_ascii=False).splitlines()
    shown = [f"  {line}" for line in lines[:_PREVIEW_LINES]]
    if len(lines) > _PREVIEW_LINES:
        shown.append(f"  ... ({len(lines) - _PREVIEW_LINES} more lines: --json shows all)")
    return "\n".join(shown)


_PREVIEW_LINES = 40


def _ask(stage: dict[str, Any]) -> dict[str, Any]:
    """Ask the recruiter at a gate (a terminal prompt)."""
    choices = (
        "[r]eject/[s]top" if stage["status"] == "failed" else "[c]onfirm/[e]dit/[r]eject/[s]top"
    )
    while True:
        answer = typer.prompt(f"{stage['name']}: {choices}", default="c").strip().lower()[:1]
        if answer == "c" and stage["status"] != "failed":
            return {"decision": "confirm"}
        if answer == "s":
            return {"decision": "stop"}
        if answer == "r":
            return {"decision": "reject", "reason": typer.prompt("reason")}
        if answer == "e" and stage["status"] != "failed":
            edited = click.edit(json.dumps(stage["artifact"], indent=2), extension=".json")
            if edited:
                try:
                    return {"decision": "edit", "artifact": json.loads(edited)}
                except json.JSONDecodeError as exc:
                    typer.secho(f"not valid JSON: {exc}", fg=typer.colors.RED)


def _next_stage(state: HiringState, decision: str) -> str | None:
    """The stage a decision sets running, for the progress line."""
    if decision == "reject":
        return state.current_stage
    if decision == "stop":
        return None
    return state.next_stage(state.current_stage)


def _decide_sync(runtime: Runtime, run_id: str, decision: Any) -> HiringState:
    from crews.runner import decide

    return asyncio.run(decide(runtime, run_id, decision))


# --- demo --------------------------------------------------------------------------------


@app.command()
def demo(
    yes: Annotated[bool, typer.Option("--yes", "-y", help="confirm every gate")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON document")] = False,
    data_dir: DataDir = None,
) -> None:
    """Run the whole pipeline on the bundled sample project, asking you at each gate."""
    if as_json and not yes:
        raise fail("--json needs --yes: there is no terminal prompt in JSON mode", EXIT_INVALID)
    settings = settings_for(data_dir)
    runtime = _runtime(settings)
    from crews.decisions import GateDecision
    from crews.demo import demo_project
    from crews.errors import GateError
    from crews.flow import RunStatus
    from crews.runner import start_run, summarize

    project = demo_project(settings.data_path)
    if not as_json:
        typer.secho(
            f"hirecrew demo: {project.title} at {project.company} "
            f"(offline engine unless HIRECREW_LLM__* says otherwise)",
            bold=True,
        )
        typer.secho("  running intake...", dim=True)
    state: HiringState = _guarded(lambda: asyncio.run(start_run(runtime, project)))
    while state.status == RunStatus.AWAITING_DECISION:
        view = summarize(state)
        stage = next(s for s in view["stages"] if s["name"] == state.current_stage)
        if not as_json:
            _echo_stage(stage)
        if yes:
            if stage["status"] == "failed":
                raise fail(f"the {stage['name']} stage failed: {stage['error']}", EXIT_FAILED)
            choice: dict[str, Any] = {"decision": "confirm"}
        else:
            choice = _ask(stage)
        if not as_json:
            following = _next_stage(state, choice["decision"])
            if following:
                typer.secho(f"  {choice['decision']}: running {following}...", dim=True)
        choice |= {"stage": state.current_stage, "attempt": stage["attempts"]}
        try:
            state = _decide_sync(runtime, state.id, GateDecision.model_validate(choice))
        except GateError as exc:  # e.g. an edit that does not validate: the gate is still open
            typer.secho(str(exc), fg=typer.colors.RED, err=True)
    summary = summarize(state)
    if as_json:
        typer.echo(json.dumps(summary, default=str))
    else:
        typer.secho(f"\nrun {state.id}: {state.status}", bold=True)
        typer.echo(f"audit trail: {settings.audit_path}")


# --- projects ----------------------------------------------------------------------------


def _print_state(state: HiringState, as_json: bool) -> None:
    from crews.runner import summarize

    summary = summarize(state)
    if as_json:
        typer.echo(json.dumps(summary, default=str))
        return
    typer.secho(f"run {state.id}: {state.status} at {state.current_stage}", bold=True)
    stage = next(s for s in summary["stages"] if s["name"] == state.current_stage)
    _echo_stage(stage)


@project_app.command("start")
def project_start(
    notes: Annotated[Path | None, typer.Option(help="intake notes file; default: demo")] = None,
    pool: Annotated[Path | None, typer.Option(help="candidate pool JSONL; default: demo")] = None,
    from_store: Annotated[
        bool,
        typer.Option("--from-store", help="use the candidates imported with `candidates import`"),
    ] = False,
    title: Annotated[str | None, typer.Option(help="project title")] = None,
    recruiter: Annotated[
        str | None, typer.Option(help="the recruiter's id (whose memory the run uses)")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    data_dir: DataDir = None,
) -> None:
    """Start a hiring run; it stops at the first gate and prints its id."""
    settings = settings_for(data_dir)
    from pydantic import ValidationError

    from crews.demo import demo_project
    from crews.project import ProjectSpec

    project = demo_project(settings.data_path)
    updates: dict[str, Any] = {}
    try:
        if notes is not None:
            updates["intake_notes"] = notes.read_text(encoding="utf-8")
        if pool is not None and from_store:
            raise fail("give --pool or --from-store, not both", EXIT_INVALID)
        if from_store:
            pool = settings.data_path / "pool" / "candidates.jsonl"
            if not pool.is_file():
                raise fail(
                    f"no imported candidates in {pool.parent}: run `hirecrew candidates import`",
                    EXIT_INVALID,
                )
        if pool is not None:
            updates["pool_path"] = str(pool.resolve(strict=True))
    except (OSError, UnicodeDecodeError) as exc:
        raise fail(f"cannot read input: {exc}", EXIT_INVALID) from exc
    if title:
        updates["title"] = title
    if recruiter:
        updates["recruiter"] = {**project.recruiter.model_dump(), "id": recruiter}
    try:
        project = ProjectSpec.model_validate({**project.model_dump(), **updates})
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise fail(f"invalid project: {problems}", EXIT_INVALID) from exc
    runtime = _runtime(settings)
    from crews.runner import start_run

    state = _guarded(lambda: asyncio.run(start_run(runtime, project)))
    _print_state(state, as_json)


def _parse_vote(text: str) -> dict[str, str | None]:
    candidate_id, _, rest = text.partition(":")
    thumb, _, why = rest.partition(":")
    if not candidate_id or thumb not in ("up", "down"):
        raise fail(f"--vote '{text}': expected CANDIDATE_ID:up|down[:reason]", EXIT_INVALID)
    return {"candidate_id": candidate_id, "vote": thumb, "reason": why.strip() or None}


@project_app.command("decide")
def project_decide(
    run_id: Annotated[str, typer.Argument(help="the run (flow) id")],
    decision: Annotated[str, typer.Argument(help="confirm | edit | reject | stop")],
    artifact: Annotated[
        Path | None, typer.Option(help="JSON file with the edited artifact (for edit)")
    ] = None,
    reason: Annotated[str | None, typer.Option(help="why (required for reject)")] = None,
    stage: Annotated[
        str | None, typer.Option(help="refuse unless the run waits at this stage")
    ] = None,
    vote: Annotated[
        list[str] | None,
        typer.Option(
            help="thumbs up/down on a candidate shown: CANDIDATE_ID:up|down[:reason] (repeat)"
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    data_dir: DataDir = None,
) -> None:
    """Decide at the gate a run waits at; the run goes on to its next gate or its end."""
    from pydantic import ValidationError

    from crews.decisions import GateDecision

    payload: dict[str, Any] = {
        "decision": decision,
        "reason": reason,
        "stage": stage,
        "votes": [_parse_vote(v) for v in vote or []],
    }
    if artifact is not None:
        try:
            payload["artifact"] = json.loads(artifact.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise fail(f"cannot read the edited artifact: {exc}", EXIT_INVALID) from exc
    try:
        gate_decision = GateDecision.model_validate(payload)
    except ValidationError as exc:
        messages = "; ".join(err["msg"] for err in exc.errors())
        raise fail(f"invalid decision: {messages}", EXIT_INVALID) from exc
    settings = settings_for(data_dir)
    runtime = _runtime(settings)
    from crews.runner import decide

    state = _guarded(lambda: asyncio.run(decide(runtime, run_id, gate_decision)))
    _print_state(state, as_json)


@project_app.command("show")
def project_show(
    run_id: Annotated[str, typer.Argument(help="the run (flow) id")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
    data_dir: DataDir = None,
) -> None:
    """Show where a run stands."""
    settings = settings_for(data_dir)
    runtime = _runtime(settings)
    from crews.runner import get_run

    _print_state(_guarded(lambda: get_run(runtime, run_id)), as_json)


@app.command()
def seed(data_dir: DataDir = None) -> None:
    """Write the demo candidate pool into the data directory."""
    from crews.demo import seed_demo_data

    path = seed_demo_data(settings_for(data_dir).data_path)
    typer.echo(f"demo pool: {path}")


@audit_app.command("verify")
def audit_verify(
    data_dir: DataDir = None,
    database: Annotated[
        bool,
        typer.Option(
            "--database",
            help="check the server's audit table (HIRECREW_DATABASE__URL) instead of the "
            "CLI's audit.jsonl",
        ),
    ] = False,
) -> None:
    """Check the audit trail's hash chain; exit 2 when it was tampered with."""
    from crews.audit import verify_chain

    settings = settings_for(data_dir)
    if database:
        from server.admin import verify_audit

        result = verify_audit(settings)
        if not result["intact"]:
            raise fail(
                f"audit table: entry {result['seq']} is broken: {result['reason']} "
                f"({result['count']} entries intact before it)",
                EXIT_INVALID,
            )
        typer.echo(f"audit table: chain intact ({result['count']} entries, head {result['head']})")
        return
    problems = verify_chain(settings.audit_path)
    if problems:
        raise fail("\n".join(problems), EXIT_INVALID)
    typer.echo(f"{settings.audit_path}: chain intact")


def main() -> None:
    """Entry point that never shows a traceback for an expected error."""
    try:
        app()
    except HirecrewError as exc:
        typer.secho(str(exc), fg=typer.colors.RED, err=True)
        sys.exit(EXIT_INVALID)


if __name__ == "__main__":
    main()
