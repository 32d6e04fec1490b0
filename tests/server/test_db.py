"""Engine set-up and migrations, on SQLite and on a real PostgreSQL."""

from __future__ import annotations

import multiprocessing
import tomllib
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect, select, text
from sqlalchemy.exc import IntegrityError

from config.settings import DatabaseSettings, Settings
from server.db.engine import (
    database_url,
    lock_for_write,
    make_engine,
    normalize_url,
    session_factory,
)
from server.db.migrate import (
    MIGRATIONS,
    current_revision,
    downgrade,
    head_revision,
    schema_diff,
    upgrade,
)
from server.db.models import Base, Project, User

ROOT = Path(__file__).resolve().parents[2]


def test_migrations_create_exactly_the_models(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        assert current_revision(engine) is None
        upgrade(engine)
        assert current_revision(engine) == head_revision() == "0005"
        # Alembic autogenerate compares the migrated schema with the models: no difference
        # in tables, columns, types, nullability, indexes, unique and foreign keys.
        assert schema_diff(engine) == []
        tables = set(inspect(engine).get_table_names())
        assert tables == set(Base.metadata.tables) | {"alembic_version"}
        upgrade(engine)  # at head already: nothing to do
        assert schema_diff(engine) == []
    finally:
        engine.dispose()


def test_downgrade_to_base_and_up_again(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        upgrade(engine)
        downgrade(engine, "base")
        assert set(inspect(engine).get_table_names()) == {"alembic_version"}
        assert current_revision(engine) is None
        upgrade(db_url)  # a URL works as well as an engine
        assert schema_diff(engine) == []
    finally:
        engine.dispose()


def test_the_comparison_sees_a_schema_that_drifted(db_engine: Engine) -> None:
    with db_engine.begin() as conn:
        conn.execute(text("DROP INDEX ix_runs_status"))
        conn.execute(text("CREATE TABLE stray (id INTEGER PRIMARY KEY)"))
    kinds = sorted(str(diff[0]) for diff in schema_diff(db_engine))
    assert kinds == ["add_index", "remove_table"]


def _upgrade_in_process(url: str) -> None:
    upgrade(url)


def test_many_processes_may_upgrade_at_once(db_url: str) -> None:
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_upgrade_in_process, args=(db_url,)) for _ in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert [w.exitcode for w in workers] == [0, 0, 0]
    engine = make_engine(db_url)
    try:
        assert current_revision(engine) == head_revision()
        assert schema_diff(engine) == []
    finally:
        engine.dispose()


def test_times_come_back_aware_utc_and_foreign_keys_hold(db_engine: Engine) -> None:
    sessions = session_factory(db_engine)
    berlin = timezone(timedelta(hours=1))
    with sessions() as session:
        session.add(User(id="u1", name="Dana", role="recruiter", token_hash="a" * 64))
        session.add(
            User(
                id="u2",
                name="Sam",
                role="admin",
                token_hash="b" * 64,
                created_at=datetime(2026, 1, 1, 13, 0, tzinfo=berlin),
            )
        )
        session.add(
            User(
                id="u3",
                name="Ola",
                role="editor",
                token_hash="c" * 64,
                created_at=datetime(2026, 1, 1, 12, 0),  # naive: taken as UTC
            )
        )
        session.commit()
    with sessions() as session:
        users = {u.id: u for u in session.scalars(select(User))}
        assert all(u.created_at.tzinfo == UTC for u in users.values())
        assert users["u2"].created_at == datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
        assert users["u3"].created_at == users["u2"].created_at
        assert datetime.now(UTC) - users["u1"].created_at < timedelta(minutes=1)
        found = session.scalars(
            select(User.id).where(User.created_at < datetime(2026, 1, 1, 12, 30, tzinfo=UTC))
        ).all()
        assert sorted(found) == ["u2", "u3"]
    with sessions() as session, pytest.raises(IntegrityError):
        session.add(Project(owner_id="nobody", title="t", company="c", intake_notes="n"))
        session.commit()


def test_a_write_session_takes_the_lock_up_front(db_engine: Engine) -> None:
    sessions = session_factory(db_engine)
    with sessions() as session:
        lock_for_write(session)
        session.add(User(id="u1", name="Dana", role="recruiter", token_hash="a" * 64))
        session.commit()
        assert session.get(User, "u1") is not None


def test_sqlite_connections_are_set_up_for_a_server(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "down" / "hirecrew.db"
    engine = make_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as conn:
            pragmas = {
                name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()
                for name in ("journal_mode", "foreign_keys", "busy_timeout", "synchronous")
            }
        assert pragmas == {
            "journal_mode": "wal",
            "foreign_keys": 1,
            "busy_timeout": 30000,
            "synchronous": 1,  # NORMAL
        }
        assert path.exists()
    finally:
        engine.dispose()


def test_in_memory_sqlite_is_one_database_for_every_thread() -> None:
    import threading

    engine = make_engine("sqlite://")
    upgrade(engine)
    seen: list[bool] = []

    def look() -> None:
        seen.append("users" in inspect(engine).get_table_names())

    thread = threading.Thread(target=look)
    thread.start()
    thread.join()
    assert seen == [True]


def test_urls() -> None:
    assert normalize_url("postgresql://u:p@db:5432/hc").drivername == "postgresql+psycopg"
    assert normalize_url("postgres://u@db/hc").drivername == "postgresql+psycopg"
    assert normalize_url("postgresql+psycopg://u@db/hc").drivername == "postgresql+psycopg"
    assert normalize_url("sqlite:///x.db").drivername == "sqlite"
    settings = Settings(data_dir=Path("/srv/hc"))
    assert database_url(settings) == "sqlite:////srv/hc/hirecrew.db"
    url = "postgresql://u@db/hc"
    assert database_url(Settings(database=DatabaseSettings(url=url))) == url


def test_the_migrations_ship_with_the_package() -> None:
    """The wheel carries the migrations: they are packages, and the template is package data."""
    from setuptools import find_packages

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    packages = find_packages(str(ROOT), include=config["packages"]["find"]["include"])
    assert {"server.db", "server.db.migrations", "server.db.migrations.versions"} <= set(packages)
    assert config["package-data"]["server.db.migrations"] == ["script.py.mako"]
    assert (MIGRATIONS / "script.py.mako").is_file()
    assert (MIGRATIONS / "env.py").is_file()
    assert any(MIGRATIONS.glob("versions/0001_*.py"))
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert any(d.startswith("alembic") for d in dependencies)
