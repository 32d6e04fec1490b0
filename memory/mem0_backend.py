"""Recruiter memory on Mem0 2.2.1: the one module of hirecrew that imports mem0.

Mem0 does the embedding, the storage calls and the history; this adapter makes it safe and
offline (every trap below was measured here, see the shared notes on Mem0 2.2.1):

- Isolation is ours. Mem0 accepts ``user_id="*"`` as "every user", and its id-based calls
  (``get``/``update``/``delete``) check no owner. Every call here forces
  ``filters={"user_id": <recruiter>}``, refuses wildcard and malformed recruiter ids, refuses
  filters and metadata on Mem0's own payload keys (``user_id`` included), and checks the owner
  before any id-based call. An unknown id and another recruiter's id raise the same
  :class:`~memory.base.MemoryNotFoundError`.
- Deletion is erasure. Mem0 keeps a deleted memory's text in its history SQLite DB (it even
  adds a DELETE row holding the text); we delete those rows, the recruiter's rolling message
  log (the raw input of ``infer=True`` adds), and make SQLite zero freed space
  (``secure_delete``) and truncate the embedded store's WAL.
- Offline by construction: our embedder (all-mpnet-base-v2, ``memory.mem0_embedder``)
  replaces Mem0's ``huggingface`` provider, the store is chosen by
  ``settings.memory.vector_store``, and Mem0's mandatory LLM points at a dead loopback address
  unless a real OpenAI-protocol model is configured (then ``infer=True`` works; otherwise it
  falls back to storing the text as given).

Bad requests (malformed recruiter id, reserved metadata key, wildcard filter, blank text)
raise :class:`MemoryRequestError`, which is both a :class:`~memory.base.MemoryError_` and a
``ValueError``. Failures of Mem0 or of a store raise :class:`~memory.base.MemoryBackendError`
with a one-line reason, never a traceback.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import sqlite3
import sys
import threading
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from config.settings import Settings, quiet_environment
from domain.embeddings import MPNET_MODEL_ID
from memory.base import (
    MemoryBackendError,
    MemoryError_,
    MemoryNotFoundError,
    MemoryRecord,
    MetadataValue,
)
from memory.mem0_embedder import EMBEDDER_ID, EMBEDDING_DIMS, embed_texts
from memory.vector_store import EmbeddedVectorStore

__all__ = [
    "HNSW_OPTIONS",
    "LlmPlan",
    "Mem0Memory",
    "MemoryRequestError",
    "close_memories",
    "llm_plan",
    "load_mem0",
    "mem0_config",
    "open_memory",
    "pg_conninfo",
]

logger = logging.getLogger(__name__)

#: Set on every pgvector connection. Without them an HNSW scan returns its ``ef_search``
#: nearest rows *then* applies the per-user filter, so with 200 users a search returned about
#: 1 memory instead of 10; iterative scans keep walking the graph until enough rows pass.
HNSW_OPTIONS = "-c hnsw.iterative_scan=relaxed_order -c hnsw.ef_search=100"

# Mem0 2.2.1 validates the vector store config against its own provider names only, so our
# store is registered under one of them. FAISSConfig fits: it carries collection_name, path
# and embedding_model_dims, which is all the embedded store needs (faiss is not installed).
_EMBEDDED_PROVIDER = "faiss"
_EMBEDDED_CLASS = "memory.vector_store.EmbeddedVectorStore"
# Mem0 has no embedder registry either: our embedder replaces its huggingface provider.
_EMBEDDER_PROVIDER = "huggingface"
_EMBEDDER_CLASS = "memory.mem0_embedder.Mem0Embedder"
# Mem0 insists on an LLM even with infer=False; offline it points at a port nothing serves
# (the discard port on loopback: refused at once, nothing leaves the machine).
_DEAD_LLM_URL = "http://127.0.0.1:9/v1"
# Providers whose models crewai reaches over the OpenAI protocol when given a base_url.
_OPENAI_PROTOCOL = frozenset(
    {"openai", "hosted_vllm", "ollama", "ollama_chat", "deepseek", "openrouter", "deepinfra"}
)
# Payload keys Mem0 owns: caller metadata and filters may not use them.
_RESERVED_KEYS = frozenset(
    {
        "data",
        "hash",
        "created_at",
        "updated_at",
        "id",
        "text_lemmatized",
        "attributed_to",
        "user_id",
        "agent_id",
        "run_id",
        "actor_id",
        "role",
        "expiration_date",
        "memory_type",
        "score",
        "AND",
        "OR",
        "NOT",
    }
)
# A recruiter id: letters, digits and . _ @ : + - (an e-mail or a UUID fits). Anything else
# (a wildcard, whitespace that Mem0 would trim into another recruiter's id) is refused.
_RECRUITER_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@:+\-]{0,127}")
_LIST_ALL = 1_000_000  # "every row" for stores whose list() has no order (pgvector)
_EARLIEST = datetime.min.replace(tzinfo=UTC)
_Ids = list[str]  # for annotations inside Mem0Memory, where ``list`` names a method


class MemoryRequestError(MemoryError_, ValueError):
    """A memory call refused for its input (recruiter id, metadata, filters, text)."""


@dataclass(frozen=True)
class LlmPlan:
    """Mem0's ``llm`` config and whether it can really extract facts (``infer=True``)."""

    config: dict[str, Any]
    can_infer: bool
    reason: str = ""


