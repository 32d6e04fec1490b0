"""``hirecrew candidates``: import resumes into the pool and show what was stored."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from cli.common import DataDir, fail, settings_for
from domain.candidate_store import CandidateStore
from domain.entities import Candidate
from domain.errors import DomainError
from domain.ingest import IngestOutcome, ingest_paths

app = typer.Typer(help="Import resumes into the candidate pool and inspect candidates.")

BATCH = 200


def _store(data_dir: Path | None) -> CandidateStore:
    try:
        return CandidateStore(settings_for(data_dir).data_path / "pool")
    except DomainError as exc:
        raise fail(str(exc)) from exc


@app.command("import")
def import_(
    paths: Annotated[list[Path], typer.Argument(help="resume files or folders (recursive)")],
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON document")] = False,
    workers: Annotated[int, typer.Option(min=1, max=32, help="parallel reader processes")] = 1,
    data_dir: DataDir = None,
) -> None:
    """Import PDF, DOCX, TXT/MD resumes and JSON/CSV exports; report refusals and flags."""
    missing = [str(path) for path in paths if not path.exists()]
    if missing:
        raise fail(f"no such file or directory: {', '.join(missing)}")
    store = _store(data_dir)
    imported: list[str] = []
    produced = 0
    refused: list[dict[str, str]] = []
    flagged: list[dict[str, Any]] = []
    pending: list[Candidate] = []

    def flush() -> None:
        imported.extend(store.add(pending))
        pending.clear()

    outcome: IngestOutcome
    for outcome in ingest_paths(paths, workers=workers):
        if outcome.candidate is None:
            refused.append({"source": outcome.source, "reason": outcome.refused or "refused"})
            continue
        produced += 1
        pending.append(outcome.candidate)
        if outcome.flags:
            flagged.append(
                {"source": outcome.source, "id": outcome.candidate.id, "flags": outcome.flags}
            )
        if len(pending) >= BATCH:  # progress survives an interrupted import of a large folder
            flush()
    flush()
    report = {
        "imported": len(imported),
        "duplicates": produced - len(imported),
        "refused": refused,
        "flagged": flagged,
        "ids": imported,
    }
    if as_json:
        typer.echo(json.dumps(report))
        return
    typer.echo(
        f"imported {report['imported']}, already present {report['duplicates']}, "
        f"refused {len(refused)}, flagged {len(flagged)} (pool: {len(store)} in {store.path})"
    )
    for item in refused:
        typer.secho(f"  refused {item['source']}: {item['reason']}", fg=typer.colors.YELLOW)
    for item in flagged:
        typer.echo(f"  flagged {item['source']} ({item['id']}):")
        for flag in item["flags"]:
            typer.echo(f"    - {flag}")


@app.command("show")
def show(
    candidate_id: Annotated[str, typer.Argument(help="the candidate id, e.g. cand-1a2b3c4d5e6f")],
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON document")] = False,
    data_dir: DataDir = None,
) -> None:
    """Show a stored candidate: profile, flags and the searchable text."""
    store = _store(data_dir)
    try:
        candidate = store.get(candidate_id)
    except DomainError as exc:
        raise fail(str(exc)) from exc
    if as_json:
        typer.echo(json.dumps({**candidate.model_dump(), "text": candidate.resume_text}))
        return
    years = "unknown" if candidate.years_experience is None else candidate.years_experience
    typer.secho(f"{candidate.id}  {candidate.headline or '(no headline)'}", bold=True)
    typer.echo(f"  name: {candidate.name or '-'}   email: {candidate.email or '-'}")
    typer.echo(f"  location: {candidate.location or '-'}   years: {years}")
    typer.echo(f"  skills: {', '.join(candidate.skills) or '-'}")
    typer.echo(f"  source: {candidate.source or '-'}")
    for flag in candidate.flags:
        typer.secho(f"  flag: {flag}", fg=typer.colors.YELLOW)
    typer.echo("")
    typer.echo(candidate.resume_text)
