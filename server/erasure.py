"""Erasing a candidate from everywhere hirecrew keeps them (GDPR Art. 17), for their owner.

``erase_candidate`` removes, in this order:

1. the database: the candidate's row, applications, self-identification and outbox
   messages; their entries in every stage artifact, decision and saved flow state of the
   owner's projects (any JSON object with their ``candidate_id`` is dropped from its list,
   and their name, e-mail and phone are replaced in every remaining text); a tombstone
   (``ErasedCandidate``, a hash of the id) so that importing the same resume again is refused;
2. the audit trail: every entry whose payload mentions them is redacted the same way, and one
   ``candidate_erased`` entry names the redacted entries (the chain still verifies: it covers
   payloads through their hash, see ``server.audit_store``);
3. the owner's memories that mention them (Mem0: vectors and history rows);
4. files: the owner's pool snapshots that hold them are rewritten without them, the search
   indexes built from those are deleted, and so is any cached index that still names them.

What it touched is counted in the returned report (no personal data in it).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from config.settings import Settings
from crews.flow import Runtime
from crews.project import index_dir
from server.audit_store import ERASURE_KIND, record_redactions
from server.context import AuditStore
from server.db.engine import is_sqlite, lock_for_write
from server.db.models import (
    Application,
    Artifact,
    CandidateRow,
    Decision,
    ErasedCandidate,
    FlowPending,
    FlowState,
    OutboxMessage,
    Project,
    Run,
    SelfIdentification,
)
from server.errors import NotFound

log = logging.getLogger(__name__)


class ErasureHost(Protocol):
    """What an erasure needs of its process: an API server's ``AppContext`` or a worker's
    (or the CLI's) ``JobHost``."""

    @property
    def settings(self) -> Settings: ...

    @property
    def engine(self) -> Engine: ...

    @property
    def audit(self) -> AuditStore: ...

    @property
    def runtime(self) -> Runtime: ...


ERASED = "[erased]"
_MIN_MARKER = 4  # shorter strings (initials, "Li") would erase unrelated text


def candidate_key(candidate_id: str) -> str:
    """What a tombstone keeps of an erased candidate: a hash of their id."""
    return hashlib.sha256(candidate_id.encode()).hexdigest()


@dataclass
class ErasureReport:
    """What one erasure removed, by store (counts only)."""

    candidate_key: str
    database: dict[str, int] = field(default_factory=dict)
    audit_redacted: int = 0
    audit_unredactable: int = 0
    memories: int = 0
    files: int = 0


class Scrubber:
    """Removes one candidate from JSON data: objects carrying their ``candidate_id`` are
    dropped from lists (a dict value that is such an object becomes ``None``), and their id,
    ``identity`` (name, e-mail, phone) and ``passages`` (lines of their resume) are replaced
    by ``[erased]`` in every string."""

    def __init__(
        self, candidate_id: str, identity: list[str], passages: list[str] | None = None
    ) -> None:
        self.candidate_id = candidate_id
        self.identity = [m for m in dict.fromkeys(identity) if len(m) >= _MIN_MARKER]
        words = sorted({*self.identity, *(passages or [])}, key=len, reverse=True)
        self._pattern = (
            re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE) if words else None
        )

    def needles(self) -> list[str]:
        """Substrings to find the JSON that mentions the candidate: the id and the identity
        markers (as stored too: JSON escapes non-ASCII characters)."""
        found = [self.candidate_id]
        for word in self.identity:
            found += [word, json.dumps(word)[1:-1]]
        return list(dict.fromkeys(n for n in found if n))

    def mentions(self, value: Any) -> bool:
        return bool(self(value) != value)

    def __call__(self, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: (None if self._names(v) else self(v)) for k, v in value.items()}
        if isinstance(value, list):
            return [self(item) for item in value if not self._names(item)]
        if isinstance(value, str):
            if value == self.candidate_id:
                return ERASED
            text_value = value.replace(self.candidate_id, ERASED)
            return self._pattern.sub(ERASED, text_value) if self._pattern else text_value
        return value

    def _names(self, value: Any) -> bool:
        return isinstance(value, dict) and value.get("candidate_id") == self.candidate_id


