"""Alembic's environment: runs the migrations on the connection ``server.db.migrate`` hands in.

No ``alembic.ini`` is needed: ``server.db.migrate`` builds the configuration in code, opens the
connection (holding the migration lock) and passes it as ``config.attributes["connection"]``.
A ``sqlalchemy.url`` main option works too (``--sql`` offline scripts included).
"""

from __future__ import annotations

from typing import Any, Literal

from alembic import context
from sqlalchemy.engine import Connection

from server.db.engine import make_engine, normalize_url
from server.db.models import Base, UTCDateTime

config = context.config
target_metadata = Base.metadata


def _render_item(kind: str, item: Any, _context: Any) -> str | Literal[False]:
    """Autogenerate writes our column types as plain SQLAlchemy ones (a migration must not
    import the models it was written from)."""
    if kind == "type" and isinstance(item, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things: batch mode copies the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=_render_item,
    )


def run_offline() -> None:
    url = normalize_url(config.get_main_option("sqlalchemy.url") or "")
    context.configure(
        url=url,
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=url.get_backend_name() == "sqlite",
        render_item=_render_item,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("no database: use server.db.migrate.upgrade(engine_or_url)")
    engine = make_engine(url)
    try:
        with engine.begin() as opened:
            _configure(opened)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
