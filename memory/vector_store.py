"""An embedded vector store for Mem0: SQLite rows plus an exact per-recruiter scan in numpy.

Why not one of Mem0's own embedded stores (measured here, see the shared notes): local qdrant
filters in Python over every point (431 ms per search at 10k memories) and takes a file lock;
chroma is approximate and loses per-user results (hit@10 0.65-0.80 with 200 users); faiss
rewrites its whole index on every add (220 ms) and, filtering after the approximate search,
returns about 1 result instead of 10 once several users share the index. A recruiter has
thousands of memories, not millions, so an exact scan of that recruiter's vectors costs about
a millisecond and can never lose a result to filtering.

Layout, in one SQLite file (``vectors.db``, WAL) under the directory Mem0 is given:

- ``vectors``: one row per memory: collection, id, user_id (``""`` when the payload has none),
  created_at, the float32 vector as a BLOB, and the payload as JSON.
- ``versions``: one counter per (collection, user_id), bumped in the same transaction as every
  write that touches that user's rows.
- ``embedders``: per collection, what made its vectors (``memory.mem0_embedder.EMBEDDER_ID``);
  :meth:`EmbeddedVectorStore.adopt_embedder` re-embeds a collection made with another model.

Each process keeps, per user, a numpy matrix of that user's vectors (an LRU cache). Before a
search it reads the user's counter (one indexed SELECT); a different counter means another
process (or another store object) wrote, and the matrix is reloaded. Writes made through this
object update the cached matrix in place, so an add does not cost the next search a reload.

Deletes are erasures: ``secure_delete`` zeroes freed cells, and :meth:`checkpoint` folds the
WAL (which still holds copies of the old pages) into the database and truncates it.

The class is duck-typed to the interface Mem0 calls on vector stores (``mem0/vector_stores/
base.py``); it does not import mem0, so that only ``memory.mem0_backend`` depends on it.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import uuid
from array import array
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["DB_FILENAME", "EmbeddedVectorStore", "VectorRecord"]

DB_FILENAME = "vectors.db"
NO_USER = ""  # the partition of rows whose payload carries no user_id
FilterValue = str | int | float | bool
_Tag = tuple[str, FilterValue] | None
Matrix = npt.NDArray[np.float32]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS vectors (
    collection TEXT NOT NULL,
    id         TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    created_at TEXT NOT NULL,
    vector     BLOB NOT NULL,
    payload    TEXT NOT NULL,
    UNIQUE (collection, id)
);
CREATE INDEX IF NOT EXISTS vectors_by_user ON vectors (collection, user_id, created_at);
CREATE TABLE IF NOT EXISTS versions (
    collection TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    version    INTEGER NOT NULL,
    PRIMARY KEY (collection, user_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS embedders (
    collection  TEXT PRIMARY KEY,
    embedder_id TEXT NOT NULL
) WITHOUT ROWID;
"""
_BUMP = (
    "INSERT INTO versions (collection, user_id, version) VALUES (?, ?, 1) "
    "ON CONFLICT (collection, user_id) DO UPDATE SET version = version + 1 RETURNING version"
)
_UPSERT = (
    "INSERT INTO vectors (collection, id, user_id, created_at, vector, payload) "
    "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (collection, id) DO UPDATE SET "
    "user_id = excluded.user_id, created_at = excluded.created_at, "
    "vector = excluded.vector, payload = excluded.payload"
)
_LOGICAL_KEYS = frozenset({"AND", "OR", "NOT"})
_SQL_CHUNK = 500  # ids per IN (...) list, well under SQLite's variable limit


@dataclass(slots=True)
class VectorRecord:
    """A search or get result, shaped like Mem0's ``OutputData`` (``id``, ``score``,
    ``payload``). The payload is a fresh copy: Mem0 mutates payloads it is handed."""

    id: str
    score: float | None
    payload: dict[str, Any]


class _Column:
    """One payload key across a partition's rows, as integer codes (one per distinct value),
    so that an equality filter is a single vectorised comparison."""

    __slots__ = ("codes", "vocabulary")

    def __init__(self, tags: Iterable[_Tag]) -> None:
        self.vocabulary: dict[_Tag, int] = {}
        self.codes = array("i", (self.code(tag) for tag in tags))

    def code(self, tag: _Tag) -> int:
        if tag is None:
            return -1
        return self.vocabulary.setdefault(tag, len(self.vocabulary))

    def equals(self, tag: _Tag) -> npt.NDArray[np.bool_]:
        code = self.vocabulary.get(tag)
        if code is None or not self.codes:
            return np.zeros(len(self.codes), dtype=bool)
        equal: npt.NDArray[np.bool_] = np.frombuffer(self.codes, dtype=np.int32) == code
        return equal