def erase_candidate(
    ctx: ErasureHost, session: Session, *, owner_id: str, candidate_id: str, actor: str
) -> ErasureReport:
    """Erase ``candidate_id`` from ``owner_id``'s data everywhere (see the module).

    Raises:
        NotFound: the owner has no such candidate.
    """
    lock_for_write(session)
    row = session.scalars(
        select(CandidateRow).where(
            CandidateRow.owner_id == owner_id, CandidateRow.candidate_id == candidate_id
        )
    ).first()
    if row is None:
        raise NotFound(f"no candidate with id '{candidate_id}'")
    scrub = Scrubber(candidate_id, _markers(row))
    # The trail also holds free text (tool outputs, model messages) quoting the resume: there,
    # every longer line of the resume goes too.
    thorough = Scrubber(candidate_id, _markers(row), _resume_lines(row))
    report = ErasureReport(candidate_key=candidate_key(candidate_id))
    pools = _pool_files(ctx, owner_id, candidate_id)
    report.database = _erase_rows(session, scrub, row, owner_id, actor)
    session.commit()

    redacted: list[int] = []
    for needle in scrub.needles():
        redacted += ctx.audit.redact(thorough, needle=needle)
    done = sorted({seq for seq in redacted if seq > 0})
    report.audit_redacted = len(done)
    report.audit_unredactable = len({-seq for seq in redacted if seq < 0})
    report.memories = _erase_memories(ctx, owner_id, scrub)
    report.files = _erase_files(ctx, pools, candidate_id)
    record_redactions(
        ctx.audit,
        ERASURE_KIND,
        done,
        actor=actor,
        candidate_key=report.candidate_key,
        database=report.database,
        memories=report.memories,
        files=report.files,
        audit_unredactable=report.audit_unredactable,
    )
    _fold_wal(ctx)
    return report


def is_erased(session: Session, owner_id: str, candidate_id: str) -> bool:
    """Whether ``owner_id`` erased ``candidate_id`` (their resume may not come back)."""
    return (
        session.scalars(
            select(ErasedCandidate.id).where(
                ErasedCandidate.owner_id == owner_id,
                ErasedCandidate.candidate_key == candidate_key(candidate_id),
            )
        ).first()
        is not None
    )


def _markers(row: CandidateRow) -> list[str]:
    data = row.data if isinstance(row.data, dict) else {}
    found = [row.name or "", str(data.get("name") or ""), str(data.get("email") or "")]
    found.append(str(data.get("phone") or ""))
    return [m.strip() for m in found if m and m.strip()]


_RESUME_LINE_MIN = 24  # shorter lines ("Skills: Python, Go") are shared by many resumes


def _resume_lines(row: CandidateRow) -> list[str]:
    data = row.data if isinstance(row.data, dict) else {}
    resume = str(data.get("resume_text") or "")
    parts = re.split(r"[\n\r]+|(?<=[.!?])\s+", resume)
    return [p.strip() for p in parts if len(p.strip()) >= _RESUME_LINE_MIN]


