"""Recall@10 of retrieval variants for recruiter memory, beside the exact dense scan we ship.

An offline study, not a benchmark of the store: every variant ranks one recruiter's memories
in plain numpy from the same cached vectors as ``bench/recruiter_memory.py`` (MiniLM's, the
memory embedder when this study was made; ``--embedder mpnet`` studies the current one) (the text
embedded is ``memory.mem0_embedder.embedding_text``), so only the ranking differs. A query hits
when its memory is among the top 10.

Variants (each scores all of one recruiter's memories for a query):

- ``dense``: cosine of the query and memory vectors (what ``EmbeddedVectorStore`` ranks by).
- ``bm25_linear_<w>``: dense + w x BM25 / max BM25 (k1=1.2, b=0.75) over lowercase word tokens
  of the alias-expanded embedding text, English stopwords and question words removed, plurals
  folded; the BM25 index is per recruiter.
- ``bm25_rrf_<w>``: reciprocal rank fusion (k=60) of the dense ranking and, weighted w, the
  BM25 ranking of the memories BM25 matches at all.
- ``mem0_keyword_search``: what Mem0 2.2.1 does when a store implements ``keyword_search``:
  semantic + sigmoid-normalised BM25 (``mem0.utils.scoring`` parameters), over the 60 best
  semantic candidates only.
- ``query_stripped``: the query embedded without its leading question words ("how often is").
- ``query_raw_or_expanded``: the better cosine of the raw and the alias-expanded query.
- ``centered``: the recruiter's mean memory vector removed from memories and query.
- ``abtt1``: ``centered`` and the top principal direction removed (Mu & Viswanath, 2018).
- ``csls``: hubness reduction, 2 cos - (mean cos of the memory to its 10 nearest memories)
  (Conneau et al., 2018).
- ``rocchio``: pseudo-relevance feedback, query + 0.3 x mean of its top-5 memories.

Data: ``bench/memory_data.py`` at the benchmark's seed (7, 10 recruiters x 1,000, the bench's
200 queries) and two other seeds, each also with 1,000 queries (200 queries at recall 0.9 have a
standard error of 0.02, which is the size of every effect seen); the same queries with every
alias replaced by its canonical name (``alias_rate=0``, dense only: the ceiling without alias
gaps); 200 x 50 at seed 8; and a held-out set written by hand
(``tests/memory/data/heldout_recall.json``: 48 recruiter notes and questions in wording of
their own), hidden among a generated recruiter's 1,000 memories (seeds 31 and 41).

    .venv/bin/python bench/memory_retrieval_variants.py   # about 4 min; writes bench/results/
"""

from __future__ import annotations

import sys
from pathlib import Path

if __name__ == "__main__":
    sys.path[0] = str(Path(__file__).resolve().parents[1])

import argparse
import json
import math
import re
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
import numpy.typing as npt
from bm25s.stopwords import STOPWORDS_EN  # type: ignore[import-untyped]

from bench.memory_data import BenchMemory, generate_memories, pick_queries
from bench.recruiter_memory import CACHE, EmbeddingCache, embedded

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "memory_retrieval_variants.json"
HELDOUT = ROOT / "tests" / "memory" / "data" / "heldout_recall.json"
K = 10
Vector = npt.NDArray[np.float32]

_TOKEN = re.compile(r"[a-z0-9]+(?:\.[a-z0-9]+)*(?:\+\+|#)?")
_QUESTION_WORDS = frozenset(
    "i my me us do does did can could should would may might must what which who how when "
    "where why whats s any about get ever someone".split()
)
_STOP = frozenset(STOPWORDS_EN) | {"with", "from", "our", "we", "you", "your", "will"}
_STOP |= _QUESTION_WORDS
_LEADING_QUESTION = re.compile(
    r"^(how|what|what's|which|when|where|who|why|is|are|does|do|did|can|could|should|would|"
    r"may|am|has|have)\b\s*",
    re.IGNORECASE,
)


