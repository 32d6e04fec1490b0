"""What one app holds for its lifetime: settings, database, the runtime and the worker pool."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Protocol

from fastapi import Depends, Request
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from config.settings import Settings
from crews.audit import AuditSink
from server.workers import WorkerPool

if TYPE_CHECKING:
    from crews.flow import Runtime
    from server.config_versions import LiveConfig


class AuditStore(AuditSink, Protocol):
    """The database audit trail (``server.audit_store.SqlAuditLog``)."""

    def records(
        self,
        *,
        run_id: str | None = None,
        project_id: str | None = None,
        after_seq: int | None = None,
        limit: int | None = None,
    ) -> list[dict[str, Any]]: ...

    def verify(self) -> dict[str, Any]: ...

    def redact(
        self, scrub: Callable[[dict[str, Any]], dict[str, Any] | None], *, needle: str
    ) -> list[int]: ...

    def expire(self, before: datetime, *, dry_run: bool = False) -> list[int]: ...


@dataclass
class AppContext:
    """``sessions`` read; ``writes`` are for transactions that write (see ``write_sessions``)."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    writes: sessionmaker[Session]
    audit: AuditStore
    runtime: Runtime
    pool: WorkerPool
    versions: LiveConfig  # the configuration versions, as this process follows them


def app_context(request: Request) -> AppContext:
    ctx: AppContext = request.app.state.ctx
    return ctx


Ctx = Annotated[AppContext, Depends(app_context)]


def db_session(request: Request, ctx: Ctx) -> Iterator[Session]:
    """A session for one request: a reader for GET, a writer otherwise (on SQLite a writer
    takes the write lock up front, so a read-then-write never fails on a busy snapshot); the
    service that writes commits."""
    factory = ctx.sessions if request.method in ("GET", "HEAD") else ctx.writes
    with factory() as session:
        yield session


DbSession = Annotated[Session, Depends(db_session)]


def write_sessions(engine: Engine) -> sessionmaker[Session]:
    """Sessions whose transactions write: SQLite begins them ``IMMEDIATE`` (a deferred one
    that read first fails with "database is locked" when another writer got in between)."""
    from server.db.engine import SQLITE_BEGIN, session_factory

    return session_factory(engine.execution_options(**{SQLITE_BEGIN: "IMMEDIATE"}))