class _Partition:
    """One user's rows in memory: ids, payload JSON and a row-per-memory vector matrix.

    The matrix lives in a buffer with spare capacity so that adds append in place; removal
    swaps the last row into the hole (order is irrelevant to a scan). Payloads are parsed
    only when a filter needs them, and each filtered key keeps a column of tagged values so
    that a filtered search compares values instead of re-reading every payload.
    """

    __slots__ = ("_buffer", "_columns", "ids", "parsed", "positions", "raw", "version")

    def __init__(
        self, version: int, dims: int, ids: list[str], vectors: Matrix, raw: list[str]
    ) -> None:
        self.version = version
        self.ids = ids
        self.raw = raw
        self.parsed: list[dict[str, Any] | None] = [None] * len(ids)
        self.positions = {memory_id: i for i, memory_id in enumerate(ids)}
        self._columns: dict[str, _Column] = {}
        self._buffer: Matrix = np.empty((max(16, len(ids)), dims), dtype=np.float32)
        self._buffer[: len(ids)] = vectors

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def matrix(self) -> Matrix:
        return self._buffer[: len(self.ids)]

    def payload(self, position: int) -> dict[str, Any]:
        """The parsed payload at ``position``, parsed once (callers must not mutate it)."""
        parsed = self.parsed[position]
        if parsed is None:
            parsed = self.parsed[position] = json.loads(self.raw[position])
        return parsed

    def mask(self, conditions: Mapping[str, FilterValue]) -> npt.NDArray[np.bool_]:
        """Which rows satisfy every equality condition."""
        keep = np.ones(len(self.ids), dtype=bool)
        for key, wanted in conditions.items():
            keep &= self._column(key).equals(_tag(wanted))
        return keep

    def _column(self, key: str) -> _Column:
        column = self._columns.get(key)
        if column is None:
            column = _Column(_tag(self.payload(i).get(key)) for i in range(len(self.ids)))
            self._columns[key] = column
        return column

    def put(self, memory_id: str, vector: Matrix, raw: str) -> None:
        position = self.positions.get(memory_id)
        if position is None:
            position = self._append(memory_id)
        self.raw[position] = raw
        self.parsed[position] = None
        self._buffer[position] = vector
        if self._columns:
            payload = self.payload(position)
            for key, column in self._columns.items():
                column.codes[position] = column.code(_tag(payload.get(key)))

    def _append(self, memory_id: str) -> int:
        position = len(self.ids)
        if position == len(self._buffer):
            grown = np.empty((2 * position, self._buffer.shape[1]), dtype=np.float32)
            grown[:position] = self._buffer
            self._buffer = grown
        self.ids.append(memory_id)
        self.raw.append("")
        self.parsed.append(None)
        for column in self._columns.values():
            column.codes.append(-1)
        self.positions[memory_id] = position
        return position

    def remove(self, memory_id: str) -> None:
        position = self.positions.pop(memory_id, None)
        if position is None:
            return
        last = len(self.ids) - 1
        if position != last:
            moved = self.ids[last]
            self.ids[position] = moved
            self.raw[position] = self.raw[last]
            self.parsed[position] = self.parsed[last]
            self._buffer[position] = self._buffer[last]
            for column in self._columns.values():
                column.codes[position] = column.codes[last]
            self.positions[moved] = position
        self.ids.pop()
        self.raw.pop()
        self.parsed.pop()
        for column in self._columns.values():
            column.codes.pop()


@dataclass(slots=True)
class _Put:
    memory_id: str
    vector: Matrix
    raw: str


@dataclass(slots=True)
class _Remove:
    memory_id: str


_Op = _Put | _Remove
# Aliases for annotations inside the class, where ``list`` names the method Mem0 calls.
_Ops = dict[str, list[_Op]]
_Changes = list[_Op]
_Rows = list[tuple[str, bytes, str]]
_Names = list[str]
_Records = list[VectorRecord]


