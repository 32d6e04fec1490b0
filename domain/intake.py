"""Parse a recruiter's free-text intake notes into a structured brief.

Notes are semi-structured: a few ``Key: value`` fields, section headers with bullet lists, and
free sentences that may carry requirements inline ("must have 3 years of SQL", "Go is a plus").
The parser keeps the recruiter's wording: it trims and removes bullets but never rewrites, so the
compliance review later sees exactly what the recruiter wrote.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Literal

from pydantic import BaseModel, Field

from domain.artifacts import Requirement, RequirementKind
from domain.errors import DomainError
from domain.skills import find_skills


class IntakeBrief(BaseModel):
    """What the recruiter asked for, structured but still in the recruiter's words."""

    title: str = Field(min_length=1)
    location: str | None = None
    employment_type: str | None = None
    summary: str = ""
    responsibilities: list[str] = Field(default_factory=list)
    must_haves: list[Requirement] = Field(default_factory=list)
    nice_to_haves: list[Requirement] = Field(default_factory=list)


# --- years of experience -------------------------------------------------------------------

_NUMBER_WORDS: dict[str, int] = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
}
_NUM = r"(?:\d{1,2}|" + "|".join(_NUMBER_WORDS) + r")"
_YEARS = r"(?:years?|yrs?)\b"
_RANGE_RE = re.compile(
    rf"\b(?P<low>{_NUM})\s*\+?\s*(?:-|–|—|to)\s*(?P<high>{_NUM})\s*\+?\s*{_YEARS}", re.IGNORECASE
)
_SINGLE_RE = re.compile(rf"\b(?P<low>{_NUM})\s*(?:\+|plus)?\s*{_YEARS}", re.IGNORECASE)
# An upper bound ("no more than 10 years") is an experience cap, not a minimum: the language
# linter flags it, and it must not turn into a minimum here.
_CAP_BEFORE_RE = re.compile(
    r"\b(?:max(?:imum)?\.?|at most|no more than|not more than|up to|less than|fewer than|under)"
    r"\s*(?:of\s+)?$",
    re.IGNORECASE,
)
# "25 to 35 years old" is an age, not experience.
_AGE_AFTER_RE = re.compile(r"^\s*(?:old|of age)\b", re.IGNORECASE)


def _number(token: str) -> int:
    token = token.lower()
    return _NUMBER_WORDS[token] if token in _NUMBER_WORDS else int(token)


def parse_min_years(text: str) -> int | None:
    """Read the minimum years of experience a requirement asks for.

    Understands "5+ years", "at least 3 years", "3-5 years" (the lower bound), "five years"
    (number words one to fifteen). Caps ("no more than 10 years") and ages ("25 to 35 years
    old") are ignored. When several durations are named, the largest minimum is returned,
    because every one of them is required.

    Args:
        text: one requirement, e.g. ``"5+ years of Python"``.

    Returns:
        The minimum number of years, or ``None`` when the text names none.
    """
    found: list[int] = []
    taken: list[tuple[int, int]] = []

    def usable(match: re.Match[str]) -> bool:
        before = text[: match.start()]
        after = text[match.end() :]
        return not _CAP_BEFORE_RE.search(before) and not _AGE_AFTER_RE.match(after)

    for match in _RANGE_RE.finditer(text):
        taken.append(match.span())
        if usable(match):
            found.append(min(_number(match["low"]), _number(match["high"])))
    for match in _SINGLE_RE.finditer(text):
        if any(start <= match.start() < end for start, end in taken):
            continue
        if usable(match):
            found.append(_number(match["low"]))
    return max(found) if found else None


def _requirement(text: str, kind: RequirementKind) -> Requirement:
    return Requirement(
        text=text, kind=kind, skills=find_skills(text), min_years=parse_min_years(text)
    )


# --- line shapes ---------------------------------------------------------------------------

_Section = Literal["summary", "responsibilities", "must", "nice"]

