"""The skills vocabulary: canonical skill names, their aliases, and how to find them in text.

The names and aliases come from the curated taxonomy (``domain.taxonomy``); this module owns how
they are matched in free text.

Canonical names are lowercase. Every alias must be safe as a whole-word match: ambiguous short
forms (``ts``, ``pr``, ``rails``, a bare ``c``) are left out, and the few canonical names that are
also everyday English words (``go``, ``rust``, ``swift``, ``react``, ``excel``, ``spark``, ``r``)
are matched with guards so that "Go Green", "rust removal", "excel at" or "A/R" do not count as
skills.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from types import MappingProxyType

from domain.taxonomy import default_taxonomy

# The vocabulary is the curated taxonomy (domain/data/taxonomy.json), never its ESCO extension:
# matching in text needs aliases that were checked by hand to be safe as whole words.
_SKILLS: dict[str, tuple[str, ...]] = {
    entry.skill: entry.aliases for entry in default_taxonomy().entries()
}

SKILLS: Mapping[str, tuple[str, ...]] = MappingProxyType(_SKILLS)
"""Canonical skill name (lowercase) -> its aliases (lowercase, without the canonical name)."""

# After a programming-language name that is also an everyday word ("Go", "Spark", "Rust"),
# require list punctuation, the end of the line or a technical noun: "Go, Rust" and "Go
# services" are skills, "Go Green initiatives" and "spark interest" are not.
_TECH_CONTEXT = (
    r"(?=[ \t]*(?:[,;/|)]|$|\.(?:\s|$))|\s+(?:programming|language|lang|developers?|development"
    r"|engineers?|engineering|code|services|microservices|backend|experience|modules|routines"
    r"|streaming|sql|jobs|clusters?|pipelines|crates?|toolchain|gateways?|apis?|library"
    r"|libraries|packages|sdks?|cli|servers?|tooling|binaries|apps?|stack|codebase)\b)"
)


def _tech_word(word: str) -> str:
    """Case-sensitive ``word`` that is a skill only after list punctuation or in tech context."""
    exact = rf"(?<![-/])(?<!\bto\s)(?-i:{word})"
    after_list = r"(?![\w+#-])(?!\s+(?:live|to|ahead)\b)"
    return rf"(?:(?<=[,/(])|(?<=[,/(]\s)){exact}{after_list}|{exact}{_TECH_CONTEXT}"


# Aliases that are also everyday words get a hand-written regex instead of the generic
# whole-word one. ``(?-i:...)`` makes a form case-sensitive inside the case-insensitive pattern:
# "Go" and "R" are languages, "go" and "r" are not.
_GUARDED: Mapping[str, str] = MappingProxyType(
    {
        "go": _tech_word("Go"),
        "rust": _tech_word("Rust"),
        "spark": _tech_word("Spark"),
        "swift": _tech_word("Swift"),
        # "A/R" is accounts receivable, "R & D" research, "R. Smith" an initial.
        "r": r"(?<![/&])(?-i:R)(?![\w+#&'’/-])(?!\s*&)(?!\.(?!\s+(?-i:[a-z])|\s*$))",
        "ml": r"(?<!\d\s)(?-i:ML)(?![\w+#-])",
        "ai": r"(?-i:AI)(?![\w+#-])",
        "rn": r"(?-i:RN)(?![\w+#-])",
        "pos": r"(?-i:POS)(?![\w+#-])",
        "qa": r"(?-i:QA)(?![\w+#-])",
        "qc": r"(?-i:QC)(?![\w+#-])",
        # Upper case only: "pals" are friends, a "vat" a tank, "iam" a common typo of "I am".
        "pals": r"(?-i:PALS)(?![\w+#-])",
        "vat": r"(?-i:VAT)(?![\w+#-])",
        "iam": r"(?-i:IAM)(?![\w+#-])",
        # Cisco IOS is a network operating system, not Apple's.
        "ios": r"(?<!cisco\s)ios(?![\w+#@])",
        "react": r"(?<!\bto\s)react(?![\w+#-])(?!\.\w)"
        r"(?!\s+(?:to|quickly|calmly|fast|well|promptly|appropriately)\b)",
        "excel": r"excel(?![\w+#-])(?!\s+(?:at|in|as|under|when)\b)",
    }
)

# Left boundary: not inside a word, a handle or a dotted name ("node.js" must not yield "js").
_LEFT = r"(?<![\w@#+])(?<!\w\.)"
# Right boundary: "c" must not match inside "c++", "java" not inside "javascript" or "java.util".
_RIGHT = r"(?![\w+#@])(?!\.\w)"


def _normalise(term: str) -> str:
    """Lowercase, trim and collapse internal whitespace, so lookups ignore layout."""
    return " ".join(term.lower().split())


def _alias_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for skill, aliases in _SKILLS.items():
        index[skill] = skill
        for alias in aliases:
            # First definition wins so the index stays deterministic if an alias is ever reused.
            index.setdefault(alias, skill)
    return index


_ALIAS_TO_SKILL: Mapping[str, str] = MappingProxyType(_alias_index())


def canonical_skill(term: str) -> str | None:
    """Map a skill name or alias to its canonical name.

    Args:
        term: any spelling, e.g. ``"K8s"`` or ``"Postgres"``; case and spacing are ignored.

    Returns:
        The canonical skill name, or ``None`` when the term is not in the vocabulary.
    """
    return _ALIAS_TO_SKILL.get(_normalise(term))


def skill_aliases(skill: str) -> tuple[str, ...]:
    """Return a skill's canonical name followed by its aliases.

    Args:
        skill: a canonical name or any alias.

    Returns:
        ``(canonical, *aliases)``, or an empty tuple when the skill is unknown.
    """
    canonical = canonical_skill(skill)
    if canonical is None:
        return ()
    return (canonical, *_SKILLS[canonical])


def _term_regex(term: str) -> str:
    """The regex for one alias: guarded if it is an everyday word, else whole-word."""
    guarded = _GUARDED.get(term)
    if guarded is not None:
        return _LEFT + guarded
    # Spaces and hyphens between the words of a phrase are interchangeable in real notes
    # ("machine-learning", "problem solving").
    parts = [re.escape(part) for part in re.split(r"[\s-]+", term) if part]
    return _LEFT + r"[\s-]+".join(parts) + _RIGHT


@lru_cache(maxsize=1024)
def _compiled(key: str) -> re.Pattern[str]:
    terms = skill_aliases(key) or (key,)
    # Longest alternatives first, so "react native" wins over "react" at the same position.
    ordered = sorted(terms, key=lambda t: (-len(t), t))
    alternation = "|".join(_term_regex(t) for t in ordered)
    return re.compile(f"(?:{alternation})", re.IGNORECASE)


def skill_pattern(skill: str) -> re.Pattern[str]:
    """Compile (once) a regex that matches any alias of a skill as a whole word or phrase.

    Args:
        skill: a canonical name or alias; an unknown term gets a whole-word pattern for itself,
            so callers can search for skills the vocabulary does not know yet.

    Returns:
        A case-insensitive compiled pattern.
    """
    # Keyed by canonical name, so "k8s" and "kubernetes" share one compiled pattern.
    return _compiled(canonical_skill(skill) or _normalise(skill))


def _needles(skill: str) -> tuple[tuple[str, ...], ...]:
    """For each alias of ``skill``, the literal words every match of it contains (casefolded)."""
    needles: list[tuple[str, ...]] = []
    for term in skill_aliases(skill):
        parts = [part.casefold() for part in re.split(r"[\s-]+", term) if part]
        needles.append(tuple(parts) or (term.casefold(),))
    return tuple(dict.fromkeys(needles))


_TOKEN = re.compile(r"\w+")

_NEEDLES: Mapping[str, tuple[tuple[str, ...], ...]] = MappingProxyType(
    {skill: _needles(skill) for skill in _SKILLS}
)


def find_skills(text: str) -> list[str]:
    """List the canonical skills mentioned in a text.

    Matching is case-insensitive and whole-word. Where two skills overlap ("crisis
    communication" vs "communication", "visual merchandising" vs "merchandising") the longer
    match wins.

    Args:
        text: any free text: intake notes, a requirement, a resume.

    Returns:
        Canonical skill names, ordered by first occurrence, without duplicates.
    """
    matches: list[tuple[int, int, str]] = []
    folded = text.casefold()
    # Where each whole word of the text starts. casefold() can change a string's length
    # ("ß" -> "ss"); positions are only valid when it did not.
    aligned = len(folded) == len(text)
    starts: dict[str, list[int]] = {}
    for token in _TOKEN.finditer(folded):
        starts.setdefault(token.group(), []).append(token.start())

    def present(word: str) -> bool:
        # A plain word must be a whole token (the patterns match whole words only); a word
        # with symbols ("c++", "node.js") needs a substring test.
        return word in starts if word.isalnum() else word in folded

    for skill, needles in _NEEDLES.items():
        # With hundreds of skills, most are absent from any one text: skip their regexes.
        live = [words for words in needles if all(present(word) for word in words)]
        if not live:
            continue
        pattern = skill_pattern(skill)
        if not aligned:
            found_here = pattern.finditer(text)
        else:
            # Try the pattern only where one of its aliases can begin, instead of scanning the
            # whole text with a pattern that starts with look-behinds (no literal prefix).
            positions: set[int] = set()
            for words in live:
                first = words[0]
                if first.isalnum():
                    positions.update(starts[first])
                else:
                    at = folded.find(first)
                    while at != -1:
                        positions.add(at)
                        at = folded.find(first, at + 1)
            found_here = (m for pos in sorted(positions) if (m := pattern.match(text, pos)))
        for match in found_here:
            if match.end() > match.start():
                matches.append((match.start(), -match.end(), skill))
    # Leftmost first, then longest first; accept a match only if it overlaps none accepted.
    matches.sort()
    taken_until = -1
    found: list[str] = []
    for start, neg_end, skill in matches:
        if start < taken_until:
            continue
        taken_until = -neg_end
        if skill not in found:
            found.append(skill)
    return found
