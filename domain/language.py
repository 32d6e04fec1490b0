"""The inclusive-language linter for job descriptions (COMPLIANCE.md rules JD-1 and JD-2).

``lint_text`` returns span-level findings: *hard* ones (an explicit preference for or against a
protected class: age ranges, "female only", citizenship-only, pre-offer medical demands) block
publication; *soft* ones (gender-coded balance, "digital native", "energetic", gendered job
titles) warn. ``apply_suggestions`` turns the findings' suggestions into a revised draft, and
``missing_statements`` checks that the EEO, accommodation and NYC AEDT texts are present.

Matching is case-insensitive and whole-word, and phrases are written narrowly on purpose:
"responsible", "childcare", "sharks" or "Leadership" in a title must never produce a hard finding
(COMPLIANCE.md 5.6). Gender coding follows the gender-decoder algorithm (COMPLIANCE.md 5.1).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

from pydantic import BaseModel, Field

from domain.artifacts import Finding, Severity
from domain.wordlists import (
    FEMININE_CODED_STEMS,
    HYPHENATED_CODED_WORDS,
    MASCULINE_CODED_STEMS,
    NON_CODED_EXCEPTIONS,
)

# --- required statements (JD-2) ------------------------------------------------------------

EEO_STATEMENT = (
    "We are an equal opportunity employer. We consider all qualified applicants without regard "
    "to race, color, religion, sex, pregnancy, sexual orientation, gender identity, national "
    "origin, age, disability, genetic information, veteran status or any other characteristic "
    "protected by law."
)
ACCOMMODATION_STATEMENT = (
    "We provide reasonable accommodations to applicants with disabilities at every stage of the "
    "hiring process. If you need an accommodation to apply or to interview, tell your recruiter "
    "and we will work with you."
)
AEDT_NOTICE = (
    "Notice under New York City Local Law 144: we may use an automated employment decision tool "
    "to help assess applications for this role. It evaluates job-related qualifications, the "
    "skills and experience listed above, and a person reviews every outcome. You may ask for an "
    "alternative selection process or a reasonable accommodation by contacting your recruiter. "
    "Information about the type, source and retention of the data we collect is available on "
    "request."
)
REQUIRED_STATEMENTS: Mapping[str, str] = MappingProxyType(
    {
        "equal employment opportunity statement": EEO_STATEMENT,
        "reasonable accommodation statement": ACCOMMODATION_STATEMENT,
        "NYC automated employment decision tool (AEDT) notice": AEDT_NOTICE,
    }
)
"""Statement name -> the text every generated job description must carry (rule JD-2)."""

# A statement counts as present if its exact text is there, or a recognisable equivalent a
# human wrote instead. The accommodation check stays within one sentence, so "with or without
# reasonable accommodation" in a physical requirement does not count as the statement.
_STATEMENT_EQUIVALENTS: Mapping[str, re.Pattern[str]] = MappingProxyType(
    {
        "equal employment opportunity statement": re.compile(
            r"\bequal\s+(?:employment\s+)?opportunit(?:y|ies)\b", re.IGNORECASE
        ),
        "reasonable accommodation statement": re.compile(
            r"\baccommodations?\b[^.\n]{0,150}?\b(?:appl(?:y|ying|ication|icants?)|hiring|"
            r"interview\w*|recruit\w*)\b|\b(?:appl(?:y|ying|ication|icants?)|hiring|interview\w*)"
            r"\b[^.\n]{0,150}?\baccommodations?\b",
            re.IGNORECASE,
        ),
        "NYC automated employment decision tool (AEDT) notice": re.compile(
            r"\bautomated\s+employment\s+decision\s+tools?\b|\blocal\s+law\s+144\b", re.IGNORECASE
        ),
    }
)


def _squash(text: str) -> str:
    return " ".join(text.split()).lower()


def missing_statements(text: str) -> list[Finding]:
    """Report each required statement (EEO, accommodation, AEDT notice) absent from a JD.

    Args:
        text: the full job description text.

    Returns:
        One hard ``JD-2`` finding per missing statement, whose suggestion is the text to add.
    """
    squashed = _squash(text)
    findings: list[Finding] = []
    for name, statement in REQUIRED_STATEMENTS.items():
        if _squash(statement) in squashed or _STATEMENT_EQUIVALENTS[name].search(text):
            continue
        findings.append(
            Finding(
                rule="JD-2",
                severity="hard",
                message=f"The job description lacks the {name}; every published job "
                "description must carry it.",
                suggestion=statement,
            )
        )
    return findings


# --- gender coding (gender-decoder) ----------------------------------------------------------

GenderLabel = Literal[
    "neutral",
    "empty",
    "feminine-coded",
    "strongly feminine-coded",
    "masculine-coded",
    "strongly masculine-coded",
]


class GenderCoding(BaseModel):
    """The gender-decoder assessment of a text: coded words found and the overall label."""

    masculine_words: list[str] = Field(default_factory=list)
    feminine_words: list[str] = Field(default_factory=list)
    score: int = Field(default=0, description="feminine count minus masculine count")
    label: GenderLabel = "empty"


@dataclass(frozen=True)
class _Word:
    """One word of the gender-decoder word list, with where it sits in the original text."""

    word: str
    start: int
    end: int


# gender-decoder turns non-ASCII characters, whitespace and this punctuation into separators;
# hyphens survive this step and are handled word by word.
_TOKEN_RE = re.compile(r"[^\s.,“”‘’<>*?!\"\[\]@':;()/&\u0080-\U0010ffff]+")


# Words starting with these are not split at their hyphen. gender-decoder's own list omits
# "head-strong", which therefore could never match; every hyphenated stem is included here.
_UNSPLIT_PREFIXES: tuple[str, ...] = tuple(
    dict.fromkeys(
        [
            *HYPHENATED_CODED_WORDS,
            *(s for s in MASCULINE_CODED_STEMS + FEMININE_CODED_STEMS if "-" in s),
        ]
    )
)


def _words(text: str) -> list[_Word]:
    """Split text the way gender-decoder does, keeping each word's offsets."""
    words: list[_Word] = []
    for match in _TOKEN_RE.finditer(text):
        token = match.group(0).lower()
        if "-" in token and not token.startswith(_UNSPLIT_PREFIXES):
            # Split "fast-paced" into "fast", "paced", but keep "self-confident" whole.
            offset = match.start()
            for part in token.split("-"):
                if part:
                    words.append(_Word(part, offset, offset + len(part)))
                offset += len(part) + 1
        else:
            words.append(_Word(token, match.start(), match.end()))
    return words