_TITLE_KEYS = frozenset(
    {"role", "title", "job title", "position", "job", "role title", "position title", "hiring"}
    | {"opening", "vacancy", "job role"}
)
_LOCATION_KEYS = frozenset({"location", "locations", "based in", "based", "office", "where"})
_TYPE_KEYS = frozenset(
    {"type", "employment type", "employment", "job type", "contract", "contract type"}
    | {"schedule", "hours", "work type", "position type", "role type"}
)
_SECTION_KEYS: dict[str, _Section] = {
    **dict.fromkeys(
        ["about", "about the role", "summary", "description", "overview", "context", "about us"],
        "summary",
    ),
    **dict.fromkeys(
        [
            "responsibilities",
            "key responsibilities",
            "your responsibilities",
            "duties",
            "what you'll do",
            "what you will do",
            "you will",
            "day to day",
            "tasks",
            "the role",
        ],
        "responsibilities",
    ),
    **dict.fromkeys(
        [
            "must have",
            "must haves",
            "must",
            "requirements",
            "key requirements",
            "required",
            "required skills",
            "qualifications",
            "minimum qualifications",
            "basic qualifications",
            "what you bring",
            "what we need",
            "essential",
            "essentials",
            "you have",
            "skills",
        ],
        "must",
    ),
    **dict.fromkeys(
        [
            "nice to have",
            "nice to haves",
            "bonus",
            "bonus points",
            "preferred",
            "preferred qualifications",
            "preferred skills",
            "pluses",
            "plus",
            "plusses",
            "desirable",
            "good to have",
            "would be nice",
            "extra credit",
        ],
        "nice",
    ),
}

# Bullets: -, *, •, numbered "1." / "1)", lettered "a)". A hyphen needs a space after it so
# that "-5 degrees" style text is not mistaken for a bullet, and "**Requirements**" is bold.
_BULLET_RE = re.compile(
    r"^(?:[-–—+]\s+|\*(?!\*)\s*|[•·▪‣◦]\s*|\(?\d{1,2}[.)]\s+|\(?[a-z]\)\s+)(?P<body>.*\S)\s*$"
)
_FIELD_RE = re.compile(r"^(?P<key>[A-Za-z][A-Za-z '’/&-]{0,40}?)\s*[:：]\s*(?P<value>.*)$")
_SENTENCE_END_RE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"“'(])")


def _normalise_key(key: str) -> str:
    """'Must-Haves' -> 'must haves', 'What you’ll do' -> "what you'll do"."""
    key = key.replace("’", "'").replace("-", " ").replace("_", " ").lower()
    return " ".join(key.split())


def _strip_markup(line: str) -> str:
    """Drop markdown heading marks and bold markers around a header line."""
    return line.strip().lstrip("#").strip().strip("*_").strip()


def _clean_item(text: str) -> str:
    return text.strip().strip("*_").strip().rstrip(";,").strip()


def _split_inline_list(value: str) -> list[str]:
    """Split "A, B and C" into items; commas inside parentheses do not split.

    Without a comma the value stays whole: "Python and Django" may be one requirement.
    """
    items: list[str] = []
    depth = 0
    current: list[str] = []
    for char in value:
        if char in "([":
            depth += 1
        elif char in ")]":
            depth = max(depth - 1, 0)
        if char in ",;" and depth == 0:
            items.append("".join(current))
            current = []
            continue
        current.append(char)
    items.append("".join(current))
    items = [_clean_item(item) for item in items]
    items = [item for item in items if item]
    if len(items) > 1:
        last = re.split(r"\s+(?:and|&)\s+", items[-1], maxsplit=1)
        items = items[:-1] + [part for part in (_clean_item(p) for p in last) if part]
        items[-1] = re.sub(r"^(?:and|&)\s+", "", items[-1])
    return [item.rstrip(".") for item in items]


# --- inline requirements in free sentences -------------------------------------------------

