"""The audit trail in the database: one append-only, hash-chained table for every crewai event,
human decision and configuration change (``crews.audit.AuditSink``).

Each entry's ``hash`` is sha256 over the previous entry's hash and the canonical JSON of its body
(``seq, at, kind, run_id, project_id, stage, actor`` and ``payload_sha256``, the sha256 of the
payload's canonical JSON), so an edited or removed entry breaks the chain (``verify``). The
chain covers the payload through its hash so that erasure can redact personal data from a
payload (``redact``) and the chain still proves every entry's order, time, kind and actor; a
redacted entry is only accepted when a later ``candidate_erased`` entry names it. Entries
written before that (no ``payload_sha256``) hash the payload itself, as the JSONL trail in
``crews.audit`` does.
Appends are serialised across threads and processes: SQLite takes its write lock up front
(``BEGIN IMMEDIATE``), PostgreSQL a transaction-scoped advisory lock; the sequence has no gaps.
"""

from __future__ import annotations

import hashlib
import json
import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Collection, Mapping
from datetime import UTC, date, datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Engine, Text, cast, insert, select, text, update

from crews.audit import GENESIS, _digest, current_run, current_stage
from server.db.engine import write_transaction
from server.db.models import AuditEvent, Project

# The same clipping as crews.audit: a text longer than this keeps its head and its length.
MAX_TEXT = 4000
# A payload field whose JSON is larger than this is kept as clipped text, whatever its type.
MAX_FIELD_JSON = 64 * 1024
# pg_advisory_xact_lock key of audit appends ("hcaudit!" as a 64-bit integer).
AUDIT_LOCK_KEY = int.from_bytes(b"hcaudit!", "big") & 0x7FFF_FFFF_FFFF_FFFF
_COLUMN_LIMITS = {"kind": 64, "run_id": 64, "project_id": 64, "stage": 32, "actor": 64}
_VERIFY_BATCH = 1000
_PROJECT_CACHE = 4096


def clip(value: str, limit: int = MAX_TEXT) -> str:
    return value if len(value) <= limit else value[:limit] + f"... [{len(value)} chars]"


def jsonable(value: Any) -> Any:
    """``value`` as plain JSON data that every database stores and returns unchanged: models
    and dates serialised, sets and tuples as lists, keys as strings, long texts clipped,
    NaN and infinities as text, anything else as its ``str``."""
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, str):
        return clip(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, BaseModel):
        return jsonable(value.model_dump(mode="json"))
    if isinstance(value, Mapping):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(item) for item in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    return clip(str(value))


def _payload(fields: Mapping[str, Any]) -> dict[str, Any]:
    payload: dict[str, Any] = {}
    for key, value in fields.items():
        safe = jsonable(value)
        if not isinstance(safe, str):
            encoded = json.dumps(safe, sort_keys=True, separators=(",", ":"))
            if len(encoded) > MAX_FIELD_JSON:
                safe = clip(encoded)
        payload[key] = safe
    return payload


def _column(name: str, value: Any) -> str | None:
    if value is None:
        return None
    text_value = str(value)
    if len(text_value) > _COLUMN_LIMITS[name]:
        raise ValueError(f"audit {name} is longer than {_COLUMN_LIMITS[name]} characters")
    return text_value


def _at(moment: datetime) -> str:
    """The canonical text of an entry's time (what the hash covers): UTC, microseconds."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _body(row: Any) -> dict[str, Any]:
    return {
        "seq": int(row.seq),
        "at": _at(row.at),
        "kind": row.kind,
        "run_id": row.run_id,
        "project_id": row.project_id,
        "stage": row.stage,
        "actor": row.actor,
        "payload": row.payload,
    }


def payload_digest(payload: Mapping[str, Any]) -> str:
    """The sha256 of a payload's canonical JSON (what the chain covers)."""
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _chained(body: Mapping[str, Any], payload_sha256: str | None) -> dict[str, Any]:
    """The body the hash covers: the payload itself (entries before 0002) or its hash."""
    if payload_sha256 is None:
        return dict(body)
    return {**{k: v for k, v in body.items() if k != "payload"}, "payload_sha256": payload_sha256}


# The audit kinds that record a redaction (an erasure, a retention run), and the payload key
# naming the entries they redacted.
ERASURE_KIND = "candidate_erased"
RETENTION_KIND = "retention_applied"
REDACTING_KINDS = frozenset({ERASURE_KIND, RETENTION_KIND})
REDACTED_SEQS = "redacted_seqs"
_SEQS_PER_ENTRY = 2000  # one redaction entry names at most this many entries


