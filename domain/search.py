"""Keyword and skill search over a candidate pool: a search plan from a job, and BM25 ranking.

The plan is built from the job's requirements: must-have skills are required, nice-to-have
skills only boost. The search scores each candidate by how many required skills their resume
shows (coverage) and by BM25 over the resume, headline and skills, then filters by years and
location. Everything is deterministic: equal scores are ordered by candidate id.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from domain.artifacts import CandidateList, CandidateMatch, JobDescription, Requirement, SearchPlan
from domain.entities import Candidate
from domain.errors import DomainError
from domain.screening import experience_text, key_phrases
from domain.skills import canonical_skill, skill_aliases, skill_pattern

__all__ = [
    "BM25_B",
    "BM25_K1",
    "CandidateIndex",
    "build_search_plan",
    "search_candidates",
    "tokenize",
]

BM25_K1 = 1.2
BM25_B = 0.75
REQUIRED_WEIGHT = 2.0
OPTIONAL_WEIGHT = 1.0
COVERAGE_SHARE = 0.6
BM25_SHARE = 0.4
SAME_CITY_BOOST = 0.05
# Listing a skill is a claim, not evidence: a skill found only in a skills line (or the header)
# earns half the coverage of one the experience shows, as screening counts it "partial".
CLAIM_ONLY_COVERAGE = 0.5

# Keeps "node.js", "c++", "c#" and "asp.net" whole; "PostgreSQL-backed" gives "postgresql".
_TOKEN = re.compile(r"[a-z0-9]+(?:\.[a-z0-9]+)*(?:\+\+|#)?")
_PARENTHETICAL = re.compile(r"\s*\([^)]*\)")
_REMOTE = frozenset({"remote", "anywhere", "worldwide"})
# Words too common in job titles and requirements to rank on, for plans without skills.
_QUERY_STOPWORDS = frozenset(
    """a an and or the of in on with for to at by as is are be from years year experience
    strong solid proven professional knowledge plus must nice have senior junior""".split()
)


def tokenize(text: str) -> list[str]:
    """Lowercase word tokens of ``text``, as the index and the query terms both see them."""
    return _TOKEN.findall(text.lower())


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(item for item in items if item))


def _canonical(skill: str) -> str:
    """The vocabulary's name for a skill, or the skill itself, lowercased, when it is unknown."""
    return canonical_skill(skill) or " ".join(skill.lower().split())


def _aliases(skill: str) -> tuple[str, ...]:
    """Every spelling of a skill; an unknown skill is searched for as written."""
    return skill_aliases(skill) or (_canonical(skill),)


def _strip_parentheticals(text: str | None) -> str | None:
    """ "Berlin (hybrid)" -> "Berlin"; None or nothing left -> None."""
    if text is None:
        return None
    stripped = _PARENTHETICAL.sub("", text).strip()
    return stripped or None


def _city(location: str | None) -> str | None:
    """The comparable city of a location: no parentheticals, no country, casefolded."""
    stripped = _strip_parentheticals(location)
    if stripped is None:
        return None
    return stripped.split(",")[0].strip().casefold() or None


def _quoted_group(terms: Iterable[str]) -> str:
    """``("postgresql" OR "postgres" OR "psql")``; empty when there are no terms."""
    quoted = _unique(f'"{term.replace(chr(34), "")}"' for term in terms)
    return f"({' OR '.join(quoted)})" if quoted else ""


def _skill_groups(requirements: Sequence[Requirement], skills: Sequence[str]) -> list[str]:
    """One OR-group per skill, then one per requirement that names no known skill."""
    groups = [_quoted_group(_aliases(skill)) for skill in skills]
    groups += [_quoted_group(key_phrases(r.text)) for r in requirements if not r.skills]
    return _unique(groups)


def build_search_plan(jd: JobDescription) -> SearchPlan:
    """A search plan for a job description.

    Must-have skills become required and are ANDed in the boolean query, each as an OR-group
    of its aliases; nice-to-have skills are optional and only listed in a ``[boost: ...]``
    suffix, never ANDed. Requirements that name no known skill contribute their key phrases.
    ``min_years`` is the largest any must-have asks for; the location drops parentheticals
    such as "(hybrid)".
    """
    required = _unique(_canonical(s) for r in jd.must_haves for s in r.skills)
    optional = [
        s for s in _unique(_canonical(s) for r in jd.nice_to_haves for s in r.skills)
        if s not in required
    ]  # fmt: skip
    years = [r.min_years for r in jd.must_haves if r.min_years is not None]

    query = " AND ".join(_skill_groups(jd.must_haves, required))
    boost = _skill_groups(jd.nice_to_haves, optional)
    if boost:
        query = f"{query} [boost: {' '.join(boost)}]".strip()
    if not query:
        # Nothing to search for but the title: better a phrase search than an empty query.
        query = _quoted_group([jd.title])

    semantic = ". ".join(
        [jd.title.strip(), *(r.text.strip().rstrip(".") for r in jd.must_haves if r.text.strip())]
    )
    return SearchPlan(
        boolean_query=query,
        required_skills=required,
        optional_skills=optional,
        min_years=max(years) if years else None,
        location=_strip_parentheticals(jd.location),
        semantic_query=semantic,
    )


