"""``hirecrew outbox send``: send the confirmed e-mails that are due, once (for an operator,
or a cron job when no server runs the sender)."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Annotated

import typer

from cli.common import DataDir, fail, settings_for

app = typer.Typer(help="The outbox: e-mails confirmed by a recruiter.", no_args_is_help=True)


@app.command("send")
def send(
    as_json: Annotated[bool, typer.Option("--json", help="print the report as JSON")] = False,
    data_dir: DataDir = None,
) -> None:
    """Send every confirmed message that is due (HIRECREW_MAIL__* configures the SMTP server;
    exit 2 when mail is not enabled)."""
    settings = settings_for(data_dir)
    if not settings.mail.enabled:
        raise fail("mail is off: set HIRECREW_MAIL__ENABLED=true and HIRECREW_MAIL__HOST")
    from server.audit_store import SqlAuditLog
    from server.db.engine import make_engine
    from server.db.migrate import upgrade
    from server.logs import configure_logging
    from server.outbox import deliver_due

    configure_logging(settings)  # a cron job's lines, as the server's: JSON, secrets masked

    engine = make_engine(settings.database_url)
    try:
        upgrade(engine)
        report = deliver_due(engine, settings.mail, SqlAuditLog(engine), worker="cli")
    finally:
        engine.dispose()
    if as_json:
        typer.echo(json.dumps(asdict(report)))
    else:
        typer.echo(
            f"sent {report.sent}, to retry {report.retried}, failed {report.failed}"
            + (f", {report.released} taken back from a stopped sender" if report.released else "")
        )