def _fold(word: str) -> str:
    """Plural to singular, lightly ("roles" -> "role", "companies" -> "company")."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def tokens(text: str) -> list[str]:
    return [_fold(t) for t in _TOKEN.findall(embedded(text).lower()) if t not in _STOP]


class BM25:
    """Okapi BM25 over one recruiter's memories (k1=1.2, b=0.75)."""

    def __init__(self, docs: Sequence[list[str]], k1: float = 1.2, b: float = 0.75) -> None:
        self.k1, self.b, self.n = k1, b, len(docs)
        self.lengths = np.array([len(d) for d in docs], dtype=np.float32)
        self.mean_length = max(float(self.lengths.mean()), 1.0)
        postings: dict[str, list[tuple[int, int]]] = {}
        for i, doc in enumerate(docs):
            for term, count in Counter(doc).items():
                postings.setdefault(term, []).append((i, count))
        self.postings = {
            term: (np.array([i for i, _ in p]), np.array([c for _, c in p], dtype=np.float32))
            for term, p in postings.items()
        }

    def scores(self, query: Sequence[str]) -> Vector:
        out = np.zeros(self.n, dtype=np.float32)
        for term in set(query):
            found = self.postings.get(term)
            if found is None:
                continue
            rows, tf = found
            idf = math.log(1 + (self.n - len(rows) + 0.5) / (len(rows) + 0.5))
            norm = self.k1 * (1 - self.b + self.b * self.lengths[rows] / self.mean_length)
            out[rows] += idf * tf * (self.k1 + 1) / (tf + norm)
        return out


_query_vectors: dict[str, Vector] = {}
_STUDIED: list[EmbeddingCache] = []  # the cache (and so the model) main() studies


def query_vectors(texts: Sequence[str]) -> Vector:
    """Vectors of exactly these texts (no alias expansion added here), memoised, by the
    model of the study's cache (:data:`_STUDIED`)."""
    missing = [t for t in dict.fromkeys(texts) if t not in _query_vectors]
    if missing:
        model = _STUDIED[0].query_model()
        _query_vectors.update(zip(missing, model.embed(missing), strict=True))
    return np.stack([_query_vectors[t] for t in texts])


@dataclass
class Recruiter:
    """One recruiter's memories, their vectors and lazily built derived indexes."""

    memories: list[BenchMemory]
    matrix: Vector
    derived: dict[str, Any] = field(default_factory=dict)

    def get(self, name: str, build: Callable[[], Any]) -> Any:
        if name not in self.derived:
            self.derived[name] = build()
        return self.derived[name]


@dataclass
class Query:
    text: str
    vector: Vector  # of embedded(text)


Variant = Callable[[Recruiter, Query], Vector]


def dense(r: Recruiter, q: Query) -> Vector:
    scores: Vector = r.matrix @ q.vector
    return scores


def _bm25(r: Recruiter, q: Query) -> Vector:
    index: BM25 = r.get("bm25", lambda: BM25([tokens(m.text) for m in r.memories]))
    return index.scores(tokens(q.text))


def _ranks(scores: Vector) -> npt.NDArray[np.int64]:
    order = np.argsort(-scores, kind="stable")
    ranks = np.empty(len(scores), dtype=np.int64)
    ranks[order] = np.arange(1, len(scores) + 1)
    return ranks


def bm25_linear(weight: float) -> Variant:
    def score(r: Recruiter, q: Query) -> Vector:
        lexical = _bm25(r, q)
        top = float(lexical.max())
        return dense(r, q) + (weight * lexical / top if top > 0 else 0.0)

    return score


def bm25_rrf(weight: float, k: int = 60) -> Variant:
    def score(r: Recruiter, q: Query) -> Vector:
        lexical = _bm25(r, q)
        fused = 1.0 / (k + _ranks(dense(r, q))) + np.where(
            lexical > 0, weight / (k + _ranks(lexical)), 0.0
        )
        return fused.astype(np.float32)

    return score


