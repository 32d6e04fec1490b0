"""``hirecrew serve``, ``hirecrew worker`` and ``hirecrew users``: run the REST API, run its
stage workers (Celery), manage who may call it.

Neither imports crewai until the server starts: ``users create`` stays quick.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer

from cli.common import EXIT_INVALID, DataDir, fail, settings_for

users_app = typer.Typer(help="Create API users (recruiters, admins, configuration editors).")

ROLES = ("recruiter", "admin", "editor")


@users_app.command("create")
def users_create(
    name: Annotated[str, typer.Argument(help="the person's name")],
    role: Annotated[str, typer.Option(help="recruiter | admin | editor")] = "recruiter",
    email: Annotated[str | None, typer.Option(help="their e-mail (for invites)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON document")] = False,
    data_dir: DataDir = None,
) -> None:
    """Add a user and print their API token, once: only its hash is stored."""
    if role not in ROLES:
        raise fail(f"--role must be one of {', '.join(ROLES)}, not '{role}'", EXIT_INVALID)
    if not name.strip():
        raise fail("a user needs a name", EXIT_INVALID)
    from server.admin import add_user
    from server.auth import Role

    user, token = add_user(settings_for(data_dir), name=name, role=Role(role), email=email)
    if as_json:
        typer.echo(json.dumps({**user, "token": token}))
        return
    typer.echo(f"user {user['id']} ({user['name']}, {user['role']})")
    typer.echo(f"token: {token}")
    typer.echo("Keep it: it is shown only now. Send it as 'Authorization: Bearer <token>'.")


def serve(
    host: Annotated[str, typer.Option(help="the address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="the port")] = 8000,
    demo: Annotated[
        bool,
        typer.Option(
            "--demo", help="seed the demo pool and recruiter, and print a fresh token for them"
        ),
    ] = False,
    workers: Annotated[
        int, typer.Option(min=1, max=64, help="stage runs at a time in the embedded pool")
    ] = 2,
    access_log: Annotated[
        bool, typer.Option("--access-log/--no-access-log", help="log every request")
    ] = True,
    data_dir: DataDir = None,
) -> None:
    """Run the REST API (OpenAPI at /openapi.json, docs at /docs)."""
    settings = settings_for(data_dir)
    url = f"http://{host}:{port}"
    if demo:
        from server.admin import seed_demo
        from server.specs import DEMO_RECRUITER_ID, DEMO_RECRUITER_NAME

        token = seed_demo(settings)
        typer.secho("hirecrew demo server", bold=True)
        typer.echo(f"  web UI: {url}/   (sign in with the token below)")
        typer.echo(f"  API:    {url}/api   (docs: {url}/docs)")
        typer.echo(f"  user:   {DEMO_RECRUITER_ID} ({DEMO_RECRUITER_NAME}, recruiter)")
        typer.echo(f"  token:  {token}")
        typer.echo(f"  try:    curl -H 'Authorization: Bearer {token}' {url}/api/projects")
    from server.app import serve as run_server

    run_server(settings, host=host, port=port, workers=workers, access_log=access_log)


def worker(
    concurrency: Annotated[
        int, typer.Option(min=1, max=64, help="stages this worker runs at a time (threads)")
    ] = 2,
    loglevel: Annotated[
        str | None,
        typer.Option(help="debug | info | warning | error (default: HIRECREW_LOG__LEVEL)"),
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Run a Celery worker for the API's stage runs (the API needs HIRECREW_WORKER=celery).

    Jobs come from the Redis queue HIRECREW_WORKER_QUEUE at HIRECREW_BROKER_URL; they run on the database and data directory of this process's settings (the API's). Start as many as you like; Ctrl-C stops one after its stages finish.
    """  # noqa: E501
    if loglevel is not None and loglevel.lower() not in ("debug", "info", "warning", "error"):
        raise fail(f"--loglevel must be debug, info, warning or error, not '{loglevel}'")
    settings = settings_for(data_dir)
    typer.echo(
        f"hirecrew worker: queue '{settings.worker_queue}', {concurrency} at a time, "
        f"data in {settings.data_path}"
    )
    from server.celery_app import run_worker

    run_worker(settings, concurrency=concurrency, loglevel=(loglevel or settings.log.level).upper())