class EmbeddedVectorStore:
    """Mem0 vector store over SQLite with exact cosine search per user.

    The constructor takes the fields of Mem0's ``FAISSConfig`` because ``memory.mem0_backend``
    registers this class under Mem0's ``faiss`` provider name (Mem0 validates configs against
    its own provider list only).

    Args:
        collection_name: rows are tagged with it; several collections share one file (Mem0
            opens a second one, ``<name>_entities``, for its entity links).
        path: the directory that holds ``vectors.db``; created when missing.
        distance_strategy: ``cosine`` (or ``inner_product``, the same on unit vectors).
            Euclidean is refused rather than silently scored as cosine.
        normalize_L2: accepted for ``FAISSConfig`` compatibility; vectors are always
            normalised, since the score is a cosine.
        embedding_model_dims: the length of every vector.
    """

    #: Vectors kept in the per-process cache across all users (768-d float32: about 300 MB).
    #: The least recently searched users are dropped first; one user is always kept.
    max_cached_vectors = 100_000

    def __init__(
        self,
        collection_name: str = "mem0",
        path: str | None = None,
        distance_strategy: str = "cosine",
        normalize_L2: bool = True,  # Mem0's FAISSConfig field name
        embedding_model_dims: int = 384,
    ) -> None:
        if path is None:
            raise ValueError("the embedded vector store needs a directory (path)")
        if distance_strategy not in ("cosine", "inner_product"):
            raise ValueError(
                f"the embedded vector store scores by cosine; got '{distance_strategy}'"
            )
        if embedding_model_dims < 1:
            raise ValueError("embedding_model_dims must be 1 or more")
        self.collection_name = collection_name
        self.embedding_model_dims = embedding_model_dims
        self.path = Path(path).expanduser().resolve()
        self.path.mkdir(parents=True, exist_ok=True)
        self.db_path = self.path / DB_FILENAME
        self._lock = threading.RLock()
        self._cache: OrderedDict[str, _Partition] = OrderedDict()
        self._conn: sqlite3.Connection | None = _connect(self.db_path)

    # ----- Mem0's interface ------------------------------------------------------------

    def create_col(
        self, name: str | None = None, vector_size: int | None = None, distance: Any = None
    ) -> None:
        """Nothing to create: a collection is a tag on rows, and the tables exist."""

    def insert(
        self,
        vectors: Sequence[Sequence[float]] | Matrix,
        payloads: Sequence[Mapping[str, Any]] | None = None,
        ids: Sequence[str] | None = None,
    ) -> None:
        """Insert (or replace, by id) vectors with their payloads, in one transaction.

        Accepts a ``(n, dims)`` numpy array as well as lists, so a benchmark can bulk-load
        precomputed vectors without a Python-level conversion.
        """
        matrix = self._as_matrix(vectors)
        count = len(matrix)
        row_ids = [str(i) for i in ids] if ids is not None else _new_ids(count)
        rows_payload = [dict(p) for p in payloads] if payloads is not None else [{}] * count
        if not len(row_ids) == len(rows_payload) == count:
            raise ValueError("insert needs as many ids and payloads as vectors")
        with self._lock, self._transaction() as (conn, ops):
            previous = self._owners(conn, row_ids)
            rows = []
            for memory_id, vector, payload in zip(row_ids, matrix, rows_payload, strict=True):
                raw = _dumps(payload)
                user = _user_of(payload)
                rows.append(
                    (
                        self.collection_name,
                        memory_id,
                        user,
                        _created(payload),
                        vector.tobytes(),
                        raw,
                    )
                )
                if previous.get(memory_id, user) != user:
                    ops.setdefault(previous[memory_id], []).append(_Remove(memory_id))
                ops.setdefault(user, []).append(_Put(memory_id, vector, raw))
            conn.executemany(_UPSERT, rows)

    def search(
        self,
        query: str,
        vectors: Sequence[float] | Matrix,
        top_k: int | None = 5,
        filters: Mapping[str, Any] | None = None,
    ) -> list[VectorRecord]:
        """The ``top_k`` most similar rows matching ``filters``, best first.

        Scores are cosine similarities clamped at 0 (as Mem0's pgvector store does), so a
        Mem0 ``threshold`` of 0.0 keeps every candidate.
        """
        user, conditions = _parse_filters(filters)
        target = self._as_query(vectors)
        limit = 5 if top_k is None else int(top_k)
        with self._lock:
            partition = self._partition(user) if user is not None else self._load_all()
            return _rank(partition, target, limit, conditions)

    def search_batch(
        self,
        queries: Sequence[str],
        vectors_list: Sequence[Sequence[float]],
        top_k: int = 1,
        filters: Mapping[str, Any] | None = None,
    ) -> list[list[VectorRecord]]:
        return [
            self.search(q, v, top_k=top_k, filters=filters)
            for q, v in zip(queries, vectors_list, strict=True)
        ]

    def keyword_search(
        self, query: str, top_k: int = 5, filters: Mapping[str, Any] | None = None
    ) -> _Records | None:
        """No keyword index: ``None`` tells Mem0 to score by semantic similarity alone."""
        return None

    def delete(self, vector_id: str) -> None:
        """Erase one row (a missing id is not an error, as in Mem0's stores)."""
        with self._lock, self._transaction() as (conn, ops):
            owner = self._owners(conn, [vector_id]).get(vector_id)
            if owner is None:
                return
            conn.execute(
                "DELETE FROM vectors WHERE collection = ? AND id = ?",
                (self.collection_name, vector_id),
            )
            ops.setdefault(owner, []).append(_Remove(vector_id))

    def update(
        self,
        vector_id: str,
        vector: Sequence[float] | Matrix | None = None,
        payload: Mapping[str, Any] | None = None,
    ) -> None:
        """Replace the vector and/or the payload of an existing row (missing: no-op)."""
        new_vector = None if vector is None else self._as_query(vector)
        with self._lock, self._transaction() as (conn, ops):
            row = conn.execute(
                "SELECT user_id, vector, payload FROM vectors WHERE collection = ? AND id = ?",
                (self.collection_name, vector_id),
            ).fetchone()
            if row is None:
                return
            old_user, blob, old_raw = row
            stored = (
                new_vector
                if new_vector is not None
                else _from_blob(blob, self.embedding_model_dims)[0]
            )
            raw = _dumps(payload) if payload is not None else old_raw
            parsed = json.loads(raw)
            user = _user_of(parsed)
            conn.execute(
                "UPDATE vectors SET user_id = ?, created_at = ?, vector = ?, payload = ? "
                "WHERE collection = ? AND id = ?",
                (user, _created(parsed), stored.tobytes(), raw, self.collection_name, vector_id),
            )
            if user != old_user:
                ops.setdefault(old_user, []).append(_Remove(vector_id))
            ops.setdefault(user, []).append(_Put(vector_id, stored, raw))

    def get(self, vector_id: str) -> VectorRecord | None:
        with self._lock:
            row = self._db.execute(
                "SELECT payload FROM vectors WHERE collection = ? AND id = ?",
                (self.collection_name, str(vector_id)),
            ).fetchone()
        return None if row is None else VectorRecord(str(vector_id), None, json.loads(row[0]))

    def list(
        self, filters: Mapping[str, Any] | None = None, top_k: int | None = None
    ) -> list[list[VectorRecord]]:
        """Rows matching ``filters``, newest first, at most ``top_k`` (all when None).

        Wrapped in an outer list, as Mem0 expects (``vector_store.list(...)[0]``).
        """
        user, conditions = _parse_filters(filters)
        limit = None if top_k is None else int(top_k)
        sql = "SELECT id, payload FROM vectors WHERE collection = ?"
        params: list[str] = [self.collection_name]
        if user is not None:
            sql += " AND user_id = ?"
            params.append(user)
        sql += " ORDER BY created_at DESC, rowid DESC"
        rows: list[VectorRecord] = []
        with self._lock:
            cursor = self._db.execute(sql, params)
            try:
                for memory_id, raw in cursor:
                    if limit is not None and len(rows) >= limit:
                        break
                    payload = json.loads(raw)
                    if _matches(payload, conditions):
                        rows.append(VectorRecord(memory_id, None, payload))
            finally:
                cursor.close()  # ends the read transaction a break leaves open
        return [rows]

    def list_cols(self) -> _Names:
        with self._lock:
            found = self._db.execute(
                "SELECT DISTINCT collection FROM vectors ORDER BY collection"
            ).fetchall()
        return [name for (name,) in found]

    def delete_col(self) -> None:
        """Erase every row of this collection. Counters are bumped, never reset: another
        process's cache must not mistake a fresh counter for the one it loaded."""
        with self._lock, self._transaction() as (conn, _ops):
            conn.execute("DELETE FROM vectors WHERE collection = ?", (self.collection_name,))
            conn.execute(
                "UPDATE versions SET version = version + 1 WHERE collection = ?",
                (self.collection_name,),
            )
            self._cache.clear()

    def col_info(self) -> dict[str, Any]:
        with self._lock:
            (count,) = self._db.execute(
                "SELECT COUNT(*) FROM vectors WHERE collection = ?", (self.collection_name,)
            ).fetchone()
        return {"name": self.collection_name, "count": count, "path": str(self.db_path)}

    def reset(self) -> None:
        self.delete_col()

    # ----- beyond Mem0's interface -----------------------------------------------------

    def count(self, user_id: str | None = None) -> int:
        """Rows in this collection, or one user's rows."""
        sql = "SELECT COUNT(*) FROM vectors WHERE collection = ?"
        params = [self.collection_name]
        if user_id is not None:
            sql += " AND user_id = ?"
            params.append(user_id)
        with self._lock:
            (count,) = self._db.execute(sql, params).fetchone()
        return int(count)

    def adopt_embedder(
        self,
        embedder_id: str,
        embed: Callable[[Sequence[str]], Matrix],
        *,
        text_key: str = "data",
        batch: int = 256,
    ) -> int:
        """Make every vector of the collection one that ``embedder_id`` made; returns how many
        rows were re-embedded (0 when the collection already records this embedder).

        A collection without a record (made before embedders were recorded, by MiniLM) or with
        another one is re-embedded from each payload's text (``text_key``, as Mem0 stores it).
        The texts are embedded outside any transaction (minutes for a large store, which must
        not block writers); the write then happens in one transaction that first checks the
        record again (another process may have finished meanwhile: then nothing is written)
        and only replaces a row whose payload is still the one that was embedded (a row
        changed meanwhile was written with a vector of the current model). An interrupted run
        leaves the old vectors and record, and is simply redone. Every user's counter is
        bumped, so other processes drop their cached matrices.
        """
        with self._lock:
            if self._embedder_id(self._db) == embedder_id:
                return 0
            rows = self._db.execute(
                "SELECT id, user_id, payload FROM vectors WHERE collection = ?",
                (self.collection_name,),
            ).fetchall()
        updates: list[tuple[bytes, str, str, str]] = []
        for start in range(0, len(rows), batch):
            chunk = rows[start : start + batch]
            texts = [str(json.loads(r[2]).get(text_key) or "") for r in chunk]
            matrix = self._as_matrix(embed(texts))
            updates.extend(
                (v.tobytes(), self.collection_name, r[0], r[2])
                for r, v in zip(chunk, matrix, strict=True)
            )
        with self._lock:
            conn = self._db
            conn.execute("BEGIN IMMEDIATE")
            try:
                if self._embedder_id(conn) == embedder_id:
                    conn.execute("ROLLBACK")
                    self._cache.clear()
                    return 0
                conn.executemany(
                    "UPDATE vectors SET vector = ? WHERE collection = ? AND id = ? AND payload = ?",
                    updates,
                )
                for user in {r[1] for r in rows}:
                    conn.execute(_BUMP, (self.collection_name, user)).fetchone()
                conn.execute(
                    "INSERT INTO embedders (collection, embedder_id) VALUES (?, ?) "
                    "ON CONFLICT (collection) DO UPDATE SET embedder_id = excluded.embedder_id",
                    (self.collection_name, embedder_id),
                )
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            self._cache.clear()
            return len(rows)

    def _embedder_id(self, conn: sqlite3.Connection) -> str | None:
        found = conn.execute(
            "SELECT embedder_id FROM embedders WHERE collection = ?", (self.collection_name,)
        ).fetchone()
        return None if found is None else str(found[0])

    def checkpoint(self) -> None:
        """Fold the WAL into the database file and truncate it.

        The WAL keeps copies of pages as they were before a delete until a checkpoint
        overwrites them; call this after erasing so no copy of the erased text survives. A
        reader in another process can make it a partial checkpoint; that is not an error.
        """
        with self._lock:
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()

    def close(self) -> None:
        """Close the connection and drop the cache (idempotent)."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
            self._cache.clear()

    # ----- internals -------------------------------------------------------------------

    @property
    def _db(self) -> sqlite3.Connection:
        if self._conn is None:
            raise ValueError(f"the vector store {self.db_path} is closed")
        return self._conn

    @contextmanager
    def _transaction(self) -> Iterator[tuple[sqlite3.Connection, _Ops]]:
        """A write transaction that bumps the counter of every user it touched.

        The caller records what changed per user in ``ops``; after the commit each cached
        partition whose counter was exactly one behind gets the changes applied in place
        (it saw every write but this one), any other is dropped and reloaded when needed.
        """
        conn = self._db
        ops: _Ops = {}
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn, ops
            versions = {
                user: conn.execute(_BUMP, (self.collection_name, user)).fetchone()[0]
                for user in ops
            }
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        for user, changes in ops.items():
            self._apply(user, versions[user], changes)

    def _apply(self, user: str, version: int, changes: _Changes) -> None:
        partition = self._cache.get(user)
        if partition is None:
            return
        if partition.version != version - 1:
            del self._cache[user]
            return
        for change in changes:
            if isinstance(change, _Put):
                partition.put(change.memory_id, change.vector, change.raw)
            else:
                partition.remove(change.memory_id)
        partition.version = version

    def _owners(self, conn: sqlite3.Connection, ids: Sequence[str]) -> dict[str, str]:
        """The user_id of each id that already exists."""
        owners: dict[str, str] = {}
        for start in range(0, len(ids), _SQL_CHUNK):
            chunk = list(ids[start : start + _SQL_CHUNK])
            marks = ",".join("?" * len(chunk))
            found = conn.execute(
                f"SELECT id, user_id FROM vectors WHERE collection = ? AND id IN ({marks})",
                [self.collection_name, *chunk],
            )
            owners.update(dict(found.fetchall()))
        return owners

    def _version(self, user: str) -> int:
        row = self._db.execute(
            "SELECT version FROM versions WHERE collection = ? AND user_id = ?",
            (self.collection_name, user),
        ).fetchone()
        return 0 if row is None else int(row[0])

    def _partition(self, user: str) -> _Partition:
        """The user's cached rows, reloaded when the stored counter moved."""
        cached = self._cache.get(user)
        if cached is not None and cached.version == self._version(user):
            self._cache.move_to_end(user)
            return cached
        conn = self._db
        conn.execute("BEGIN")  # one snapshot for the counter and the rows
        try:
            version = self._version(user)
            rows = conn.execute(
                "SELECT id, vector, payload FROM vectors WHERE collection = ? AND user_id = ?",
                (self.collection_name, user),
            ).fetchall()
        finally:
            conn.execute("COMMIT")
        partition = self._build(version, rows)
        self._cache[user] = partition
        self._evict()
        return partition

    def _load_all(self) -> _Partition:
        """Every row of the collection, uncached: only searches without a user_id filter
        come here (hirecrew never makes one)."""
        rows = self._db.execute(
            "SELECT id, vector, payload FROM vectors WHERE collection = ?",
            (self.collection_name,),
        ).fetchall()
        return self._build(-1, rows)

    def _build(self, version: int, rows: _Rows) -> _Partition:
        ids = [row[0] for row in rows]
        matrix = _from_blob(b"".join(row[1] for row in rows), self.embedding_model_dims)
        return _Partition(version, self.embedding_model_dims, ids, matrix, [r[2] for r in rows])

    def _evict(self) -> None:
        total = sum(len(p) for p in self._cache.values())
        while total > self.max_cached_vectors and len(self._cache) > 1:
            _, dropped = self._cache.popitem(last=False)
            total -= len(dropped)

    def _as_matrix(self, vectors: Sequence[Sequence[float]] | Matrix) -> Matrix:
        matrix = np.asarray(vectors, dtype=np.float32)
        if matrix.size == 0:
            matrix = matrix.reshape(0, self.embedding_model_dims)
        if matrix.ndim != 2 or matrix.shape[1] != self.embedding_model_dims:
            raise ValueError(
                f"expected vectors of {self.embedding_model_dims} dimensions, "
                f"got shape {matrix.shape}"
            )
        return _normalised(matrix)

    def _as_query(self, vector: Sequence[float] | Matrix) -> Matrix:
        row: Matrix = self._as_matrix(np.asarray(vector, dtype=np.float32).reshape(1, -1))[0]
        return row