@dataclass(frozen=True)
class _Term:
    """A query term: every spelling of one concept (as token sequences) and its weight."""

    phrases: tuple[tuple[str, ...], ...]
    weight: float


@dataclass(frozen=True)
class _Doc:
    """One indexed candidate: tokens, where each token occurs, and its city."""

    tokens: tuple[str, ...]
    positions: dict[str, list[int]]
    city: str | None


class CandidateIndex:
    """A BM25 index over a candidate pool, built once and reused across searches.

    Each candidate is tokenised once (resume, headline and skills). What a query needs beyond
    that, per-skill term frequencies and skill coverage, is computed on first use and cached,
    so repeated or similar searches over the same pool do no repeated work.
    """

    def __init__(self, pool: Sequence[Candidate]) -> None:
        self._candidates: tuple[Candidate, ...] = tuple(pool)
        docs: list[_Doc] = []
        for candidate in self._candidates:
            text = "\n".join(
                [candidate.headline, candidate.resume_text, " ".join(candidate.skills)]
            )
            tokens = tuple(tokenize(text))
            positions: dict[str, list[int]] = {}
            for index, token in enumerate(tokens):
                positions.setdefault(token, []).append(index)
            docs.append(_Doc(tokens, positions, _city(candidate.location)))
        self._docs: tuple[_Doc, ...] = tuple(docs)
        total = sum(len(doc.tokens) for doc in docs)
        self._avgdl = total / len(docs) if docs else 0.0
        self._tf_cache: dict[tuple[tuple[str, ...], ...], tuple[int, ...]] = {}
        self._coverage_cache: dict[str, tuple[float, ...]] = {}
        self._experience: tuple[str, ...] | None = None

    def __len__(self) -> int:
        return len(self._candidates)

    @property
    def candidates(self) -> tuple[Candidate, ...]:
        """The indexed pool, in the order it was given."""
        return self._candidates

    def _term_frequencies(self, phrases: tuple[tuple[str, ...], ...]) -> tuple[int, ...]:
        """How often any spelling occurs in each document (start positions counted once)."""
        cached = self._tf_cache.get(phrases)
        if cached is not None:
            return cached
        counts: list[int] = []
        for doc in self._docs:
            starts: set[int] = set()
            for phrase in phrases:
                for start in doc.positions.get(phrase[0], ()):
                    if doc.tokens[start : start + len(phrase)] == phrase:
                        starts.add(start)
            counts.append(len(starts))
        result = tuple(counts)
        self._tf_cache[phrases] = result
        return result

    def _bm25(self, terms: Sequence[_Term]) -> list[float]:
        """BM25 (k1=1.2, b=0.75, Lucene's non-negative idf) of every document for the terms."""
        n = len(self._docs)
        scores = [0.0] * n
        for term in terms:
            tfs = self._term_frequencies(term.phrases)
            df = sum(1 for tf in tfs if tf)
            if not df:
                continue
            idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
            for i, tf in enumerate(tfs):
                if tf:
                    norm = 1 - BM25_B + BM25_B * len(self._docs[i].tokens) / self._avgdl
                    scores[i] += term.weight * idf * tf * (BM25_K1 + 1) / (tf + BM25_K1 * norm)
        return scores

    def _experience_texts(self) -> tuple[str, ...]:
        if self._experience is None:
            self._experience = tuple(experience_text(c.resume_text) for c in self._candidates)
        return self._experience

    def _skill_coverage(self, skill: str) -> tuple[float, ...]:
        """Per candidate: 1 if the experience shows the skill, 0.5 if only claimed, else 0."""
        cached = self._coverage_cache.get(skill)
        if cached is not None:
            return cached
        pattern = skill_pattern(skill)
        credits: list[float] = []
        for candidate, experience in zip(self._candidates, self._experience_texts(), strict=True):
            if pattern.search(experience):
                credits.append(1.0)
            elif pattern.search(candidate.resume_text):
                credits.append(CLAIM_ONLY_COVERAGE)
            else:
                credits.append(0.0)
        result = tuple(credits)
        self._coverage_cache[skill] = result
        return result

    def search(self, plan: SearchPlan, limit: int = 25) -> CandidateList:
        """The best ``limit`` candidates for ``plan``, best first.

        Score: 0.6 x coverage of the required skills (of the optional ones when none is
        required) + 0.4 x BM25 normalised by the best BM25 of this query, rounded to 4 decimals.
        Candidates matching no query term are left out. Raises DomainError for a negative limit.
        """
        if limit < 0:
            raise DomainError(f"limit must be 0 or more, got {limit}")
        required = _unique(_canonical(s) for s in plan.required_skills)
        optional = [
            s for s in _unique(_canonical(s) for s in plan.optional_skills) if s not in required
        ]
        terms = _query_terms(plan, required, optional)
        raw = self._bm25(terms)
        coverage_skills = required or optional
        coverage = [0.0] * len(self._docs)
        for skill in coverage_skills:
            for i, credit in enumerate(self._skill_coverage(skill)):
                coverage[i] += credit / len(coverage_skills)

        # One year of tolerance: totals on resumes are rounded down and go stale (a resume
        # written last year says 4 where 5 is true now), and screening checks years against
        # the evidence anyway, so sourcing errs on the side of recall.
        floor = plan.min_years - 1 if plan.min_years is not None else None
        eligible = [
            i
            for i, candidate in enumerate(self._candidates)
            if (raw[i] > 0 or coverage[i] > 0)
            # Unknown years (an anonymised import) is no reason to hide someone.
            and (
                floor is None
                or candidate.years_experience is None
                or candidate.years_experience >= floor
            )
        ]
        best = max((raw[i] for i in eligible), default=0.0)

        def base(i: int) -> float:
            relevance = raw[i] / best if best > 0 else 0.0
            if not coverage_skills:
                return relevance
            return COVERAGE_SHARE * coverage[i] + BM25_SHARE * relevance

        boosts = [0.0] * len(self._docs)
        city = _city(plan.location)
        if city is not None and city not in _REMOTE:
            local = [i for i in eligible if self._docs[i].city in (city, "remote")]
            if len(local) >= limit:
                eligible = local
            else:
                # Recruiters would rather see more candidates than a short or empty list, so
                # when the location leaves too few, keep everyone and only favour the city.
                for i in eligible:
                    if self._docs[i].city == city:
                        boosts[i] = SAME_CITY_BOOST

        ranked = sorted(
            ((round(base(i) + boosts[i], 4), i) for i in eligible),
            key=lambda item: (-item[0], self._candidates[item[1]].id),
        )
        matches: list[CandidateMatch] = []
        for score, i in ranked[:limit]:
            candidate = self._candidates[i]
            matched = [
                s for s in (*required, *optional) if skill_pattern(s).search(candidate.resume_text)
            ]
            matches.append(
                CandidateMatch(
                    candidate_id=candidate.id,
                    name=candidate.name,
                    headline=candidate.headline,
                    score=score,
                    matched_skills=matched,
                )
            )
        return CandidateList(candidates=matches, pool_size=len(self._candidates))