def mem0_keyword_search(r: Recruiter, q: Query) -> Vector:
    """``mem0.memory.main._search_vector_store`` + ``mem0.utils.scoring`` for a store with
    ``keyword_search`` (spaCy absent: the query is not lemmatised, as here)."""
    semantic, lexical = dense(r, q), _bm25(r, q)
    terms = len(q.text.split())
    midpoint, steepness = (
        (5.0, 0.7)
        if terms <= 3
        else (7.0, 0.6)
        if terms <= 6
        else (9.0, 0.5)
        if terms <= 9
        else (10.0, 0.5)
        if terms <= 15
        else (12.0, 0.5)
    )
    pool = np.argsort(-semantic, kind="stable")[: max(4 * K, 60)]
    out = np.full(len(semantic), -10.0, dtype=np.float32)
    sigmoid = 1.0 / (1.0 + np.exp(-steepness * (lexical[pool] - midpoint)))
    out[pool] = semantic[pool] + np.where(lexical[pool] > 0, sigmoid, 0.0)
    return out


def _strip_question(text: str) -> str:
    previous = None
    while previous != text:
        previous, text = text, _LEADING_QUESTION.sub("", text)
    return text


def query_stripped(r: Recruiter, q: Query) -> Vector:
    scores: Vector = r.matrix @ query_vectors([embedded(_strip_question(q.text))])[0]
    return scores


def query_raw_or_expanded(r: Recruiter, q: Query) -> Vector:
    return np.maximum(dense(r, q), r.matrix @ query_vectors([q.text])[0])


def _unit(x: Vector) -> Vector:
    unit: Vector = x / np.linalg.norm(x, axis=-1, keepdims=True)
    return unit


def _projected(r: Recruiter, q: Query, directions: int) -> Vector:
    def build() -> tuple[Vector, Vector, Vector]:
        mean = r.matrix.mean(axis=0)
        centred = r.matrix - mean
        top = np.linalg.svd(centred, full_matrices=False)[2][:directions]
        return mean, top, _unit(centred - (centred @ top.T) @ top)

    mean, top, memories = r.get(f"projected-{directions}", build)
    query = q.vector - mean
    scores: Vector = memories @ _unit(query - top.T @ (top @ query))
    return scores


def centered(r: Recruiter, q: Query) -> Vector:
    return _projected(r, q, 0)


def abtt1(r: Recruiter, q: Query) -> Vector:
    return _projected(r, q, 1)


def csls(r: Recruiter, q: Query, k: int = 10) -> Vector:
    def build() -> Vector:
        similar = r.matrix @ r.matrix.T
        np.fill_diagonal(similar, -1.0)
        hubness: Vector = np.sort(similar, axis=1)[:, -k:].mean(axis=1)
        return hubness

    hubness: Vector = r.get("hubness", build)
    return 2 * dense(r, q) - hubness


def rocchio(r: Recruiter, q: Query, alpha: float = 0.3, k: int = 5) -> Vector:
    top = np.argsort(-dense(r, q))[:k]
    scores: Vector = r.matrix @ (q.vector + alpha * r.matrix[top].mean(axis=0))
    return scores


VARIANTS: dict[str, Variant] = {
    "dense": dense,
    "bm25_linear_0.1": bm25_linear(0.1),
    "bm25_linear_0.2": bm25_linear(0.2),
    "bm25_linear_0.3": bm25_linear(0.3),
    "bm25_rrf_0.5": bm25_rrf(0.5),
    "bm25_rrf_1": bm25_rrf(1.0),
    "mem0_keyword_search": mem0_keyword_search,
    "query_stripped": query_stripped,
    "query_raw_or_expanded": query_raw_or_expanded,
    "centered": centered,
    "abtt1": abtt1,
    "csls": csls,
    "rocchio": rocchio,
}