def _is_coded(word: str, stems: tuple[str, ...]) -> bool:
    # Counted once per word even when two stems match ("dominant" starts with both "domina"
    # and "dominant"); gender-decoder itself would count such a word twice.
    return word.startswith(stems) and not word.startswith(NON_CODED_EXCEPTIONS)


def _label(masculine: int, feminine: int) -> GenderLabel:
    score = feminine - masculine
    if score == 0:
        return "neutral" if feminine else "empty"
    if score > 3:
        return "strongly feminine-coded"
    if score > 0:
        return "feminine-coded"
    if score < -3:
        return "strongly masculine-coded"
    return "masculine-coded"


def gender_coding(text: str) -> GenderCoding:
    """Assess a text with the gender-decoder algorithm (Gaucher, Friesen & Kay 2011 stems).

    Lower-cases, strips punctuation and non-ASCII characters, splits hyphenated words unless
    they start with a hyphenated coded stem, and counts a word as coded if it starts with a
    stem (except "sharepoint"). ``score = feminine - masculine``: 0 is "neutral" (or "empty"
    with no coded words), 1..3 "feminine-coded", >3 "strongly feminine-coded", -1..-3
    "masculine-coded", < -3 "strongly masculine-coded".

    Args:
        text: any text, usually a job description.

    Returns:
        The coded words (lower case, in text order, repeats kept) and the label.
    """
    words = [w.word for w in _words(text)]
    masculine = [w for w in words if _is_coded(w, MASCULINE_CODED_STEMS)]
    feminine = [w for w in words if _is_coded(w, FEMININE_CODED_STEMS)]
    return GenderCoding(
        masculine_words=masculine,
        feminine_words=feminine,
        score=len(feminine) - len(masculine),
        label=_label(len(masculine), len(feminine)),
    )


# Neutral alternatives for masculine-coded words. None of them starts with a coded stem
# ("leading" would: it starts with "lead"), so applying a suggestion never adds a new one.
_MASCULINE_ALTERNATIVES: Mapping[str, str] = MappingProxyType(
    {
        "adventurous": "curious",
        "aggressive": "proactive",
        "aggressively": "proactively",
        "ambition": "motivation",
        "ambitious": "motivated",
        "assertive": "direct",
        "autonomous": "self-directed",
        "autonomously": "with minimal supervision",
        "challenge": "problem",
        "challenges": "problems",
        "challenging": "complex",
        "champion": "advocate",
        "competitive": "motivated",
        "confident": "self-assured",
        "courageous": "bold",
        "decisive": "thoughtful",
        "determined": "dedicated",
        "dominant": "prominent",
        "dominate": "excel in",
        "driven": "motivated",
        "fearless": "bold",
        "head-strong": "resolute",
        "headstrong": "resolute",
        "hierarchical": "structured",
        "independent": "self-directed",
        "independently": "on your own",
        "outspoken": "candid",
        "persistence": "resilience",
        "persistent": "resilient",
        "self-confident": "self-assured",
        "self-reliant": "resourceful",
        "self-sufficient": "resourceful",
        "stubborn": "persevering",
        "superior": "excellent",
    }
)
# "Competitive salary" is about pay, not people: suggest "attractive salary", not "motivated".
_PAY_WORDS = frozenset(
    {"salary", "salaries", "pay", "compensation", "benefits", "package", "rates", "wages"}
)


