"""``hirecrew candidates``: import resumes into the pool and show what was stored."""

from __future__ import annotations

import typer

app = typer.Typer(help="Import resumes into the candidate pool and inspect candidates.")