def recall(
    cache: EmbeddingCache,
    users: Sequence[Sequence[BenchMemory]],
    queries: Sequence[BenchMemory],
    variants: dict[str, Variant],
) -> dict[str, float]:
    """Recall@10 of each variant: the query's memory (by index) among its recruiter's top 10."""
    cache.fill(sorted({m.text for memories in users for m in memories}), threads=2)
    recruiters = {
        memories[0].user: Recruiter(list(memories), cache.matrix([m.text for m in memories]))
        for memories in users
    }
    vectors = query_vectors([embedded(item.query) for item in queries])
    hits = dict.fromkeys(variants, 0)
    for item, vector in zip(queries, vectors, strict=True):
        recruiter, query = recruiters[item.user], Query(item.query, vector)
        for name, variant in variants.items():
            top = np.argsort(-variant(recruiter, query), kind="stable")[:K]
            hits[name] += int(item.index in top.tolist())
    return {name: round(count / len(queries), 4) for name, count in hits.items()}


def heldout(haystack_seed: int) -> tuple[list[list[BenchMemory]], list[BenchMemory]]:
    """The hand-written pairs after a generated recruiter's 1,000 memories."""
    pairs = json.loads(HELDOUT.read_text(encoding="utf-8"))["pairs"]
    base = generate_memories(1, 1000, seed=haystack_seed, prefix="heldout")[0]
    hand = [
        BenchMemory(base[0].user, len(base) + i, "heldout", f"heldout:{i}", p["memory"], p["query"])
        for i, p in enumerate(pairs)
    ]
    return [base + hand], hand


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[7, 17, 27])
    parser.add_argument("--more-queries", type=int, default=1000)
    parser.add_argument("--heldout-haystacks", type=int, nargs="+", default=[31, 41])
    parser.add_argument("--cache-dir", type=Path, default=CACHE)
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument(
        "--embedder",
        choices=["minilm", "mpnet"],
        default="minilm",
        help="the committed results study MiniLM, the memory embedder before all-mpnet-base-v2",
    )
    args = parser.parse_args()
    began = time.perf_counter()
    cache = EmbeddingCache(args.cache_dir, minilm=args.embedder == "minilm")
    _STUDIED.append(cache)
    rows: dict[str, dict[str, float]] = {}

    def run(name: str, users: Any, queries: Any, variants: dict[str, Variant]) -> None:
        rows[name] = recall(cache, users, queries, variants)
        print(f"{name}: {rows[name]}", flush=True)

    for seed in args.seeds:
        tens = generate_memories(10, 1000, seed=seed, prefix="recruiter")
        run(f"10x1000 seed {seed}, 200 q", tens, pick_queries(tens, 200), VARIANTS)
        run(
            f"10x1000 seed {seed}, {args.more_queries} q",
            tens,
            pick_queries(tens, args.more_queries),
            VARIANTS,
        )
        canonical = generate_memories(10, 1000, seed=seed, prefix="recruiter", alias_rate=0.0)
        run(
            f"10x1000 seed {seed}, {args.more_queries} q, canonical names",
            canonical,
            pick_queries(canonical, args.more_queries),
            {"dense": dense},
        )
    many = generate_memories(200, 50, seed=8, prefix="team")
    run("200x50 seed 8, 200 q", many, pick_queries(many, 200), VARIANTS)
    for seed in args.heldout_haystacks:
        users, queries = heldout(seed)
        run(f"held-out 48 q in 1,000 generated (seed {seed})", users, queries, VARIANTS)

    report = {
        "study": "memory retrieval variants (recall@10, offline numpy ranking)",
        "measured_at": datetime.now(UTC).isoformat(),
        "command": " ".join(["python", "bench/memory_retrieval_variants.py", *sys.argv[1:]]),
        "variants": list(VARIANTS),
        "recall_at_10": rows,
        "run_s": round(time.perf_counter() - began, 1),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out} in {report['run_s']} s")


if __name__ == "__main__":
    main()