def _gender_findings(text: str, where: str | None) -> list[tuple[int, Finding]]:
    # The required statements are our boilerplate, identical in every JD: blank them out so
    # "automated employment decision tool" does not tilt every ad towards masculine.
    analysed = text
    for statement in REQUIRED_STATEMENTS.values():
        analysed = analysed.replace(statement, " " * len(statement))
    words = _words(analysed)
    masculine = [i for i, w in enumerate(words) if _is_coded(w.word, MASCULINE_CODED_STEMS)]
    feminine_count = sum(1 for w in words if _is_coded(w.word, FEMININE_CODED_STEMS))
    label = _label(len(masculine), feminine_count)
    if not label.endswith("masculine-coded"):
        return []
    findings: list[tuple[int, Finding]] = []
    for index in masculine:
        word = words[index]
        span = text[word.start : word.end]
        suggestion = _MASCULINE_ALTERNATIVES.get(word.word)
        following = words[index + 1] if index + 1 < len(words) else None
        if word.word == "competitive" and following and following.word in _PAY_WORDS:
            span = text[word.start : following.end]
            suggestion = "attractive" + text[word.end : following.end]
        findings.append(
            (
                word.start,
                Finding(
                    rule="JD-1.gender",
                    severity="soft",
                    message=(
                        f"'{text[word.start : word.end]}' is a masculine-coded word (Gaucher, "
                        f"Friesen & Kay 2011) and the text is {label} ({len(masculine)} "
                        f"masculine vs {feminine_count} feminine-coded words); masculine-coded "
                        "ads deter women from applying (sex)."
                    ),
                    where=where,
                    span=span,
                    suggestion=suggestion,
                ),
            )
        )
    return findings


# --- phrase rules ----------------------------------------------------------------------------

_Suggest = str | Callable[[re.Match[str]], str] | None


@dataclass(frozen=True)
class _Rule:
    """One phrase pattern: which JD-1 rule it belongs to, how bad it is and what to say."""

    rule: str
    severity: Severity
    pattern: re.Pattern[str]
    message: str
    suggestion: _Suggest = None


def _rule(
    rule: str, severity: Severity, regex: str, message: str, suggestion: _Suggest = None
) -> _Rule:
    return _Rule(rule, severity, re.compile(regex, re.IGNORECASE), message, suggestion)


def _by_number(singular: str, plural: str) -> Callable[[re.Match[str]], str]:
    """A suggestion that follows the grammatical number of the matched phrase."""

    def suggest(match: re.Match[str]) -> str:
        return plural if match.group(0).lower().endswith("s") else singular

    return suggest


def _physical_function(match: re.Match[str]) -> str:
    """Rewrite "must be able to stand ..." / "must lift 50 lbs" by function, accommodated.

    ADA guidance: describe *what* must be done, not *how* the body does it, and always add
    "with or without reasonable accommodation".
    """
    verb = match.group("verb").lower()
    rest = match.group("rest") or ""
    if verb in ("stand", "sit"):
        function = "remain in a stationary position"
    elif verb == "walk":
        function = "move around the workplace"
    else:
        function = "move items of"
    return (
        f"{match.group('lead')} be able to {function}{rest}, "
        "with or without reasonable accommodation"
    )


_ACCOMMODATED = re.compile(r"with\s+or\s+without\s+(?:a\s+)?reasonable\s+accommodations?", re.I)


def _accommodated(text: str, end: int) -> bool:
    """Whether the sentence that a physical demand ends at ``end`` goes on to say it may be
    met with or without reasonable accommodation (ADA: then it is an essential function)."""
    sentence_end = re.compile(r"[.;!?\n]").search(text, end)
    rest = text[end : sentence_end.start() if sentence_end else len(text)]
    return _ACCOMMODATED.search(rest) is not None


def _fluent(match: re.Match[str]) -> str:
    """ "native English speaker" -> "fluent English speaker", keeping the language as written."""
    language = match.group("lang") or ""
    speaker = match.group("speaker") or ""
    return " ".join(part for part in ("fluent", language, speaker.strip()) if part)


def _you(match: re.Match[str]) -> str:
    """ "he will" / "she is" -> "you will" / "you are": address the reader instead."""
    verb = match.group("verb")
    return "you " + {"is": "are", "has": "have"}.get(verb.lower(), verb)


_NUM = r"(?:\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty)"
_LANGUAGES = (
    r"(?:english|german|french|spanish|italian|portuguese|dutch|chinese|mandarin|cantonese"
    r"|japanese|korean|arabic|russian|polish|hindi|swedish|danish|norwegian|finnish|turkish"
    r"|greek|hebrew)"
)
_COUNTRY = r"(?:u\.?\s?s\.?a?|us|usa|american|uk|british|eu|canadian|australian)"
_AGE = "age; the ADEA (29 CFR 1625.4) bars ads that deter older applicants"
_DISABILITY = "disability; the ADA allows essential functions, not medical or bodily demands"
_SEX = "sex, pregnancy or family status"
_ORIGIN = "national origin or citizenship status (8 U.S.C. 1324b)"

