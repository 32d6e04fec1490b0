"""The search plan of a job: what the sourcer searches for, shown to the recruiter as is.

The plan is built from the job's requirements: must-have skills are required (a boolean AND of
their aliases), nice-to-have skills only boost; the minimum years, the location and a semantic
query complete it. ``domain.hybrid_search`` runs it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from domain.artifacts import JobDescription, Requirement, SearchPlan
from domain.screening import key_phrases
from domain.skills import canonical_skill, skill_aliases
from domain.taxonomy import default_taxonomy

__all__ = ["build_search_plan", "tokenize"]

# A few related skills per must-have widen recall; more would drown the requirement itself.
RELATED_PER_SKILL = 2

# Keeps "node.js", "c++", "c#" and "asp.net" whole; "PostgreSQL-backed" gives "postgresql".
_TOKEN = re.compile(r"[a-z0-9]+(?:\.[a-z0-9]+)*(?:\+\+|#)?")
_PARENTHETICAL = re.compile(r"\s*\([^)]*\)")
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
    suffix, never ANDed; the taxonomy's first related skills of each must-have (Kubernetes:
    docker, devops) are listed in a ``[related: ...]`` suffix and only boost too.
    Requirements that name no known skill contribute their key phrases.
    ``min_years`` is the largest any must-have asks for; the location drops parentheticals
    such as "(hybrid)".
    """
    required = _unique(_canonical(s) for r in jd.must_haves for s in r.skills)
    optional = [
        s for s in _unique(_canonical(s) for r in jd.nice_to_haves for s in r.skills)
        if s not in required
    ]  # fmt: skip
    years = [r.min_years for r in jd.must_haves if r.min_years is not None]
    taxonomy = default_taxonomy()
    related = [
        s
        for s in _unique(
            r for skill in required for r in taxonomy.related(skill)[:RELATED_PER_SKILL]
        )
        if s not in required and s not in optional
    ]

    query = " AND ".join(_skill_groups(jd.must_haves, required))
    boost = _skill_groups(jd.nice_to_haves, optional)
    if boost:
        query = f"{query} [boost: {' '.join(boost)}]".strip()
    if related:
        query = f"{query} [related: {', '.join(related)}]".strip()
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
        related_skills=related,
        min_years=max(years) if years else None,
        location=_strip_parentheticals(jd.location),
        semantic_query=semantic,
    )
