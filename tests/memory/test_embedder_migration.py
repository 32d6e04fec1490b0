"""A store whose vectors another embedder made (MiniLM, before all-mpnet-base-v2) is re-embedded
from its stored texts when it opens, once, and searches right afterwards."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence

import numpy as np
import pytest

from config.settings import Settings
from domain.embeddings import shared_embedder
from memory.mem0_backend import Mem0Memory
from memory.mem0_embedder import EMBEDDER_ID, EMBEDDING_DIMS, embedding_text
from memory.vector_store import DB_FILENAME, EmbeddedVectorStore

NOTES = [
    "Schedule technical interviews for customer success manager candidates on Fridays",
    "Keep job descriptions for site reliability engineers under 400 words",
    "Salesforce is non-negotiable when hiring support engineers",
    "Only considers account executive candidates near Munich",
]


def _make_it_a_minilm_store(settings: Settings) -> None:
    """Rewrite a closed store as the MiniLM version left it: 384-d vectors, no record."""
    db = sqlite3.connect(settings.memory_path / DB_FILENAME)
    rows = db.execute("SELECT id, payload FROM vectors").fetchall()
    texts = [embedding_text(json.loads(payload)["data"]) for _, payload in rows]
    vectors = shared_embedder().embed(texts)
    with db:
        db.executemany(
            "UPDATE vectors SET vector = ? WHERE id = ?",
            [(v.tobytes(), row[0]) for row, v in zip(rows, vectors, strict=True)],
        )
        db.execute("DELETE FROM embedders")
    db.close()


def _widths(settings: Settings) -> set[int]:
    db = sqlite3.connect(settings.memory_path / DB_FILENAME)
    try:
        return {n // 4 for (n,) in db.execute("SELECT length(vector) FROM vectors")}
    finally:
        db.close()


def test_a_minilm_store_is_re_embedded_once(settings: Settings) -> None:
    memory = Mem0Memory(settings)
    for text in NOTES:
        memory.add("alice", text, infer=False)
    memory.add("bob", "Bob prefers remote data analysts", infer=False)
    memory.close()
    _make_it_a_minilm_store(settings)
    assert _widths(settings) == {384}

    reopened = Mem0Memory(settings)
    try:
        assert _widths(settings) == {EMBEDDING_DIMS}
        found = reopened.search("alice", "When can a CSM do the tech interview?", limit=1)
        assert found[0].text == NOTES[0]
        assert [r.text for r in reopened.list("bob")] == ["Bob prefers remote data analysts"]
        # Recorded: the next open re-embeds nothing.
        store = reopened.vector_store
        assert store.adopt_embedder(EMBEDDER_ID, _never) == 0
    finally:
        reopened.close()


def _never(texts: object) -> np.ndarray:
    raise AssertionError("nothing should be re-embedded")


class _FailingWrites:
    """The store's connection, except that the bulk UPDATE of re-embedding fails mid-way."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def executemany(self, sql: str, rows: object) -> None:
        if sql.startswith("UPDATE vectors"):
            raise sqlite3.OperationalError("disk I/O error")
        self._conn.executemany(sql, rows)  # type: ignore[arg-type]

    def __getattr__(self, name: str) -> object:
        return getattr(self._conn, name)


def _three_d_store(settings: Settings) -> EmbeddedVectorStore:
    store = EmbeddedVectorStore("notes", str(settings.memory_path), embedding_model_dims=3)
    store.insert(
        [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]],
        [{"user_id": "alice", "data": "one"}, {"user_id": "alice", "data": "two"}],
        ["a", "b"],
    )
    return store


def _swapped(texts: Sequence[str]) -> np.ndarray:
    """A "new model" that puts "two" where "one" was."""
    return np.array([[0.0, 0.0, 1.0] if t == "one" else [1.0, 0.0, 0.0] for t in texts])


def _top(store: EmbeddedVectorStore) -> str:
    return store.search("", [1.0, 0.0, 0.0], top_k=1, filters={"user_id": "alice"})[0].id


def test_a_failed_re_embedding_keeps_the_old_vectors(settings: Settings) -> None:
    store = _three_d_store(settings)

    def broken(texts: object) -> np.ndarray:
        raise RuntimeError("model crashed")

    with pytest.raises(RuntimeError, match="model crashed"):
        store.adopt_embedder("new-model", broken)
    assert _top(store) == "a"

    real = store._conn
    assert real is not None
    store._conn = _FailingWrites(real)  # type: ignore[assignment]
    with pytest.raises(sqlite3.OperationalError, match="disk I/O error"):
        store.adopt_embedder("new-model", _swapped)
    store._conn = real
    assert _top(store) == "a"  # rolled back: old vectors, no record
    assert store._embedder_id(real) is None

    assert store.adopt_embedder("new-model", _swapped) == 2
    assert _top(store) == "b"
    assert store.adopt_embedder("new-model", _never) == 0
    store.close()


def test_a_row_changed_while_embedding_keeps_its_newer_vector(settings: Settings) -> None:
    store = _three_d_store(settings)

    def slow_model(texts: Sequence[str]) -> np.ndarray:
        # Meanwhile another writer (with the new model) rewrites "a".
        store.update("a", vector=[0.0, 1.0, 0.0], payload={"user_id": "alice", "data": "uno"})
        return _swapped(texts)

    store.adopt_embedder("new-model", slow_model)
    by_id = {r.id: r for r in store.list(filters={"user_id": "alice"})[0]}
    assert by_id["a"].payload["data"] == "uno"
    hit = store.search("", [0.0, 1.0, 0.0], top_k=1, filters={"user_id": "alice"})[0]
    assert hit.id == "a"  # the writer's vector, not one made from the old text "one"
    store.close()