_ITEM = r"(?P<req>.+)"
_SUBJECT = r"(?:they|you|the candidate|candidates|the ideal candidate|applicants|he or she)"
_INLINE_LIST_PATTERNS: tuple[tuple[RequirementKind, re.Pattern[str]], ...] = (
    (
        "must_have",
        re.compile(r"\b(?:required|requirements?|must[- ]haves?|essentials?)\s*:\s*" + _ITEM, re.I),
    ),
    (
        "nice_to_have",
        re.compile(
            r"\b(?:nice[- ]to[- ]haves?|bonus(?: points)?|preferred|pluses|plus|desirable)\s*:\s*"
            + _ITEM,
            re.I,
        ),
    ),
)
_INLINE_PATTERNS: tuple[tuple[RequirementKind, re.Pattern[str]], ...] = (
    (
        # "Tableau (nice to have)": the marker stays in the text, it is the recruiter's wording.
        "nice_to_have",
        re.compile(
            r"^(?P<req>.+?\(\s*(?:nice[- ]to[- ]have|a plus|bonus|optional|preferred)\s*\))\s*$",
            re.I,
        ),
    ),
    (
        "nice_to_have",
        re.compile(
            rf"\bbonus(?: points)? if {_SUBJECT}\s+(?:also\s+)?"
            r"(?:know|knows|have|has|bring|brings|speak|speaks)\s+" + _ITEM,
            re.I,
        ),
    ),
    (
        "nice_to_have",
        re.compile(
            r"^(?P<req>.+?)\s+(?:is|are|would be|will be)\s+(?:also\s+)?(?:a\s+)?"
            r"(?:big\s+|huge\s+|definite\s+|nice\s+|real\s+|strong\s+)?"
            r"(?:plus|bonus|advantage|nice[- ]to[- ]have)\b",
            re.I,
        ),
    ),
    (
        "nice_to_have",
        re.compile(
            rf"\b(?:ideally|preferably)\b,?\s*(?:{_SUBJECT}\s+)?(?:also\s+)?"
            r"(?:(?:would\s+)?(?:know|knows|have|has|bring|brings)\s+)?" + _ITEM,
            re.I,
        ),
    ),
    (
        "nice_to_have",
        re.compile(
            r"\b(?:nice to have|would be nice|good to have)\b\s*(?:if\s+"
            rf"{_SUBJECT}\s+(?:know|knows|have|has)\s+)?" + _ITEM,
            re.I,
        ),
    ),
    (
        "must_have",
        re.compile(
            r"\b(?:must|should|needs? to|has to|have to)\s+(?:also\s+)?"
            r"(?:have|know|bring|possess|hold)\s+" + _ITEM,
            re.I,
        ),
    ),
    (
        "must_have",
        re.compile(
            r"\bmust be\s+(?P<req>(?:fluent|proficient|skilled|experienced|familiar|comfortable"
            r"|certified|licensed|able|willing|eligible)\b.+)",
            re.I,
        ),
    ),
    (
        "must_have",
        re.compile(
            r"^(?P<req>.+?)\s+(?:is|are)\s+(?:a\s+)?(?:required|must(?:[- ]have)?|mandatory"
            r"|essential|non[- ]negotiable)\b",
            re.I,
        ),
    ),
    ("must_have", re.compile(r"\b(?:requires?|requiring)\s+" + _ITEM, re.I)),
)


def _inline_requirements(sentence: str) -> list[tuple[RequirementKind, str]]:
    """Requirements stated inside a free sentence; empty if the sentence states none."""
    found: list[tuple[RequirementKind, str]] = []
    # Clauses split on ";" so "must have SQL; Go is a plus" yields both.
    for clause in (c.strip() for c in sentence.split(";")):
        if not clause:
            continue
        for kind, pattern in _INLINE_LIST_PATTERNS:
            match = pattern.search(clause)
            if match:
                found.extend((kind, item) for item in _split_inline_list(match["req"]))
                break
        else:
            for kind, pattern in _INLINE_PATTERNS:
                match = pattern.search(clause)
                if match:
                    text = _clean_item(match["req"]).rstrip(".!").strip()
                    text = re.sub(r"^(?:also|and|but)\s+", "", text, flags=re.I)
                    if any(char.isalnum() for char in text):
                        found.append((kind, text))
                    break
    return found


