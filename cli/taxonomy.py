"""``hirecrew taxonomy``: the skills taxonomy and its ESCO importer."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated

import typer

from cli.common import DataDir, fail, settings_for
from domain.errors import DomainError
from domain.esco import ATTRIBUTION, EscoImport, import_esco, write_extension
from domain.taxonomy import extension_path, taxonomy_for

app = typer.Typer(help="Inspect the skills taxonomy and import ESCO.", no_args_is_help=True)

EXIT_UNKNOWN = 1
RELATIONS_ZIP = "esco_rel.zip"
AsJson = Annotated[bool, typer.Option("--json", help="print one JSON document")]


def _summary(
    result: EscoImport, target: Path, relations: Path | None, seconds: float
) -> dict[str, object]:
    return {
        "rows": result.rows,
        "skills": len(result.skills) - result.linked,
        "linked": result.linked,
        "aliases": result.alias_count,
        "skipped": dict(result.skipped.most_common()),
        "grouped": result.grouped,
        "relations": str(relations) if relations is not None else None,
        "path": str(target),
        "seconds": round(seconds, 2),
    }


@app.command("import-esco")
def import_esco_command(
    zip_path: Annotated[Path, typer.Argument(help="ESCO classification zip (skills_en.csv)")],
    relations: Annotated[
        Path | None,
        typer.Option(
            "--relations",
            help=f"ESCO relations zip for groups and related skills; default: {RELATIONS_ZIP} "
            "beside ZIP when it exists",
        ),
    ] = None,
    as_json: AsJson = False,
    data_dir: DataDir = None,
) -> None:
    """Import ESCO skills as a taxonomy extension in the data directory."""
    if relations is None and (zip_path.parent / RELATIONS_ZIP).is_file():
        relations = zip_path.parent / RELATIONS_ZIP
    target = extension_path(settings_for(data_dir).data_path)
    started = time.perf_counter()
    try:
        result = import_esco(zip_path, relations_zip=relations)
        write_extension(result, target)
    except DomainError as exc:
        raise fail(str(exc)) from exc
    summary = _summary(result, target, relations, time.perf_counter() - started)
    if as_json:
        typer.echo(json.dumps(summary, indent=2))
        return
    typer.echo(f"read {result.rows} ESCO concepts from {zip_path} in {summary['seconds']} s")
    typer.echo(f"skills imported: {summary['skills']}")
    typer.echo(f"linked to curated skills: {result.linked}")
    typer.echo(f"aliases: {result.alias_count}")
    groups = f"from {relations}" if result.grouped else "none (no broader relations found)"
    typer.echo(f"groups: {groups}")
    typer.echo(f"skipped: {sum(result.skipped.values())}")
    for reason, count in result.skipped.most_common():
        typer.echo(f"  {count:>6}  {reason}")
    typer.echo(f"written: {target} ({ATTRIBUTION})")


@app.command("show")
def show(
    skill: Annotated[str, typer.Argument(help="a skill name or alias, e.g. ECMAScript")],
    as_json: AsJson = False,
    data_dir: DataDir = None,
) -> None:
    """Show a skill's canonical name, aliases, related skills and group."""
    try:
        taxonomy = taxonomy_for(settings_for(data_dir).data_path)
    except DomainError as exc:
        raise fail(str(exc)) from exc
    entry = taxonomy.entry(skill)
    if entry is None:
        raise fail(f"unknown skill: {skill!r}", EXIT_UNKNOWN)
    document = {
        "skill": entry.skill,
        "group": entry.group,
        "aliases": list(entry.aliases),
        "related": taxonomy.related(entry.skill),
        "source": entry.source,
        "uri": entry.uri,
    }
    if as_json:
        typer.echo(json.dumps(document, indent=2))
        return
    typer.echo(f"skill:   {entry.skill}")
    typer.echo(f"group:   {entry.group or '-'}")
    typer.echo(f"aliases: {', '.join(entry.aliases) or '-'}")
    typer.echo(f"related: {', '.join(taxonomy.related(entry.skill)) or '-'}")
    typer.echo(f"source:  {entry.source}" + (f" ({entry.uri})" if entry.uri else ""))
