"""What every ``hirecrew`` command shares: exit codes, the --data-dir option, settings."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from config.errors import ConfigError
from config.settings import Settings, get_settings

EXIT_FAILED = 1
EXIT_INVALID = 2

DataDir = Annotated[Path | None, typer.Option("--data-dir", help="overrides HIRECREW_DATA_DIR")]


def fail(message: str, code: int = EXIT_INVALID) -> typer.Exit:
    """Print an error for a person (no traceback) and return the exit to raise."""
    typer.secho(message, fg=typer.colors.RED, err=True)
    return typer.Exit(code)


def settings_for(data_dir: Path | None) -> Settings:
    """The process settings, with --data-dir applied; invalid settings exit 2, named."""
    try:
        settings = get_settings()
    except ConfigError as exc:
        raise fail(str(exc)) from exc
    if data_dir is not None:
        settings = settings.model_copy(update={"data_dir": data_dir})
    return settings