_GENDERED_TITLES: tuple[tuple[str, str, str], ...] = (
    # (regex, singular, plural)
    (r"sales(?:man|men)", "salesperson", "salespeople"),
    (r"business(?:man|men)", "businessperson", "businesspeople"),
    (r"chair(?:man|men)", "chair", "chairs"),
    (r"fore(?:man|men)", "supervisor", "supervisors"),
    (r"camera(?:man|men)", "camera operator", "camera operators"),
    (r"fire(?:man|men)", "firefighter", "firefighters"),
    (r"police(?:man|men)", "police officer", "police officers"),
    (r"repair(?:man|men)", "repair technician", "repair technicians"),
    (r"handy(?:man|men)", "maintenance technician", "maintenance technicians"),
    (r"crafts(?:man|men)", "craftsperson", "craftspeople"),
    (r"mail(?:man|men)", "mail carrier", "mail carriers"),
    (r"work(?:man|men)", "worker", "workers"),
    (r"waitress(?:es)?", "server", "servers"),
    (r"stewardess(?:es)?", "flight attendant", "flight attendants"),
    (r"hostess(?:es)?", "host", "hosts"),
)


def _title_suggestion(singular: str, plural: str) -> Callable[[re.Match[str]], str]:
    def suggest(match: re.Match[str]) -> str:
        word = match.group(0).lower()
        return plural if word.endswith(("men", "es")) else singular

    return suggest


