"""Hybrid search: tokenisation, fusion order, filters, incremental sync and persistence."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from domain.artifacts import SearchPlan
from domain.embeddings import MiniLMEmbedder
from domain.entities import Candidate
from domain.errors import DomainError
from domain.hybrid_search import (
    MAX_QUERY_SENTENCES,
    RRF_K,
    HybridIndex,
    lexical_tokens,
    plan_from_text,
    query_sentences,
    title_text,
)


class HashEmbedder:
    """Deterministic bag-of-words vectors (hashed words); counts what it embeds."""

    dimension = 16
    model_id = "hash-test"

    def __init__(self) -> None:
        self.embedded = 0

    def embed(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        self.embedded += len(texts)
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                out[row, hashlib.md5(word.encode()).digest()[0] % self.dimension] += 1.0
            out[row, 0] += 1e-3  # never the zero vector
        return out / np.linalg.norm(out, axis=1, keepdims=True)


class ScriptedEmbedder:
    """Vectors chosen by the test: a text's vector is looked up by a marker word in it."""

    dimension = 3
    model_id = "scripted-test"

    def __init__(self, vectors: dict[str, list[float]]) -> None:
        self.vectors = vectors

    def embed(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        rows = []
        for text in texts:
            key = next(k for k in self.vectors if k in text)
            vector = np.array(self.vectors[key], dtype=np.float32)
            rows.append(vector / np.linalg.norm(vector))
        return np.array(rows, dtype=np.float32).reshape(len(texts), self.dimension)


def _candidate(cid: str, text: str, **fields: object) -> Candidate:
    return Candidate.model_validate({"id": cid, "resume_text": text, **fields})


def _plan(**fields: object) -> SearchPlan:
    return SearchPlan.model_validate({"boolean_query": "", **fields})


def test_tokens_fold_aliases_and_guard_everyday_words() -> None:
    tokens, skills = lexical_tokens("Ran K8s clusters and Go services; we go live in May.")
    assert "skill:kubernetes" in tokens
    assert skills == ["kubernetes", "go"]
    assert tokens.count("skill:go") == 1  # "go live" is not the language
    assert "and" not in tokens
    assert lexical_tokens("kubernetes")[0] == ["kubernetes", "skill:kubernetes"]


def test_fusion_ranks_by_reciprocal_rank() -> None:
    # Lexical order for "python": a (twice), b (once), c (never).
    # Dense order: b, c, a. RRF: b = 1/61 + 1/62 > a = 1/61 + 1/63 > c = 1/62.
    pool = [
        _candidate("a", "alpha Python engineer, Python tooling"),
        _candidate("b", "beta Python engineer"),
        _candidate("c", "gamma engineer"),
    ]
    embedder = ScriptedEmbedder(
        {"alpha": [0, 0, 1], "beta": [1, 0, 0], "gamma": [1, 1, 0], "query": [1, 0.1, 0]}
    )
    # The title field (here the whole one-line text) is left out: it is tested on its own.
    index = HybridIndex(embedder, lexical_weight=1.0, dense_weight=1.0, title_weight=0.0)
    index.sync(pool)
    plan = _plan(boolean_query="python", semantic_query="query")
    result = index.search(plan, limit=10)
    assert [m.candidate_id for m in result.candidates] == ["b", "a", "c"]
    best = 2 / (RRF_K + 1)
    assert result.candidates[0].score == round((1 / 61 + 1 / 62) / best, 4)
    assert result.candidates[2].score == round((1 / 62) / best, 4)
    assert result.pool_size == 3

    lexical_only = HybridIndex(embedder, dense_weight=0.0)
    lexical_only.sync(pool)
    assert [m.candidate_id for m in lexical_only.search(plan).candidates] == ["a", "b"]
    # Default weights: the dense ranking counts twice, a = (1/61 + 2/63) / (3/61).
    default = HybridIndex(embedder, title_weight=0.0)
    default.sync(pool)
    ranked = default.search(plan).candidates
    assert ranked[1].candidate_id == "a"
    assert ranked[1].score == round((1 / 61 + 2 / 63) / (3 / 61), 4)


def test_title_field_is_a_third_ranking() -> None:
    # Both resumes say "engineer" once; only t says it in its title line. The dense vectors
    # tie and so do the full-text BM25 scores (ties go to the first row, b): the title
    # field's vote decides.
    pool = [
        _candidate("b", "PLANT OPERATOR\nWorked with an engineer on pumps and valves"),
        _candidate("t", "MECHANICAL ENGINEER\nWorked on pumps and valves for a plant"),
    ]
    embedder = ScriptedEmbedder({"pumps": [1, 0, 0], "query": [1, 0, 0]})
    index = HybridIndex(embedder)
    index.sync(pool)
    plan = _plan(boolean_query="engineer", semantic_query="query")
    ranked = index.search(plan).candidates
    assert [m.candidate_id for m in ranked] == ["t", "b"]
    without = HybridIndex(embedder, title_weight=0.0)
    without.sync(pool)
    assert [m.candidate_id for m in without.search(plan).candidates] == ["b", "t"]
    assert title_text(pool[1]) == "MECHANICAL ENGINEER"
    assert title_text(_candidate("h", "\n\n  first line  \nrest", headline="Nurse")) == (
        "Nurse\nfirst line"
    )


def test_semantic_query_scores_its_best_sentence() -> None:
    # One vector of "query. other" sits between a and b; sentence by sentence, each resume
    # meets the sentence about it, and the title-like first sentence is not averaged away.
    assert query_sentences("Mechanical Engineer. Design parts; run tests!\nCAD") == [
        "Mechanical Engineer.",
        "Design parts;",
        "run tests!",
        "CAD",
    ]
    assert query_sentences("one sentence, no break") == ["one sentence, no break"]
    assert len(query_sentences(". ".join(["x"] * 20))) == MAX_QUERY_SENTENCES
    pool = [_candidate("a", "alpha"), _candidate("b", "beta"), _candidate("c", "gamma")]
    embedder = ScriptedEmbedder(
        {
            "alpha": [1, 0, 0],
            "beta": [0.6, 0.8, 0],
            "gamma": [0.75, 0.66, 0],
            "query. other": [1, 1, 0],  # the whole text, for the one-vector variant
            "query": [1, 0, 0],
            "other": [0, 1, 0],
        }
    )
    plan = _plan(semantic_query="query. other")
    split = HybridIndex(embedder, lexical_weight=0.0, title_weight=0.0)
    split.sync(pool)
    # Best sentence: a 1.0 (query), b 0.8 (other), c ~0.75 (query).
    assert [m.candidate_id for m in split.search(plan).candidates] == ["a", "b", "c"]
    whole = HybridIndex(embedder, lexical_weight=0.0, title_weight=0.0, sentence_max=False)
    whole.sync(pool)
    # One vector (1, 1, 0): gamma is closest to the diagonal, alpha furthest.
    assert [m.candidate_id for m in whole.search(plan).candidates] == ["c", "b", "a"]


def test_alias_in_resume_meets_canonical_in_plan() -> None:
    index = HybridIndex(HashEmbedder())
    index.sync(
        [
            _candidate("k", "Operated K8s and PostgreSQL in production"),
            _candidate("n", "Operated nothing of note"),
        ]
    )
    result = index.search(_plan(required_skills=["Kubernetes"]))
    assert [m.candidate_id for m in result.candidates] == ["k"]
    assert result.candidates[0].matched_skills == ["kubernetes"]


def test_location_filter_keeps_city_remote_and_unknown() -> None:
    index = HybridIndex(HashEmbedder())
    index.sync(
        [
            _candidate("berlin", "python", location="Berlin, Germany"),
            _candidate("remote", "python", location="Remote"),
            _candidate("unknown", "python"),
            _candidate("london", "python", location="London"),
        ]
    )
    found = index.search(_plan(boolean_query="python", location="Berlin (hybrid)"))
    assert {m.candidate_id for m in found.candidates} == {"berlin", "remote", "unknown"}
    everyone = index.search(_plan(boolean_query="python", location="Remote"))
    assert len(everyone.candidates) == 4


def test_min_years_filter_lets_unknown_years_pass() -> None:
    index = HybridIndex(HashEmbedder())
    index.sync(
        [
            _candidate("junior", "python", years_experience=3),
            _candidate("senior", "python", years_experience=6),
            _candidate("unknown", "python"),
        ]
    )
    found = index.search(_plan(boolean_query="python", min_years=5))
    assert {m.candidate_id for m in found.candidates} == {"senior", "unknown"}


def test_must_haves_filter_when_strict_and_rank_when_not() -> None:
    index = HybridIndex(HashEmbedder())
    index.sync(
        [
            _candidate("both", "Python and Kubernetes"),
            _candidate("python", "Python Python Python, lots of Python"),
            _candidate("none", "Cooking"),
        ]
    )
    plan = _plan(required_skills=["python", "k8s"], semantic_query="python developer")
    strict = index.search(plan)
    assert [m.candidate_id for m in strict.candidates] == ["both"]
    loose = [m.candidate_id for m in index.search(plan, strict=False).candidates]
    assert loose[:2] == ["both", "python"]
    assert set(loose) == {"both", "python", "none"}  # the dense side still ranks everyone


def test_incremental_sync_embeds_only_new_or_changed(tmp_path: Path) -> None:
    embedder = HashEmbedder()
    index = HybridIndex.open(tmp_path / "index", embedder)
    pool = [_candidate(f"c{i}", f"resume number {i} python") for i in range(5)]
    assert index.sync(pool) == 5
    assert index.sync(pool) == 0
    assert embedder.embedded == 5
    pool.append(_candidate("c5", "a new chef resume"))
    assert index.sync(pool) == 1
    pool[0] = _candidate("c0", "rewritten resume about nursing")
    assert index.sync(pool) == 1
    # A new location alone needs no new vector, but the record is updated.
    pool[1] = _candidate("c1", "resume number 1 python", location="Lisbon")
    assert index.sync(pool) == 0
    assert index.candidate("c1") is not None and index.candidate("c1").location == "Lisbon"
    assert index.sync(pool[2:]) == 0
    assert len(index) == 4 and "c0" not in index.ids
    assert embedder.embedded == 7


def test_reopened_index_searches_without_reembedding(tmp_path: Path) -> None:
    pool = [
        _candidate("acc", "Accountant: general ledger, reconciliations", source="a.pdf"),
        _candidate("chef", "Chef: menus and kitchen", source="b.pdf"),
    ]
    first = HybridIndex.open(tmp_path, HashEmbedder())
    first.sync(pool)
    before = first.search_text("general ledger accountant")

    embedder = HashEmbedder()
    reopened = HybridIndex.open(tmp_path, embedder)
    assert len(reopened) == 2
    assert reopened.search_text("general ledger accountant") == before
    assert reopened.sync(pool) == 0
    assert embedder.embedded == 1  # the query only
    assert reopened.candidate("acc") is not None
    assert {p.name for p in tmp_path.iterdir()} >= {"meta.json", "ids.json", "embeddings.npy"}


def test_another_model_reembeds_everything(tmp_path: Path) -> None:
    HybridIndex.open(tmp_path, HashEmbedder()).sync([_candidate("a", "x"), _candidate("b", "y")])

    class OtherModel(HashEmbedder):
        model_id = "other"

    assert HybridIndex.open(tmp_path, OtherModel()).sync([_candidate("a", "x")]) == 1


def test_search_text_uses_the_skills_it_names() -> None:
    plan = plan_from_text("Senior engineer: Python and Postgres, Berlin")
    assert plan.optional_skills == ["python", "postgresql"]
    assert plan.required_skills == []
    index = HybridIndex(HashEmbedder())
    index.sync([_candidate("p", "Python with PostgreSQL"), _candidate("j", "Java")])
    result = index.search_text("Python and Postgres")
    assert result.candidates[0].candidate_id == "p"
    assert result.candidates[0].matched_skills == ["python", "postgresql"]


def test_edge_cases() -> None:
    index = HybridIndex(HashEmbedder())
    assert index.search_text("anything").candidates == []
    index.sync([_candidate("a", "python")])
    assert index.search(_plan(boolean_query="python"), limit=0).candidates == []
    with pytest.raises(DomainError):
        index.search(_plan(boolean_query="python"), limit=-1)
    with pytest.raises(DomainError):
        HybridIndex(HashEmbedder(), lexical_weight=0, dense_weight=0)


def test_real_model_finds_meaning_beyond_keywords() -> None:
    # No word of the query is in the nurse's resume: only the embeddings can find her.
    pool = [
        _candidate("nurse", "RN on a cardiac ward: medication rounds, wound dressing, triage."),
        _candidate("chef", "Sous chef: ran the line, plated specials, ordered produce."),
        _candidate("dev", "Backend developer: Python services, PostgreSQL, Kubernetes."),
    ]
    index = HybridIndex(MiniLMEmbedder())
    index.sync(pool)
    result = index.search_text("hospital patient care")
    assert result.candidates[0].candidate_id == "nurse"


_GARBAGE = {
    "meta.json": [b"", b"{\"format\": 1, \"mod", b"[1, 2]", b"\xff\xfe not json"],
    "ids.json": [b"", b"{\"ids\": [", b"[\"a\", \"b\"]", b"{\"ids\": [1, 2], \"hashes\": []}",
                 b"{\"hashes\": []}", b"{\"ids\": \"ab\", \"hashes\": \"xy\"}", b"\x00\x01"],
    "embeddings.npy": [b"", b"\x93NUMPY\x01\x00", b"garbage bytes, not numpy", b"PK\x03\x04x"],
    "candidates.jsonl": [b"", b"{\"id\": \"a\", \"resume", b"not json at all\n", b"\xff\xfe\n"],
}  # fmt: skip


@pytest.mark.parametrize(
    ("name", "content"),
    [(name, content) for name, contents in _GARBAGE.items() for content in contents],
)
def test_a_damaged_index_is_rebuilt_not_fatal(tmp_path: Path, name: str, content: bytes) -> None:
    pool = [
        _candidate("acc", "Accountant: general ledger, reconciliations"),
        _candidate("chef", "Chef: menus and kitchen"),
    ]
    HybridIndex.open(tmp_path, HashEmbedder()).sync(pool)
    (tmp_path / name).write_bytes(content)
    embedder = HashEmbedder()
    reopened = HybridIndex.open(tmp_path, embedder)
    assert len(reopened) == 0  # treated as no index
    assert reopened.sync(pool) == 2 and embedder.embedded == 2
    assert reopened.search_text("general ledger accountant").candidates[0].candidate_id == "acc"
    # The rebuilt index was saved whole: a third open needs no embedding.
    again = HybridIndex.open(tmp_path, HashEmbedder())
    assert len(again) == 2 and again.sync(pool) == 0


@pytest.mark.parametrize("name", list(_GARBAGE))
def test_a_truncated_index_file_is_rebuilt(tmp_path: Path, name: str) -> None:
    pool = [_candidate(f"c{i}", f"resume number {i} python developer") for i in range(4)]
    HybridIndex.open(tmp_path, HashEmbedder()).sync(pool)
    data = (tmp_path / name).read_bytes()
    (tmp_path / name).write_bytes(data[: len(data) // 2])
    reopened = HybridIndex.open(tmp_path, HashEmbedder())
    assert len(reopened) == 0
    assert reopened.sync(pool) == 4
    assert len(reopened.search_text("python developer").candidates) == 4


def test_an_index_with_mismatched_rows_is_rebuilt(tmp_path: Path) -> None:
    pool = [_candidate("a", "python"), _candidate("b", "nursing")]
    HybridIndex.open(tmp_path, HashEmbedder()).sync(pool)
    np.save(tmp_path / "embeddings.npy", np.zeros((3, HashEmbedder.dimension), np.float32))
    assert len(HybridIndex.open(tmp_path, HashEmbedder())) == 0
    HybridIndex.open(tmp_path, HashEmbedder()).sync(pool)
    (tmp_path / "ids.json").write_text('{"ids": ["b", "a"], "hashes": ["x", "y"]}')
    reopened = HybridIndex.open(tmp_path, HashEmbedder())
    assert len(reopened) == 0 and reopened.sync(pool) == 2
