"""The embedded vector store on its own: exact per-user search, filters, cache coherence
across store objects (as across processes), erasure and threads. No mem0 here."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from memory.vector_store import EmbeddedVectorStore
from tests.memory.conftest import files_containing

DIMS = 16
Vector = npt.NDArray[np.float32]
Truth = dict[str, dict[str, Vector]]  # user -> memory id -> vector


def unit(rng: np.random.Generator, count: int) -> Vector:
    vectors = rng.standard_normal((count, DIMS)).astype(np.float32)
    normalised: Vector = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    return normalised


def payload(user: str, index: int, **extra: object) -> dict[str, object]:
    return {
        "user_id": user,
        "data": f"{user} memory {index}",
        "created_at": f"2026-01-01T00:00:{index:06d}",
        **extra,
    }


@pytest.fixture
def store(tmp_path: Path) -> Iterator[EmbeddedVectorStore]:
    opened = EmbeddedVectorStore("memories", str(tmp_path), embedding_model_dims=DIMS)
    yield opened
    opened.close()


def fill(store: EmbeddedVectorStore, users: int, each: int, seed: int = 0) -> Truth:
    """Insert ``users`` x ``each`` random rows."""
    rng = np.random.default_rng(seed)
    truth: Truth = {}
    for u in range(users):
        user = f"user{u}"
        vectors = unit(rng, each)
        ids = [str(uuid.uuid4()) for _ in range(each)]
        store.insert(vectors, [payload(user, i, kind=("a", "b")[i % 2]) for i in range(each)], ids)
        truth[user] = dict(zip(ids, vectors, strict=True))
    return truth


def brute_force(truth: dict[str, Vector], query: Vector, k: int) -> list[str]:
    scored = sorted(truth.items(), key=lambda item: -float(item[1] @ query))
    return [memory_id for memory_id, _ in scored[:k]]


def test_per_user_search_is_exact_and_loses_nothing(store: EmbeddedVectorStore) -> None:
    """200 users x 50 rows in one collection: each user's top 10 is the brute-force top 10
    (faiss and chroma return about 1 and 7 of them here)."""
    truth = fill(store, users=200, each=50)
    rng = np.random.default_rng(1)
    for user, rows in truth.items():
        query = unit(rng, 1)[0]
        found = store.search("q", query.tolist(), top_k=10, filters={"user_id": user})
        assert [r.id for r in found] == brute_force(rows, query, 10)
        assert all(r.payload["user_id"] == user for r in found)
        assert [r.score for r in found] == sorted((r.score or 0.0 for r in found), reverse=True)


def test_equality_filters_and_their_refusals(store: EmbeddedVectorStore) -> None:
    truth = fill(store, users=2, each=20)
    query = next(iter(truth["user0"].values()))
    found = store.search("q", query, top_k=50, filters={"user_id": "user0", "kind": "b"})
    assert len(found) == 10 and all(r.payload["kind"] == "b" for r in found)
    assert len(store.search("q", query, 50, {"user_id": "user0", "kind": {"eq": "a"}})) == 10
    for bad in (
        {"user_id": "*"},
        {"user_id": "user0", "kind": "*"},
        {"user_id": "user0", "kind": {"ne": "a"}},
        {"user_id": "user0", "kind": ["a", "b"]},
        {"user_id": "user0", "$or": [{"kind": "a"}]},
        {"user_id": "user0", "OR": [{"kind": "a"}]},
        {"user_id": ""},
        {"user_id": "user0", "kind": None},
    ):
        with pytest.raises(ValueError):
            store.search("q", query, 5, bad)
        with pytest.raises(ValueError):
            store.list(bad)


def test_bools_do_not_match_numbers(store: EmbeddedVectorStore) -> None:
    vectors = unit(np.random.default_rng(2), 3)
    store.insert(
        vectors,
        [payload("u", 0, flag=True), payload("u", 1, flag=1), payload("u", 2, flag=1.0)],
        ["t", "one", "onef"],
    )
    hits = store.search("q", vectors[0], 10, {"user_id": "u", "flag": True})
    assert [r.id for r in hits] == ["t"]
    assert {r.id for r in store.search("q", vectors[0], 10, {"user_id": "u", "flag": 1})} == {
        "one",
        "onef",
    }


def test_list_is_newest_first_wrapped_as_mem0_expects(store: EmbeddedVectorStore) -> None:
    fill(store, users=2, each=30)
    listed = store.list({"user_id": "user1"}, top_k=5)
    assert len(listed) == 1
    rows = listed[0]
    assert [r.payload["created_at"] for r in rows] == [
        f"2026-01-01T00:00:{i:06d}" for i in range(29, 24, -1)
    ]
    assert len(store.list({"user_id": "user1", "kind": "a"})[0]) == 15
    assert len(store.list()[0]) == 60


def test_updates_and_moves_between_users(store: EmbeddedVectorStore) -> None:
    vectors = unit(np.random.default_rng(3), 2)
    store.insert(vectors, [payload("a", 0), payload("a", 1)], ["m0", "m1"])
    store.search("q", vectors[0], 5, {"user_id": "a"})  # cache user a
    store.update("m0", payload={**payload("a", 0), "data": "renamed"})
    top = store.search("q", vectors[0], 1, {"user_id": "a"})[0]
    assert (top.id, top.payload["data"]) == ("m0", "renamed")  # payload-only keeps vector
    store.update("m0", vector=vectors[1])
    assert store.search("q", vectors[1], 2, {"user_id": "a"})[0].score == pytest.approx(1.0)
    store.update("m1", payload=payload("b", 1))
    assert [r.id for r in store.search("q", vectors[1], 5, {"user_id": "a"})] == ["m0"]
    assert [r.id for r in store.search("q", vectors[1], 5, {"user_id": "b"})] == ["m1"]
    store.update("missing", payload=payload("a", 9))  # no-op, as in Mem0's stores
    assert store.get("missing") is None


def test_a_second_store_object_sees_every_write(tmp_path: Path) -> None:
    """Two objects on one file behave like two processes: each checks the per-user counter
    before searching and reloads when another one wrote."""
    first = EmbeddedVectorStore("memories", str(tmp_path), embedding_model_dims=DIMS)
    second = EmbeddedVectorStore("memories", str(tmp_path), embedding_model_dims=DIMS)
    try:
        vectors = unit(np.random.default_rng(4), 3)
        first.insert(vectors[:1], [payload("u", 0)], ["x"])
        assert [r.id for r in first.search("q", vectors[1], 5, {"user_id": "u"})] == ["x"]
        second.insert(vectors[1:2], [payload("u", 1)], ["y"])
        assert first.search("q", vectors[1], 1, {"user_id": "u"})[0].id == "y"
        second.delete("y")
        assert [r.id for r in first.search("q", vectors[1], 5, {"user_id": "u"})] == ["x"]
        second.update("x", vector=vectors[2])
        assert first.search("q", vectors[2], 1, {"user_id": "u"})[0].score == pytest.approx(1.0)
        second.delete_col()  # counters are bumped, never reset to a value first has seen
        second.insert(vectors[:1], [payload("u", 5)], ["z"])
        assert [r.id for r in first.search("q", vectors[0], 5, {"user_id": "u"})] == ["z"]
    finally:
        first.close()
        second.close()


def test_small_cache_still_answers_correctly(store: EmbeddedVectorStore) -> None:
    truth = fill(store, users=5, each=40)
    store.max_cached_vectors = 50  # about one user at a time
    rng = np.random.default_rng(5)
    for _ in range(3):
        for user, rows in truth.items():
            query = unit(rng, 1)[0]
            found = store.search("q", query, 5, {"user_id": user})
            assert [r.id for r in found] == brute_force(rows, query, 5)


def test_delete_leaves_no_bytes_of_the_payload(tmp_path: Path) -> None:
    store = EmbeddedVectorStore("memories", str(tmp_path), embedding_model_dims=DIMS)
    try:
        vectors = unit(np.random.default_rng(6), 2)
        secret = "quokka-sapphire-8812 confidential"
        store.insert(vectors, [payload("u", 0, data=secret), payload("u", 1)], ["s", "k"])
        store.update("s", payload=payload("u", 0, data=secret + " v2"))
        assert files_containing(tmp_path, secret)
        store.delete("s")
        store.checkpoint()
        assert files_containing(tmp_path, secret) == []
        assert store.get("k") is not None
    finally:
        store.close()
    assert files_containing(tmp_path, secret) == []


def test_threads_share_one_store(store: EmbeddedVectorStore) -> None:
    rng = np.random.default_rng(7)
    vectors = unit(rng, 8 * 50)
    errors: list[BaseException] = []

    def work(worker: int) -> None:
        try:
            for i in range(50):
                row = worker * 50 + i
                store.insert(vectors[row : row + 1], [payload("u", row)], [f"id{row}"])
                store.search("q", vectors[row], 3, {"user_id": "u"})
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert store.count("u") == 400
    for row in range(0, 400, 37):
        assert store.search("q", vectors[row], 1, {"user_id": "u"})[0].id == f"id{row}"


def test_interface_details(store: EmbeddedVectorStore, tmp_path: Path) -> None:
    vectors = unit(np.random.default_rng(8), 2)
    store.insert(vectors, [payload("u", 0), {"agent_id": "bot", "data": "no user"}])
    assert store.keyword_search("anything") is None
    assert store.col_info()["count"] == 2
    assert store.list_cols() == ["memories"]
    # Rows without a user are found by searches that do not name one.
    assert len(store.search("q", vectors[1], 5, {"agent_id": "bot"})) == 1
    with pytest.raises(ValueError, match="dimensions"):
        store.insert([[1.0, 2.0]], [payload("u", 3)])
    with pytest.raises(ValueError, match="cosine"):
        EmbeddedVectorStore("x", str(tmp_path), distance_strategy="euclidean")
    assert store.search_batch(["a", "b"], [vectors[0], vectors[1]], 1, {"user_id": "u"})[0]
    store.reset()
    assert store.col_info()["count"] == 0
    store.close()
    with pytest.raises(ValueError, match="closed"):
        store.get("anything")