_RULES: tuple[_Rule, ...] = (
    # --- age ---
    _rule(
        "JD-1.age",
        "hard",
        r"\b(?:aged?|ages)\s+(?:between\s+)?\d{2}\s*(?:-|–|to|and)\s*\d{2}"
        r"(?:\s+(?:years\s+old|years|yrs))?\b",
        f"states an age range ({_AGE}).",
    ),
    _rule(
        "JD-1.age",
        "hard",
        r"\b\d{2}\s*(?:-|–|to)\s*\d{2}\s*(?:years?\s+old|y/?o)\b",
        f"states an age range ({_AGE}).",
    ),
    _rule(
        "JD-1.age",
        "hard",
        # "under 30" / "over 40" as an age: followed by "years old" or ending the phrase.
        # 18 and 21 are left out: minimum legal ages (serving alcohol) are lawful.
        r"\b(?:under|below|younger\s+than|over|above|older\s+than)\s+(?:the\s+age\s+of\s+)?"
        r"(?:2[2-9]|[3-9]\d)(?!\d|[.,]\d)(?:\s*(?:years?\s+old|years?\s+of\s+age|y/?o)\b|(?=\s*(?:[.,;:!?)]|$)))",
        f"sets an age limit ({_AGE}).",
    ),
    _rule(
        "JD-1.age",
        "hard",
        # "young children" or "young people" are the people served (teaching), not the hire.
        r"\b(?:young(?:er)?|youthful)\b(?!\s+(?:children|child|people|person|learners|minds"
        r"|adults|students|pupils|patients|athletes|players|readers|audiences?|families|kids)\b)",
        f"signals a preference for younger applicants ({_AGE}).",
        "",
    ),
    _rule(
        "JD-1.age",
        "hard",
        r"\b(?:recent|new|fresh)\s+(?:college\s+|university\s+)?grad(?:uate)?s?\b",
        f"asks for recent graduates, which excludes older applicants ({_AGE}).",
        _by_number("entry-level candidate", "entry-level candidates"),
    ),
    _rule(
        "JD-1.age",
        "hard",
        r"\b(?:college|university)\s+students?\b",
        f"asks for college students ({_AGE}).",
    ),
    _rule(
        "JD-1.age",
        "hard",
        # Not "Boys & Girls Club", "girls' school" or "Girl Scouts".
        r"\b(?:boys?|girls?)\b(?!['’])(?!\s*(?:&|and)\s*girls?\s+clubs?)(?!\s+(?:clubs?|scouts?)\b)",
        f"describes the hire as a boy or girl ({_AGE}; also sex).",
    ),
    _rule(
        "JD-1.age",
        "hard",
        r"\bclass\s+of\s+(?:(?:19|20)\d{2}|['’]\d{2})\b",
        f"asks for a graduation year ({_AGE}).",
    ),
    _rule(
        "JD-1.age",
        "hard",
        r"\b(?:date\s+of\s+birth|birth\s?date|dob)\b",
        f"asks for date of birth ({_AGE}).",
    ),
    _rule(
        "JD-1.age",
        "hard",
        rf"\b(?:max(?:imum)?\.?(?:\s+of)?|at\s+most|no\s+more\s+than|not\s+more\s+than)\s+{_NUM}"
        r"\s*\+?\s*(?:years?|yrs?)\b(?:\s+of(?:\s+[\w-]+){0,3}?\s+experience\b)?",
        f"caps experience, which screens out older applicants ({_AGE}).",
    ),
    _rule(
        "JD-1.age",
        "hard",
        r"\b(?:millennials?|gen(?:eration)?[- ]?(?:z|y)(?:ers?)?)\b",
        f"targets a generation ({_AGE}).",
    ),
    _rule(
        "JD-1.age",
        "soft",
        r"\bdigital[- ]natives?\b",
        f"is an age-coded phrase ({_AGE}).",
        _by_number("comfortable with digital tools", "people comfortable with digital tools"),
    ),
    _rule(
        "JD-1.age",
        "soft",
        r"\bhigh[- ]energy\b|\benergetic\b",
        f"is age-coded when describing the hire ({_AGE}).",
        "motivated",
    ),
    _rule(
        "JD-1.age",
        "soft",
        r"\bover[- ]?qualified\b",
        f"is often a proxy for age ({_AGE}).",
    ),
    # --- disability ---
    _rule(
        "JD-1.disability",
        "hard",
        r"\bable[- ]bodied\b",
        f"excludes people with disabilities ({_DISABILITY}).",
    ),
    _rule(
        "JD-1.disability",
        "hard",
        r"\b(?:no|free\s+(?:of|from)|without(?:\s+any)?)\s+(?:pre-existing\s+|chronic\s+)?"
        r"(?:medical|health)\s+(?:conditions?|issues|problems|history)\b",
        f"is a pre-offer medical requirement ({_DISABILITY}; 29 CFR 1630.13).",
    ),
    _rule(
        "JD-1.disability",
        "hard",
        r"\bmust\s+not\s+(?:take|be\s+(?:on|taking)|use)\s+(?:any\s+)?(?:prescription\s+)?"
        r"medications?\b",
        f"is a pre-offer medical requirement ({_DISABILITY}; 29 CFR 1630.13).",
    ),
    _rule(
        "JD-1.disability",
        "soft",
        r"\bphysically\s+fit\b|\bin\s+(?:good|excellent|perfect)\s+(?:physical\s+)?health\b",
        f"describes health rather than the job's functions ({_DISABILITY}).",
    ),
    _rule(
        "JD-1.disability",
        "soft",
        r"\b(?P<lead>must|should|needs?\s+to)\s+be\s+able\s+to\s+(?P<verb>stand|sit|walk)\b"
        r"(?P<rest>\s+(?:for\s+|up\s+to\s+)(?:(?:long|extended|prolonged)\s+periods"
        r"(?:\s+of\s+time)?|(?:up\s+to\s+)?\d+\s+hours?)|\s+all\s+day)?",
        f"prescribes how the body works instead of the function ({_DISABILITY}).",
        _physical_function,
    ),
    _rule(
        "JD-1.disability",
        "soft",
        r"\b(?P<lead>must|should|needs?\s+to)\s+(?:be\s+able\s+to\s+)?(?P<verb>lift)"
        r"(?P<rest>\s+(?:up\s+to\s+)?\d+\s*(?:lbs?|pounds|kg|kilos?|kilograms)\b)",
        f"prescribes how the body works instead of the function ({_DISABILITY}).",
        _physical_function,
    ),
    _rule(
        "JD-1.disability",
        "soft",
        r"\b(?:must|should)\s+have\s+a\s+(?:valid\s+)?driver['’]?s\s+licen[cs]e\b",
        f"excludes people who cannot drive; keep it only if driving is an essential function "
        f"({_DISABILITY}).",
    ),
    _rule(
        "JD-1.disability",
        "soft",
        r"\binsanely\b",
        f"is a stigmatising term ({_DISABILITY}).",
        "extremely",
    ),
    _rule(
        "JD-1.disability",
        "soft",
        r"\b(?:crazy|insane)\b",
        f"is a stigmatising term ({_DISABILITY}).",
        "intense",
    ),
    _rule(
        "JD-1.disability",
        "soft",
        r"\blame\b",
        f"is a stigmatising term ({_DISABILITY}).",
        "dull",
    ),
    _rule(
        "JD-1.disability",
        "soft",
        r"\bwheelchair[- ]bound\b|\bconfined\s+to\s+a\s+wheelchair\b",
        f"is a stigmatising term ({_DISABILITY}).",
        "wheelchair user",
    ),
    _rule(
        "JD-1.disability",
        "soft",
        r"\b(?:retarded|crippled)\b",
        f"is a stigmatising term ({_DISABILITY}).",
    ),
    # --- sex, pregnancy, family status ---
    _rule(
        "JD-1.sex",
        "hard",
        r"\b(?:(?:fe)?males?|(?:wo)?men)\s+(?:candidates?\s+|applicants?\s+)?only\b"
        r"|\bonly\s+(?:(?:fe)?male|(?:wo)?men)(?:\s+(?:candidates|applicants|need\s+apply))?\b"
        r"|\b(?:candidates|applicants)\s+must\s+be\s+(?:fe)?male\b"
        r"|\bmust\s+be\s+(?:a\s+)?(?:fe)?male\b",
        f"states a preference for one sex ({_SEX}; Title VII).",
    ),
    _rule(
        "JD-1.sex",
        "hard",
        r"\bno\s+(?:kids|children)\b|\bunmarried\b|\bmust\s+be\s+single\b"
        r"|\bmust\s+not\s+(?:plan|be\s+planning|intend)\s+(?:to\s+(?:start|have)\s+"
        r"|on\s+(?:starting|having)\s+)?(?:a\s+family|children|kids)\b"
        r"|\b(?:not|no)\s+(?:currently\s+)?pregnant\b",
        f"screens on family status or pregnancy ({_SEX}; Title VII, PDA).",
    ),
    *(
        _rule(
            "JD-1.sex",
            "soft",
            rf"\b{regex}\b",
            f"is a gendered job title ({_SEX}).",
            _title_suggestion(singular, plural),
        )
        for regex, singular, plural in _GENDERED_TITLES
    ),
    _rule("JD-1.sex", "soft", r"\bmanpower\b", f"is gendered wording ({_SEX}).", "workforce"),
    _rule("JD-1.sex", "soft", r"\bguys\b", f"is gendered wording ({_SEX}).", "people"),
    _rule(
        "JD-1.sex",
        "soft",
        r"\b(?:he\s+or\s+she|she\s+or\s+he|he/she|she/he|s/he|he|she)\s+"
        r"(?P<verb>will|must|should|shall|would|can|is|has)\b",
        f"assumes the hire's gender ({_SEX}); address the reader.",
        _you,
    ),
    _rule(
        "JD-1.sex",
        "soft",
        r"\bhis\s+or\s+her\b|\bher\s+or\s+his\b|\bhis/her\b",
        f"assumes a binary gender ({_SEX}); address the reader.",
        "your",
    ),
    # --- national origin and citizenship ---
    _rule(
        "JD-1.origin",
        "hard",
        rf"\bnative(?:[- ]level)?\s+(?P<lang>{_LANGUAGES})(?P<speaker>\s+speakers?)?\b"
        rf"|\bnative(?:[- ]level)?(?P<lang2>)(?P<speaker2>\s+speakers?)\b",
        f"asks for a native speaker ({_ORIGIN}); ask for the fluency the job needs.",
        lambda m: _fluent(m) if m.group("lang") else "fluent" + (m.group("speaker2") or ""),
    ),
    _rule(
        "JD-1.origin",
        "hard",
        rf"\b(?P<lang>{_LANGUAGES})\s+(?:as\s+(?:a|your|the)\s+)?"
        r"(?:mother\s+tongue|first\s+language|native\s+language)\b",
        f"asks for a native speaker ({_ORIGIN}); ask for the fluency the job needs.",
        lambda m: f"fluent {m.group('lang')}",
    ),
    _rule(
        "JD-1.origin",
        "hard",
        rf"(?<!\w)(?:{_COUNTRY}\s+)?citizens?\s+only\b|\bonly\s+{_COUNTRY}\s+citizens\b"
        rf"|\bmust\s+be\s+(?:an?\s+)?{_COUNTRY}\s+citizen\b"
        rf"|\bmust\s+(?:have|hold)\s+an?\s+{_COUNTRY}\s+passport\b",
        f"restricts by citizenship ({_ORIGIN}); keep it only where a law, regulation, executive "
        "order or government contract requires it, and cite that basis.",
    ),
    _rule(
        "JD-1.origin",
        "hard",
        r"\bgreen[- ]card\s+holders?\s+only\b|\bonly\s+green[- ]card\s+holders\b"
        r"|\bh-?1b\s+(?:visa\s+)?(?:holders?\s+)?only\b",
        f"restricts by immigration status ({_ORIGIN}).",
    ),
    _rule(
        "JD-1.origin",
        "hard",
        r"\blocal\s+(?:candidates|applicants)\s+only\b|\blocals\s+only\b"
        r"|\bonly\s+local\s+(?:candidates|applicants)\b",
        f"restricts by residence, a proxy for national origin and race ({_ORIGIN}).",
    ),
    # --- religion ---
    _rule(
        "JD-1.religion",
        "hard",
        r"\b(?:christian|catholic|muslim|islamic|jewish|hindu|buddhist|biblical)\s+values\b"
        r"|\b(?:christians?|catholics?|muslims?|jews|hindus?)\s+only\b"
        r"|\bchurch[- ]?goers?\b|\bchurch[- ]going\b|\bgod[- ]fearing\b"
        r"|\bmust\s+attend\s+(?:church|mass|services)\b",
        "states a religious preference (religion; Title VII).",
    ),
    # --- race and colour ---
    # --- "culture fit": affinity bias by another name ---
    _rule(
        "JD-1.culture",
        "soft",
        r"\bcultur(?:e|al)[\s-]+fit\b",
        "is undefined, so it is judged by likeness to the team: a known proxy for class and "
        "race, age, sex and national origin (affinity bias); hire for values alignment "
        "instead and name the values.",
        "culture add",
    ),
    _rule(
        "JD-1.race",
        "soft",
        r"\bclean[- ]shaven\b",
        "grooming rules burden some races and religions (race, religion).",
    ),
    _rule(
        "JD-1.race",
        "hard",
        r"\bno\s+(?:dreadlocks|dreads|locs|braids|cornrows|afros?|twists)\b",
        "bans hairstyles associated with race (race; CROWN Acts).",
    ),
    _rule(
        "JD-1.race",
        "hard",
        r"\bivy[- ]league\s+(?:graduates?\s+|candidates?\s+|degrees?\s+)?only\b"
        r"|\bonly\s+ivy[- ]league\b",
        "restricts to elite schools, a proxy for race and class (race).",
    ),
    # --- criminal record ---
    _rule(
        "JD-1.record",
        "hard",
        r"\bno\s+(?:felons|ex[- ]offenders|ex[- ]convicts|criminal\s+records?|convictions)\b"
        r"|\bclean\s+(?:criminal\s+)?record\b",
        "excludes people with a criminal record (arrest and conviction record; EEOC "
        "guidance, fair-chance laws); assess records individually after a conditional offer.",
    ),
    # --- masculine-coded jargon (not in the gender-decoder lists) ---
    _rule(
        "JD-1.gender",
        "soft",
        r"\brock[- ]?stars?\b|\bninjas?\b|\bgurus?\b|\bsuperstars?\b|\bsuperheroe?s?\b",
        "is masculine-coded jargon that deters women from applying (sex).",
        _by_number("expert", "experts"),
    ),
)


