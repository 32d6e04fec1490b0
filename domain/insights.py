"""Talent-pool insights for a search plan or job: how many could fit, and what narrows the pool.

For a recruiter deciding whether a requirement is realistic: the pool size, how many candidates
meet each must-have (the skill found anywhere in the resume text by the taxonomy's patterns, so
prose counts as much as a skills line), how many meet all of them, the skills most often found
next to the must-haves, and which must-have narrows the pool most, as a hint to relax it.

A must-have that names several skills needs all of them, or any one when it says "or" (as
screening reads it); one that names no known skill is matched by its key phrases. Each resume's
skills are extracted once, so 10,000 candidates take seconds.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from domain.artifacts import (
    JobDescription,
    MustHaveCount,
    PoolInsights,
    RelaxHint,
    SearchPlan,
    SkillCount,
)
from domain.entities import Candidate
from domain.screening import key_phrases
from domain.skills import canonical_skill, find_skills, skill_pattern

__all__ = [
    "MustHaveCount",
    "PoolInsights",
    "RelaxHint",
    "SkillCount",
    "pool_insights",
]

TOP_SKILLS = 10


# --- must-haves --------------------------------------------------------------------------

_ALTERNATIVES = re.compile(r"\bor\b|/", re.IGNORECASE)
_Test = Callable[[frozenset[str], str], bool]


@dataclass(frozen=True)
class _MustHave:
    label: str
    skills: tuple[str, ...]
    test: _Test


def _skill_test(skill: str) -> _Test:
    canonical = canonical_skill(skill)
    if canonical is not None:
        return lambda found, _text: canonical in found
    # A skill the vocabulary does not know: its own whole-word pattern on the text.
    pattern = skill_pattern(skill)
    return lambda _found, text: pattern.search(text) is not None


def _phrase_test(phrase: str) -> _Test:
    words = [re.compile(rf"(?<![\w+#]){re.escape(w)}(?![\w+#])", re.I) for w in phrase.split()]
    return lambda _found, text: all(w.search(text) for w in words)


def _combine(tests: list[_Test], any_of: bool) -> _Test:
    if any_of:
        return lambda found, text: any(t(found, text) for t in tests)
    return lambda found, text: bool(tests) and all(t(found, text) for t in tests)


def _must_haves(plan_or_jd: SearchPlan | JobDescription) -> list[_MustHave]:
    if isinstance(plan_or_jd, SearchPlan):
        return [
            _MustHave(skill, (canonical_skill(skill) or skill,), _skill_test(skill))
            for skill in plan_or_jd.required_skills
        ]
    must: list[_MustHave] = []
    for requirement in plan_or_jd.must_haves:
        if requirement.skills:
            tests = [_skill_test(s) for s in requirement.skills]
        else:
            tests = [_phrase_test(p) for p in key_phrases(requirement.text)]
        any_of = bool(_ALTERNATIVES.search(requirement.text)) and len(tests) > 1
        skills = tuple(canonical_skill(s) or s for s in requirement.skills)
        must.append(_MustHave(requirement.text, skills, _combine(tests, any_of)))
    return must


def _relax_hint(labels: Sequence[str], meets: np.ndarray) -> RelaxHint | None:
    """The must-have whose removal gains most candidates meeting all the others."""
    if meets.shape[1] < 2:
        return None
    now = int(meets.all(axis=1).sum())
    best: tuple[int, int] | None = None
    for i in range(meets.shape[1]):
        without = int(np.delete(meets, i, axis=1).all(axis=1).sum())
        if without > now and (best is None or without > best[1]):
            best = (i, without)
    if best is None:
        return None
    i, without = best
    return RelaxHint(
        requirement=labels[i],
        meeting_all=now,
        meeting_all_without=without,
        message=(
            f"Dropping '{labels[i]}' would raise the candidates meeting every must-have "
            f"from {now} to {without}."
        ),
    )


def pool_insights(
    candidates: Sequence[Candidate],
    plan_or_jd: SearchPlan | JobDescription,
    *,
    top: int = TOP_SKILLS,
) -> PoolInsights:
    """Insights for the must-haves of a search plan (its required skills) or a job.

    Co-occurring skills are counted over the candidates who meet at least one must-have,
    leaving out the must-have skills themselves; the top ``top`` come first by count, then name.
    """
    must = _must_haves(plan_or_jd)
    meets = np.zeros((len(candidates), len(must)), dtype=bool)
    together: Counter[str] = Counter()
    required = {skill for m in must for skill in m.skills}
    for row, candidate in enumerate(candidates):
        text = candidate.resume_text
        found = frozenset(find_skills(text))
        for column, must_have in enumerate(must):
            meets[row, column] = must_have.test(found, text)
        if must and meets[row].any():
            together.update(found - required)
    meeting_all = int(meets.all(axis=1).sum()) if must else 0
    ranked = sorted(together.items(), key=lambda item: (-item[1], item[0]))[:top]
    return PoolInsights(
        pool_size=len(candidates),
        must_haves=[
            MustHaveCount(requirement=m.label, skills=list(m.skills), candidates=int(count))
            for m, count in zip(must, meets.sum(axis=0), strict=True)
        ],
        meeting_all=meeting_all,
        co_occurring=[SkillCount(skill=skill, candidates=count) for skill, count in ranked],
        narrowest=_relax_hint([m.label for m in must], meets),
    )
