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
from typing import Any

GENESIS = "0" * 64
# The run (flow id) and stage the current thread works for; crewai hands the emitter's
# context to event handlers, so agent events land under the right run.
current_run: contextvars.ContextVar[str | None] = contextvars.ContextVar("run", default=None)
current_stage: contextvars.ContextVar[str | None] = contextvars.ContextVar("stage", default=None)

_MAX_TEXT = 4000


def _digest(prev: str, body: dict[str, Any]) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256((prev + canonical).encode()).hexdigest()


class AuditLog:
    """One JSONL audit file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def append(self, kind: str, **fields: Any) -> dict[str, Any]:
        """Append a record and return it (with its sequence number and hash)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock, self.path.open("a+", encoding="utf-8") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                prev_hash, seq = _tail(handle)
                body: dict[str, Any] = {
                    "seq": seq + 1,
                    "at": datetime.now(UTC).isoformat(),
                    "kind": kind,
                    "run_id": fields.pop("run_id", None) or current_run.get(),
                    "stage": fields.pop("stage", None) or current_stage.get(),
                    **fields,
                }
                record = {**body, "prev": prev_hash, "hash": _digest(prev_hash, body)}
                handle.write(json.dumps(record, default=str) + "\n")
                handle.flush()
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
        return record

    def records(self, run_id: str | None = None) -> Iterator[dict[str, Any]]:
        """Every record, or those of one run, in order."""
        if not self.path.exists():
            return
        with self.path.open(encoding="utf-8") as handle:
            for line in handle:
                if line.strip():
                    record = json.loads(line)
                    if run_id is None or record.get("run_id") == run_id:
                        yield record


def _tail(handle: Any) -> tuple[str, int]:
    handle.seek(0, 2)
    size = handle.tell()
    if size == 0:
        return GENESIS, 0
    # Read back far enough to hold the last line; records are capped well below this.
    back = min(size, 256 * 1024)
    handle.seek(size - back)
    lines = [line for line in handle.read().splitlines() if line.strip()]
    last = json.loads(lines[-1])
    return str(last["hash"]), int(last["seq"])


def verify_chain(path: Path) -> list[str]:
    """Problems in an audit file's hash chain; empty when intact."""
    problems: list[str] = []
    prev = GENESIS
    for number, record in enumerate(AuditLog(path).records(), start=1):
        body = {k: v for k, v in record.items() if k not in ("prev", "hash")}
        if record.get("prev") != prev:
            problems.append(f"record {number}: previous hash does not match")
        if _digest(str(record.get("prev")), body) != record.get("hash"):
            problems.append(f"record {number}: content does not match its hash")
        prev = str(record.get("hash"))
    return problems


def _clip(value: Any) -> Any:
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= _MAX_TEXT else text[:_MAX_TEXT] + f"... [{len(text)} chars]"


_listening: AuditLog | None = None
_listen_lock = threading.Lock()


def listen_to_crewai(log: AuditLog) -> None:
    """Record every crewai event in ``log`` (once per process; later calls switch the file)."""
    global _listening
    with _listen_lock:
        first = _listening is None
        _listening = log
        if not first:
            return
    # Import every event module so that every event class is registered below.
    import crewai.events.types as event_types  # noqa: F401
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
            "agent_role": event.agent_role,
            "task_name": event.task_name,
        }
        for name in ("tool_name", "model", "call_id", "error", "method_name", "flow_name"):
            value = getattr(event, name, None)
            if value is not None:
                fields[name] = _clip(value)
        for name in ("tool_args", "output", "response"):
            value = getattr(event, name, None)
            if value is not None:
                fields[name] = _clip(value if isinstance(value, str | dict | list) else str(value))
        target.append("crewai_event", **fields)

    for event_class in _all_subclasses(BaseEvent):
        crewai_event_bus.register_handler(event_class, handler)


def _all_subclasses(cls: type) -> list[type]:
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