def _erase_rows(
    session: Session, scrub: Scrubber, row: CandidateRow, owner_id: str, actor: str
) -> dict[str, int]:
    counts = {"candidates": 1}
    projects = select(Project.id).where(Project.owner_id == owner_id)
    flows = select(Project.flow_id).where(Project.owner_id == owner_id)
    applications = session.scalars(
        select(Application).where(
            Application.project_id.in_(projects), Application.candidate_id == row.candidate_id
        )
    ).all()
    for application in applications:
        session.delete(application)
    counts["applications"] = len(applications)
    session.delete(row)
    identities = session.scalars(
        select(SelfIdentification).where(
            SelfIdentification.owner_id == owner_id,
            SelfIdentification.candidate_id == row.candidate_id,
        )
    ).all()
    for identity in identities:
        session.delete(identity)
    counts["self_identifications"] = len(identities)
    messages = session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.owner_id == owner_id, OutboxMessage.candidate_id == row.candidate_id
        )
    ).all()
    for message in messages:  # drafts, queued and sent copies alike: their text is about them
        session.delete(message)
    counts["outbox_messages"] = len(messages)
    session.add(
        ErasedCandidate(
            owner_id=owner_id, candidate_key=candidate_key(row.candidate_id), actor_id=actor
        )
    )
    runs = select(Run.id).where(Run.project_id.in_(projects))
    counts["artifacts"] = _scrub_all(
        session, scrub, select(Artifact).where(Artifact.run_id.in_(runs)), ("data", "review")
    )
    counts["decisions"] = _scrub_all(
        session, scrub, select(Decision).where(Decision.run_id.in_(runs)), ("payload",)
    )
    counts["flow_states"] = _scrub_all(
        session, scrub, select(FlowState).where(FlowState.flow_id.in_(flows)), ("state",)
    )
    counts["flow_pending"] = _scrub_all(
        session,
        scrub,
        select(FlowPending).where(FlowPending.flow_id.in_(flows)),
        ("state", "context"),
    )
    return counts


def _scrub_all(session: Session, scrub: Scrubber, query: Any, columns: tuple[str, ...]) -> int:
    changed = 0
    for item in session.scalars(query):
        touched = False
        for column in columns:
            value = getattr(item, column)
            if value is not None and scrub.mentions(value):
                setattr(item, column, scrub(value))
                touched = True
        changed += touched
    return changed


def _erase_memories(ctx: ErasureHost, owner_id: str, scrub: Scrubber) -> int:
    service = ctx.runtime.memory
    if service is None:
        return 0
    erased = 0
    for memory in service.memories(owner_id):
        if scrub.mentions(memory.text) or scrub.mentions(dict(memory.metadata)):
            service.forget(owner_id, memory.id)
            erased += 1
    return erased


def _pool_files(ctx: ErasureHost, owner_id: str, candidate_id: str) -> list[Path]:
    """The owner's pool snapshots that hold the candidate (found before anything changes)."""
    owner_dir = hashlib.sha256(owner_id.encode()).hexdigest()[:16]
    folder = ctx.settings.data_path / "pools" / owner_dir
    needle = candidate_id.encode()
    return [p for p in sorted(folder.glob("*.jsonl")) if needle in p.read_bytes()]


def _erase_files(ctx: ErasureHost, pools: list[Path], candidate_id: str) -> int:
    removed = 0
    cache = ctx.settings.cache_path
    needle = f'"id":"{candidate_id}"'
    for pool in pools:
        index = index_dir(cache, str(pool))
        if index.exists():
            shutil.rmtree(index, ignore_errors=True)
            removed += 1
        # Rewritten without them, not deleted: runs under way read their snapshot again at
        # their next stage (a new run snapshots the pool as it is now, under a new name).
        kept = [
            line
            for line in pool.read_text(encoding="utf-8").splitlines(keepends=True)
            if needle not in line.replace(" ", "")
        ]
        partial = pool.with_suffix(".erasing")
        partial.write_text("".join(kept), encoding="utf-8")
        partial.replace(pool)
        removed += 1
    # Any other cached index that still names them (a pool snapshot deleted by hand...).
    for index in _indexes_naming(cache / "index", candidate_id.encode()):
        shutil.rmtree(index, ignore_errors=True)
        removed += 1
    return removed


def _indexes_naming(root: Path, needle: bytes) -> Iterator[Path]:
    if not root.is_dir():
        return
    for index in root.iterdir():
        files = [f for f in index.rglob("*") if f.is_file()] if index.is_dir() else []
        if any(needle in f.read_bytes() for f in files):
            yield index


def _fold_wal(ctx: ErasureHost) -> None:
    """SQLite: fold the write-ahead log into the (secure-deleted) database file, so the
    erased rows' old pages do not linger in the WAL file."""
    if not is_sqlite(ctx.engine):
        return
    try:
        with ctx.engine.connect() as conn:
            conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    except Exception:  # a busy reader: the WAL is folded at a later checkpoint
        log.warning("could not fold the WAL after an erasure", exc_info=True)
