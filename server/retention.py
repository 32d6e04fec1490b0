"""The retention engine (GDPR Art. 5(1)(e); COMPLIANCE.md GDPR-2): per-category periods,
quarantine, legal hold, a sweep that is off until it is turned on, tombstones.

One run (``hirecrew retention run``, at a time of the operator's choosing: cron, a systemd
timer) does, as of ``now``:

- **Candidates**: a candidate's clock starts at their latest recruitment process (their
  import, or the last move of any of their applications), so a reapplication resets it. Past
  ``candidate_days`` they are quarantined (kept out of every search; restored by any new
  activity); ``quarantine_days`` later they are erased everywhere (``server.erasure``, which
  leaves a tombstone, so a restored backup cannot bring them back: run retention again after
  any restore). A legal hold (until a date, with a reason) blocks both.
- **Audit payloads** older than ``audit_days`` (at least 183) are redacted; the chain, and so
  the record of who did what when, stays.
- **Memories** not updated for ``memory_days`` (when set) are forgotten.

Every run appends one ``retention_applied`` audit entry with counts (and the redacted
entries' numbers): no names, no ids of people.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from server.audit_store import RETENTION_KIND, record_redactions
from server.db.engine import session_factory
from server.db.models import Application, CandidateRow, Project, User
from server.erasure import ErasureHost, candidate_key, erase_candidate

log = logging.getLogger(__name__)

ACTOR = "retention"


@dataclass
class RetentionReport:
    """What one run did (or, dry, would do): counts only."""

    now: str
    enabled: bool
    dry_run: bool
    quarantined: int = 0
    restored: int = 0
    erased: int = 0
    held: int = 0
    audit_redacted: int = 0
    memories_forgotten: int = 0
    candidates_checked: int = 0
    details: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def run_retention(
    host: ErasureHost, *, now: datetime | None = None, dry_run: bool = False
) -> RetentionReport:
    """Apply the retention settings as of ``now`` (default: the current time). When retention
    is not enabled, nothing changes: the report says what a run would do."""
    policy = host.settings.retention
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    dry = dry_run or not policy.enabled
    report = RetentionReport(now=moment.isoformat(), enabled=policy.enabled, dry_run=dry)
    to_erase = _sweep_candidates(host, moment, dry, report)
    for owner_id, candidate_id in to_erase:
        with session_factory(host.engine)() as session:
            erase_candidate(
                host, session, owner_id=owner_id, candidate_id=candidate_id, actor=ACTOR
            )
        report.erased += 1
    if dry:
        report.erased = len(to_erase)
    cutoff = moment - timedelta(days=policy.audit_days)
    redacted = host.audit.expire(cutoff, dry_run=dry)
    report.audit_redacted = len(redacted)
    report.memories_forgotten = _forget_memories(host, moment, dry)
    if not dry:
        record_redactions(
            host.audit,
            RETENTION_KIND,
            redacted,
            actor=ACTOR,
            now=report.now,
            quarantined=report.quarantined,
            restored=report.restored,
            erased=report.erased,
            held=report.held,
            memories_forgotten=report.memories_forgotten,
        )
    log.info("retention run: %s", report.as_dict())
    return report


def _sweep_candidates(
    host: ErasureHost, now: datetime, dry: bool, report: RetentionReport
) -> list[tuple[str, str]]:
    """Quarantine, restore or pick for erasure; returns (owner, candidate) to erase."""
    policy = host.settings.retention
    keep_for = timedelta(days=policy.candidate_days)
    quarantine_for = timedelta(days=policy.quarantine_days)
    to_erase: list[tuple[str, str]] = []
    with session_factory(host.engine)() as session:
        latest_move = (
            select(
                Project.owner_id.label("owner_id"),
                Application.candidate_id.label("candidate_id"),
                func.max(Application.updated_at).label("moved_at"),
            )
            .join(Project, Project.id == Application.project_id)
            .group_by(Project.owner_id, Application.candidate_id)
            .subquery()
        )
        rows = session.execute(
            select(CandidateRow, latest_move.c.moved_at).outerjoin(
                latest_move,
                (latest_move.c.owner_id == CandidateRow.owner_id)
                & (latest_move.c.candidate_id == CandidateRow.candidate_id),
            )
        ).all()
        for candidate, moved_at in rows:
            report.candidates_checked += 1
            active = max(_utc(candidate.created_at), _utc(moved_at) if moved_at else _min())
            held = candidate.legal_hold_until and _utc(candidate.legal_hold_until) > now
            expired = active + keep_for <= now
            if held:
                report.held += 1
                if candidate.quarantined_at is not None and not dry:
                    candidate.quarantined_at = None  # a hold takes them out of quarantine
                continue
            if not expired:
                if candidate.quarantined_at is not None:
                    report.restored += 1
                    if not dry:
                        candidate.quarantined_at = None
                continue
            if candidate.quarantined_at is None:
                report.quarantined += 1
                if not dry:
                    candidate.quarantined_at = now
                continue
            if _utc(candidate.quarantined_at) + quarantine_for <= now:
                to_erase.append((candidate.owner_id, candidate.candidate_id))
        if not dry:
            session.commit()
    return to_erase


def _forget_memories(host: ErasureHost, now: datetime, dry: bool) -> int:
    days = host.settings.retention.memory_days
    service = host.runtime.memory
    if days is None or service is None:
        return 0
    cutoff = now - timedelta(days=days)
    with session_factory(host.engine)() as session:
        recruiters = list(session.scalars(select(User.id)))
    forgotten = 0
    for recruiter in recruiters:
        for memory in service.memories(recruiter):
            touched = memory.updated_at or memory.created_at
            if touched is not None and _utc(touched) < cutoff:
                forgotten += 1
                if not dry:
                    service.forget(recruiter, memory.id)
    return forgotten


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _min() -> datetime:
    return datetime.min.replace(tzinfo=UTC)


def place_hold(
    host: ErasureHost, *, owner_id: str, candidate_id: str, until: datetime | None, reason: str
) -> bool:
    """Put (``until`` a date) or lift (``None``) a legal hold; False when no such candidate."""
    with session_factory(host.engine)() as session:
        row = session.scalars(
            select(CandidateRow).where(
                CandidateRow.owner_id == owner_id, CandidateRow.candidate_id == candidate_id
            )
        ).first()
        if row is None:
            return False
        row.legal_hold_until = until
        row.legal_hold_reason = reason if until else None
        if until is not None:
            row.quarantined_at = None
        session.commit()
    host.audit.append(
        "legal_hold",
        actor=ACTOR,
        candidate_key=candidate_key(candidate_id),
        until=until.isoformat() if until else None,
        reason=reason,
    )
    return True