def _sentences(paragraph: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END_RE.split(paragraph) if s.strip()]


# --- the parser ----------------------------------------------------------------------------

_OPTIONAL_MARK_RE = re.compile(
    r"\b(?:nice[- ]to[- ]have|a plus|bonus|preferred|optional)\b", re.IGNORECASE
)
_NOT_A_TITLE_WORDS = frozenset({"notes", "note", "intake", "call", "meeting", "hi", "hello"})
_HIRING_RE = re.compile(
    r"\b(?:hiring|recruiting for|looking to hire|opening for)\s+(?:an?\s+)?"
    r"(?P<title>(?-i:[A-Z][\w/&+#-]*)(?:\s+(?-i:[A-Z][\w/&+#-]*))*)",
    re.IGNORECASE,
)


def _title_from_line(line: str) -> str | None:
    """A first line that reads like a job title ("Senior Backend Engineer"), else None."""
    words = line.split()
    if not words or len(words) > 8 or line[-1] in ".!?,:" or not line[0].isalpha():
        return None
    if _BULLET_RE.match(line) or {w.lower().strip(",") for w in words} & _NOT_A_TITLE_WORDS:
        return None
    # A field ("Must have: SQL") or a section header ("Requirements") is not a title.
    if ":" in line or _normalise_key(line) in _SECTION_KEYS:
        return None
    return line


class _Parser:
    """Line-by-line state machine over the notes; one instance per call."""

    def __init__(self) -> None:
        self.title: str | None = None
        self.location: str | None = None
        self.employment_type: str | None = None
        self.summary: list[str] = []
        self.responsibilities: list[str] = []
        self.must: list[str] = []
        self.nice: list[str] = []
        self.section: _Section | None = None
        self.section_has_bullets = False
        self.paragraph: list[str] = []

    def add(self, section: _Section, items: Iterable[str]) -> None:
        for item in items:
            item = _clean_item(item)
            if not item:
                continue
            if section == "summary":
                self.paragraph.append(item)
                continue
            if section == "must" and _OPTIONAL_MARK_RE.search(item):
                # "- Kafka (nice to have)" under Requirements is optional all the same.
                section_list = self.nice
            else:
                section_list = {
                    "responsibilities": self.responsibilities,
                    "must": self.must,
                    "nice": self.nice,
                }[section]
            section_list.append(item)

    def flush_paragraph(self) -> None:
        """Turn buffered free text into summary sentences or inline requirements."""
        text = " ".join(self.paragraph)
        self.paragraph = []
        for sentence in _sentences(text):
            inline = _inline_requirements(sentence)
            if not inline:
                self.summary.append(sentence)
            for kind, item in inline:
                (self.must if kind == "must_have" else self.nice).append(item)

    def start_section(self, section: _Section) -> None:
        self.flush_paragraph()
        self.section = section
        self.section_has_bullets = False

    def field(self, key: str, value: str) -> bool:
        """Handle a ``Key: value`` line; False when the key is not one we know."""
        if key in _TITLE_KEYS:
            if self.title is None and value:
                self.title = value
        elif key in _LOCATION_KEYS:
            self.location = self.location or value or None
        elif key in _TYPE_KEYS:
            self.employment_type = self.employment_type or value or None
        elif key in _SECTION_KEYS:
            section = _SECTION_KEYS[key]
            self.start_section(section)
            if value:
                if section == "summary":
                    self.paragraph.append(value)
                else:
                    self.add(section, _split_inline_list(value))
                    # The list was given inline, so a plain line after it is prose, not an item.
                    self.section_has_bullets = True
            return True
        else:
            return False
        self.flush_paragraph()
        self.section = None
        return True

    def line(self, raw: str, after_blank: bool) -> None:
        line = raw.strip()
        header = _normalise_key(_strip_markup(line).rstrip(":：").strip())
        if header in _SECTION_KEYS and not _BULLET_RE.match(line):
            self.start_section(_SECTION_KEYS[header])
            return
        field = _FIELD_RE.match(_strip_markup(line))
        if field and self.field(_normalise_key(field["key"]), field["value"].strip()):
            return
        bullet = _BULLET_RE.match(line)
        if bullet:
            self.bullet(bullet["body"])
            return
        in_list = self.section in ("responsibilities", "must", "nice")
        if in_list and not after_blank and not self.section_has_bullets and self.section:
            # A list written without bullets, one item per line.
            self.add(self.section, [line])
            return
        if in_list:
            # Prose after a bulleted list (or after a blank line) ends the list.
            self.section = None
        self.paragraph.append(line)

    def bullet(self, body: str) -> None:
        self.section_has_bullets = True
        if self.section in ("responsibilities", "must", "nice"):
            self.add(self.section, [body])
            return
        # A bullet outside any list: an inline cue decides, else it describes the work.
        self.flush_paragraph()
        inline = _inline_requirements(body)
        if inline:
            for kind, item in inline:
                (self.must if kind == "must_have" else self.nice).append(item)
        else:
            self.responsibilities.append(_clean_item(body))