def _connect(path: Path) -> sqlite3.Connection:
    """One connection per store, shared by threads under the store's lock.

    WAL lets other processes read while one writes; ``synchronous=NORMAL`` is the usual WAL
    setting (a commit survives a crash of the process; the last ones may be lost on power
    loss); ``secure_delete`` zeroes deleted content instead of leaving it in free pages.
    """
    conn = sqlite3.connect(path, timeout=10.0, isolation_level=None, check_same_thread=False)
    try:
        conn.execute("PRAGMA journal_mode = WAL").fetchall()
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA secure_delete = ON")
        conn.executescript(_SCHEMA)
    except sqlite3.Error:
        conn.close()
        raise
    return conn


def _rank(
    partition: _Partition, query: Matrix, top_k: int, conditions: dict[str, FilterValue]
) -> list[VectorRecord]:
    """Exact top-k by cosine: one matrix-vector product, then argpartition."""
    if top_k <= 0 or not len(partition):
        return []
    # einsum runs numpy's own single-threaded loop: OpenBLAS would split this product across
    # threads and, on a busy 2-core machine, stall 8 ms waiting for one (measured here).
    scores = np.einsum("ij,j->i", partition.matrix, query)
    candidates = np.arange(len(partition))
    if conditions:
        candidates = candidates[partition.mask(conditions)]
    if len(candidates) > top_k:
        best = np.argpartition(-scores[candidates], top_k - 1)[:top_k]
        candidates = candidates[best]
    ordered = candidates[np.argsort(-scores[candidates], kind="stable")]
    return [
        VectorRecord(partition.ids[i], max(0.0, float(scores[i])), json.loads(partition.raw[i]))
        for i in ordered
    ]


