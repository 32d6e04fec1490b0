"""``hirecrew memory``: a recruiter's memories, to see, search, correct, erase and export.

Every command names the recruiter (``--recruiter``) and touches only that recruiter's memories.
``add`` seeds memories one at a time or imports a file written by ``export``. ``reindex`` is
the operator's: it re-embeds a store that another embedder made, for every recruiter, before
the server or a worker would do it on its first use of memory.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from cli.common import EXIT_INVALID, DataDir, fail, settings_for
from config.settings import quiet_environment
from domain.errors import HirecrewError
from memory.base import MemoryRecord
from memory.service import MemoryService

app = typer.Typer(help="See, search, edit, forget and export a recruiter's memories.")

Recruiter = Annotated[str, typer.Option("--recruiter", help="the recruiter's id")]
AsJson = Annotated[bool, typer.Option("--json", help="print JSON")]
T = TypeVar("T")


@contextmanager
def _service(data_dir: Path | None) -> Iterator[MemoryService]:
    settings = settings_for(data_dir)
    if settings.memory.backend == "none":
        raise fail("memory is disabled (HIRECREW_MEMORY__BACKEND=none)", EXIT_INVALID)
    quiet_environment(settings)  # before mem0 is imported
    from memory.mem0_backend import open_memory

    try:
        backend = open_memory(settings)
    except HirecrewError as exc:
        raise fail(str(exc)) from exc
    # One Mem0 per process, shared: the process's exit closes it, not this command.
    yield MemoryService(backend, can_infer=backend.can_infer)


def _call(action: Callable[[], T]) -> T:
    try:
        return action()
    except (HirecrewError, ValueError) as exc:
        raise fail(str(exc)) from exc


def _row(record: MemoryRecord) -> dict[str, Any]:
    return record.model_dump(mode="json", exclude_none=True)


def _print(records: list[MemoryRecord], as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps([_row(r) for r in records]))
        return
    if not records:
        typer.echo("no memories")
    for r in records:
        score = f" ({r.score:.2f})" if r.score is not None else ""
        typer.echo(f"{r.id}  [{r.kind}]{score}  {r.text}")


def _import_texts(path: Path) -> list[tuple[str, str | None]]:
    """``(text, stage)`` pairs from an ``export`` file, a JSON list of strings, or lines."""
    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise fail(f"cannot read {path}: {exc}") from exc
    try:
        data = json.loads(raw)
    except json.JSONDecodeError:
        return [(line.strip(), None) for line in raw.splitlines() if line.strip()]
    items = data.get("memories") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise fail(f"{path}: expected an export file, a JSON list or one memory per line")
    pairs: list[tuple[str, str | None]] = []
    for index, item in enumerate(items):
        if isinstance(item, str):
            pairs.append((item, None))
        elif isinstance(item, dict) and isinstance(item.get("text"), str):
            stage = (item.get("metadata") or {}).get("stage")
            pairs.append((item["text"], stage if isinstance(stage, str) else None))
        else:
            raise fail(f"{path}: memory #{index + 1} has no text")
    return pairs


@app.command("add")
def add(
    recruiter: Recruiter,
    text: Annotated[str | None, typer.Argument(help="what to remember")] = None,
    from_file: Annotated[
        Path | None, typer.Option("--from", help="import an export file or one memory per line")
    ] = None,
    stage: Annotated[str | None, typer.Option(help="the stage a note is about")] = None,
    as_json: AsJson = False,
    data_dir: DataDir = None,
) -> None:
    """Remember something; a stated preference ("Treat Go as a must-have") is applied."""
    if (text is None) == (from_file is None):
        raise fail("give the text to remember, or --from FILE (not both)")
    pairs = _import_texts(from_file) if from_file else [(text or "", stage)]
    with _service(data_dir) as service:
        source = "import" if from_file else "manual"
        written: list[MemoryRecord] = []
        for item, item_stage in pairs:
            try:
                written += service.remember(recruiter, item, stage=item_stage, source=source)
            except (HirecrewError, ValueError) as exc:
                raise fail(str(exc)) from exc
    _print(written, as_json)


@app.command("list")
def list_(recruiter: Recruiter, as_json: AsJson = False, data_dir: DataDir = None) -> None:
    """Every memory of the recruiter, newest first."""
    with _service(data_dir) as service:
        _print(_call(lambda: service.memories(recruiter)), as_json)


@app.command("search")
def search(
    recruiter: Recruiter,
    query: Annotated[str, typer.Argument(help="what to look for, in any words")],
    limit: Annotated[int, typer.Option(min=1, max=100)] = 10,
    as_json: AsJson = False,
    data_dir: DataDir = None,
) -> None:
    """The recruiter's memories closest in meaning to the query."""
    with _service(data_dir) as service:
        _print(_call(lambda: service.search(recruiter, query, limit=limit)), as_json)


