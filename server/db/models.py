"""The tables of hirecrew, as SQLAlchemy 2.0 declarative models.

Portable across SQLite and PostgreSQL: ids are strings (uuid4 hex, or the candidate content
hash), JSON columns use the generic ``JSON`` type, times are timezone-aware UTC. Every change to
these models comes with an Alembic migration (``server/db/migrations``); a test checks that the
migrations and the models agree.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

# Stable constraint names: Alembic autogenerate and SQLite batch migrations need them.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def new_id() -> str:
    return uuid.uuid4().hex


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every database.

    SQLite has no time zones: SQLAlchemy's ``DateTime`` stores the wall time and reads back a
    naive datetime, which cannot be compared with ``utcnow()``. This type stores UTC and reads
    back aware UTC datetimes on SQLite and PostgreSQL alike (naive input is taken as UTC).
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime}


class User(Base):
    """A person who signs in with a bearer token: recruiter, admin or editor."""

    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    role: Mapped[str] = mapped_column(String(16))  # recruiter | admin | editor
    # sha256 of the token: a leaked database does not leak sign-ins.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Project(Base):
    """A hiring project of one recruiter, and the hiring flow that carries it."""

    __tablename__ = "projects"

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=new_id)
    owner_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    company: Mapped[str] = mapped_column(String(300))
    intake_notes: Mapped[str] = mapped_column(Text)
    spec: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # crews.project.ProjectSpec
    flow_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(32), default="open")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class CandidateRow(Base):
    """A candidate in one recruiter's pool (ids are content hashes, unique per owner)."""

    __tablename__ = "candidates"
    __table_args__ = (UniqueConstraint("owner_id", "candidate_id"),)

    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    owner_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    candidate_id: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(1000), default="")
    name: Mapped[str | None] = mapped_column(String(300))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)  # domain.entities.Candidate
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Retention (server.retention): when the candidate's retention period ran out (they are
    # kept out of searches and purged after the quarantine), and a legal hold that blocks it.
    quarantined_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    legal_hold_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    legal_hold_reason: Mapped[str | None] = mapped_column(String(1000))


