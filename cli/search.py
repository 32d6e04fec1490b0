"""``hirecrew search``: hybrid search over the candidate pool."""

from __future__ import annotations

import typer

app = typer.Typer(help="Search the candidate pool.")
