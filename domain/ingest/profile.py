"""A structured profile read from resume text: sections, titles, employers, dates, years.

Everything here is heuristic and conservative: what it cannot find stays empty (``None`` years,
no location) rather than guessed. Resumes from job boards are often anonymised with
placeholders ("Company Name", "City , State"); those are never reported as employers or places.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

from pydantic import BaseModel, Field

from domain.skills import find_skills

__all__ = ["DateRange", "ResumeProfile", "parse_profile", "years_from_ranges"]

_HEADINGS = frozenset(
    """
    summary|professional summary|career summary|executive summary|summary of qualifications
    |profile|professional profile|executive profile|personal profile|about me|about
    |objective|career objective|professional objective|career overview|overview|career focus
    |highlights|skill highlights|skills|technical skills|key skills|core skills|skills summary
    |skills and abilities|professional skills|computer skills|core competencies|competencies
    |areas of expertise|expertise|core qualifications|qualifications|key qualifications
    |accomplishments|core accomplishments|achievements|key achievements|selected accomplishments
    |awards|honors|awards and honors|honors and awards|activities and honors|activities
    |experience|work experience|professional experience|work history|employment history
    |employment|career history|relevant experience|experience and employment|military experience
    |volunteer experience|volunteer work|teaching experience|research experience|internships
    |education|education and training|academic background|academic qualifications|training
    |certifications|certification|certificates|licenses|licenses and certifications
    |certifications and licenses|professional development|courses|coursework
    |languages|interests|hobbies|additional information|personal information|affiliations
    |professional affiliations|memberships|publications|presentations|projects|references
    |volunteer|community service|leadership|contact|contact information
    """.replace("\n", "")
    .replace("    ", "")
    .split("|")
)

_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_YEAR = r"(?:19|20)\d{2}"


def _point(p: str) -> str:
    """One end of a date range: "July 2011", "01/2019" or a bare "2015" (named groups)."""
    return (
        rf"(?:(?P<{p}m>{_MONTH})\s*,?\s*(?P<{p}my>{_YEAR})"
        rf"|(?P<{p}n>0?[1-9]|1[0-2])\s*[/.-]\s*(?P<{p}ny>{_YEAR})"
        rf"|(?P<{p}y>{_YEAR}))"
    )


_NOW = r"(?P<now>present|current(?:ly)?|now|today|to\s+date|date|ongoing)"
# Separators may be split over lines in extracted PDF text ("July 2011\n \nto \nNovember 2012").
_SEP = r"\s*(?:-|–|—|~|to|until|till|through|thru)\s*"
_RANGE = re.compile(
    rf"(?<![\w/.-]){_point('s')}{_SEP}(?:{_point('e')}|{_NOW})(?![\w/])", re.IGNORECASE
)

_PLACEHOLDERS = re.compile(r"\bCompany Name\b|\bCity\s*,\s*State\b|ï¼", re.IGNORECASE)
_US_STATES = (
    # No "MS": in resumes it is Microsoft ("MS Word, MS Excel") or a degree far more often.
    "AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MO MT NE NV NH NJ NM "
    "NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC"
).split()
_REGIONS = (
    "Alabama|Alaska|Arizona|Arkansas|California|Colorado|Connecticut|Delaware|Florida|Georgia"
    "|Hawaii|Idaho|Illinois|Indiana|Iowa|Kansas|Kentucky|Louisiana|Maine|Maryland|Massachusetts"
    "|Michigan|Minnesota|Mississippi|Missouri|Montana|Nebraska|Nevada|New Hampshire|New Jersey"
    "|New Mexico|New York|North Carolina|North Dakota|Ohio|Oklahoma|Oregon|Pennsylvania"
    "|Rhode Island|South Carolina|South Dakota|Tennessee|Texas|Utah|Vermont|Virginia|Washington"
    "|West Virginia|Wisconsin|Wyoming|India|Canada|United Kingdom|UK|England|Scotland|Ireland"
    "|Germany|France|Spain|Italy|Netherlands|Australia|New Zealand|Singapore|Mexico|Brazil"
    "|United States|USA|Ontario|Quebec|British Columbia"
)
_LOCATION = re.compile(
    r"(?<![\w-])(?P<city>[A-Z][a-zA-Z.'-]+(?: [A-Z][a-zA-Z.'-]+){0,2})\s?,\s?"
    rf"(?P<region>{'|'.join(_US_STATES)}|{_REGIONS})(?![\w-])(?:\s+\d{{5}}(?:-\d{{4}})?)?"
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?:\+?\d[\d ().-]{7,}\d)")
_DEGREE = re.compile(
    r"\b(?:bachelor|master|doctor|ph\.?d|mba|b\.?s\.?c?|m\.?s\.?c?|b\.?a|m\.?a|associate of"
    r"|associate degree|diploma|high school|ged|certificate)\b",
    re.IGNORECASE,
)
_EMPLOYER_HINT = re.compile(
    r"\b(?:inc|llc|llp|ltd|corp|corporation|company|co|group|gmbh|plc|university|college"
    r"|school|hospital|clinic|bank|agency|associates|partners|technologies|solutions|systems"
    r"|services|restaurant|hotel|department|county|city of)\b\.?",
    re.IGNORECASE,
)
_PLACEHOLDER_WORDS = frozenset({"city", "state", "company name", "company"})
_SPLIT_SEGMENTS = re.compile(r"\s+(?:at|@)\s+|\s*[|•·,;–—]\s*|\s+-\s+")
MAX_TITLE_WORDS = 8


class DateRange(BaseModel):
    """A period named in the resume, as months ``YYYY-MM``; ``end`` is the last month covered."""

    text: str
    start: str
    end: str
    current: bool = False


class ResumeProfile(BaseModel):
    """What the resume says about the person, section by section. Unknowns stay empty."""

    headline: str = ""
    name: str | None = None
    emails: list[str] = Field(default_factory=list)
    sections: dict[str, str] = Field(
        default_factory=dict, description="heading as written -> its text; '' holds the top"
    )
    titles: list[str] = Field(default_factory=list)
    employers: list[str] = Field(default_factory=list)
    date_ranges: list[DateRange] = Field(default_factory=list)
    years_experience: int | None = Field(default=None, ge=0)
    education: list[str] = Field(default_factory=list)
    skills: list[str] = Field(default_factory=list)
    locations: list[str] = Field(default_factory=list)


def _heading_key(line: str) -> str | None:
    key = " ".join(line.strip().strip("#*=:_ ").lower().replace("&", "and").split())
    return key if key in _HEADINGS else None


def _is_experience(key: str) -> bool:
    return "experience" in key or "history" in key or key in ("employment", "internships")


def _is_education(key: str) -> bool:
    return "education" in key or "academic" in key


def _split_sections(lines: list[str]) -> list[tuple[str, str, list[str]]]:
    """``(heading as written, heading key, lines)`` in order; the top has key ``''``."""
    sections: list[tuple[str, str, list[str]]] = [("", "", [])]
    for line in lines:
        key = _heading_key(line)
        if key is not None and len(line.strip()) <= 60:
            sections.append((line.strip().strip("#*=:_ "), key, []))
        else:
            sections[-1][2].append(line)
    return sections


def _month_index(year: str, month: str | None, numeric: str | None) -> tuple[int, bool]:
    """Months since year 0, and whether the month was given (False for a bare year)."""
    if month:
        return int(year) * 12 + _MONTHS[month[:3].lower()] - 1, True
    if numeric:
        return int(year) * 12 + int(numeric) - 1, True
    return int(year) * 12, False


def _parse_range(match: re.Match[str], today: date) -> tuple[int, int] | None:
    """A match as ``[start, end)`` months, or None when it is not a plausible period."""
    start, _ = _month_index(match["smy"] or match["sny"] or match["sy"], match["sm"], match["sn"])
    now = today.year * 12 + today.month  # exclusive: the current month counts
    if match["now"]:
        end = now
    else:
        last, precise = _month_index(
            match["emy"] or match["eny"] or match["ey"], match["em"], match["en"]
        )
        # "2015 - 2018" is three years; "2015 - 2015" and "July 2011 - July 2011" are not zero.
        end = last + 1 if precise else (last if last > start else last + 12)
    end = min(end, now)
    if not 1950 * 12 <= start < end or end - start > 50 * 12:
        return None
    return start, end


def _fmt_month(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def years_from_ranges(ranges: list[tuple[int, int]]) -> int | None:
    """Whole years covered by ``[start, end)`` month ranges, overlaps counted once."""
    if not ranges:
        return None
    total = 0
    cur_start, cur_end = sorted(ranges)[0]
    for start, end in sorted(ranges)[1:]:
        if start <= cur_end:
            cur_end = max(cur_end, end)
        else:
            total += cur_end - cur_start
            cur_start, cur_end = start, end
    total += cur_end - cur_start
    return total // 12


def _clean_segment(text: str) -> str:
    text = _RANGE.sub(" ", _PLACEHOLDERS.sub(" ", text))
    text = _LOCATION.sub(" ", text)
    return " ".join(text.split()).strip(" ,;:|-–—•·()")


def _short_line(line: str) -> bool:
    """A line that could be a title or employer, not a sentence of a description."""
    words = line.split()
    # A final period ends a sentence, unless it ends an abbreviation ("Acme Inc.", "Co.").
    sentence = bool(words) and words[-1].endswith(".") and len(words[-1]) > 5
    return 0 < len(words) <= MAX_TITLE_WORDS and not sentence


def _segments(line: str) -> list[str]:
    parts = (_clean_segment(part) for part in _SPLIT_SEGMENTS.split(_clean_segment(line)))
    return [p for p in parts if p and _short_line(p) and p.lower() not in _PLACEHOLDER_WORDS]


def _roles_near(body_text: str, match: re.Match[str], used: set[int]) -> list[str]:
    """Segments naming the title/employer of the period ``match`` found in ``body_text``."""
    lines = body_text.split("\n")
    first = body_text.count("\n", 0, match.start())
    last = first + match.group(0).count("\n")
    line_start = body_text.rfind("\n", 0, match.start()) + 1
    line_end = body_text.find("\n", match.end())
    line_end = len(body_text) if line_end < 0 else line_end
    own_text = body_text[line_start : match.start()] + " " + body_text[match.end() : line_end]
    found = _segments(own_text.replace("\n", " "))
    used.update(range(first, last + 1))
    if found:
        return found
    # Dates alone on their line: the title and employer sit on the lines just above and below.
    above = next((i for i in range(first - 1, -1, -1) if lines[i].strip()), -1)
    below = next((i for i in range(last + 1, len(lines)) if lines[i].strip()), -1)
    for near in (above, below):
        if 0 <= near < len(lines) and near not in used and not _RANGE.search(lines[near]):
            segment = _clean_segment(lines[near])
            if segment and _short_line(segment) and _heading_key(lines[near]) is None:
                used.add(near)
                found.extend(_segments(segment))
    return found


def _title_like(line: str) -> bool:
    letters = sum(ch.isalpha() for ch in line)
    return (
        letters >= 2
        and letters >= len(line.replace(" ", "")) * 0.6
        and _short_line(line)
        and len(line) <= 80
        and _heading_key(line) is None
        and not _EMAIL.search(line)
        and not _LOCATION.search(line)
        and not _PLACEHOLDERS.search(line)
    )


def _contact_line(line: str) -> bool:
    return bool(_EMAIL.search(line) or _PHONE.search(line))


def _dedupe(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def parse_profile(text: str, *, today: date | None = None) -> ResumeProfile:
    """Read sections, titles, employers, periods, years, education, skills and places.

    Args:
        text: the searchable resume text (visible text only).
        today: the date "Present" means; default: today. Pass one for reproducible years.

    Returns:
        The profile; fields the text does not support stay empty or ``None``.
    """
    today = today or date.today()
    lines = [line.strip() for line in text.splitlines()]
    sections = _split_sections(lines)

    profile_sections: dict[str, str] = {}
    for heading, _key, body in sections:
        body_text = "\n".join(line for line in body if line).strip()
        if heading in profile_sections:
            profile_sections[heading] += "\n" + body_text
        elif body_text or heading:
            profile_sections[heading] = body_text

    experience = [s for s in sections if _is_experience(s[1])]
    # Periods outside the experience sections (education, awards) are not work experience;
    # without an experience heading, every section but education counts.
    work = experience or [s for s in sections if not _is_education(s[1])]
    ranges: list[tuple[int, int]] = []
    date_ranges: list[DateRange] = []
    titles: list[str] = []
    employers: list[str] = []
    for _heading, _key, body in work:
        used: set[int] = set()
        # Match over the whole section: a period may be split over lines in extracted text.
        body_text = "\n".join(body)
        for match in _RANGE.finditer(body_text):
            period = _parse_range(match, today)
            if period is None:
                continue
            ranges.append(period)
            date_ranges.append(
                DateRange(
                    text=" ".join(match.group(0).split()),
                    start=_fmt_month(period[0]),
                    end=_fmt_month(period[1] - 1),
                    current=bool(match["now"]),
                )
            )
            if experience:
                for segment in _roles_near(body_text, match, used):
                    target = employers if _EMPLOYER_HINT.search(segment) else titles
                    target.append(segment)

    education_lines = [
        line
        for _h, key, body in sections
        if _is_education(key)
        for line in body
        if sum(ch.isalpha() for ch in line) >= 3
    ]
    if not education_lines:
        education_lines = [line for line in lines if _DEGREE.search(line) and len(line) <= 200]

    headline, name = "", None
    top = [line for line in lines[:40] if line][:12]
    for position, line in enumerate(top):
        if not _title_like(line):
            continue
        following = top[position + 1 : position + 2]
        # A short line right above the e-mail/phone line is the person's name, not a title.
        if name is None and following and _contact_line(following[0]) and len(line.split()) <= 4:
            name = line
        elif not headline:
            headline = line

    return ResumeProfile(
        headline=headline,
        name=name,
        emails=_dedupe(_EMAIL.findall(text)),
        sections=profile_sections,
        titles=_dedupe(titles),
        employers=_dedupe(employers),
        date_ranges=date_ranges,
        years_experience=years_from_ranges(ranges),
        education=education_lines[:20],
        skills=find_skills(text),
        locations=_dedupe(
            f"{m['city']}, {m['region']}"
            for m in _LOCATION.finditer(text)
            if m["city"].lower() not in _PLACEHOLDER_WORDS
        ),
    )