def _dedupe(items: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    out: list[str] = []
    for item in items:
        key = " ".join(item.lower().split())
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out


def parse_intake_notes(notes: str) -> IntakeBrief:
    """Parse a recruiter's intake notes into an :class:`IntakeBrief`.

    Recognises ``Role:``/``Title:``/``Position:``/``Job:``, ``Location:`` and ``Type:`` fields;
    sections for responsibilities, must-haves (``Must have:``, ``Requirements:``, ``Required:``)
    and nice-to-haves (``Nice to have:``, ``Bonus:``, ``Preferred:``, ``Pluses:``); bullets
    ``-``, ``*``, ``•`` and ``1.``; and inline sentences such as "must have 3 years of SQL" or
    "Go is a plus". Everything else becomes the summary, word for word.

    Args:
        notes: the recruiter's notes as typed.

    Returns:
        The structured brief; each requirement carries its skills and minimum years.

    Raises:
        DomainError: the notes are empty, or no job title can be found in them.
    """
    if not notes or not notes.strip():
        raise DomainError("The intake notes are empty: write at least the job title and needs.")
    lines = notes.splitlines()
    parser = _Parser()
    first_index = next(i for i, line in enumerate(lines) if line.strip())
    has_title_field = any(
        (m := _FIELD_RE.match(_strip_markup(line))) and _normalise_key(m["key"]) in _TITLE_KEYS
        for line in lines
    )
    after_blank = False
    for index, raw in enumerate(lines):
        if not raw.strip():
            parser.flush_paragraph()
            after_blank = True
            continue
        if index == first_index and not has_title_field:
            title = _title_from_line(_strip_markup(raw))
            if title is not None:
                parser.title = title
                continue
        parser.line(raw, after_blank)
        after_blank = False
    parser.flush_paragraph()

    title = parser.title
    if title is None:
        hiring = _HIRING_RE.search(notes)
        title = hiring["title"].rstrip(".") if hiring else None
    if not title:
        raise DomainError(
            "No job title found in the intake notes: add a line such as "
            "'Title: Senior Backend Engineer'."
        )
    return IntakeBrief(
        title=title,
        location=parser.location,
        employment_type=parser.employment_type,
        summary=" ".join(parser.summary),
        responsibilities=_dedupe(parser.responsibilities),
        must_haves=[_requirement(t, "must_have") for t in _dedupe(parser.must)],
        nice_to_haves=[_requirement(t, "nice_to_have") for t in _dedupe(parser.nice)],
    )