@app.command("edit")
def edit(
    recruiter: Recruiter,
    memory_id: Annotated[str, typer.Argument(help="the memory's id")],
    text: Annotated[str, typer.Argument(help="the new text")],
    as_json: AsJson = False,
    data_dir: DataDir = None,
) -> None:
    """Correct a memory; the assistant follows what it says now."""
    with _service(data_dir) as service:
        _print([_call(lambda: service.edit(recruiter, memory_id, text))], as_json)


@app.command("forget")
def forget(
    recruiter: Recruiter,
    memory_id: Annotated[str | None, typer.Argument(help="the memory's id")] = None,
    all_: Annotated[
        bool, typer.Option("--all", help="erase every memory of the recruiter")
    ] = False,
    as_json: AsJson = False,
    data_dir: DataDir = None,
) -> None:
    """Erase a memory (or all of them) from every store: nothing of its text remains."""
    if (memory_id is None) == (not all_):
        raise fail("give a memory id, or --all")
    with _service(data_dir) as service:
        if all_:
            count = _call(lambda: service.forget_all(recruiter))
        else:
            _call(lambda: service.forget(recruiter, memory_id or ""))
            count = 1
    if as_json:
        typer.echo(json.dumps({"forgotten": count}))
    else:
        typer.echo(f"forgot {count} memor{'y' if count == 1 else 'ies'}")


@app.command("export")
def export(recruiter: Recruiter, as_json: AsJson = True, data_dir: DataDir = None) -> None:
    """Every memory as one JSON document (``memory add --from`` imports it)."""
    with _service(data_dir) as service:
        records = _call(lambda: service.memories(recruiter))
    typer.echo(
        json.dumps(
            {
                "recruiter_id": recruiter,
                "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "memories": [_row(r) for r in records],
            },
            indent=None if as_json else 2,
        )
    )


@app.command("reindex")
def reindex(as_json: AsJson = False, data_dir: DataDir = None) -> None:
    """Re-embed every memory if another embedder (or vocabulary) made the stored vectors.

    Run it after an upgrade with the server and workers stopped: the first process to open a
    store re-embeds it (about 130 memories a second on two cores), and a request should not
    wait on that.
    """
    settings = settings_for(data_dir)
    if settings.memory.backend == "none":
        raise fail("memory is disabled (HIRECREW_MEMORY__BACKEND=none)", EXIT_INVALID)
    quiet_environment(settings)
    from memory.mem0_backend import open_memory
    from memory.mem0_embedder import EMBEDDER_ID

    try:
        backend = open_memory(settings)
    except HirecrewError as exc:
        raise fail(str(exc)) from exc
    if as_json:
        typer.echo(json.dumps({"reembedded": backend.reembedded, "embedder": EMBEDDER_ID}))
    elif backend.reembedded:
        typer.echo(f"re-embedded {backend.reembedded} stored vectors with {EMBEDDER_ID}")
    else:
        typer.echo(f"up to date: every stored vector was made with {EMBEDDER_ID}")
