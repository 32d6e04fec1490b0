"""Drafting outreach messages to candidates, from job-related facts only.

Names, highlights and titles can come from resumes, scraped profiles or model output, so every
interpolated string passes through ``sanitise_untrusted`` first: a draft must never carry a
markdown image or link that leaks data when a mail client renders it (OWASP LLM05, COMPLIANCE
INJ-2). Nothing is sent from here; drafts wait for a human.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Sequence
from datetime import datetime

from domain.artifacts import InterviewSlot, OutreachMessage
from domain.errors import DomainError
from domain.review import protected_terms
from domain.scheduling import resolve_timezone, validate_email

_MAX_UNTRUSTED = 200
_MAX_HIGHLIGHTS = 2
_TONES = ("warm", "brief")
_LINK_REMOVED = "[link removed]"

# Fixed English names rather than strftime("%a"), which depends on the process locale.
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

_COMMENT_RE = re.compile(r"<!--.*?(?:-->|$)", re.DOTALL)
_SCRIPT_RE = re.compile(r"<(script|style)\b.*?(?:</\1\s*>|$)", re.IGNORECASE | re.DOTALL)
# Inline ![alt](url) and reference-style ![alt][ref] images.
_IMAGE_RE = re.compile(r"!\[[^\]]*\](?:\([^)]*\)|\[[^\]]*\])")
_LINK_RE = re.compile(r"\[([^\]]*)\](?:\([^)]*\)|\[[^\]]*\])")
_TAG_RE = re.compile(r"</?[a-zA-Z][^<>]*>")
_URL_RE = re.compile(
    r"\b(?:https?|ftps?|file)://\S*"
    r"|\bwww\.\S+"
    r"|\b(?:javascript|vbscript):\S+"
    r"|\bdata:[\w/+.-]+[;,]\S*"
    r"|(?<![\w:/])//[\w-]+\.[\w.-]+\S*",
    re.IGNORECASE,
)


def _strip_invisible(text: str) -> str:
    """Controls become spaces; format characters (zero-width, bidi, tag characters) disappear.

    Removing them first matters: a zero-width space inside ``!\u200b[`` or ``ht\u200btp`` would
    otherwise hide the markup from the patterns below.
    """
    out: list[str] = []
    for char in text:
        category = unicodedata.category(char)
        if category == "Cc":
            out.append(" ")
        elif category in ("Cf", "Co", "Cs"):
            continue
        else:
            out.append(char)
    return "".join(out)


def _sanitise_once(text: str) -> str:
    # Unescape first so "&lt;img src=...&gt;" is treated as the tag it would render as.
    text = _strip_invisible(html.unescape(text))
    text = _COMMENT_RE.sub(" ", text)
    text = _SCRIPT_RE.sub(" ", text)
    text = _IMAGE_RE.sub(" ", text)
    text = _LINK_RE.sub(lambda m: m.group(1), text)
    text = _TAG_RE.sub(" ", text)
    text = _URL_RE.sub(_LINK_REMOVED, text)
    return " ".join(text.split())


def sanitise_untrusted(text: str) -> str:
    """``text`` made safe to interpolate into a message: plain, single-line, at most 200 chars.

    Markdown images are removed, links keep only their text, raw URLs become "[link removed]",
    HTML tags and comments go, control, zero-width and bidi characters are dropped, whitespace
    is collapsed. Repeated until stable, so removing one construct cannot reveal another.
    """
    for _ in range(5):
        cleaned = _sanitise_once(text)
        if cleaned == text:
            break
        text = cleaned
    else:
        # Still changing after several passes: hostile nesting, so keep no markup characters.
        text = re.sub(r"[<>\[\]()!]", " ", text)
        text = " ".join(text.split())
    return text[:_MAX_UNTRUSTED].rstrip()


def _aware(moment: datetime) -> bool:
    return moment.tzinfo is not None and moment.tzinfo.utcoffset(moment) is not None


def format_slot(slot: InterviewSlot, timezone: str) -> str:
    """The slot in ``timezone``, e.g. "Tue 3 Dec, 10:00-11:00 (Europe/Berlin)"."""
    zone = resolve_timezone(timezone)
    if not (_aware(slot.start) and _aware(slot.end)):
        raise DomainError("Interview slots must have timezone-aware start and end times.")
    start = slot.start.astimezone(zone)
    end = slot.end.astimezone(zone)

    def day(moment: datetime) -> str:
        return f"{_WEEKDAYS[moment.weekday()]} {moment.day} {_MONTHS[moment.month - 1]}"

    if start.date() == end.date():
        return f"{day(start)}, {start:%H:%M}-{end:%H:%M} ({timezone})"
    return f"{day(start)}, {start:%H:%M} - {day(end)}, {end:%H:%M} ({timezone})"


def _highlights(highlights: Sequence[str]) -> list[str]:
    """At most two sanitised, distinct highlights that name no protected attribute or proxy."""
    chosen: list[str] = []
    for raw in highlights:
        text = sanitise_untrusted(raw)
        # A highlight about age, origin, family, ... is not a reason to contact anyone.
        if not text or protected_terms(text):
            continue
        if text.casefold() not in {c.casefold() for c in chosen}:
            chosen.append(text)
        if len(chosen) == _MAX_HIGHLIGHTS:
            break
    return chosen


def _required(value: str, field: str) -> str:
    cleaned = sanitise_untrusted(value)
    if not cleaned:
        raise DomainError(f"{field} is empty once links and markup are removed.")
    return cleaned


def draft_outreach_message(
    *,
    candidate_id: str,
    candidate_name: str,
    candidate_email: str,
    job_title: str,
    company: str,
    recruiter_name: str,
    highlights: Sequence[str],
    slots: Sequence[InterviewSlot],
    candidate_timezone: str = "UTC",
    tone: str = "warm",
) -> OutreachMessage:
    """A short plain-text email inviting the candidate to talk about the role.

    It names the role, mentions up to two job-related highlights, proposes ``slots`` in the
    candidate's time zone, says the candidate can ask for accommodations or an alternative to
    automated screening, and is signed by the recruiter. ``tone`` is "warm" or "brief" (shorter).
    Every interpolated string is sanitised; highlights naming protected attributes are dropped.
    Raises ``DomainError`` for an unknown tone or zone, a bad email, or another candidate's slot.
    """
    if tone not in _TONES:
        raise DomainError(f"Unknown tone {tone!r}: expected one of {', '.join(_TONES)}.")
    resolve_timezone(candidate_timezone)
    to = validate_email(candidate_email, field="candidate_email")
    for slot in slots:
        # Proposing someone else's slot would double-book the panel and leak their schedule.
        if slot.candidate_id != candidate_id:
            raise DomainError(f"A slot for {slot.candidate_id!r} was given for {candidate_id!r}.")
    name = sanitise_untrusted(candidate_name)
    title = _required(job_title, "job_title")
    employer = _required(company, "company")
    recruiter = _required(recruiter_name, "recruiter_name")
    chosen = _highlights(highlights)
    highlight_text = " and ".join(chosen)
    times = [
        f"- {format_slot(slot, candidate_timezone)}"
        for slot in sorted(slots, key=lambda s: s.start)
    ]
    greeting = f"Hi {name}," if name else "Hi there,"

    if tone == "brief":
        fit = f" (notably {highlight_text})" if chosen else ""
        paragraphs = [
            greeting,
            f"I'm {recruiter} from {employer}. Your background fits our {title} role{fit}. "
            "Would you be open to a short call?",
            "\n".join([f"Possible times ({candidate_timezone}):", *times])
            if times
            else "Reply with a few times that suit you.",
            "You can ask for accommodations or an alternative to automated screening at any time.",
            f"Best regards,\n{recruiter}",
        ]
    else:
        caught = (
            f"Your background caught my eye, especially {highlight_text}."
            if chosen
            else "Your background caught my eye."
        )
        if times:
            scheduling = "\n".join(
                [
                    "Would one of these times work for a first conversation? "
                    f"Times are shown in {candidate_timezone}:",
                    *times,
                    "If none of them suit you, reply with a few times that do.",
                ]
            )
        else:
            scheduling = "Could you reply with a few times that suit you for a first conversation?"
        paragraphs = [
            greeting,
            f"I'm {recruiter}, recruiting for the {title} role at {employer}. {caught} "
            "I'd love to tell you more about the role and hear what you are looking for.",
            scheduling,
            "If you need any accommodations during the process, or would like an alternative "
            "to automated screening, just let me know and we will arrange it.",
            f"Best regards,\n{recruiter}",
        ]
    return OutreachMessage(
        candidate_id=candidate_id,
        to=to,
        subject=f"{title} role at {employer}",
        body="\n\n".join(paragraphs) + "\n",
    )


def draft_rejection_notice(
    *,
    candidate_id: str,
    candidate_name: str,
    candidate_email: str,
    job_title: str,
    company: str,
    recruiter_name: str,
    tone: str = "warm",
) -> OutreachMessage:
    """A short, respectful notice that the candidate will not go forward, for the recruiter to
    confirm before it is sent.

    It gives no reason: a reason in writing invites the wrong one (a protected attribute, an
    unverified claim), and the recruiter may add a job-related one when they edit the draft. It
    says how long their data is kept and how to ask for it to be erased (GDPR Art. 13, 17).
    """
    if tone not in _TONES:
        raise DomainError(f"Unknown tone {tone!r}: expected one of {', '.join(_TONES)}.")
    to = validate_email(candidate_email, field="candidate_email")
    name = sanitise_untrusted(candidate_name)
    title = _required(job_title, "job_title")
    employer = _required(company, "company")
    recruiter = _required(recruiter_name, "recruiter_name")
    greeting = f"Hi {name}," if name else "Hi there,"
    thanks = (
        f"Thank you for your interest in the {title} role at {employer}."
        if tone == "brief"
        else f"Thank you for your interest in the {title} role at {employer}, and for the time "
        "you gave us."
    )
    paragraphs = [
        greeting,
        f"{thanks} After careful consideration, we will not be moving forward with your "
        "application for this role.",
        "We keep your application only as long as our retention policy allows; you can ask us "
        "at any time to see the data we hold about you or to erase it, by replying to this "
        "message.",
        f"We wish you all the best,\n{recruiter}",
    ]
    return OutreachMessage(
        candidate_id=candidate_id,
        to=to,
        subject=f"Your application for the {title} role at {employer}",
        body="\n\n".join(paragraphs) + "\n",
    )
