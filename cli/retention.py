"""``hirecrew retention``: apply the retention policy to the server's database
(``server.retention``), and put or lift a legal hold on a candidate."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated

import typer

from cli.common import DataDir, fail, settings_for

app = typer.Typer(help="Retention: periods, quarantine, legal holds.", no_args_is_help=True)


def _moment(value: str | None, option: str) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise fail(f"{option}: {value!r} is not an ISO date or time (e.g. 2027-01-31)") from exc
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


@app.command("run")
def run(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="report what would change; change nothing")
    ] = False,
    now: Annotated[
        str | None,
        typer.Option("--now", help="act as of this ISO time (default: now), e.g. to preview"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the report as JSON")] = False,
    data_dir: DataDir = None,
) -> None:
    """Quarantine candidates past their period, erase those past quarantine, redact old audit
    payloads and forget old memories, as HIRECREW_RETENTION__* says. Until
    HIRECREW_RETENTION__ENABLED=true it only reports (a dry run)."""
    settings = settings_for(data_dir)
    moment = _moment(now, "--now")
    from server.logs import configure_logging
    from server.retention import run_retention
    from server.workers import open_job_host

    configure_logging(settings)  # a cron job's lines, as the server's: JSON, secrets masked

    host = open_job_host(settings)
    try:
        report = run_retention(host, now=moment, dry_run=dry_run)
    finally:
        host.engine.dispose()
    if as_json:
        typer.echo(json.dumps(report.as_dict(), indent=2))
        return
    if not report.enabled:
        typer.secho(
            "retention is off (HIRECREW_RETENTION__ENABLED=true turns it on): a dry run",
            fg=typer.colors.YELLOW,
        )
    verb = "would be" if report.dry_run else "were"
    typer.echo(
        f"as of {report.now}: {report.candidates_checked} candidates checked; "
        f"{report.quarantined} {verb} quarantined, {report.restored} restored, "
        f"{report.erased} erased, {report.held} on legal hold; "
        f"{report.audit_redacted} audit payloads {verb} redacted; "
        f"{report.memories_forgotten} memories {verb} forgotten"
    )


@app.command("hold")
def hold(
    candidate_id: Annotated[str, typer.Argument(help="the candidate's id")],
    owner: Annotated[str, typer.Option("--owner", help="the recruiter whose candidate it is")],
    until: Annotated[
        str | None, typer.Option("--until", help="ISO date the hold ends (required unless --lift)")
    ] = None,
    reason: Annotated[str, typer.Option("--reason", help="why (a claim, an inquiry...)")] = "",
    lift: Annotated[bool, typer.Option("--lift", help="lift the hold instead")] = False,
    data_dir: DataDir = None,
) -> None:
    """Put a legal hold on a candidate (retention will neither quarantine nor erase them until
    it ends), or lift it."""
    ends = None if lift else _moment(until, "--until")
    if not lift and (ends is None or not reason.strip()):
        raise fail("a hold needs --until DATE and --reason (or use --lift)")
    settings = settings_for(data_dir)
    from server.retention import place_hold
    from server.workers import open_job_host

    host = open_job_host(settings)
    try:
        found = place_hold(
            host, owner_id=owner, candidate_id=candidate_id, until=ends, reason=reason.strip()
        )
    finally:
        host.engine.dispose()
    if not found:
        raise fail(f"recruiter '{owner}' has no candidate '{candidate_id}'")
    typer.echo(f"legal hold on {candidate_id} " + ("lifted" if lift else f"until {ends}"))
