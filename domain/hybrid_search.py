"""Hybrid candidate search: BM25 (bm25s) and sentence embeddings, fused by reciprocal rank.

Three rankers look at every candidate:

- **Lexical**: BM25 (bm25s, Lucene variant, k1=1.5, b=0.75) over the headline, resume and
  skills. Tokens are lowercase words (``node.js``, ``c++`` and ``c#`` stay whole), without the
  commonest English stopwords. Every mention of a vocabulary skill, under any alias, also adds
  one ``skill:<canonical>`` token, so "k8s" in a resume meets "Kubernetes" in a query. Aliases
  that are everyday words ("Go", "R", "Excel", "react") are only folded when
  :func:`domain.skills.skill_pattern` accepts them in context.
- **Title**: the same BM25 query over a second, tiny index of each candidate's title field
  (:func:`title_text`: the headline and the resume's first line, where resumes name the job,
  "MECHANICAL ENGINEER"). Over the whole resume that line is a few words among hundreds; as
  its own field (BM25F's reasoning) a title match counts as one.
- **Dense**: all-MiniLM-L6-v2 vectors (see :mod:`domain.embeddings`) of the headline and the
  start of the resume (the model reads 256 tokens), compared by dot product. The semantic
  query is embedded sentence by sentence (:func:`query_sentences`) and a candidate's score is
  its best sentence's: a JD's title, duties and requirements are separate questions, and one
  mean-pooled vector of all of them answers none well. A brute-force matrix product over a
  float32 matrix is exact, needs no index to build or tune, and costs about 5 ms per 100,000
  candidates on one core for one query vector (``bench/search_speed.py``), 12 ms for a JD's
  four sentences in one pass, plus 7 ms to embed them apart; an approximate index
  would only pay off well beyond the pools this app holds, and would cost recall and a build
  step.

**Fusion.** Weighted reciprocal rank fusion: ``score(d) = sum_r w_r / (k + rank_r(d))`` (ranks
from 1; weights 1 for BM25, 2 for the embeddings and 0.25 for the title field, see the
benchmark) over the rankers where ``d`` ranks in the top :data:`FUSION_DEPTH`, with ``k = 60``
(Cormack, Clarke & Buettcher, SIGIR 2009, the value they found robust and the one most engines
use). RRF needs no calibration between BM25 scores, which grow with the query, and cosines,
which do not (min-max and z-score fusion of the raw scores both did worse on the benchmark).
Only candidates BM25 finds at all enter a lexical ranking. Reported scores are divided by the
best possible fused score, so 1.0 means first in every ranking.

**Filters** run before ranking: a location (same city; "Remote" candidates and unknown
locations always pass), a minimum of years (unknown years pass: an anonymised import is no
reason to hide someone) and must-have skills (every required skill, or an alias of it, in the
candidate's text; with ``strict=False`` nobody is dropped, but those meeting more must-haves
rank first).

**Persistence.** :meth:`HybridIndex.open` reads an index directory: ``meta.json`` (format,
model, dimension), ``ids.json`` (ids and a hash of each embedded text, in row order),
``embeddings.npy`` (float32 rows) and ``candidates.jsonl`` (what the filters and results need,
so a reopened index searches without the pool). :meth:`HybridIndex.sync` makes the index
mirror a pool: it embeds only candidates whose embedded text is new or changed, drops those no
longer in the pool, and rebuilds both BM25 indexes from scratch: about 2 s per 10,000
candidates, tokenisation included, while embedding one resume takes 25-65 ms on two cores
(both from ``bench/search_speed.py``), so an incremental BM25 would save little and add a lot.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import bm25s  # type: ignore[import-untyped]
import numpy as np
import numpy.typing as npt
from bm25s.stopwords import STOPWORDS_EN  # type: ignore[import-untyped]
from pydantic import ValidationError

from domain.artifacts import CandidateList, CandidateMatch, SearchPlan
from domain.embeddings import Embedder
from domain.entities import Candidate
from domain.errors import DomainError
from domain.skills import SKILLS, canonical_skill, find_skills, skill_pattern

__all__ = [
    "DENSE_WEIGHT",
    "FUSION_DEPTH",
    "INDEX_FORMAT",
    "LEXICAL_WEIGHT",
    "MAX_QUERY_SENTENCES",
    "RRF_K",
    "TITLE_WEIGHT",
    "HybridIndex",
    "embedding_text",
    "lexical_tokens",
    "plan_from_text",
    "query_sentences",
    "title_text",
]

INDEX_FORMAT = 1
RRF_K = 60
# How deep each ranking is read for fusion. At k=60 rank 1,000 adds 1/1060 of a point, a 16th
# of rank 1; reading deeper changes no top-100 order and costs a full sort.
FUSION_DEPTH = 1000
# The dense ranking counts twice: on the real-resume benchmark (bench/search_quality.py) it is
# the stronger ranker, and 1:2 beat 1:1 and 2:1 on average without a worse worst query.
LEXICAL_WEIGHT = 1.0
DENSE_WEIGHT = 2.0
# The title field's BM25 ranking (headline and the resume's first line, the same weighted query)
# is a third, light vote: a quarter of the full-text BM25's. On the benchmark 0.25 to 0.5 all
# met the per-query target at RRF k from 30 to 100; heavier, a title match outvotes the rest.
TITLE_WEIGHT = 0.25
# The dense side scores each sentence of the semantic query and keeps the best: a JD's title,
# duties and requirements are each a query, and one vector of all of them matches none well.
# A long JD is cut to its first sentences (title and duties come first; boilerplate last).
MAX_QUERY_SENTENCES = 8
# A title is a few words; a first line longer than this is a paragraph that lost its breaks.
TITLE_WORDS = 12
# In the BM25 query a required skill's token weighs as much as a query word; an optional
# skill's (every skill named in a free-text query) half: generic skills such as "excel" or
# "communication" are named in most JDs and most resumes and should not dominate.
REQUIRED_SKILL_WEIGHT = 1.0
OPTIONAL_SKILL_WEIGHT = 0.5
SKILL_PREFIX = "skill:"

_STOPWORDS = frozenset(STOPWORDS_EN) | {"with", "from", "our", "we", "you", "your", "will"}
# Words of the boolean query's syntax, never search terms.
_OPERATORS = frozenset({"and", "or", "not", "boost"})
# Aliases that are everyday words: folded to their skill only when the vocabulary's guarded
# regex accepts the mention ("Go services" is a skill, "go live" is not).
_AMBIGUOUS = frozenset(
    {"go", "rust", "spark", "r", "ml", "ai", "rn", "pos", "qa", "qc", "ios", "react", "excel"}
)
# The word pattern of domain.search.tokenize (not imported: that module pulls in screening),
# applied case-insensitively to the original text
# so that each token keeps its offset ("node.js", "c++" and "c#" stay whole).
_TOKEN = re.compile(r"[a-z0-9]+(?:\.[a-z0-9]+)*(?:\+\+|#)?", re.IGNORECASE)
_PARENTHETICAL = re.compile(r"\s*\([^)]*\)")
_REMOTE = frozenset({"remote", "anywhere", "worldwide"})
_SENTENCE_BREAK = re.compile(r"(?<=[.!?;])\s+|\n+")

Vectors = npt.NDArray[np.float32]


def embedding_text(candidate: Candidate) -> str:
    """What the dense side embeds for a candidate: headline, then the resume.

    The model reads the first 256 tokens, so this is the headline and, for most resumes, the
    title line, summary and first role: the part written to say who the person is.
    """
    return f"{candidate.headline}\n{candidate.resume_text}".strip()


def _lexical_text(candidate: Candidate) -> str:
    return "\n".join([candidate.headline, candidate.resume_text, ", ".join(candidate.skills)])


def title_text(candidate: Candidate) -> str:
    """The title field: the headline and the resume's first non-blank line (its first words).

    Resumes open with the job title ("MECHANICAL ENGINEER", "STAFF ACCOUNTANT"), the
    strongest single signal of what a person does; BM25 over the whole resume dilutes it.
    """
    first = next((line for line in candidate.resume_text.splitlines() if line.strip()), "")
    return f"{candidate.headline}\n{' '.join(first.split()[:TITLE_WORDS])}".strip()


def query_sentences(text: str) -> list[str]:
    """The sentences of a semantic query that the dense side embeds one by one.

    Split after ``.``, ``!``, ``?`` or ``;`` followed by a space, and at line breaks; at most
    :data:`MAX_QUERY_SENTENCES`; a one-sentence query is itself.
    """
    parts = [part.strip() for part in _SENTENCE_BREAK.split(text)]
    return [part for part in parts if part][:MAX_QUERY_SENTENCES]


def _build_phrases() -> dict[str, list[tuple[tuple[str, ...], str]]]:
    """First token -> (alias as tokens, canonical skill), longest alias first."""
    phrases: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for skill, aliases in SKILLS.items():
        for alias in (skill, *aliases):
            tokens = tuple(_words(alias))
            if tokens:
                phrases.setdefault(tokens[0], []).append((tokens, skill))
    for entries in phrases.values():
        entries.sort(key=lambda entry: -len(entry[0]))
    return phrases


def _skill_token(skill: str) -> str:
    return SKILL_PREFIX + skill.replace(" ", "_")


def _words(text: str) -> list[str]:
    # One lower() over the joined tokens instead of one per token: the build's hot loop.
    return " ".join(_TOKEN.findall(text)).lower().split()


_PHRASES = _build_phrases()


def lexical_tokens(text: str) -> tuple[list[str], list[str]]:
    """BM25 tokens of ``text`` and the canonical skills it mentions.

    Returns:
        ``(tokens, skills)``: lowercase words without stopwords, plus one ``skill:<name>``
        token per skill mention (BM25 is a bag of words, so they go at the end); and the
        canonical skills found, in order, without repeats.
    """
    words = _words(text)
    tokens = [word for word in words if word not in _STOPWORDS]
    skills: dict[str, None] = {}
    offsets: list[int] | None = None
    covered = 0  # a phrase's inner words do not start another mention
    for i in [i for i, word in enumerate(words) if word in _PHRASES]:
        if i < covered:
            continue
        for phrase, skill in _PHRASES[words[i]]:
            if tuple(words[i : i + len(phrase)]) != phrase:
                continue
            if len(phrase) == 1 and phrase[0] in _AMBIGUOUS:
                if offsets is None:
                    offsets = [m.start() for m in _TOKEN.finditer(text)]
                # The guarded regex, anchored at this mention (its lookbehinds still see the
                # text before it), decides whether "go" here is the language.
                if skill_pattern(skill).match(text, offsets[i]) is None:
                    continue
            tokens.append(_skill_token(skill))
            skills[skill] = None
            covered = i + len(phrase)
            break
    return tokens, list(skills)


def _city(location: str | None) -> str | None:
    """The comparable city of a location: no parentheticals, no country, casefolded."""
    if not location:
        return None
    stripped = _PARENTHETICAL.sub("", location).strip()
    return stripped.split(",")[0].strip().casefold() or None


def _canonical(skill: str) -> str:
    return canonical_skill(skill) or " ".join(skill.lower().split())


def plan_from_text(text: str) -> SearchPlan:
    """A search plan for free text or a pasted job description.

    Every vocabulary skill the text names becomes an optional skill (free text says nothing
    about which are must-haves, so none filters); the text itself is the lexical query and
    the semantic query.
    """
    flat = " ".join(text.split())
    return SearchPlan(boolean_query=flat, optional_skills=find_skills(text), semantic_query=flat)


@dataclass
class _Lexical:
    """The BM25 side, rebuilt from the candidates whenever the pool changes."""

    bm25: Any
    titles: Any  # BM25 over each candidate's title field
    skill_rows: dict[str, npt.NDArray[np.int64]]


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _write_atomic(path: Path, write: Callable[[Path], object]) -> None:
    """Write via a temporary file and rename, so a crash never leaves half a file."""
    temporary = path.with_name(path.name + ".tmp")
    write(temporary)
    os.replace(temporary, path)


class HybridIndex:
    """A persistent hybrid (BM25 + embeddings) index over a candidate pool.

    Args:
        embedder: turns candidate texts and queries into unit vectors.
        directory: where the index lives; ``None`` keeps it in memory only.
        lexical_weight: the BM25 ranking's weight in the fusion.
        dense_weight: the embedding ranking's weight in the fusion.
        title_weight: the title field's BM25 ranking's weight in the fusion.
        sentence_max: score each sentence of the semantic query and keep the best (the
            default); ``False`` embeds the query as one text (for the benchmark's ablations).
        text_of: what is embedded for a candidate (default :func:`embedding_text`); the
            index keeps a hash of it, so changing it re-embeds on the next sync.
    """

    def __init__(
        self,
        embedder: Embedder,
        directory: Path | None = None,
        *,
        lexical_weight: float = LEXICAL_WEIGHT,
        dense_weight: float = DENSE_WEIGHT,
        title_weight: float = TITLE_WEIGHT,
        sentence_max: bool = True,
        text_of: Callable[[Candidate], str] = embedding_text,
    ) -> None:
        if (
            min(lexical_weight, dense_weight, title_weight) < 0
            or lexical_weight + dense_weight == 0
        ):
            raise DomainError("fusion weights must be 0 or more and not both 0")
        self._embedder = embedder
        self._directory = directory
        self._lexical_weight = lexical_weight
        self._dense_weight = dense_weight
        self._title_weight = title_weight
        self._sentence_max = sentence_max
        self._text_of = text_of
        self._candidates: list[Candidate] = []
        self._by_id: dict[str, Candidate] = {}
        self._hashes: list[str] = []
        self._vectors: Vectors = np.zeros((0, embedder.dimension), dtype=np.float32)
        self._lexical: _Lexical | None = None
        self._years = np.zeros(0, dtype=np.int32)
        self._cities: list[str | None] = []
        self._open_location = np.zeros(0, dtype=bool)

    # --- persistence ---------------------------------------------------------------------

    @classmethod
    def open(cls, directory: Path, embedder: Embedder, **options: Any) -> HybridIndex:
        """Open the index stored in ``directory`` (created on the first sync if absent).

        An index written by another model, dimension or format is ignored: the next
        :meth:`sync` re-embeds everything rather than mixing incompatible vectors. So is a
        damaged one (an empty or truncated file, a wrong shape, ids that do not match): the
        index is only a cache of the pool, so it is rebuilt rather than refused.
        Keyword ``options`` are those of the constructor.
        """
        index = cls(embedder, directory, **options)
        loaded = index._load(directory)
        if loaded is not None:
            index._set(*loaded)
        return index

    def _load(self, directory: Path) -> tuple[list[Candidate], list[str], Vectors] | None:
        """The stored candidates, hashes and vectors; None when absent, stale or damaged."""
        meta_path = directory / "meta.json"
        if not meta_path.is_file():
            return None
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            if meta != self._meta():
                return None
            ids = json.loads((directory / "ids.json").read_text(encoding="utf-8"))
            with (directory / "embeddings.npy").open("rb") as handle:
                # Not np.load: that would open a zip file as an .npz archive.
                vectors = np.lib.format.read_array(handle, allow_pickle=False)
            with (directory / "candidates.jsonl").open(encoding="utf-8") as lines:
                candidates = [Candidate.model_validate_json(line) for line in lines if line.strip()]
        except (OSError, EOFError, ValueError, UnicodeDecodeError, ValidationError):
            # ValueError covers bad JSON and a truncated or garbage .npy header.
            return None
        if not isinstance(ids, dict):
            return None
        stored_ids, hashes = ids.get("ids"), ids.get("hashes")
        count = len(candidates)
        if not (
            isinstance(stored_ids, list)
            and isinstance(hashes, list)
            and len(hashes) == count
            and all(isinstance(h, str) for h in hashes)
            and stored_ids == [c.id for c in candidates]
            and vectors.shape == (count, self._embedder.dimension)
            and np.issubdtype(vectors.dtype, np.floating)
        ):
            return None
        return candidates, list(hashes), vectors.astype(np.float32, copy=False)

    def _meta(self) -> dict[str, Any]:
        model = getattr(self._embedder, "model_id", type(self._embedder).__name__)
        return {"format": INDEX_FORMAT, "model": model, "dimension": self._embedder.dimension}

    def _save(self) -> None:
        directory = self._directory
        if directory is None:
            return
        directory.mkdir(parents=True, exist_ok=True)
        ids = {"ids": [c.id for c in self._candidates], "hashes": self._hashes}

        def vectors(path: Path) -> None:
            with path.open("wb") as handle:
                np.save(handle, self._vectors, allow_pickle=False)

        def records(path: Path) -> None:
            with path.open("w", encoding="utf-8") as handle:
                for candidate in self._candidates:
                    handle.write(candidate.model_dump_json() + "\n")

        # meta.json goes last: an index whose meta is missing is empty, never half-written.
        (directory / "meta.json").unlink(missing_ok=True)
        _write_atomic(directory / "embeddings.npy", vectors)
        _write_atomic(directory / "candidates.jsonl", records)
        _write_atomic(directory / "ids.json", lambda p: p.write_text(json.dumps(ids), "utf-8"))
        meta = json.dumps(self._meta())
        _write_atomic(directory / "meta.json", lambda p: p.write_text(meta, "utf-8"))

    # --- building --------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._candidates)

    @property
    def ids(self) -> list[str]:
        """Candidate ids in index order."""
        return [c.id for c in self._candidates]

    def sync(self, candidates: Sequence[Candidate]) -> int:
        """Make the index mirror ``candidates`` (the whole pool as it is now), then save it.

        Only candidates that are new, or whose embedded text changed, are embedded; those no
        longer in the pool are dropped; BM25 is rebuilt. A later id replaces an earlier one.

        Returns:
            How many candidates were embedded.
        """
        pool = list({c.id: c for c in candidates}.values())
        known = {c.id: row for row, c in enumerate(self._candidates)}
        hashes = [_hash(self._text_of(c)) for c in pool]
        rows: list[int] = []
        missing: list[int] = []
        for position, (candidate, digest) in enumerate(zip(pool, hashes, strict=True)):
            row = known.get(candidate.id, -1)
            if row >= 0 and self._hashes[row] == digest:
                rows.append(row)
            else:
                rows.append(-1)
                missing.append(position)
        unchanged = (
            not missing
            and rows == list(range(len(self._candidates)))
            # Same embedded text, but a location or years may have changed.
            and all(c == old for c, old in zip(pool, self._candidates, strict=True))
        )
        if unchanged:
            return 0
        vectors = np.zeros((len(pool), self._embedder.dimension), dtype=np.float32)
        kept = [position for position, row in enumerate(rows) if row >= 0]
        if kept:
            vectors[kept] = self._vectors[[rows[p] for p in kept]]
        if missing:
            fresh = self._embedder.embed([self._text_of(pool[p]) for p in missing])
            if fresh.shape != (len(missing), self._embedder.dimension):
                raise DomainError(f"the embedder returned shape {fresh.shape}")
            vectors[missing] = fresh
        self._set(pool, hashes, vectors)
        self._build_lexical()
        self._save()
        return len(missing)

    def _set(self, candidates: list[Candidate], hashes: list[str], vectors: Vectors) -> None:
        self._candidates = candidates
        self._by_id = {c.id: c for c in candidates}
        self._hashes = hashes
        self._vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        self._lexical = None
        self._years = np.array(
            [-1 if c.years_experience is None else c.years_experience for c in candidates],
            dtype=np.int32,
        )
        self._cities = [_city(c.location) for c in candidates]
        self._open_location = np.array(
            [city is None or city in _REMOTE for city in self._cities], dtype=bool
        )

    def _build_lexical(self) -> _Lexical:
        corpus: list[list[str]] = []
        titles: list[list[str]] = []
        skill_rows: dict[str, list[int]] = {}
        for row, candidate in enumerate(self._candidates):
            tokens, skills = lexical_tokens(_lexical_text(candidate))
            # bm25s needs a token in every document; a resume of only stopwords gets a blank.
            corpus.append(tokens or [""])
            titles.append(lexical_tokens(title_text(candidate))[0] or [""])
            for skill in skills:
                skill_rows.setdefault(skill, []).append(row)
        bm25, title_bm25 = bm25s.BM25(), bm25s.BM25()
        if corpus:
            bm25.index(corpus, show_progress=False)
            title_bm25.index(titles, show_progress=False)
        self._lexical = _Lexical(
            bm25=bm25,
            titles=title_bm25,
            skill_rows={s: np.array(r, dtype=np.int64) for s, r in skill_rows.items()},
        )
        return self._lexical

    # --- searching -------------------------------------------------------------------------

    def search_text(self, text: str, *, limit: int = 25) -> CandidateList:
        """Search with free text or a whole job description (see :func:`plan_from_text`)."""
        return self.search(plan_from_text(text), limit=limit)

    def search(self, plan: SearchPlan, *, limit: int = 25, strict: bool = True) -> CandidateList:
        """The best ``limit`` candidates for ``plan``, best first.

        The boolean query's words and the plan's skills (optional ones at half weight) drive
        BM25 over the whole text and over the title field; the semantic query (or, when
        empty, the boolean query), sentence by sentence, drives the embeddings.
        Filters: location, minimum years and, with ``strict``, every required skill.
        Ties are broken by candidate id. Raises DomainError for a negative limit.
        """
        if limit < 0:
            raise DomainError(f"limit must be 0 or more, got {limit}")
        n = len(self._candidates)
        if n == 0 or limit == 0:
            return CandidateList(candidates=[], pool_size=n)
        required = list(dict.fromkeys(_canonical(s) for s in plan.required_skills))
        # Related skills (taxonomy expansions) boost like nice-to-haves: they never filter.
        optional = [
            s for s in dict.fromkeys(
                _canonical(s) for s in (*plan.optional_skills, *plan.related_skills)
            )
            if s not in required
        ]  # fmt: skip
        eligible = self._filter(plan)
        met = self._must_haves_met(required)
        if strict and required:
            eligible &= met == len(required)
        if not eligible.any():
            return CandidateList(candidates=[], pool_size=n)

        fused = np.zeros(n, dtype=np.float64)
        weights = self._query_weights(plan, required, optional)
        lexical = self._lexical or self._build_lexical()
        for bm25, weight in (
            (lexical.bm25, self._lexical_weight),
            (lexical.titles, self._title_weight),
        ):
            if weight > 0:
                scores = _bm25_scores(bm25, weights, n)
                self._add_rrf(fused, scores, eligible, weight, positive_only=True)
        query = plan.semantic_query.strip() or plan.boolean_query
        if query.strip() and self._dense_weight > 0:
            texts = query_sentences(query) if self._sentence_max else [query.strip()]
            vectors = self._embedder.embed(texts or [query.strip()])
            # einsum, not ``@``: it runs on the calling thread, while BLAS's thread pool on a
            # busy two-core box takes 1-12 ms to wake up for a 5 ms product (measured). All
            # sentences in one pass over the matrix: 13 ms for four at 100,000, not 4 x 5.
            if len(vectors) == 1:
                dense = np.einsum("ij,j->i", self._vectors, vectors[0])
            else:
                by_sentence = np.einsum("ij,kj->ik", self._vectors, vectors)
                dense = by_sentence[:, 0].copy()
                for column in by_sentence.T[1:]:  # faster than .max(axis=1) on 4-wide rows
                    np.maximum(dense, column, out=dense)
            self._add_rrf(fused, dense, eligible, self._dense_weight, positive_only=False)
        best_possible = (self._lexical_weight + self._dense_weight + self._title_weight) / (
            RRF_K + 1
        )

        order = np.flatnonzero(fused > 0)
        # Must-haves met come first when they do not filter; then the fused score, then id.
        # Keep only what can reach the top ``limit`` (ties at the cut included), then sort
        # that handful in Python with the id as the last key.
        key = met[order] * 10.0 + fused[order] / best_possible  # fused/best <= 1
        if order.size > limit:
            cut = np.partition(key, order.size - limit)[order.size - limit]
            order = order[key >= cut]
        ranked = sorted(
            order.tolist(),
            key=lambda r: (-int(met[r]), -fused[r], self._candidates[r].id),
        )
        matches: list[CandidateMatch] = []
        for row in ranked[:limit]:
            candidate = self._candidates[row]
            matches.append(
                CandidateMatch(
                    candidate_id=candidate.id,
                    name=candidate.name,
                    headline=candidate.headline,
                    score=round(float(fused[row] / best_possible), 4),
                    matched_skills=[s for s in (*required, *optional) if self._mentions(row, s)],
                )
            )
        return CandidateList(candidates=matches, pool_size=n)

    def candidate(self, candidate_id: str) -> Candidate | None:
        """The indexed record of a candidate, or ``None``."""
        return self._by_id.get(candidate_id)

    def _mentions(self, row: int, skill: str) -> bool:
        """Whether a candidate's text names ``skill`` (any alias), as the filter sees it."""
        if skill not in SKILLS:
            return skill_pattern(skill).search(_lexical_text(self._candidates[row])) is not None
        lexical = self._lexical or self._build_lexical()
        rows = lexical.skill_rows.get(skill)
        if rows is None:
            return False
        at = int(np.searchsorted(rows, row))
        return at < rows.size and int(rows[at]) == row

    def _filter(self, plan: SearchPlan) -> npt.NDArray[np.bool_]:
        eligible = np.ones(len(self._candidates), dtype=bool)
        if plan.min_years is not None:
            eligible &= (self._years < 0) | (self._years >= plan.min_years)
        city = _city(plan.location)
        if city is not None and city not in _REMOTE:
            same = np.array([c == city for c in self._cities], dtype=bool)
            eligible &= same | self._open_location
        return eligible

    def _must_haves_met(self, required: Sequence[str]) -> npt.NDArray[np.int32]:
        """Per candidate, how many required skills (or an alias) their text mentions."""
        met = np.zeros(len(self._candidates), dtype=np.int32)
        lexical = self._lexical or self._build_lexical()
        for skill in required:
            if skill in SKILLS:
                rows = lexical.skill_rows.get(skill)
                if rows is not None:
                    met[rows] += 1
                continue
            # A skill the vocabulary does not know is looked for as written, word for word.
            pattern = skill_pattern(skill)
            for row, candidate in enumerate(self._candidates):
                if pattern.search(_lexical_text(candidate)):
                    met[row] += 1
        return met

    @staticmethod
    def _query_weights(
        plan: SearchPlan, required: Sequence[str], optional: Sequence[str]
    ) -> dict[str, float]:
        """The BM25 query: each of the plan's words and skill tokens with its weight."""
        weights: dict[str, float] = {}
        # Query words count as often as the query says them: a JD that repeats "accounting"
        # is about accounting (+0.02 nDCG@10 against counting each word once).
        for token in lexical_tokens(plan.boolean_query)[0]:
            if token not in _OPERATORS and not token.startswith(SKILL_PREFIX):
                weights[token] = weights.get(token, 0.0) + 1.0
        # Skills come from the plan's lists, not from the aliases spelled in the query.
        for skills_of_kind, weight in (
            (optional, OPTIONAL_SKILL_WEIGHT),
            (required, REQUIRED_SKILL_WEIGHT),
        ):
            for skill in skills_of_kind:
                if skill in SKILLS:
                    weights[_skill_token(skill)] = weight
                else:
                    for word in lexical_tokens(skill)[0]:
                        weights[word] = max(weights.get(word, 0.0), weight)
        return weights

    @staticmethod
    def _add_rrf(
        fused: npt.NDArray[np.float64],
        scores: npt.NDArray[np.floating[Any]],
        eligible: npt.NDArray[np.bool_],
        weight: float,
        *,
        positive_only: bool,
    ) -> None:
        """Add ``weight / (RRF_K + rank)`` for the top eligible candidates of one ranking."""
        if weight <= 0:
            return
        # Work on the eligible rows only (all of them, without a copy, when nothing filters).
        rows = None if eligible.all() else np.flatnonzero(eligible)
        values = scores if rows is None else scores[rows]
        if positive_only:
            keep = np.flatnonzero(values > 0)
            rows = keep if rows is None else rows[keep]
            values = values[keep]
        if values.size == 0:
            return
        if values.size > FUSION_DEPTH:
            top = np.argpartition(-values, FUSION_DEPTH - 1)[:FUSION_DEPTH]
        else:
            top = np.arange(values.size)
        # Stable order on equal scores: by row, so results do not depend on argpartition.
        top = top[np.lexsort((top, -values[top]))]
        ranked = top if rows is None else rows[top]
        fused[ranked] += weight / (RRF_K + 1 + np.arange(ranked.size))


def _bm25_scores(bm25: Any, weights: dict[str, float], n: int) -> npt.NDArray[np.float32]:
    """Weighted BM25 from bm25s's precomputed per-token scores (its CSC arrays).

    bm25s's own ``get_scores`` uses ``np.add.at``, about ten times slower than adding one
    token's posting list with fancy indexing (a token's documents are distinct, so that is
    exact), and it has no term weights.
    """
    scores = np.zeros(n, dtype=np.float32)
    vocab: dict[str, int] = getattr(bm25, "vocab_dict", {}) or {}
    if not weights or not vocab:
        return scores
    data = bm25.scores["data"]
    indices = bm25.scores["indices"]
    indptr = bm25.scores["indptr"]
    for token, weight in weights.items():
        token_id = vocab.get(token)
        if token_id is None or not token:
            continue
        start, end = int(indptr[token_id]), int(indptr[token_id + 1])
        scores[indices[start:end]] += np.float32(weight) * data[start:end]
    return scores