def llm_plan(settings: Settings) -> LlmPlan:
    """A real OpenAI-protocol model when one is configured, else a dead loopback URL.

    ``openai/<model>`` works with the default OpenAI endpoint (given a key) or with
    ``settings.llm.base_url``; the other OpenAI-protocol providers need ``base_url``.
    """
    llm = settings.llm
    provider, _, model = (llm.default or "").partition("/")
    key = llm.api_key.get_secret_value() if llm.api_key else None
    if provider in _OPENAI_PROTOCOL and model and (llm.base_url or provider == "openai"):
        api_key = key or ("unused" if llm.base_url else _env_openai_key())
        if api_key:
            config: dict[str, Any] = {"model": model, "api_key": api_key}
            if llm.base_url:
                config["openai_base_url"] = llm.base_url
            return LlmPlan(config, can_infer=True)
    offline = {"model": "offline", "api_key": "unused", "openai_base_url": _DEAD_LLM_URL}
    why = f"no OpenAI-protocol model configured (llm.default = {llm.default or 'unset'})"
    return LlmPlan(offline, can_infer=False, reason=why)


def _env_openai_key() -> str | None:
    return os.environ.get("OPENAI_API_KEY") or None


def pg_conninfo(url: str) -> str:
    """``url`` with :data:`HNSW_OPTIONS` added to libpq's ``options`` parameter, so that
    every pooled connection gets them at startup (no per-connection SET to forget)."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    options = " ".join([v for k, v in query if k == "options"] + [HNSW_OPTIONS])
    query = [(k, v) for k, v in query if k != "options"] + [("options", options)]
    # quote, not urlencode's default quote_plus: libpq reads '+' literally, not as a space.
    return urlunsplit(parts._replace(query=urlencode(query, quote_via=quote)))


def _vector_store_config(settings: Settings) -> dict[str, Any]:
    kind = settings.memory.vector_store
    collection = settings.memory.collection
    if kind == "embedded":
        config = {
            "collection_name": collection,
            "path": str(settings.memory_path),
            "distance_strategy": "cosine",
            "normalize_L2": True,
            "embedding_model_dims": EMBEDDING_DIMS,
        }
        return {"provider": _EMBEDDED_PROVIDER, "config": config}
    url = settings.memory.url.get_secret_value() if settings.memory.url else ""
    if not url:
        raise MemoryBackendError(
            f"memory.vector_store is '{kind}' but no URL is set: set HIRECREW_MEMORY__URL"
        )
    if kind == "pgvector":
        config = {
            "connection_string": pg_conninfo(url),
            "collection_name": collection,
            "embedding_model_dims": EMBEDDING_DIMS,
            "hnsw": True,
            "diskann": False,
            "minconn": 1,
            "maxconn": 8,
        }
        return {"provider": "pgvector", "config": config}
    # qdrant: a server (documented, not tested here). The client is built by us so that the
    # URL alone suffices (Mem0's QdrantConfig wants an api_key next to a url).
    from qdrant_client import QdrantClient

    config = {
        "client": QdrantClient(url=url),
        "collection_name": collection,
        "embedding_model_dims": EMBEDDING_DIMS,
    }
    return {"provider": "qdrant", "config": config}


def mem0_config(settings: Settings, plan: LlmPlan | None = None) -> dict[str, Any]:
    """The ``Memory.from_config`` dict for these settings (no secrets are logged from it)."""
    return {
        "vector_store": _vector_store_config(settings),
        "embedder": {
            "provider": _EMBEDDER_PROVIDER,
            "config": {"model": MPNET_MODEL_ID, "embedding_dims": EMBEDDING_DIMS},
        },
        "llm": {"provider": "openai", "config": (plan or llm_plan(settings)).config},
        "history_db_path": str(settings.memory_path / "history.db"),
    }


def load_mem0(settings: Settings) -> Any:
    """Import mem0 once per process and plug our embedder and store in; returns ``Memory``.

    The environment that keeps mem0 offline and quiet (``quiet_environment``) is read at
    import time, so it is set first, and only then: once mem0 is loaded, re-pointing the
    process's environment at another data directory would change nothing for mem0.
    """
    if "mem0" not in sys.modules:
        quiet_environment(settings)
    from mem0 import Memory
    from mem0.utils.factory import EmbedderFactory, VectorStoreFactory

    EmbedderFactory.provider_to_class[_EMBEDDER_PROVIDER] = _EMBEDDER_CLASS
    VectorStoreFactory.provider_to_class[_EMBEDDED_PROVIDER] = _EMBEDDED_CLASS
    # spaCy is not installed on purpose (its model is a run-time download). Mem0 then skips
    # lemmatising and entity extraction, and would warn about it once per process.
    logging.getLogger("mem0.utils.spacy_models").setLevel(logging.ERROR)
    return Memory


def _probe(conninfo: str) -> None:
    """Connect once before Mem0 does: its pool retries in the background for 30 s and
    then reports a timeout, where this says at once what is wrong (host, password...)."""
    import psycopg

    psycopg.connect(conninfo, connect_timeout=10).close()


def _adopt_embedder(store: Any) -> int:
    """Re-embed ``store``'s memories if another embedder made them; returns how many.

    The embedded store records the embedder per collection (``EMBEDDER_ID``). A pgvector table
    records only its width: one of another width (MiniLM's 384) gets a new vector column filled
    from the stored texts, in one transaction (PostgreSQL DDL is transactional, so a failure
    leaves the old table as it was), and its index is rebuilt by ``create_col``.
    """
    if isinstance(store, EmbeddedVectorStore):
        count = store.adopt_embedder(EMBEDDER_ID, embed_texts)
    elif hasattr(store, "connection_pool"):
        count = _adopt_pgvector(store)
    else:  # qdrant server: documented as created fresh with this embedder's width
        return 0
    if count:
        logger.info(
            "memory vectors re-embedded with %s",
            EMBEDDER_ID,
            extra={"rows": count, "collection": store.collection_name},
        )
    return count


def _adopt_pgvector(store: Any) -> int:
    from psycopg import sql

    name = store.collection_name
    table = sql.Identifier(name)
    select = sql.SQL("SELECT id, payload FROM {}").format(table)
    with store.connection_pool.connection() as conn:
        width = _pg_width(conn, name)
        conn.commit()  # hold no lock on the table while embedding (minutes on a large one)
        if width is None or width == EMBEDDING_DIMS:
            return 0
        rows = conn.execute(select).fetchall()
        conn.commit()
        vectors = dict(zip((r[0] for r in rows), _pg_vectors(rows), strict=True))
        seen = {r[0]: r[1] for r in rows}
        with conn.transaction():
            # One process re-embeds; one started beside it (API and worker) waits here, then
            # finds the new width and leaves. No table lock is taken before this one.
            conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"hirecrew:{name}",))
            if _pg_width(conn, name) == EMBEDDING_DIMS:
                return 0
            current = conn.execute(select).fetchall()
            # Rows added or changed since they were read are embedded now, under the lock.
            late = [r for r in current if r[0] not in seen or seen[r[0]] != r[1]]
            vectors.update(zip((r[0] for r in late), _pg_vectors(late), strict=True))
            conn.execute(sql.SQL("ALTER TABLE {} DROP COLUMN vector").format(table))
            conn.execute(
                sql.SQL("ALTER TABLE {} ADD COLUMN vector vector({})").format(
                    table, sql.Literal(EMBEDDING_DIMS)
                )
            )
            with conn.cursor() as cur:
                cur.executemany(
                    sql.SQL("UPDATE {} SET vector = %s::vector WHERE id = %s").format(table),
                    ((str(vectors[r[0]].tolist()), r[0]) for r in current),
                )
    store.create_col()  # the HNSW index went with the old column
    return len(current)


def _pg_width(conn: Any, table: str) -> int | None:
    """The declared width of ``table``'s vector column; None when there is no such table."""
    from psycopg import sql

    found = conn.execute(
        "SELECT atttypmod FROM pg_attribute "
        "WHERE attrelid = to_regclass(%s) AND attname = 'vector'",
        (sql.Identifier(table).as_string(conn),),
    ).fetchone()
    return None if found is None else int(found[0])


def _pg_vectors(rows: Sequence[tuple[Any, Any]]) -> list[Any]:
    """The re-embedded ``data`` text (Mem0's payload key) of each row, as float32 rows (3 KB
    each; their 15 KB text form is made one row at a time while writing)."""
    if not rows:
        return []
    texts = [str((payload or {}).get("data") or "") for _, payload in rows]
    return list(embed_texts(texts))


def _session_scope(recruiter_id: str) -> str:
    """The key under which Mem0 keeps a recruiter's recent raw messages (``infer=True``)."""
    from mem0.memory.main import _build_session_scope

    return str(_build_session_scope({"user_id": recruiter_id}))


class _HistoryEraser:
    """Deletes a memory's rows from Mem0's history DB, on a connection of its own.

    ``secure_delete`` makes SQLite overwrite the deleted rows with zeros: a plain DELETE
    leaves their bytes (the memory's text) in free pages of the file. The checkpoint then
    copies the zeroed pages into the file and empties the WAL.
    """

    def __init__(self, path: Path) -> None:
        self._path = path
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None

    def erase(self, memory_ids: Sequence[str], scope: str) -> None:
        with self._lock:
            conn = self._connect()
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.executemany(
                    "DELETE FROM history WHERE memory_id = ?", [(i,) for i in memory_ids]
                )
                conn.execute("DELETE FROM messages WHERE session_scope = ?", (scope,))
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            # The WAL still holds the pages as they were before the delete.
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def _connect(self) -> sqlite3.Connection:
        if self._conn is None:
            conn = sqlite3.connect(
                self._path, timeout=30.0, isolation_level=None, check_same_thread=False
            )
            conn.execute("PRAGMA secure_delete = ON")
            self._conn = conn
        return self._conn


@dataclass
class _Stores:
    """The stores a Mem0 ``Memory`` holds, for preparing and closing them."""

    vector: Any
    entities: Any
    closers: list[Callable[[], object]] = field(default_factory=list)
    reembedded: int = 0  # rows another embedder made, re-embedded when the stores opened


class Mem0Memory:
    """:class:`~memory.base.RecruiterMemory` on Mem0 with per-recruiter isolation.

    Build it with :func:`open_memory` (one per process and store). ``vector_store`` exposes
    Mem0's store object, e.g. for :meth:`bulk_insert`-style loading in benchmarks.
    """

    def __init__(self, settings: Settings) -> None:
        if settings.memory.backend != "mem0":
            raise MemoryBackendError("memory is disabled (memory.backend = none)")
        self.settings = settings
        self.path = settings.memory_path
        self.kind = settings.memory.vector_store
        self._plan = llm_plan(settings)
        memory_class = load_mem0(settings)
        self._memory: Any = None
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            config = mem0_config(settings, self._plan)
            if self.kind == "pgvector":
                _probe(config["vector_store"]["config"]["connection_string"])
            self._memory = memory_class.from_config(config)
            self._stores = self._prepare()
        except Exception as exc:
            if self._memory is not None:
                with suppress(Exception):
                    self._memory.close()
            if isinstance(exc, MemoryError_):
                raise
            raise MemoryBackendError(
                f"cannot open the {self.kind} memory store under {self.path}: {_reason(exc)}"
            ) from exc
        self._eraser = _HistoryEraser(self.path / "history.db")
        self._closed = False

    # ----- properties ------------------------------------------------------------------

    @property
    def can_infer(self) -> bool:
        """Whether ``add(..., infer=True)`` reaches a real LLM; when False it stores the text
        as given (as ``infer=False`` does)."""
        return self._plan.can_infer

    @property
    def reembedded(self) -> int:
        """Memories (and Mem0 entities) re-embedded when this store opened, because another
        embedder had made their vectors; 0 when the store was up to date."""
        return self._stores.reembedded

    @property
    def vector_store(self) -> Any:
        """Mem0's vector store object (an :class:`EmbeddedVectorStore` when embedded)."""
        return self._memory.vector_store

    # ----- RecruiterMemory -------------------------------------------------------------

    def add(
        self,
        recruiter_id: str,
        text: str,
        metadata: Mapping[str, MetadataValue] | None = None,
        *,
        infer: bool = False,
    ) -> list[MemoryRecord]:
        """Store ``text``; with ``infer=True`` and a real LLM, the facts Mem0 extracts."""
        rid = _recruiter(recruiter_id)
        body = _text(text)
        meta = _metadata(metadata)
        if infer and not self.can_infer:
            logger.info("memory add: infer=True stores the text as given: %s", self._plan.reason)
        with self._calling("add"):
            result = self._memory.add(
                body, user_id=rid, metadata=meta or None, infer=infer and self.can_infer
            )
            ids = [str(item["id"]) for item in result.get("results", [])]
            return [self._stored(rid, memory_id) for memory_id in ids]

    def search(
        self,
        recruiter_id: str,
        query: str,
        *,
        limit: int = 10,
        filters: Mapping[str, MetadataValue] | None = None,
    ) -> list[MemoryRecord]:
        """Best first. ``threshold=0.0``: Mem0's default (0.1) drops weak matches, yet a
        recall is ranked and capped by ``limit`` anyway, and a short query ("fintech?")
        scores low against the very memory it is about."""
        rid = _recruiter(recruiter_id)
        wanted = _text(query, what="query")
        conditions = _filters(filters)
        if _limit(limit) == 0:
            return []
        with self._calling("search"):
            result = self._memory.search(
                wanted, top_k=limit, filters={**conditions, "user_id": rid}, threshold=0.0
            )
        return [_record(rid, item) for item in result["results"] if _owned_by(item, rid)]

    def list(
        self,
        recruiter_id: str,
        *,
        filters: Mapping[str, MetadataValue] | None = None,
        limit: int = 10_000,
    ) -> list[MemoryRecord]:
        """Newest first. The embedded store lists in that order; pgvector's list has no
        order, so every matching row is fetched and sorted here."""
        rid = _recruiter(recruiter_id)
        conditions = _filters(filters)
        if _limit(limit) == 0:
            return []
        fetch = limit if isinstance(self.vector_store, EmbeddedVectorStore) else _LIST_ALL
        with self._calling("list"):
            result = self._memory.get_all(
                filters={**conditions, "user_id": rid}, top_k=fetch, show_expired=True
            )
        records = [_record(rid, item) for item in result["results"] if _owned_by(item, rid)]
        records.sort(key=lambda r: r.created_at or _EARLIEST, reverse=True)
        return records[:limit]

    def get(self, recruiter_id: str, memory_id: str) -> MemoryRecord:
        rid = _recruiter(recruiter_id)
        return _record(rid, self._owned(rid, memory_id))

    def update(
        self,
        recruiter_id: str,
        memory_id: str,
        text: str,
        metadata: Mapping[str, MetadataValue] | None = None,
    ) -> MemoryRecord:
        """Replace the text and, when given, the whole custom metadata (Mem0 merges
        metadata, so keys absent from ``metadata`` are removed afterwards)."""
        rid = _recruiter(recruiter_id)
        body = _text(text)
        meta = None if metadata is None else _metadata(metadata)
        current = self._owned(rid, memory_id)
        with self._calling("update"):
            self._memory.update(memory_id, text=body, metadata=meta)
            if meta is not None:
                self._drop_keys(memory_id, set(current.get("metadata") or {}) - set(meta))
        return self.get(rid, memory_id)

    def delete(self, recruiter_id: str, memory_id: str) -> None:
        """Erase the memory: its vector row, its history rows, the recruiter's raw messages."""
        rid = _recruiter(recruiter_id)
        self._owned(rid, memory_id)
        with self._calling("delete"):
            self._memory.delete(memory_id)
            self._erase_traces(rid, [memory_id])

    def delete_all(self, recruiter_id: str) -> int:
        """Erase every memory of the recruiter (and only theirs); returns how many."""
        rid = _recruiter(recruiter_id)
        erased: set[str] = set()
        with self._calling("delete_all"):
            # Listed again until empty: memories added meanwhile are erased too.
            while batch := [i for i in self._ids(rid) if i not in erased]:
                for memory_id in batch:
                    with suppress(ValueError):  # deleted meanwhile by another caller
                        self._memory.delete(memory_id)
                erased.update(batch)
            self._erase_traces(rid, sorted(erased))
        return len(erased)

    def close(self) -> None:
        """Close Mem0's history DB, the stores' connections and the eraser (idempotent)."""
        if self._closed:
            return
        self._closed = True
        self._eraser.close()
        with suppress(Exception):
            self._memory.close()
        for closer in self._stores.closers:
            with suppress(Exception):
                closer()

    # ----- beyond the protocol ---------------------------------------------------------

    def bulk_insert(
        self,
        recruiter_id: str,
        texts: Sequence[str],
        vectors: Any,
        metadata: Sequence[Mapping[str, MetadataValue]] | None = None,
    ) -> _Ids:
        """Load precomputed vectors straight into the vector store, in one transaction.

        For benchmarks and imports: no embedding and no history rows (so nothing to erase
        there), payloads shaped as Mem0 writes them, so every other call works on them.
        ``vectors`` is an ``(n, 768)`` array (or lists) from ``memory.mem0_embedder.embed_texts``.
        """
        rid = _recruiter(recruiter_id)
        metas = [_metadata(m) for m in metadata] if metadata is not None else [{}] * len(texts)
        if len(metas) != len(texts):
            raise MemoryRequestError("bulk_insert needs one metadata mapping per text")
        start = datetime.now(UTC)
        payloads = [
            _payload(rid, _text(t), m, start + timedelta(microseconds=i))
            for i, (t, m) in enumerate(zip(texts, metas, strict=True))
        ]
        ids = [str(uuid.uuid4()) for _ in texts]
        store = self.vector_store
        rows = vectors if isinstance(store, EmbeddedVectorStore) else _as_lists(vectors)
        with self._calling("bulk_insert"):
            store.insert(vectors=rows, payloads=payloads, ids=ids)
        return ids

    # ----- internals -------------------------------------------------------------------

    def _prepare(self) -> _Stores:
        """Make the stores ready before any thread uses them.

        - Mem0's history DB goes to WAL with ``synchronous=NORMAL``, as the embedded store:
          in its default rollback mode every add paid an fsync (6 ms became 21 ms per add,
          45 ms with 8 threads queued on it). Its connection also zeroes what it deletes
          (its rolling message log).
        - The entity store is opened now: Mem0 only cleans a deleted memory's entity links
          when that store is already open in the process.
        - pgvector tables are created now: eight threads creating them at once collide.
        - Vectors made by another embedder (MiniLM, before 2026-11-26) are re-embedded now,
          from the stored texts: a query vector of one model against memories of another
          ranks nothing right (see :func:`_adopt_embedder`).
        """
        memory = self._memory
        history = memory.db.connection
        history.execute("PRAGMA journal_mode = WAL").fetchall()
        history.execute("PRAGMA synchronous = NORMAL")
        history.execute("PRAGMA secure_delete = ON")
        stores = _Stores(memory.vector_store, memory.entity_store)
        for store in (stores.vector, stores.entities):
            if self.kind == "pgvector":
                store.create_col()
                stores.closers.append(store.connection_pool.close)
            elif isinstance(store, EmbeddedVectorStore):
                stores.closers.append(store.close)
            stores.reembedded += _adopt_embedder(store)
        if self.can_infer:
            memory.llm.client = memory.llm.client.with_options(timeout=self.settings.llm.timeout_s)
        return stores

    @contextmanager
    def _calling(self, action: str) -> Iterator[None]:
        """Turn whatever Mem0 or a store raises into one ``MemoryBackendError`` line."""
        if self._closed:
            raise MemoryBackendError("the memory store is closed")
        try:
            yield
        except MemoryError_:
            raise
        except Exception as exc:
            raise MemoryBackendError(
                f"memory {action} failed ({self.kind} store under {self.path}): {_reason(exc)}"
            ) from exc

    def _owned(self, rid: str, memory_id: str) -> dict[str, Any]:
        """Mem0's view of the memory, if it is this recruiter's; else not found (the same
        error whether the id is unknown, malformed or someone else's)."""
        if not _is_uuid(memory_id):
            raise _not_found(memory_id)
        with self._calling("get"):
            item = self._memory.get(memory_id)
        if not isinstance(item, dict) or item.get("user_id") != rid:
            raise _not_found(memory_id)
        return item

    def _stored(self, rid: str, memory_id: str) -> MemoryRecord:
        row = self.vector_store.get(vector_id=memory_id)
        if row is None:
            raise MemoryBackendError(f"memory {memory_id} was added but cannot be read back")
        return _record_of_payload(rid, memory_id, dict(row.payload))

    def _ids(self, rid: str) -> _Ids:
        listed = self.vector_store.list(filters={"user_id": rid}, top_k=_LIST_ALL)
        rows = listed[0] if listed and isinstance(listed[0], list) else listed
        return [str(row.id) for row in rows if (row.payload or {}).get("user_id") == rid]

    def _drop_keys(self, memory_id: str, stale: set[str]) -> None:
        if not stale:
            return
        row = self.vector_store.get(vector_id=memory_id)
        if row is not None:
            payload = {k: v for k, v in dict(row.payload).items() if k not in stale}
            self.vector_store.update(vector_id=memory_id, vector=None, payload=payload)

    def _erase_traces(self, rid: str, memory_ids: Sequence[str]) -> None:
        """What Mem0 leaves behind after a delete: history rows holding the text, the raw
        messages of ``infer=True`` adds, and (embedded store) old pages in the WAL."""
        self._eraser.erase(memory_ids, _session_scope(rid))
        for store in (self._stores.vector, self._stores.entities):
            if isinstance(store, EmbeddedVectorStore):
                store.checkpoint()


# ----- one instance per process and store ----------------------------------------------

_instances: dict[tuple[str, str, str, str], Mem0Memory] = {}
_instances_lock = threading.Lock()


def open_memory(settings: Settings) -> Mem0Memory:
    """The process's memory for these settings' data path and vector store (thread-safe).

    Keyed on (data path, store kind, store URL, collection): a second call with the same
    store returns the same object, whatever else differs (the first call's LLM is kept).
    """
    url = settings.memory.url.get_secret_value() if settings.memory.url else ""
    key = (
        str(settings.data_path),
        settings.memory.vector_store,
        url,
        settings.memory.collection,
    )
    with _instances_lock:
        memory = _instances.get(key)
        if memory is None:
            memory = _instances[key] = Mem0Memory(settings)
        return memory


def close_memories() -> None:
    """Close and forget every memory :func:`open_memory` made (for tests and shutdown)."""
    with _instances_lock:
        memories = list(_instances.values())
        _instances.clear()
    for memory in memories:
        memory.close()


# ----- validation and conversion --------------------------------------------------------


def _recruiter(value: object) -> str:
    if not isinstance(value, str) or not _RECRUITER_ID.fullmatch(value):
        raise MemoryRequestError(
            f"invalid recruiter id {value!r}: use 1-128 letters, digits or . _ @ : + - "
            "(no wildcards, no spaces)"
        )
    return value


def _text(value: object, *, what: str = "text") -> str:
    if not isinstance(value, str) or not value.strip():
        raise MemoryRequestError(f"the memory {what} must be a non-empty string")
    return value.strip() if what == "query" else value


def _limit(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise MemoryRequestError(f"limit must be a non-negative integer, got {value!r}")
    return value


def _metadata(values: Mapping[str, Any] | None) -> dict[str, MetadataValue]:
    """Flat custom metadata; ``None`` values drop their key (as ``metadata_of`` does)."""
    clean: dict[str, MetadataValue] = {}
    for key, value in (values or {}).items():
        _check_key(key, "metadata")
        if value is None:
            continue
        if not isinstance(value, str | int | float | bool):
            raise MemoryRequestError(
                f"metadata '{key}' must be a str, int, float or bool, not {type(value).__name__}"
            )
        clean[key] = value
    return clean


def _filters(values: Mapping[str, Any] | None) -> dict[str, MetadataValue]:
    """Equality filters on custom metadata; the recruiter id is never one of them."""
    clean: dict[str, MetadataValue] = {}
    for key, value in (values or {}).items():
        _check_key(key, "filter")
        if value is None or not isinstance(value, str | int | float | bool):
            raise MemoryRequestError(f"filter '{key}' needs a str, int, float or bool value")
        if value == "*":
            raise MemoryRequestError(f"wildcard filter refused on '{key}'")
        clean[key] = value
    return clean


def _check_key(key: object, what: str) -> None:
    if not isinstance(key, str) or not key or key.startswith("$"):
        raise MemoryRequestError(f"invalid {what} key {key!r}")
    if key in _RESERVED_KEYS:
        raise MemoryRequestError(
            f"{what} key '{key}' is reserved by the memory store (the recruiter id is set "
            "by the call, never by metadata or filters)"
        )


def _is_uuid(value: object) -> bool:
    """Mem0 ids are canonical UUID strings; anything else cannot be one (and would make
    pgvector's UUID column raise instead of answering "not found")."""
    if not isinstance(value, str):
        return False
    try:
        return str(uuid.UUID(value)) == value
    except ValueError:
        return False


def _not_found(memory_id: object) -> MemoryNotFoundError:
    return MemoryNotFoundError(f"no memory {memory_id!r} for this recruiter")


def _owned_by(item: Mapping[str, Any], rid: str) -> bool:
    """Defence in depth: the store filtered by user already; drop anything else."""
    return item.get("user_id") == rid


def _record(rid: str, item: Mapping[str, Any]) -> MemoryRecord:
    """A Mem0 result dict (``search``/``get_all``/``get``) as a record."""
    score = item.get("score")
    return MemoryRecord(
        id=str(item["id"]),
        recruiter_id=rid,
        text=str(item.get("memory") or ""),
        metadata=_custom(item.get("metadata")),
        created_at=_when(item.get("created_at")),
        updated_at=_when(item.get("updated_at")),
        score=float(score) if isinstance(score, int | float) else None,
    )


def _record_of_payload(rid: str, memory_id: str, payload: Mapping[str, Any]) -> MemoryRecord:
    """A vector store row (its payload, as Mem0 wrote it) as a record."""
    return MemoryRecord(
        id=memory_id,
        recruiter_id=rid,
        text=str(payload.get("data") or ""),
        metadata=_custom(payload),
        created_at=_when(payload.get("created_at")),
        updated_at=_when(payload.get("updated_at")),
    )


def _custom(values: object) -> dict[str, MetadataValue]:
    if not isinstance(values, Mapping):
        return {}
    return {
        str(k): v
        for k, v in values.items()
        if k not in _RESERVED_KEYS and isinstance(v, str | int | float | bool)
    }


def _when(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _payload(
    rid: str, text: str, metadata: Mapping[str, MetadataValue], at: datetime
) -> dict[str, Any]:
    """A payload as Mem0's ``add(infer=False)`` writes it."""
    from mem0.utils.lemmatization import lemmatize_for_bm25

    stamp = at.isoformat()
    return {
        **metadata,
        "user_id": rid,
        "role": "user",
        "data": text,
        "hash": hashlib.md5(text.encode()).hexdigest(),
        "created_at": stamp,
        "updated_at": stamp,
        "text_lemmatized": lemmatize_for_bm25(text),
    }


def _as_lists(vectors: Any) -> list[list[float]]:
    tolist = getattr(vectors, "tolist", None)
    rows = tolist() if callable(tolist) else vectors
    return [[float(x) for x in row] for row in rows]


def _reason(exc: BaseException) -> str:
    """One line: the exception's type and the first line of its message."""
    text = str(exc).strip().splitlines()
    first = text[0] if text else ""
    return f"{type(exc).__name__}: {first[:300]}" if first else type(exc).__name__
