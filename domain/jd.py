"""Compose a job description from an intake brief, and re-render one after a human edit.

The composer lays the recruiter's words out; it does not clean them up. Biased phrasing in the
notes stays visible in the draft so that the compliance review (``domain.language``) can flag it
and a human decides on each change. The required statements (JD-2) are always appended.
"""

from __future__ import annotations

from domain.artifacts import JobDescription, Requirement
from domain.errors import DomainError
from domain.intake import IntakeBrief
from domain.language import ACCOMMODATION_STATEMENT, AEDT_NOTICE, EEO_STATEMENT

# "Short" style keeps the first few responsibilities: enough to describe the job, short enough
# to read on a phone.
SHORT_STYLE_MAX_RESPONSIBILITIES = 4
_SHORT_STYLE_WORDS = ("short", "concise")


def _wants_short(preferences: list[str] | None) -> bool:
    return any(word in pref.lower() for pref in preferences or [] for word in _SHORT_STYLE_WORDS)


def _bullet(text: str) -> str:
    """One list line. Only the first letter is capitalised: layout, not a rewrite of words."""
    text = " ".join(text.split())
    return f"- {text[:1].upper()}{text[1:]}"


def _section(heading: str, lines: list[str]) -> list[str]:
    return [heading, *lines, ""] if lines else []


def _requirement_lines(requirements: list[Requirement]) -> list[str]:
    return [_bullet(r.text) for r in requirements if r.text.strip()]


_HEADER_SEPARATOR = " · "


def _company_in_text(jd: JobDescription) -> str | None:
    """The company named in the header line of ``jd.text``, as composed here, if any.

    The composed layout is: title, header line, blank line. The header's first part is the
    company unless the text was rendered without one, in which case it is the location or the
    employment type.
    """
    lines = jd.text.splitlines()
    if len(lines) < 3 or not lines[1].strip() or lines[2].strip():
        return None
    first = lines[1].split(_HEADER_SEPARATOR)[0].strip()
    if not first or first in (jd.location, jd.employment_type):
        return None
    return first


def render_job_description(jd: JobDescription, *, company: str | None = None) -> str:
    """Render the published text of a job description from its structured fields.

    Used by :func:`compose_job_description` and again after a human edits the fields, so the
    text never drifts from them. Empty sections are left out; the EEO statement, the
    accommodation statement and the NYC AEDT notice always close the text.

    Args:
        jd: the job description; of its current ``text`` only the company in the header line
            is reused, and only when ``company`` is not given.
        company: the employer's name for the header line. When None, the name already in
            ``jd.text`` is kept, so re-rendering after a human edit does not drop it.

    Returns:
        Plain text, one blank line between sections, ending with a newline.
    """
    if company is None:
        company = _company_in_text(jd)
    header = _HEADER_SEPARATOR.join(
        part.strip() for part in (company, jd.location, jd.employment_type) if part and part.strip()
    )
    lines = [jd.title.strip()]
    if header:
        lines.append(header)
    lines.append("")
    summary = " ".join(jd.summary.split())
    lines += _section("About the role", [summary] if summary else [])
    lines += _section("What you'll do", [_bullet(r) for r in jd.responsibilities if r.strip()])
    lines += _section("What you bring", _requirement_lines(jd.must_haves))
    lines += _section("Nice to have", _requirement_lines(jd.nice_to_haves))
    lines += ["Equal opportunity", EEO_STATEMENT, "", ACCOMMODATION_STATEMENT, "", AEDT_NOTICE]
    return "\n".join(lines) + "\n"


def compose_job_description(
    brief: IntakeBrief, *, company: str = "Our company", preferences: list[str] | None = None
) -> JobDescription:
    """Draft a job description from an intake brief, in the recruiter's own words.

    Args:
        brief: the parsed intake notes.
        company: the employer's name, shown in the header line.
        preferences: the recruiter's style preferences. Any containing "short" or "concise"
            keeps only the first four responsibilities; preferences not understood are ignored.

    Returns:
        The job description, its ``text`` rendered by :func:`render_job_description`.

    Raises:
        DomainError: the brief has no title.
    """
    if not brief.title.strip():
        raise DomainError("The brief has no job title: add one before drafting the description.")
    responsibilities = list(brief.responsibilities)
    if _wants_short(preferences):
        responsibilities = responsibilities[:SHORT_STYLE_MAX_RESPONSIBILITIES]
    # ``text`` is required and non-empty, so build with a placeholder, then render.
    draft = JobDescription(
        title=brief.title.strip(),
        location=brief.location,
        employment_type=brief.employment_type,
        summary=brief.summary,
        responsibilities=responsibilities,
        must_haves=[r.model_copy() for r in brief.must_haves],
        nice_to_haves=[r.model_copy() for r in brief.nice_to_haves],
        text="-",
    )
    return draft.model_copy(update={"text": render_job_description(draft, company=company)})
