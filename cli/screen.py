"""``hirecrew screen``: evidence-based screening of the pool against a job file."""

from __future__ import annotations

import typer

app = typer.Typer(help="Screen the candidate pool against a job.")