def _phrase_findings(text: str, where: str | None) -> list[tuple[int, Finding]]:
    matches: list[tuple[int, int, int, re.Match[str]]] = []
    for index, rule in enumerate(_RULES):
        for match in rule.pattern.finditer(text):
            if match.end() > match.start():
                matches.append((match.start(), -match.end(), index, match))
    # Leftmost, then longest, then first-listed rule wins where two phrases overlap
    # ("he or she will" is one finding, not three).
    matches.sort(key=lambda m: (m[0], m[1], m[2]))
    findings: list[tuple[int, Finding]] = []
    taken_until = -1
    for start, neg_end, index, match in matches:
        if start < taken_until:
            continue
        taken_until = -neg_end
        rule = _RULES[index]
        if rule.suggestion is _physical_function and _accommodated(text, match.end()):
            continue  # the physical demand already says "with or without ... accommodation"
        span = match.group(0)
        suggestion = rule.suggestion(match) if callable(rule.suggestion) else rule.suggestion
        findings.append(
            (
                start,
                Finding(
                    rule=rule.rule,
                    severity=rule.severity,
                    message=f"'{span}' {rule.message}",
                    where=where,
                    span=span,
                    suggestion=suggestion,
                ),
            )
        )
    return findings


def located_findings(text: str, *, where: str | None = None) -> list[tuple[int, Finding]]:
    """:func:`lint_text`'s findings with the offset where each span starts in ``text``
    (``text[start : start + len(finding.span)] == finding.span``)."""
    located = _phrase_findings(text, where) + _gender_findings(text, where)
    located.sort(key=lambda item: (item[0], item[1].rule))
    return located


