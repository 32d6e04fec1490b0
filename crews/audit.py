"""The append-only, hash-chained audit trail of every agent event and human decision.

Each line of the JSONL file is one record whose ``hash`` covers its content and the previous
record's hash, so a removed or edited line breaks the chain (``verify_chain``). Appends take an
exclusive file lock: a resumed run in another process extends the same chain safely.
"""

from __future__ import annotations

import contextvars
import fcntl
import hashlib
import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

GENESIS = "0" * 64
# The run (flow id) and stage the current thread works for; crewai hands the emitter's
# context to event handlers, so agent events land under the right run.
current_run: contextvars.ContextVar[str | None] = contextvars.ContextVar("run", default=None)
current_stage: contextvars.ContextVar[str | None] = contextvars.ContextVar("stage", default=None)

_MAX_TEXT = 4000
_BLOCK = 64 * 1024


def _digest(prev: str, body: dict[str, Any]) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256((prev + canonical).encode()).hexdigest()


class AuditSink(Protocol):
    """Where audit records go: this module's JSONL file, or the server's hash-chained table."""

    def append(self, kind: str, **fields: Any) -> dict[str, Any]:
        """Append a record (``run_id`` and ``stage`` default to the current run and stage)
        and return it as stored, with its sequence number and hash."""
        ...


class AuditLog:
    """One JSONL audit file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def append(self, kind: str, **fields: Any) -> dict[str, Any]:
        """Append a record and return it (with its sequence number and hash)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock, self.path.open("ab+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                prev_hash, seq, torn = _tail(handle)
                body: dict[str, Any] = {
                    "seq": seq + 1,
                    "at": datetime.now(UTC).isoformat(),
                    "kind": kind,
                    "run_id": fields.pop("run_id", None) or current_run.get(),
                    "stage": fields.pop("stage", None) or current_stage.get(),
                    **fields,
                }
                record = {**body, "prev": prev_hash, "hash": _digest(prev_hash, body)}
                line = json.dumps(record, default=str) + "\n"
                # A crash mid-write leaves a torn last line: end it so this record stays whole
                # (verify_chain still reports the torn one).
                handle.write((b"\n" if torn else b"") + line.encode())
                handle.flush()
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
        return record

    def records(self, run_id: str | None = None) -> Iterator[dict[str, Any]]:
        """Every whole record, or those of one run, in order (corrupt lines are skipped)."""
        for _, record in self._numbered():
            if record is not None and (run_id is None or record.get("run_id") == run_id):
                yield record

    def _numbered(self) -> Iterator[tuple[int, dict[str, Any] | None]]:
        if not self.path.exists():
            return
        with self.path.open("rb") as handle:
            for number, raw in enumerate(handle, start=1):
                if raw.strip():
                    yield number, _parse(raw)


def _tail(handle: Any) -> tuple[str, int, bool]:
    """The hash and sequence number of the last whole record, and whether the file is torn.

    Reads backwards block by block, so a record of any size is found.
    """
    handle.seek(0, 2)
    end = handle.tell()
    if end == 0:
        return GENESIS, 0, False
    handle.seek(end - 1)
    torn = handle.read(1) != b"\n"
    buffer = b""
    position = end
    while position > 0:
        step = min(_BLOCK, position)
        position -= step
        handle.seek(position)
        buffer = handle.read(step) + buffer
        lines = buffer.split(b"\n")
        # lines[0] may be cut off unless we reached the start of the file.
        complete = lines if position == 0 else lines[1:]
        for raw in reversed(complete):
            record = _parse(raw)
            if record is not None:
                return str(record["hash"]), int(record["seq"]), torn
    return GENESIS, 0, torn


def _parse(raw: bytes) -> dict[str, Any] | None:
    if not raw.strip():
        return None
    try:
        record = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None
    if isinstance(record, dict) and "hash" in record and "seq" in record:
        return record
    return None


def verify_chain(path: Path) -> list[str]:
    """Problems in an audit file's hash chain; empty when intact."""
    problems: list[str] = []
    prev = GENESIS
    for number, record in AuditLog(path)._numbered():
        if record is None:
            problems.append(f"line {number}: not a whole audit record (corrupt or torn)")
            continue
        body = {k: v for k, v in record.items() if k not in ("prev", "hash")}
        if record.get("prev") != prev:
            problems.append(f"line {number}: previous hash does not match (a record is missing)")
        if _digest(str(record.get("prev")), body) != record.get("hash"):
            problems.append(f"line {number}: content does not match its hash (edited)")
        prev = str(record.get("hash"))
    return problems


def _clip(value: Any) -> Any:
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= _MAX_TEXT else text[:_MAX_TEXT] + f"... [{len(text)} chars]"


_listening: AuditSink | None = None
_listen_lock = threading.Lock()


def listen_to_crewai(log: AuditSink) -> None:
    """Record every crewai event in ``log`` (once per process; later calls switch the file)."""
    global _listening
    with _listen_lock:
        first = _listening is None
        _listening = log
        if not first:
            return
    from crewai.events import crewai_event_bus
    from crewai.events.base_events import BaseEvent

    def handler(source: Any, event: Any) -> None:
        target = _listening
        if target is None:
            return
        fields: dict[str, Any] = {
            "event": event.type,
            "event_id": event.event_id,
            "emission_sequence": event.emission_sequence,
        }
        # crewai names a task by its whole description: clip every text it hands us.
        for name in (
            "agent_role",
            "task_name",
            "tool_name",
            "model",
            "call_id",
            "error",
            "method_name",
            "flow_name",
        ):
            value = getattr(event, name, None)
            if value is not None:
                fields[name] = _clip(value)
        usage = getattr(event, "usage", None)
        if isinstance(usage, dict) and usage:
            # Token counts of an LLM call, as the provider reported them.
            fields["usage"] = {k: v for k, v in usage.items() if isinstance(v, int | float)}
        for name in ("tool_args", "output", "response"):
            value = getattr(event, name, None)
            if value is not None:
                fields[name] = _clip(value if isinstance(value, str | dict | list) else str(value))
        target.append("crewai_event", **fields)

    for event_class in _all_subclasses(BaseEvent):
        crewai_event_bus.register_handler(event_class, handler)


def _all_subclasses(cls: type) -> list[type]:
    """Every event class crewai defines (each of its event modules imported first)."""
    import pkgutil
    from importlib import import_module

    import crewai.events.types as package

    for module in pkgutil.iter_modules(package.__path__):
        import_module(f"{package.__name__}.{module.name}")
    found: list[type] = []
    stack: list[type] = list(cls.__subclasses__())
    while stack:
        sub = stack.pop()
        if sub not in found:
            found.append(sub)
            stack.extend(sub.__subclasses__())
    return found
