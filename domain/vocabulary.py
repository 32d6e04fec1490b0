"""Recruiting vocabulary: resolve the shorthand recruiters write to the names it stands for.

Sentence embedders (hirecrew's MiniLM) place "k8s" far from "Kubernetes", "CSM" far from
"customer success manager" and "München" far from "Munich": they were never taught that these
are the same names. :func:`canonical_text` rewrites a text so that each known alias is followed
by its canonical name ("Does an SRE need k8s" -> "Does an SRE (site reliability engineer) need
k8s (kubernetes)"), which is what the memory embedder embeds, for stored memories and queries
alike, so both sides meet on the canonical names. The alias stays in the text: the original
wording still counts, and a wrong guess only adds a few words instead of replacing any.

Two sources, both pure data shipped with hirecrew:

- skills: the curated skills taxonomy (``domain.skills``, ``domain/data/taxonomy.json``), with
  its guarded matching ("Go" the language, not "go" the verb);
- everything else: ``domain/data/vocabulary.json``: role-title acronyms (SRE, CSM, AE, EM...),
  recruiting jargon (HM, JD, EEO, OTE...), a few tool abbreviations the taxonomy lacks (SFDC),
  city abbreviations and local names (NYC, München, Köln, Bengaluru...) and industry
  contractions (fintech, edtech, insurtech...).

Only different *names* of one thing belong in the table, never related concepts: a platform
engineer is not a DevOps engineer, "blockchain" is not "crypto", and neither is listed. Acronyms
match case-sensitively ("PM" is a product manager, "pm" is not; "3 PM" is a time), words and
place names ignore case.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from types import MappingProxyType
from typing import Any

from domain.errors import DomainError
from domain.skills import find_skills, skill_pattern

__all__ = [
    "KINDS",
    "Mention",
    "Term",
    "Vocabulary",
    "canonical_text",
    "default_vocabulary",
    "find_mentions",
]

KINDS = ("role", "word", "recruiting", "skill", "place", "industry")
"""The kinds of term ``vocabulary.json`` may hold (``"skill"`` also names taxonomy matches)."""

# Not inside a word, a handle, a hashtag or a dotted name ("node.js" must not yield "js").
_LEFT = r"(?<![\w@#&])(?<!\w\.)"
# Not followed by more word ("SREs" is handled by the plural form), a "+" or a dotted suffix.
_RIGHT = r"(?![\w@#&+])(?!\.\w)"
# "3 PM", "3PM", "11:30 pm": a number right before the alias.
_AFTER_NUMBER = r"(?<!\d)(?<!\d\s)"


@dataclass(frozen=True, slots=True)
class Term:
    """One entry of the vocabulary.

    Attributes:
        canonical: the full name the aliases stand for ("site reliability engineer").
        aliases: the other ways of writing it ("SRE").
        kind: one of :data:`KINDS`.
        exact: match the aliases case-sensitively (acronyms) instead of ignoring case.
        plural: the canonical plural, for role acronyms ("SREs"); ``None`` for other kinds.
        not_after_number: skip an alias right after a number ("3 PM" is a time).
    """

    canonical: str
    aliases: tuple[str, ...]
    kind: str
    exact: bool = False
    plural: str | None = None
    not_after_number: bool = False


@dataclass(frozen=True, slots=True)
class Mention:
    """An alias found in a text: ``text[start:end]`` stands for ``canonical``."""

    start: int
    end: int
    canonical: str
    kind: str


def _fold(term: str) -> str:
    """Case-, hyphen- and layout-insensitive key of a term ("Health-Tech" -> "health tech")."""
    return " ".join(re.split(r"[\s-]+", term.casefold())).strip()


class Vocabulary:
    """A validated set of :class:`Term` with one compiled matcher for all their aliases."""

    def __init__(self, terms: Iterable[Term]) -> None:
        """Index the aliases, refusing clashes and aliases that equal their canonical name.

        Raises:
            DomainError: naming the offending term.
        """
        self._terms = tuple(terms)
        exact: dict[str, tuple[Term, bool]] = {}
        folded: dict[str, tuple[Term, bool]] = {}
        for term in self._terms:
            if term.kind not in KINDS:
                raise DomainError(f"vocabulary: {term.canonical!r} has unknown kind {term.kind!r}")
            if not term.canonical.strip() or not term.aliases:
                raise DomainError(f"vocabulary: {term.canonical!r} needs a name and aliases")
            forms = [(alias, False) for alias in term.aliases]
            if term.plural is not None:
                forms += [(alias + "s", True) for alias in term.aliases]
            for form, plural in forms:
                if _fold(form) == _fold(term.canonical):
                    raise DomainError(f"vocabulary: {form!r} is {term.canonical!r} itself")
                index, key = (exact, form) if term.exact else (folded, _fold(form))
                owner = index.setdefault(key, (term, plural))[0]
                if owner is not term:
                    raise DomainError(
                        f"vocabulary: alias {form!r} of {term.canonical!r} is already "
                        f"claimed by {owner.canonical!r}"
                    )
        self._exact: Mapping[str, tuple[Term, bool]] = MappingProxyType(exact)
        self._folded: Mapping[str, tuple[Term, bool]] = MappingProxyType(folded)
        self._pattern = self._compile()
        # A canonical name must not contain an alias, or annotating twice would not be a no-op.
        for term in self._terms:
            for name in (term.canonical, term.plural or term.canonical):
                inside = self.find(name)
                if inside:
                    raise DomainError(
                        f"vocabulary: canonical name {name!r} contains the alias "
                        f"{name[inside[0].start : inside[0].end]!r}"
                    )

    def _compile(self) -> re.Pattern[str]:
        alternatives: list[tuple[str, str]] = []
        for form, (term, _) in self._exact.items():
            guard = _AFTER_NUMBER if term.not_after_number else ""
            alternatives.append((form, f"{guard}(?-i:{_phrase(form)})"))
        for form, (term, _) in self._folded.items():
            guard = _AFTER_NUMBER if term.not_after_number else ""
            alternatives.append((form, f"{guard}{_phrase(form)}"))
        # Longest first, so "SF Bay Area" wins over "SF" at the same position.
        alternatives.sort(key=lambda item: (-len(item[0]), item[0]))
        body = "|".join(regex for _, regex in alternatives) or r"(?!)"
        return re.compile(f"{_LEFT}(?:{body}){_RIGHT}", re.IGNORECASE)

    def __len__(self) -> int:
        return len(self._terms)

    def terms(self) -> tuple[Term, ...]:
        """Every term, in file order."""
        return self._terms

    def canonical(self, alias: str) -> str | None:
        """The canonical name of an alias ("SREs" -> "site reliability engineers"), or ``None``."""
        found = self._lookup(alias.strip())
        return None if found is None else _name(*found)

    def _lookup(self, surface: str) -> tuple[Term, bool] | None:
        return self._exact.get(surface) or self._folded.get(_fold(surface))

    def find(self, text: str) -> list[Mention]:
        """The aliases of this table in ``text``, left to right, never overlapping."""
        mentions: list[Mention] = []
        for match in self._pattern.finditer(text):
            found = self._lookup(match.group())
            if found is not None:
                term, plural = found
                mentions.append(Mention(match.start(), match.end(), _name(term, plural), term.kind))
        return mentions


def _phrase(form: str) -> str:
    """Regex for one alias: spaces and hyphens between its words are interchangeable."""
    parts = [re.escape(part) for part in re.split(r"[\s-]+", form) if part]
    return r"[\s-]+".join(parts)


def _name(term: Term, plural: bool) -> str:
    return term.plural if plural and term.plural is not None else term.canonical


def _term(raw: Mapping[str, Any]) -> Term:
    try:
        kind = str(raw["kind"])
        canonical = str(raw["canonical"])
        aliases = tuple(str(alias) for alias in raw["aliases"])
        match = raw.get("match", "any")
    except (KeyError, TypeError) as exc:
        raise DomainError(f"vocabulary: malformed entry {raw!r}") from exc
    if match not in ("exact", "any"):
        raise DomainError(f"vocabulary: {canonical!r} has unknown match {match!r}")
    plural = raw.get("plural")
    if plural is None and kind == "role" and match == "exact":
        plural = canonical + "s"
    return Term(
        canonical=canonical,
        aliases=aliases,
        kind=kind,
        exact=match == "exact",
        plural=None if plural is None else str(plural),
        not_after_number=bool(raw.get("not_after_number", False)),
    )


@lru_cache(maxsize=1)
def default_vocabulary() -> Vocabulary:
    """The table bundled with hirecrew (``domain/data/vocabulary.json``), loaded once."""
    text = resources.files("domain").joinpath("data", "vocabulary.json").read_text("utf-8")
    data = json.loads(text)
    return Vocabulary(_term(raw) for raw in data["terms"])


def _skill_mentions(text: str) -> list[Mention]:
    """Taxonomy skills written by an alias ("k8s", "Postgres"). Canonical spellings and
    inflections of them ("data engineer" for "data engineering", "REST API" for "rest apis")
    are not mentions: the embedder already sees the name."""
    mentions: list[Mention] = []
    for skill in find_skills(text):
        for match in skill_pattern(skill).finditer(text):
            if match.end() > match.start() and not _inflection(match.group(), skill):
                mentions.append(Mention(match.start(), match.end(), skill, "skill"))
    return mentions


def _inflection(surface: str, name: str) -> bool:
    """Whether ``surface`` writes ``name`` word for word, up to case, hyphens and word endings
    ("Data engineer" / "data engineering", "analyst" / "analysis", "API" / "apis")."""
    ours, theirs = re.split(r"[\s-]+", _fold(surface)), re.split(r"[\s-]+", name)
    if len(ours) != len(theirs):
        return False
    for a, b in zip(ours, theirs, strict=True):
        stem = next(
            (i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b))
        )
        if a != b and (stem < 3 or a[stem:] not in _ENDINGS or b[stem:] not in _ENDINGS):
            return False
    return True


# Word endings that make one word an inflection of another in skill and role names.
_ENDINGS = frozenset({"", "s", "es", "ies", "y", "ed", "ing", "er", "ers", "or", "ion", "t", "is"})


def find_mentions(text: str, vocabulary: Vocabulary | None = None) -> list[Mention]:
    """Every alias in ``text`` with its canonical name: taxonomy skills and the vocabulary.

    Where two overlap, the leftmost and then the longest wins ("ML engineer" is one skill
    mention, "machine learning", not also an "engineer"...).

    Args:
        text: any free text.
        vocabulary: the table to use; :func:`default_vocabulary` when ``None``.

    Returns:
        Non-overlapping mentions, left to right.
    """
    table = default_vocabulary() if vocabulary is None else vocabulary
    found = _skill_mentions(text) + table.find(text)
    found.sort(key=lambda m: (m.start, -m.end))
    taken_until = -1
    kept: list[Mention] = []
    for mention in found:
        if mention.start >= taken_until:
            kept.append(mention)
            taken_until = mention.end
    return kept


def canonical_text(text: str, vocabulary: Vocabulary | None = None) -> str:
    """``text`` with each alias followed by its canonical name in parentheses.

    "Does an SRE need k8s?" -> "Does an SRE (site reliability engineer) need k8s (kubernetes)?".
    Text without aliases comes back unchanged (the same string), and so does a text that
    went through here already. Meant for what an embedder sees, never for what is stored or
    shown.

    Args:
        text: any free text.
        vocabulary: the table to use; :func:`default_vocabulary` when ``None``.
    """
    mentions = find_mentions(text, vocabulary)
    if not mentions:
        return text
    parts: list[str] = []
    at = 0
    glossed_until = -1
    for mention in mentions:
        if mention.start < glossed_until:
            continue  # inside a name this function wrote before ("fintech (financial technology)")
        gloss = f" ({mention.canonical})"
        parts.append(text[at : mention.end])
        if text.startswith(gloss, mention.end):
            # Already followed by its name (a text that went through here before): add nothing.
            glossed_until = mention.end + len(gloss)
        else:
            parts.append(gloss)
        at = mention.end
    parts.append(text[at:])
    return "".join(parts)