@dataclass(frozen=True)
class CodedWord:
    """A gender-decoder match: ``text[start:end]`` starts with a coded ``stem``."""

    word: str
    start: int
    end: int
    stem: str
    coding: Literal["masculine", "feminine"]


def coded_words(text: str) -> list[CodedWord]:
    """Every gender-coded word of ``text`` (as :func:`gender_coding` counts them), in order."""
    found: list[CodedWord] = []
    for word in _words(text):
        if word.word.startswith(NON_CODED_EXCEPTIONS):
            continue
        for stems, coding in _CODINGS:
            stem = next((s for s in stems if word.word.startswith(s)), None)
            if stem is not None:
                span = text[word.start : word.end]
                found.append(CodedWord(span, word.start, word.end, stem, coding))
                break
    return found


_CODINGS: tuple[tuple[tuple[str, ...], Literal["masculine", "feminine"]], ...] = (
    (MASCULINE_CODED_STEMS, "masculine"),
    (FEMININE_CODED_STEMS, "feminine"),
)


def lint_text(text: str, *, where: str | None = None) -> list[Finding]:
    """Check a text for exclusionary language (COMPLIANCE.md rule JD-1).

    Rules: ``JD-1.gender`` (gender-decoder balance, reported word by word only when the text is
    masculine-coded, plus jargon like "rockstar"), ``JD-1.age``, ``JD-1.disability``,
    ``JD-1.sex``, ``JD-1.origin``, ``JD-1.religion``, ``JD-1.race``, ``JD-1.culture`` and
    ``JD-1.record``.

    Args:
        text: the text to check, e.g. a job description or one of its fields.
        where: the field path to record on each finding, e.g. ``"summary"``.

    Returns:
        Findings in text order; ``span`` is the offending text exactly as written and
        ``suggestion`` a replacement where one exists (an empty string means "remove").
    """
    return [finding for _, finding in located_findings(text, where=where)]


