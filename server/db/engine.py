"""Engines and sessions: SQLite (WAL) under the data directory by default, PostgreSQL to scale out.

SQLite connections are set up for a server with many threads and several processes on one
file: WAL (readers never block the writer), ``foreign_keys=ON``, a busy timeout instead of
"database is locked", ``synchronous=NORMAL`` (durable across application crashes; the last
transactions may roll back on power loss, never corrupt). SQLAlchemy emits ``BEGIN`` itself
(sqlite3's own transaction handling is switched off), so a transaction that must write without
racing another writer can ask for ``BEGIN IMMEDIATE``::

    with engine.connect().execution_options(sqlite_begin="IMMEDIATE") as conn, conn.begin():
        ...

PostgreSQL goes through psycopg 3: ``postgresql://`` and ``postgres://`` URLs are read as
``postgresql+psycopg://``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from config.settings import Settings

SQLITE_BUSY_TIMEOUT_S = 30.0
# The execution option that picks the kind of BEGIN on SQLite: "DEFERRED" (default) or "IMMEDIATE".
SQLITE_BEGIN = "sqlite_begin"
_BEGIN_MODES = {"", "DEFERRED", "IMMEDIATE", "EXCLUSIVE"}


def database_url(settings: Settings) -> str:
    """The configured database URL (``HIRECREW_DATABASE__URL``), or SQLite in the data directory."""
    return settings.database_url


def normalize_url(url: str | URL) -> URL:
    """The URL SQLAlchemy should open: plain PostgreSQL URLs use psycopg 3."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def is_sqlite(target: Engine | Connection | URL | str) -> bool:
    if isinstance(target, Engine | Connection):
        return target.dialect.name == "sqlite"
    return make_url(target).get_backend_name() == "sqlite"


def _sqlite_file(url: URL) -> Path | None:
    """The database file of a SQLite URL, or None for an in-memory database."""
    database = url.database
    if not database or database == ":memory:" or url.query.get("mode") == "memory":
        return None
    if database.startswith("file:"):
        return None  # a SQLite URI: the caller knows what it is doing
    return Path(database).expanduser()


def make_engine(url: str | URL, **kwargs: Any) -> Engine:
    """An engine for ``url``, safe to share between threads; ``kwargs`` go to ``create_engine``.

    SQLite: the parent directory is created, and every connection gets WAL, foreign keys,
    a busy timeout and ``synchronous=NORMAL``. PostgreSQL: psycopg 3, with pre-ping so a
    restarted server costs one failed connection check, not one failed request.
    """
    parsed = normalize_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed, **kwargs)
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(parsed, **kwargs)


def _sqlite_engine(url: URL, **kwargs: Any) -> Engine:
    path = _sqlite_file(url)
    connect_args: dict[str, Any] = {
        "check_same_thread": False,
        "timeout": SQLITE_BUSY_TIMEOUT_S,
        **kwargs.pop("connect_args", {}),
    }
    if path is None:
        # One shared in-memory database for every thread (tests and throwaway use).
        kwargs.setdefault("poolclass", StaticPool)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args=connect_args, **kwargs)
    wal = path is not None

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # sqlite3 would BEGIN lazily and only before writes; SQLAlchemy emits BEGIN (below).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {int(SQLITE_BUSY_TIMEOUT_S * 1000)}")
            cursor.execute("PRAGMA foreign_keys = ON")
            if wal:
                cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
            # Erasure is real: deleted or redacted rows are zeroed, not left in free pages.
            cursor.execute("PRAGMA secure_delete = ON")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = str(conn.get_execution_options().get(SQLITE_BEGIN, "")).upper()
        if mode not in _BEGIN_MODES:
            raise ValueError(f"unknown SQLite BEGIN mode {mode!r}")
        conn.exec_driver_sql(f"BEGIN {mode}".strip())

    return engine


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions on ``engine``; objects stay readable after commit (no lazy reload)."""
    return sessionmaker(bind=engine, expire_on_commit=False)


def lock_for_write(session: Session) -> None:
    """Make the session's transaction (call it before the first query) take SQLite's write
    lock up front. A transaction that reads and then writes needs it on SQLite: otherwise
    a concurrent writer makes its first write fail with "database is locked" at once. No-op on
    PostgreSQL (use ``with_for_update()`` or an advisory lock there as usual).
    """
    if session.get_bind().dialect.name == "sqlite":
        session.connection(execution_options={SQLITE_BEGIN: "IMMEDIATE"})


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A connection in a transaction meant to write (SQLite: ``BEGIN IMMEDIATE``); commits
    on success, rolls back on an exception."""
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            conn.execution_options(**{SQLITE_BEGIN: "IMMEDIATE"})
        with conn.begin():
            yield conn