class Application(Base):
    """A candidate in a project's pipeline: the stage they are at and how they got there."""

    __tablename__ = "applications"
    __table_args__ = (UniqueConstraint("project_id", "candidate_id"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=new_id)
    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id"), index=True)
    candidate_id: Mapped[str] = mapped_column(String(64))
    stage: Mapped[str] = mapped_column(String(32))  # domain.entities.PipelineStage
    history: Mapped[list[Any]] = mapped_column(JSON, default=list)  # [{stage, at, actor, why}]
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class Run(Base):
    """One execution of one stage of a project (an attempt), from queued to decided."""

    __tablename__ = "runs"
    __table_args__ = (Index("ix_runs_project_stage", "project_id", "stage"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=new_id)
    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id"), index=True)
    flow_id: Mapped[str | None] = mapped_column(String(64), index=True)
    stage: Mapped[str] = mapped_column(String(32))
    attempt: Mapped[int] = mapped_column(Integer, default=1)
    # queued | running | awaiting_review | confirmed | rejected | stopped | failed
    status: Mapped[str] = mapped_column(String(32), default="queued", index=True)
    error: Mapped[str | None] = mapped_column(Text)
    stop_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    worker: Mapped[str | None] = mapped_column(String(200))
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The configuration version (``ConfigVersion.number``) the flow started with: every stage
    # of the flow runs on it, whatever changes meanwhile. NULL on runs from before 0005.
    config_version: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class Artifact(Base):
    """A version of a stage's output: draft, reviewed, edited or confirmed."""

    __tablename__ = "artifacts"
    __table_args__ = (UniqueConstraint("run_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))  # draft | reviewed | edited | confirmed
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    review: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Decision(Base):
    """The human decision that ended a run; one per run (a repeat is idempotent)."""

    __tablename__ = "decisions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=new_id)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id"), unique=True)
    action: Mapped[str] = mapped_column(String(16))  # confirm | edit | reject | stop
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    payload_sha256: Mapped[str] = mapped_column(String(64))
    actor_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class MemoryRef(Base):
    """Which recruiter memory a run recalled, applied or learned (the memory lives in Mem0)."""

    __tablename__ = "memory_refs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    recruiter_id: Mapped[str] = mapped_column(String(64), index=True)
    memory_id: Mapped[str] = mapped_column(String(64), index=True)
    run_id: Mapped[str | None] = mapped_column(ForeignKey("runs.id"), index=True)
    relation: Mapped[str] = mapped_column(String(16))  # recalled | applied | learned
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AuditEvent(Base):
    """One entry of the append-only, hash-chained audit trail."""

    __tablename__ = "audit_events"

    seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    kind: Mapped[str] = mapped_column(String(64), index=True)
    run_id: Mapped[str | None] = mapped_column(String(64), index=True)
    project_id: Mapped[str | None] = mapped_column(String(64), index=True)
    stage: Mapped[str | None] = mapped_column(String(32))
    actor: Mapped[str | None] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The hash of the payload, which the chain covers instead of the payload itself, so that
    # an erasure can redact a payload and the chain still proves order and metadata. NULL on
    # entries written before migration 0002 (their hash covers the payload).
    payload_sha256: Mapped[str | None] = mapped_column(String(64))
    # When the payload was redacted (personal data erased); every redaction is itself an
    # audit entry (``candidate_erased``) naming the entries it redacted.
    redacted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class ErasedCandidate(Base):
    """A tombstone: this owner erased this candidate, so importing them again is refused.

    ``candidate_key`` is the SHA-256 of the candidate id (itself a hash of the resume), so the
    tombstone holds nothing personal.
    """

    __tablename__ = "erased_candidates"
    __table_args__ = (UniqueConstraint("owner_id", "candidate_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    owner_id: Mapped[str] = mapped_column(String(64), index=True)
    candidate_key: Mapped[str] = mapped_column(String(64))
    erased_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor_id: Mapped[str | None] = mapped_column(String(64))


class FlowState(Base):
    """crewai flow state checkpoints (what ``SQLiteFlowPersistence`` keeps, in our database)."""

    __tablename__ = "flow_states"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    flow_id: Mapped[str] = mapped_column(String(64), index=True)
    method: Mapped[str] = mapped_column(String(200))
    state: Mapped[dict[str, Any]] = mapped_column(JSON)
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class FlowPending(Base):
    """A flow paused at a human gate: its feedback context and state, until resumed."""

    __tablename__ = "flow_pending"

    flow_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    context: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[dict[str, Any]] = mapped_column(JSON)
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class SelfIdentification(Base):
    """A candidate's voluntary self-identification, for bias audits only (``server.bias``).

    Nothing that builds what a stage run reads (``server.specs``, ``server.runs``) may read
    this table: demographics never reach a prompt (tests/server/test_bias_api.py checks the
    imports). Erasure deletes the row with the candidate.
    """

    __tablename__ = "self_identifications"
    __table_args__ = (UniqueConstraint("owner_id", "candidate_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    owner_id: Mapped[str] = mapped_column(String(64), index=True)
    candidate_id: Mapped[str] = mapped_column(String(64))
    sex: Mapped[str | None] = mapped_column(String(16))  # domain.bias_audit.Sex; None: unknown
    race_ethnicity: Mapped[str | None] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class OutboxMessage(Base):
    """An e-mail hirecrew may send, and where it stands (``server.outbox``).

    ``draft`` (waits for the recruiter) -> ``confirmed`` (queued) -> ``sending`` (a sender
    took it) -> ``sent``; a failed attempt goes back to ``confirmed`` until ``max_attempts``,
    then ``failed`` (reported, never dropped). ``message_id`` is stable, so a message sent
    again after a crash is recognisably the same one.
    """

    __tablename__ = "outbox_messages"

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=new_id)
    owner_id: Mapped[str] = mapped_column(String(64), index=True)
    project_id: Mapped[str | None] = mapped_column(String(64), index=True)
    candidate_id: Mapped[str | None] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(32))  # outreach | rejection
    # One message per purpose: a decision applied twice queues it once.
    dedupe_key: Mapped[str] = mapped_column(String(64), unique=True)
    to: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(1000))
    body: Mapped[str] = mapped_column(Text)
    attachments: Mapped[list[Any]] = mapped_column(JSON, default=list)  # [{filename, type, text}]
    message_id: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(2000))
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    claimed_by: Mapped[str | None] = mapped_column(String(200))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    confirmed_by: Mapped[str | None] = mapped_column(String(64))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ConfigVersion(Base):
    """One applied version of the role configuration (``server.config_versions``): the three
    YAML files in full, numbered 1, 2, 3... in the order they were applied, never changed."""

    __tablename__ = "config_versions"

    number: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    parent: Mapped[int | None] = mapped_column(Integer)  # the version it was made from
    restores: Mapped[int | None] = mapped_column(Integer)  # a rollback: the version restored
    author: Mapped[str] = mapped_column(String(64))  # a user id, "system", "disk" or "cli:..."
    message: Mapped[str] = mapped_column(String(1000), default="")
    agents_yaml: Mapped[str] = mapped_column(Text)
    tasks_yaml: Mapped[str] = mapped_column(Text)
    crews_yaml: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))  # of the three files together
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