def _query_terms(plan: SearchPlan, required: Sequence[str], optional: Sequence[str]) -> list[_Term]:
    """BM25 terms: required skills weigh 2, optional 1, all aliases of a skill as one term.

    A plan with no skills at all falls back to the words of its semantic query, so a role the
    skills vocabulary does not cover still finds someone.
    """
    terms: list[_Term] = []
    for skills, weight in ((required, REQUIRED_WEIGHT), (optional, OPTIONAL_WEIGHT)):
        for skill in skills:
            phrases = tuple(_unique_phrases(tokenize(alias) for alias in _aliases(skill)))
            if phrases:
                terms.append(_Term(phrases, weight))
    if not terms:
        words = [w for w in tokenize(plan.semantic_query) if w not in _QUERY_STOPWORDS]
        terms = [_Term(((word,),), OPTIONAL_WEIGHT) for word in _unique(words) if len(word) > 1]
    return terms


def _unique_phrases(phrases: Iterable[list[str]]) -> list[tuple[str, ...]]:
    return list(dict.fromkeys(tuple(p) for p in phrases if p))


def search_candidates(
    pool: Sequence[Candidate], plan: SearchPlan, *, limit: int = 25
) -> CandidateList:
    """Search ``pool`` for ``plan`` once; build a :class:`CandidateIndex` to search repeatedly."""
    return CandidateIndex(pool).search(plan, limit)