def _parse_filters(
    filters: Mapping[str, Any] | None,
) -> tuple[str | None, dict[str, FilterValue]]:
    """Split Mem0 filters into the user partition and equality conditions on the payload.

    Only equality is implemented (also written ``{"eq": v}``). Everything else is refused,
    not ignored: a wildcard ``"*"`` means "any user" to Mem0's other stores, and a dropped
    operator would silently widen a search.
    """
    user: str | None = None
    conditions: dict[str, FilterValue] = {}
    for key, value in (filters or {}).items():
        if key in _LOGICAL_KEYS or key.startswith("$"):
            raise ValueError(f"unsupported filter '{key}': only equality filters are supported")
        if isinstance(value, Mapping):
            if set(value) != {"eq"}:
                raise ValueError(f"unsupported filter operator on '{key}': {sorted(value)}")
            value = value["eq"]
        if value == "*":
            raise ValueError(f"wildcard filter refused on '{key}'")
        if value is None or not isinstance(value, str | int | float | bool):
            raise ValueError(f"filter '{key}' needs a str, int, float or bool value")
        if key == "user_id":
            user = str(value)
            if not user:
                raise ValueError("an empty user_id filter is refused")
        else:
            conditions[key] = value
    return user, conditions


def _matches(payload: Mapping[str, Any], conditions: Mapping[str, FilterValue]) -> bool:
    return all(_tag(payload.get(k)) == _tag(v) for k, v in conditions.items())


def _tag(value: Any) -> _Tag:
    """A value tagged by kind, so that equality keeps bools apart from numbers (Python says
    ``True == 1``) while ``1 == 1.0`` still holds; lists, dicts and missing keys match
    nothing."""
    if isinstance(value, bool):
        return ("b", value)
    if isinstance(value, int | float):
        return ("n", value)
    if isinstance(value, str):
        return ("s", value)
    return None


def _user_of(payload: Mapping[str, Any]) -> str:
    value = payload.get("user_id")
    return NO_USER if value is None else str(value)


def _created(payload: Mapping[str, Any]) -> str:
    value = payload.get("created_at")
    return value if isinstance(value, str) else ""


def _dumps(payload: Mapping[str, Any]) -> str:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


def _new_ids(count: int) -> list[str]:
    return [str(uuid.uuid4()) for _ in range(count)]


def _from_blob(blob: bytes, dims: int) -> Matrix:
    return np.frombuffer(blob, dtype=np.float32).reshape(-1, dims)


def _normalised(matrix: Matrix) -> Matrix:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    unit: Matrix = (matrix / np.where(norms > 0, norms, 1.0)).astype(np.float32, copy=False)
    return unit
