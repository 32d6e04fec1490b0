"""``hirecrew taxonomy``: the skills taxonomy and its ESCO importer."""

from __future__ import annotations

import typer

app = typer.Typer(help="Inspect the skills taxonomy and import ESCO.")
