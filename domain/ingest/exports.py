"""Candidate exports from other systems: JSON (a list of objects, an object of objects
keyed by id, or one object) and CSV with a header.

Each row becomes one candidate (or one refusal naming the row). Column names are matched
case-insensitively: ``id, name, email, location, headline|title, years_experience|years,
skills, resume_text|text|resume``.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from domain.ingest.limits import IngestLimits, Refused
from domain.ingest.text import decode_text

Row = dict[str, str | list[str]]


def _value(raw: Any) -> str | list[str] | None:
    if raw is None:
        return None
    if isinstance(raw, list):
        return [str(item) for item in raw if item is not None and not isinstance(item, dict)]
    if isinstance(raw, dict):
        return None  # nested objects are not candidate fields
    return str(raw)


def _normalise(raw: dict[Any, Any]) -> Row:
    row: Row = {}
    for key, value in raw.items():
        clean = _value(value)
        if clean is not None and key is not None:
            row[str(key).strip().lower().replace(" ", "_")] = clean
    return row


_CANDIDATE_KEYS = frozenset(
    {"id", "name", "email", "location", "headline", "title", "years_experience", "years",
     "skills", "resume_text", "text", "resume"}
)  # fmt: skip


def _looks_like_candidate(raw: dict[Any, Any]) -> bool:
    """A JSON object with at least one candidate field (matched like the columns)."""
    return any(str(key).strip().lower().replace(" ", "_") in _CANDIDATE_KEYS for key in raw if key)


def read_export(data: bytes, *, fmt: str, limits: IngestLimits) -> list[Row | str]:
    """Rows of a JSON or CSV export; a row that cannot be read is a string saying why.

    Raises:
        Refused: the whole file cannot be read, or it has more rows than the limit.
    """
    text = decode_text(data)
    rows: list[Row | str] = []
    if fmt == "json":
        try:
            loaded = json.loads(text)
        except (json.JSONDecodeError, RecursionError) as exc:
            raise Refused(f"corrupt JSON: {str(exc)[:120]}") from exc
        if isinstance(loaded, dict) and isinstance(loaded.get("candidates"), list):
            loaded = loaded["candidates"]
        elif (
            isinstance(loaded, dict)
            and loaded
            and all(isinstance(value, dict) for value in loaded.values())
        ):
            # Keyed by id: {"a": {...}, "b": {...}}; the values are the rows.
            loaded = list(loaded.values())
        elif isinstance(loaded, dict) and not _looks_like_candidate(loaded):
            raise Refused("expected a list of candidate objects")
        if not isinstance(loaded, list | dict):
            raise Refused("expected a list of candidate objects")
        items = loaded if isinstance(loaded, list) else [loaded]
        if len(items) > limits.max_export_rows:
            raise Refused(f"{len(items)} rows, the limit is {limits.max_export_rows}")
        for item in items:
            rows.append(_normalise(item) if isinstance(item, dict) else "not a JSON object")
        return rows
    # A resume in one CSV cell can exceed the csv module's 128 KB default field limit; the
    # file size limit already bounds it. (The limit is process-wide, so it is only raised.)
    csv.field_size_limit(max(csv.field_size_limit(), limits.max_bytes))
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""))
        if not reader.fieldnames:
            raise Refused("empty CSV: no header row")
        for raw in reader:
            if len(rows) >= limits.max_export_rows:
                raise Refused(f"more than {limits.max_export_rows} rows, the limit")
            extra = raw.pop(None, None)  # type: ignore[call-overload]
            row = _normalise(raw)
            rows.append(row if not extra else f"{len(extra)} more cells than the header")
    except csv.Error as exc:
        raise Refused(f"corrupt CSV: {exc}") from exc
    return rows