# --- applying suggestions --------------------------------------------------------------------

# Private-use characters mark edits while the text is being tidied; they never reach output.
_REMOVED = "\ue000"
_REMOVED_CAPITAL = "\ue001"
_CHANGED = "\ue002"
_MARKS = _REMOVED + _REMOVED_CAPITAL + _CHANGED


def _span_regex(span: str) -> str:
    """Match a span exactly, as a whole word at whichever ends are word characters."""
    left = r"(?<!\w)" if span[:1].isalnum() or span[:1] == "_" else ""
    right = r"(?!\w)" if span[-1:].isalnum() or span[-1:] == "_" else ""
    return left + re.escape(span) + right


def _match_case(original: str, suggestion: str) -> str:
    if len(original) > 1 and original.isupper() and original.isalpha():
        return suggestion.upper()
    if original[:1].isupper():
        return suggestion[:1].upper() + suggestion[1:]
    return suggestion


def _tidy_removals(text: str) -> str:
    """Close the gaps left by removed phrases: "a young, energetic" -> "a energetic"."""
    removed = f"[{_REMOVED}{_REMOVED_CAPITAL}]"
    # A removed capitalised phrase hands its capital to the next word.
    text = re.sub(
        rf"{_REMOVED_CAPITAL}([ \t]*(?:,|\band\b|\bor\b|&)?[ \t]*{_CHANGED}*)([a-z])",
        lambda m: _REMOVED + m.group(1) + m.group(2).upper(),
        text,
    )
    # Removed first item of a list: drop the connector after it.
    text = re.sub(
        rf"(?:(?<=^)|(?<=[\s(])){removed}[ \t]*(?:,|&|\band\b|\bor\b)[ \t]*",
        _CHANGED,
        text,
        flags=re.MULTILINE,
    )
    # Removed last item of a list: drop the connector before it.
    text = re.sub(rf"(?:[ \t]*,|[ \t]+(?:and|or|&))[ \t]*{removed}", _CHANGED, text)
    # Anything else: no doubled spaces, no space before punctuation or at a line's ends.
    text = re.sub(rf"[ \t]*{removed}[ \t]*(?=[.,;:!?)])", _CHANGED, text)
    text = re.sub(rf"(?<=\()[ \t]*{removed}[ \t]*", _CHANGED, text)
    text = re.sub(rf"^[ \t]*{removed}[ \t]*|[ \t]*{removed}[ \t]*$", _CHANGED, text, flags=re.M)
    return re.sub(rf"[ \t]*{removed}[ \t]*", " " + _CHANGED, text)


def _article_for(word: str) -> str:
    lowered = word.lower()
    if lowered.startswith(("uni", "use", "usu", "eu", "one", "once")):
        return "a"
    return "an" if lowered[:1] in "aeiou" else "a"


def _fix_articles(text: str) -> str:
    """Make "a"/"an" agree with an edited word that now follows it."""

    def agree(match: re.Match[str]) -> str:
        article = _article_for(match.group("next"))
        if match.group("art")[:1].isupper():
            article = article.capitalize()
        return article + match.group("gap") + match.group("next")

    return re.sub(rf"\b(?P<art>[Aa]n?)(?P<gap>[ \t]+{_CHANGED}+)(?P<next>\w+)", agree, text)


def apply_suggestions(text: str, findings: list[Finding]) -> str:
    """Revise a text by applying the suggestions of its findings.

    Every occurrence of a finding's span is replaced by its suggestion, keeping a leading
    capital (and all-caps); an empty suggestion removes the phrase and the comma or "and"
    that joined it to its neighbours; "a"/"an" before an edit is corrected. Findings without
    a span or suggestion are skipped. Where spans overlap, the longer one wins; where one span
    has several suggestions, the first finding's wins.

    Args:
        text: the draft the findings were made on.
        findings: findings from :func:`lint_text` for that draft.

    Returns:
        The revised text; the same text when nothing applies.
    """
    replacements: dict[str, str] = {}
    for finding in findings:
        if finding.span and finding.suggestion is not None:
            replacements.setdefault(finding.span, finding.suggestion)
    if not replacements:
        return text
    source = text.translate({ord(mark): None for mark in _MARKS})
    ordered = sorted(replacements, key=lambda span: (-len(span), span))
    pattern = re.compile("|".join(_span_regex(span) for span in ordered))

    def substitute(match: re.Match[str]) -> str:
        original = match.group(0)
        suggestion = replacements[original]
        if not suggestion:
            return _REMOVED_CAPITAL if original[:1].isupper() else _REMOVED
        return _CHANGED + _match_case(original, suggestion)

    revised = _fix_articles(_tidy_removals(pattern.sub(substitute, source)))
    return revised.translate({ord(mark): None for mark in _MARKS})