def record_redactions(
    audit: Any, kind: str, redacted: list[int], *, actor: str, **fields: Any
) -> None:
    """Append the ``kind`` entries (one per 2,000 redacted entries, at least one) that name the
    redacted entries, so that ``verify`` accepts them."""
    assert kind in REDACTING_KINDS
    chunks = [redacted[i : i + _SEQS_PER_ENTRY] for i in range(0, len(redacted), _SEQS_PER_ENTRY)]
    for chunk in chunks or [[]]:
        audit.append(kind, actor=actor, **{REDACTED_SEQS: chunk}, **fields)


class SqlAuditLog:
    """The hash-chained ``audit_events`` table, as a ``crews.audit.AuditSink``.

    ``engine`` must be migrated (``server.db.migrate.upgrade``). One instance may be shared by
    every thread of a process; any number of processes may append to the same database.
    """

    def __init__(self, engine: Engine) -> None:
        if engine.dialect.name not in ("sqlite", "postgresql"):
            raise ValueError(f"the audit log supports SQLite and PostgreSQL, not {engine.name}")
        self.engine = engine
        self._projects: OrderedDict[str, str] = OrderedDict()
        self._projects_lock = threading.Lock()

    def append(self, kind: str, **fields: Any) -> dict[str, Any]:
        """Append an entry and return it as stored (with ``seq``, ``prev_hash`` and ``hash``).

        ``run_id`` and ``stage`` default to the current run and stage (``crews.audit``);
        ``project_id`` to the project whose flow is that run; ``actor`` to none. Every other
        field goes, JSON-safe and clipped, into ``payload``.
        """
        run_id = _column("run_id", fields.pop("run_id", None) or current_run.get())
        stage = _column("stage", fields.pop("stage", None) or current_stage.get())
        project_id = _column(
            "project_id", fields.pop("project_id", None) or self._project_of(run_id)
        )
        actor = _column("actor", fields.pop("actor", None))
        kind = str(_column("kind", kind))
        payload = _payload(fields)
        with write_transaction(self.engine) as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": AUDIT_LOCK_KEY})
            last = conn.execute(
                select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
            ).first()
            seq, prev_hash = (int(last.seq) + 1, str(last.hash)) if last else (1, GENESIS)
            moment = datetime.now(UTC)
            body: dict[str, Any] = {
                "seq": seq,
                "at": _at(moment),
                "kind": kind,
                "run_id": run_id,
                "project_id": project_id,
                "stage": stage,
                "actor": actor,
                "payload": payload,
            }
            payload_sha256 = payload_digest(payload)
            digest = _digest(prev_hash, _chained(body, payload_sha256))
            conn.execute(
                insert(AuditEvent).values(
                    seq=seq,
                    at=moment,
                    kind=kind,
                    run_id=run_id,
                    project_id=project_id,
                    stage=stage,
                    actor=actor,
                    payload=payload,
                    payload_sha256=payload_sha256,
                    prev_hash=prev_hash,
                    hash=digest,
                )
            )
        return {**body, "prev_hash": prev_hash, "hash": digest}

    def _project_of(self, run_id: str | None) -> str | None:
        """The project whose hiring flow is ``run_id`` (remembered once found)."""
        if run_id is None:
            return None
        with self._projects_lock:
            if run_id in self._projects:
                self._projects.move_to_end(run_id)
                return self._projects[run_id]
        with self.engine.connect() as conn:
            found = conn.execute(select(Project.id).where(Project.flow_id == run_id)).scalar()
        if found is None:
            return None  # not known yet: a project gets its flow id when its run starts
        with self._projects_lock:
            self._projects[run_id] = found
            while len(self._projects) > _PROJECT_CACHE:
                self._projects.popitem(last=False)
        return str(found)

    def records(
        self,
        *,
        run_id: str | None = None,
        project_id: str | None = None,
        after_seq: int | None = None,
        limit: int | None = None,
        kinds: Collection[str] | None = None,
    ) -> list[dict[str, Any]]:
        """Entries in order, optionally of one run or project, of some kinds, after a
        sequence number."""
        query = select(AuditEvent).order_by(AuditEvent.seq)
        if kinds is not None:
            query = query.where(AuditEvent.kind.in_(list(kinds)))
        if run_id is not None:
            query = query.where(AuditEvent.run_id == run_id)
        if project_id is not None:
            query = query.where(AuditEvent.project_id == project_id)
        if after_seq is not None:
            query = query.where(AuditEvent.seq > after_seq)
        if limit is not None:
            query = query.limit(limit)
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [{**_body(row), "prev_hash": row.prev_hash, "hash": row.hash} for row in rows]

    def verify(self) -> dict[str, Any]:
        """Check the whole chain, oldest first.

        Returns ``{"intact": True, "count": n, "head": hash}``, or ``{"intact": False,
        "count": entries checked before the break, "seq": first broken entry, "reason": ...}``.
        A deleted entry is reported at its own sequence number; an edited one at its own.
        """
        expected, prev_hash, count = 1, GENESIS, 0
        redacted: list[int] = []  # entries whose payload was redacted...
        erased: set[int] = set()  # ...and those a later erasure entry names
        while True:
            with self.engine.connect() as conn:
                rows = conn.execute(
                    select(AuditEvent)
                    .where(AuditEvent.seq >= expected)
                    .order_by(AuditEvent.seq)
                    .limit(_VERIFY_BATCH)
                ).all()
            if not rows:
                unclaimed = [seq for seq in redacted if seq not in erased]
                if unclaimed:
                    return {
                        "intact": False,
                        "count": count,
                        "seq": unclaimed[0],
                        "reason": "its payload was changed, and no erasure entry names it",
                    }
                return {"intact": True, "count": count, "head": prev_hash}
            for row in rows:
                problem = self._check(row, expected, prev_hash)
                if problem is not None:
                    seq, reason = problem
                    return {"intact": False, "count": count, "seq": seq, "reason": reason}
                if row.redacted_at is not None:
                    redacted.append(int(row.seq))
                if row.kind in REDACTING_KINDS and isinstance(row.payload, Mapping):
                    named = row.payload.get(REDACTED_SEQS)
                    if isinstance(named, list):
                        erased.update(n for n in named if isinstance(n, int) and n < row.seq)
                prev_hash = str(row.hash)
                expected += 1
                count += 1

    @staticmethod
    def _check(row: Any, expected: int, prev_hash: str) -> tuple[int, str] | None:
        if int(row.seq) != expected:
            return expected, f"entry {expected} is missing (the next entry is {row.seq})"
        if row.prev_hash != prev_hash:
            return expected, f"its prev_hash does not match the hash of entry {expected - 1}"
        if _digest(prev_hash, _chained(_body(row), row.payload_sha256)) != row.hash:
            return expected, "its content does not match its hash (edited)"
        if (
            row.payload_sha256 is not None
            and row.redacted_at is None
            and payload_digest(row.payload) != row.payload_sha256
        ):
            return expected, "its payload does not match its hash (edited)"
        return None

    def expire(self, before: datetime, *, dry_run: bool = False) -> list[int]:
        """Redact the payload of every entry written before ``before`` (retention), except
        the entries that record redactions; return their sequence numbers. The caller appends
        the ``RETENTION_KIND`` entry naming them. Entries written before migration 0002 are
        left (their hash covers the payload)."""
        query = select(AuditEvent.seq).where(
            AuditEvent.at < before,
            AuditEvent.payload_sha256.is_not(None),
            AuditEvent.redacted_at.is_(None),
            AuditEvent.kind.not_in(list(REDACTING_KINDS)),
        )
        with write_transaction(self.engine) as conn:
            seqs = [int(seq) for seq in conn.execute(query).scalars()]
            if seqs and not dry_run:
                for start in range(0, len(seqs), 500):
                    conn.execute(
                        update(AuditEvent)
                        .where(AuditEvent.seq.in_(seqs[start : start + 500]))
                        .values(payload={"expired": True}, redacted_at=datetime.now(UTC))
                    )
        return seqs

    def redact(
        self, scrub: Callable[[dict[str, Any]], dict[str, Any] | None], *, needle: str
    ) -> list[int]:
        """Replace the payload of every entry whose payload text contains ``needle`` with
        ``scrub(payload)`` (``None``: leave it), marking it redacted; return their sequence
        numbers. The caller appends the erasure entry that names them (``ERASURE_KIND``,
        ``REDACTED_SEQS``), or ``verify`` reports them. Entries written before migration
        0002 cannot be redacted without breaking the chain; they are left as they are and
        reported in the return value as negative numbers."""
        like = f"%{needle}%"
        done: list[int] = []
        with write_transaction(self.engine) as conn:
            rows = conn.execute(
                select(AuditEvent.seq, AuditEvent.payload, AuditEvent.payload_sha256).where(
                    cast(AuditEvent.payload, Text).like(like)
                )
            ).all()
            for row in rows:
                scrubbed = scrub(dict(row.payload))
                if scrubbed is None or scrubbed == row.payload:
                    continue
                if row.payload_sha256 is None:
                    done.append(-int(row.seq))
                    continue
                conn.execute(
                    update(AuditEvent)
                    .where(AuditEvent.seq == row.seq)
                    .values(payload=scrubbed, redacted_at=datetime.now(UTC))
                )
                done.append(int(row.seq))
        return done
