"""The blind view of a candidate: what screening sees, with identity and its proxies removed.

Screening judges job-related evidence only, so it never sees who the candidate is or anything
that stands in for a protected attribute. :func:`blind_view` empties the name, e-mail and
location fields and rewrites the resume text, replacing with bracketed placeholders:

- the candidate's name and each part of it ("[name]");
- e-mail addresses ("[email]"), phone numbers ("[phone]"), URLs and social handles ("[url]");
- street addresses ("[address]") and ZIP or postal codes ("[zip]");
- dates of birth ("[date of birth]") and ages ("age 34", "34 years old": "[age]");
- years on education lines and in "class of" / "graduated in" ("[year]"): graduation years are
  an age proxy, while employment dates stay, because experience is job-related;
- photo references ("[photo]"), marital status words ("[marital status]") and gendered titles
  such as Mr or Mrs ("[title]");
- the values of labelled personal details ("Nationality: [personal detail]": nationality,
  citizenship, religion, gender or sex, place of birth, ethnicity, race, caste, children,
  parents' or spouse's names, blood group, height, weight, health, disability, orientation,
  pronouns) and family status in prose ("two children": "[family status]").

Gendered pronouns become gender-neutral ones (he/she -> they, him -> them, his -> their or
theirs, her -> their or them, himself/herself -> themselves), so that two resumes that differ
only in those read the same. The rewrite is deterministic and idempotent: the blind view of a
blind text is itself, which lets a reviewer recompute it from the original text.

The recruiter reveals identities after the shortlist, by candidate id (:func:`reveal`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence

from pydantic import BaseModel

from domain.entities import Candidate
from domain.skills import canonical_skill

__all__ = [
    "PLACEHOLDERS",
    "RevealedCandidate",
    "blind_texts",
    "blind_view",
    "redact_text",
    "reveal",
]

NAME = "[name]"
PLACEHOLDERS = frozenset(
    {
        NAME,
        "[email]",
        "[phone]",
        "[url]",
        "[address]",
        "[zip]",
        "[date of birth]",
        "[age]",
        "[year]",
        "[photo]",
        "[marital status]",
        "[title]",
    }
)

_I = re.IGNORECASE
_Replacement = str | Callable[[re.Match[str]], str]

_EMAIL = re.compile(r"[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_URL = re.compile(
    r"\b(?:https?://|www\.)[^\s<>()\"']+"
    # Profile links without a scheme: "linkedin.com/in/ana", "github.com/ana".
    r"|\b(?:[\w-]+\.)*(?:linkedin|github|gitlab|twitter|x|facebook|instagram|behance|dribbble"
    r"|medium|stackoverflow)\.com/[^\s<>()\"',;]*",
    _I,
)
# "@handle" on its own (not the tail of an e-mail address, which goes first).
_HANDLE = re.compile(r"(?<![\w@.])@[A-Za-z0-9_]{2,30}\b")
# Phone numbers: an international prefix, an area code in brackets, or the 3-3-4 North American
# form. Digit counts are checked in _phone so that date ranges ("2015 - 2019") are left alone.
_PHONE = re.compile(
    r"(?<![\w+])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{1,4}\)[\s.-]?)?\d{2,4}(?:[\s.-]\d{2,4}){1,4}(?!\w)"
)
_STREET_WORDS = (
    r"street|st|avenue|ave|road|rd|boulevard|blvd|lane|ln|drive|dr|court|ct|way|place|pl"
    r"|terrace|parkway|pkwy|highway|hwy|square|sq"
)
_ADDRESS = re.compile(
    # "12 Main Street, Apt 4": a house number (not a year: "2009 United Way" is a charity), one
    # to three capitalised words on the same line, and a street type.
    r"(?<![\w$.,/-])(?!(?:19|20)\d\d\b)\d{1,5}[A-Za-z]?[ \t]+(?:[A-Z][A-Za-z-]*\.?[ \t]+){1,3}"
    rf"(?i:{_STREET_WORDS})\b\.?"
    r"(?:,?[ \t]*(?i:apt|apartment|suite|unit|#)\.?[ \t]*[\w-]+)?"
    # "Hauptstraße 5", "Keizersgracht 12": the number after the street.
    r"|\b[A-Z][a-zäöüß]+(?:straße|strasse|str\.|weg|gasse|platz|laan|gracht|straat)[ \t]+\d{1,4}"
    r"[a-z]?\b",
)
_STATES = frozenset(
    "AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH"
    "|NJ|NM|NY|NC|ND|OH|OK|OR|PA|PR|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY".split("|")
)
# A labelled value keeps its label (group "keep") and loses the value: "ZIP: [zip]".
_ZIP = re.compile(
    # After a two-letter US state code ("NY 10001", "Portland, OR 97201").
    r"\b(?P<state>[A-Z]{2})(?P<gap>[ \t]{1,2})\d{5}(?:-\d{4})?\b"
    r"|\b\d{5}-\d{4}\b"
    r"|(?P<label>\b(?i:zip|zip code|zipcode|postal code|postcode)\s*:?[ \t]*)"
    r"(?:\d{4,5}(?:-\d{4})?|[A-Z0-9]{2,4}[ \t]?[A-Z0-9]{3})\b"
    # UK postcodes ("SW1A 1AA", "EC2V 7HH").
    r"|\b[A-Z]{1,2}\d[A-Z\d]?[ \t]?\d[A-Z]{2}\b"
)
_MONTHS = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_DATE = (
    rf"(?:\d{{1,2}}[./-]\d{{1,2}}[./-]\d{{2,4}}|\d{{4}}-\d{{1,2}}-\d{{1,2}}"
    rf"|{_MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}|\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTHS}"
    rf",?\s+\d{{4}}|(?:19|20)\d{{2}})"
)
_BIRTH = re.compile(
    rf"(?P<keep>\b(?:date of birth|birth date|birthdate|birthday|d\.o\.b\.?|dob)\s*[:\-]?\s*"
    rf"|\bborn\s+(?:on\s+|in\s+)?){_DATE}",
    _I,
)
_AGE = re.compile(
    r"(?P<keep>\b(?:age|aged)\s*[:\-]?\s*)\d{1,2}\b(?!\s*(?:%|[-–]\s*\d|years?\s+of))"
    r"|\b\d{1,2}[\s-]+(?:years?|yrs?)[\s-]+old\b",
    _I,
)
_YEAR = re.compile(r"(?<![\w.])(?:19|20)\d{2}(?![\w%]|\.\d)")
_GRADUATION = re.compile(
    r"(?P<keep>\bclass\s+of\s+)'?\d{2,4}\b"
    r"|(?P<keep2>\b(?:graduated|graduating|graduation)\s+(?:in\s+|year\s*:?\s*)?)"
    r"(?:19|20)\d{2}\b",
    _I,
)
_PHOTO = re.compile(
    r"\b[\w-]+\.(?:jpe?g|png|gif|heic|webp|bmp)\b|data:image/[\w.+-]+;base64,[A-Za-z0-9+/=]+"
    r"|\b(?:photo|photograph|headshot|picture)\s*(?::\s*\S+|(?=\s+(?:attached|enclosed|included)))"
    r"|^\s*\[?(?:photo|photograph|headshot)\]?\s*$",
    _I | re.MULTILINE,
)
_MARITAL = re.compile(
    r"(?P<keep>\bmarital\s+status\s*[:\-]?\s*)[A-Za-z]+"
    r"|\b(?:married|unmarried|divorced|widowed|widow|widower|spouse|husband|wife)\b",
    _I,
)
# Personal details some resumes list ("Nationality: German", "Religion: Catholic"): the label
# stays, so the reader sees something was there; the value goes. A colon is required, so
# "Gender studies" or "race conditions" are left alone.
_PERSONAL_FIELD = re.compile(
    r"(?P<keep>\b(?:nationality|citizenship|religion|religious\s+affiliation|gender|sex"
    r"|place\s+of\s+birth|country\s+of\s+birth|ethnicity|ethnic\s+origin|race|caste"
    r"|(?:number\s+of\s+)?children|dependants|dependents|father'?s\s+name"
    r"|mother'?s\s+name|husband'?s\s+name|wife'?s\s+name|blood\s+group|height|weight"
    r"|health|disability|sexual\s+orientation|pronouns)[ \t]*:[ \t]*)"
    r"(?=[^\s\[])[^\n;.|•]*[^\s\n;.|•]",
    _I,
)
# Family status in prose: "two children", "mother of three".
_FAMILY = re.compile(
    r"\b(?:\d+|one|two|three|four|five|six)\s+(?:kids|children|child)\b"
    r"|\b(?:mother|father|parent)\s+of\s+(?:\d+|one|two|three|four|five|six)\b",
    _I,
)
# Gendered titles before a name; "MS Office" and "Ms-Office" are software.
_TITLE = re.compile(
    r"\b(?:Mr|Mrs|Ms|Miss|Mx)\b\.?(?=[ \t]+[A-Z])(?![ \t]+(?:Office|Excel|Word|Outlook|Access"
    r"|Project|PowerPoint|Visio|Dynamics|SQL|Teams|Windows|Publisher|Exchange|Paint)\b)"
)

# Lines under these headings are about education: their years are graduation (or enrolment)
# years. Any other heading ends the section.
_EDUCATION_HEADINGS = re.compile(
    r"^\s*(?:education|education and training|education & training|academic background"
    r"|academic qualifications|academics|studies)\s*:?\s*$",
    _I,
)
_OTHER_HEADINGS = re.compile(
    r"^\s*(?:summary|profile|professional summary|executive profile|career overview|about"
    r"|about me|objective|(?:professional|work|relevant|military|volunteer|leadership)\s+"
    r"experience|experience|employment|employment history|work history|career history"
    r"|(?:technical|core|key|computer|additional)\s+skills|skills|skill highlights|highlights"
    r"|core qualifications|qualifications|certifications(?:\s+and\s+licenses)?|certificates"
    r"|licenses|projects|languages|publications|presentations|interests|volunteering"
    r"|community service|awards|honors|activities|activities and honors|accomplishments"
    r"|core accomplishments|additional information|personal information|(?:professional\s+)?"
    r"affiliations|professional development|references|training)\s*:?\s*$",
    _I,
)
# A line that names a degree or a school is about education wherever it stands.
_EDUCATION_LINE = re.compile(
    r"\b(?:b\.?\s?sc|m\.?\s?sc|b\.?\s?a|m\.?\s?a|b\.?\s?eng|m\.?\s?eng|bachelor\w*|master\w*"
    r"|mba|ph\.?\s?d|doctorate|diploma|degree|university|college|high school|secondary school"
    r"|gymnasium|graduated|graduation|gpa|ged|a-levels?|associate of)\b",
    _I,
)

# Pronouns: "her" is "their" before a word it owns ("her team") and "them" otherwise ("told
# her", "gave her the award"), which is what "his" and "him" become in the same places.
_FUNCTION_WORDS = frozenset(
    """a an the to and or but in on at by for from with of as that this these those is was be
    been are were will would can could should may might must than then so if when while who
    which what where how about into onto over under after before during through since until
    again also too very more most less least once up down out off""".split()
)
# Lower case or capitalised only: "HIM" is health information management. "4-Hers" are members
# of a youth club, hence no hyphen or digit before.
_PRONOUN = re.compile(
    r"(?<![\w-])(?:[Hh]e|[Ss]he|[Hh]im|[Hh]is|[Hh]ers|[Hh]er|[Hh]imself|[Hh]erself)\b"
)
_NEXT_WORD = re.compile(r"[ \t]+([A-Za-z][\w'-]*)")


def _pronoun(text: str, match: re.Match[str]) -> str:
    word = match.group(0)
    lower = word.lower()
    if lower in {"he", "she"}:
        neutral = "they"
    elif lower == "him":
        neutral = "them"
    elif lower in {"himself", "herself"}:
        neutral = "themselves"
    elif lower == "hers":
        neutral = "theirs"
    else:  # his, her: possessive before a word it owns, else object ("her") or "theirs"
        following = _NEXT_WORD.match(text, match.end())
        owns = following is not None and following.group(1).lower() not in _FUNCTION_WORDS
        neutral = "their" if owns else ("them" if lower == "her" else "theirs")
    return neutral.capitalize() if word[:1].isupper() else neutral


def _phone(match: re.Match[str]) -> str:
    found = match.group(0)
    digits = sum(ch.isdigit() for ch in found)
    structured = found.startswith("+") or "(" in found
    north_american = re.fullmatch(r"\(?\d{3}\)?[\s.-]?\d{3}[\s.-]\d{4}", found) is not None
    if 7 <= digits <= 15 and (structured or north_american or digits >= 10):
        # Bare digits that start with a year ("2013 700 448", a patent number) are no phone.
        groups = re.findall(r"\d+", found)
        if not structured and len(groups[0]) == 4 and groups[0][:2] in {"19", "20"}:
            return found
        return "[phone]"
    return found


def _name_pattern(name: str) -> re.Pattern[str] | None:
    """The full name, then each part of two or more letters, as case-sensitive whole words.

    Parts that are also skills ("Ruby", "Scala") are left to the full name: blanking them would
    take the skill out of the candidate's evidence as well. Upper-case forms ("ANA EXAMPLE") are
    covered too, as resume headers often shout the name.
    """
    name = " ".join(name.split())
    if not name:
        return None
    parts = [p for p in re.findall(r"[^\W\d_][\w'’-]*", name) if len(p) >= 2]
    parts = [p for p in parts if canonical_skill(p) is None]
    forms: list[str] = []
    for term in [name, *parts]:
        for variant in (term, term.upper()):
            if variant not in forms:
                forms.append(variant)
    alternation = "|".join(
        re.escape(f).replace(r"\ ", r"\s+") for f in sorted(forms, key=len, reverse=True)
    )
    return re.compile(rf"(?<![\w@.\[])(?:{alternation})(?![\w\]])")


def _education_years(text: str) -> str:
    """Years on lines about education (in its section, or naming a degree) become "[year]"."""
    out: list[str] = []
    in_education = False
    for line in text.splitlines(keepends=True):
        heading = len(line) <= 60  # headings are short; most lines skip two regexes
        if heading and _EDUCATION_HEADINGS.match(line):
            in_education = True
        elif heading and _OTHER_HEADINGS.match(line):
            in_education = False
        elif _YEAR.search(line) and (in_education or _EDUCATION_LINE.search(line)):
            line = _YEAR.sub("[year]", line)
        out.append(line)
    return "".join(out)


def _zip(match: re.Match[str]) -> str:
    """A ZIP code goes; after two capitals it must be a US state ("ISO/TS 16949" is a norm)."""
    state = match.group("state")
    if state is None:
        return _placeholder("[zip]")(match)
    if state in _STATES:
        return f"{state}{match.group('gap')}[zip]"
    return match.group(0)


def _placeholder(placeholder: str) -> Callable[[re.Match[str]], str]:
    """A replacement that keeps a matched label (any group named keep...) and drops the rest."""

    def replace(match: re.Match[str]) -> str:
        kept = "".join(
            v for k, v in match.groupdict().items() if k.startswith(("keep", "label")) and v
        )
        return kept + placeholder

    return replace


# Each step with the lower-case cues at least one of which the text must hold for the pattern to
# have any chance: most resumes have no birth date or marital status, and skipping a scan of the
# whole text for them keeps the blind view cheap (it runs on every candidate screened).
_STEPS: tuple[tuple[re.Pattern[str], _Replacement, tuple[str, ...]], ...] = (
    (_EMAIL, "[email]", ("@",)),
    (_URL, "[url]", ("://", "www.", ".com/")),
    (_HANDLE, "[url]", ("@",)),
    (
        _PHOTO,
        "[photo]",
        ("photo", "headshot", "picture", "jp", "png", "gif", "heic", "webp", "bmp"),
    ),
    (_BIRTH, _placeholder("[date of birth]"), ("birth", "dob", "d.o.b", "born")),
    (_AGE, _placeholder("[age]"), (" age", "\nage", "(age", "old")),
    (_GRADUATION, _placeholder("[year]"), ("class", "graduat")),
    (_ADDRESS, "[address]", ()),
    (_ZIP, _zip, ()),
    (_PHONE, _phone, ()),
    (
        _MARITAL,
        _placeholder("[marital status]"),
        ("marital", "married", "divorc", "widow", "spouse", "husband", "wife"),
    ),
    (_TITLE, "[title]", ("mr", "ms", "miss", "mx")),
    (
        _PERSONAL_FIELD,
        _placeholder("[personal detail]"),
        (
            "nationality",
            "citizenship",
            "religio",
            "gender",
            "sex",
            "birth",
            "ethnic",
            "race",
            "caste",
            "children",
            "dependants",
            "dependents",
            "name",
            "blood",
            "height",
            "weight",
            "health",
            "disability",
            "orientation",
            "pronouns",
        ),
    ),
    (_FAMILY, "[family status]", ("kid", "child", "mother", "father", "parent")),
)


def redact_text(text: str, *, names: Iterable[str] = ()) -> str:
    """``text`` with identity and its proxies replaced by bracketed placeholders.

    Args:
        text: a resume or any text about a candidate.
        names: the candidate's name(s); their full form and parts become "[name]". Without a
            name, everything else is still redacted (see the module docstring for the list).

    Returns:
        The blind text. ``redact_text(redact_text(t, names=n)) == redact_text(t, names=n)``.
    """
    for name in names:
        pattern = _name_pattern(name)
        if pattern is not None:
            text = pattern.sub(NAME, text)
    # Order matters: e-mails and URLs before handles and phones (their "@" and digits are not
    # handles or phones), dates of birth, ages and graduation years before the address, ZIP and
    # phone patterns, which would otherwise take some of their digits.
    lower = text.lower()
    for pattern, replacement, cues in _STEPS:
        if not cues or any(cue in lower for cue in cues):
            text = pattern.sub(replacement, text)
        if pattern is _GRADUATION:
            text = _education_years(text)
    return _PRONOUN.sub(lambda m: _pronoun(text, m), text)


def blind_view(candidate: Candidate) -> Candidate:
    """The candidate as screening sees it: no name, e-mail or location; a redacted text.

    The id, years of experience, skills, source and flags stay: they are job-related or needed
    to reveal the candidate later. The headline is redacted like the resume.
    """
    names = [candidate.name] if candidate.name.strip() else []
    return candidate.model_copy(
        update={
            "name": "",
            "email": None,
            "location": None,
            "headline": redact_text(candidate.headline, names=names),
            "resume_text": redact_text(candidate.resume_text, names=names),
        }
    )


def blind_texts(candidates: Iterable[Candidate]) -> dict[str, str]:
    """Candidate id -> blind resume text: the texts screening quotes and the review checks."""
    return {c.id: blind_view(c).resume_text for c in candidates}


class RevealedCandidate(BaseModel):
    """Who is behind a shortlisted id: shown to the recruiter after the shortlist, never before."""

    candidate_id: str
    rank: int | None = None
    name: str = ""
    email: str | None = None
    location: str | None = None


def reveal(
    candidate_ids: Sequence[str], candidates: Iterable[Candidate]
) -> list[RevealedCandidate]:
    """The identities behind ``candidate_ids``, in that order (rank = position from 1).

    An id with no candidate in ``candidates`` comes back with empty fields, so the recruiter
    sees that it could not be revealed rather than losing a row.
    """
    by_id = {c.id: c for c in candidates}
    revealed: list[RevealedCandidate] = []
    for rank, cid in enumerate(candidate_ids, start=1):
        found = by_id.get(cid)
        revealed.append(
            RevealedCandidate(
                candidate_id=cid,
                rank=rank,
                name=found.name if found else "",
                email=found.email if found else None,
                location=found.location if found else None,
            )
        )
    return revealed
