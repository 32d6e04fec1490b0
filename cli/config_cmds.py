"""``hirecrew config history|diff|rollback``: the configuration versions of the server's
database (``HIRECREW_DATABASE__URL``; the SQLite file in the data directory by default).

A rollback from here is what ``POST /api/config/rollback`` does: the old version's files are
checked with the current code, recorded as a new version, written to the configuration
directory and audited; running servers and workers on the same database pick it up at their
next job (a flow in progress keeps the version it started with).
"""

from __future__ import annotations

import getpass
import json
from typing import Annotated, Any

import typer

from cli.common import EXIT_INVALID, DataDir, fail, settings_for

AsJson = Annotated[bool, typer.Option("--json", help="print JSON")]


def _echo_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False))


def config_history(
    limit: Annotated[int, typer.Option("--limit", min=1, max=500, help="how many")] = 20,
    as_json: AsJson = False,
    data_dir: DataDir = None,
) -> None:
    """List the configuration versions, newest first: number, time, author and message."""
    from server.config_versions import history, open_versions

    settings = settings_for(data_dir)
    with open_versions(settings, follow=False) as versions:
        found = history(versions, limit=limit)
    if as_json:
        _echo_json(found)
        return
    for version in found["versions"]:
        marker = "*" if version["number"] == found["latest"] else " "
        message = f"  {version['message']}" if version["message"] else ""
        typer.echo(
            f"{marker} v{version['number']:<4} {version['created_at'][:19]}  "
            f"{version['author']}{message}"
        )


def config_diff(
    old: Annotated[int, typer.Argument(help="the version to diff from", min=1)],
    new: Annotated[
        int | None, typer.Argument(help="the version to diff to (default: the newest)", min=1)
    ] = None,
    as_json: AsJson = False,
    data_dir: DataDir = None,
) -> None:
    """Show what changed between two configuration versions, as a unified diff per file."""
    from server.config_versions import diff, open_versions
    from server.errors import ApiError

    settings = settings_for(data_dir)
    try:
        with open_versions(settings, follow=False) as versions:
            found = diff(versions, old, new)
    except ApiError as exc:
        raise fail(exc.message, EXIT_INVALID) from exc
    if as_json:
        _echo_json(found)
        return
    if not found["changed"]:
        typer.echo(f"v{found['from']} and v{found['to']} hold the same files")
    for name in found["changed"]:
        typer.echo(found["files"][name], nl=False)


def config_rollback(
    version: Annotated[int, typer.Argument(help="the version whose files to restore", min=1)],
    message: Annotated[str, typer.Option("--message", "-m", help="why (in the history)")] = "",
    author: Annotated[
        str | None, typer.Option("--author", help="recorded as the author (default: cli:USER)")
    ] = None,
    as_json: AsJson = False,
    data_dir: DataDir = None,
) -> None:
    """Restore a version's files as a NEW version (checked with the current code first;
    exit 2 listing each problem when it no longer validates, and nothing changes)."""
    from config.errors import ConfigError
    from server.config_versions import open_versions
    from server.errors import ApiError

    settings = settings_for(data_dir)
    who = (author or f"cli:{getpass.getuser()}")[:64]
    try:
        with open_versions(settings) as versions:
            recorded = versions.rollback(version, author=who, message=message)
            versions.audit.append(
                "config_rolled_back",
                actor=who,
                version=recorded.number,
                restores=version,
                parent=recorded.parent,
                files=list(recorded.changed),
                message=message,
                sha256_before=recorded.sha256_before,
                sha256_after=recorded.sha256_after,
            )
    except ApiError as exc:
        raise fail(exc.message, EXIT_INVALID) from exc
    except ConfigError as exc:
        raise fail(
            f"version {version} is not valid with the current code; nothing was changed\n{exc}",
            EXIT_INVALID,
        ) from exc
    result = {
        "version": recorded.number,
        "restores": version,
        "parent": recorded.parent,
        "changed": list(recorded.changed),
        "author": who,
    }
    if as_json:
        _echo_json(result)
        return
    changed = ", ".join(recorded.changed) or "no file"
    typer.echo(f"version {recorded.number} restores version {version} ({changed} changed)")
