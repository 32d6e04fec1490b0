"""Interview scheduling: common free slots across a panel, and iCalendar (.ics) invites.

Everything works on aware datetimes and returns UTC; working hours are interpreted in each
interviewer's own IANA time zone through ``zoneinfo``, so daylight-saving changes are handled by
converting instants rather than by adding fixed offsets. Nothing here reads the clock: callers
pass ``start`` and ``dtstamp``.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from domain.artifacts import CalendarInvite, InterviewSlot
from domain.entities import BusyBlock, Interviewer
from domain.errors import DomainError

# A scan over more than a year is almost certainly a mistake and would only burn CPU.
_MAX_DAYS = 366

# Candidates are only offered times a person can reasonably attend from home or work.
_CANDIDATE_DAY_START = time(8, 0)
_CANDIDATE_DAY_END = time(19, 0)

# RFC 5545 3.1: content lines SHOULD NOT be longer than 75 octets, excluding the line break.
_ICS_LINE_OCTETS = 75

# Deliberately narrower than RFC 5322: addresses end up inside ``mailto:`` URIs of an invite and
# in the ``to`` of a draft, where quotes, spaces or separators would let input break the format.
_EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*")
_UID_DOMAIN_RE = re.compile(r"[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*")

# Characters that end a line for some reader; each becomes the escaped ``\n`` of RFC 5545 TEXT.
_LINE_BREAKS = frozenset("\n\r\v\f\x85\u2028\u2029")


def resolve_timezone(name: str) -> ZoneInfo:
    """The ``ZoneInfo`` for an IANA zone name; raises ``DomainError`` naming an unknown zone."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        # ValueError/OSError cover malformed keys such as "", "../x" or a directory like "Europe".
        raise DomainError(
            f"Unknown time zone {name!r}: use an IANA name such as 'Europe/Berlin'."
        ) from exc


def validate_email(address: str, *, field: str = "email") -> str:
    """The address stripped of surrounding whitespace; raises ``DomainError`` if it is unusable.

    The value is not echoed in the error because addresses are personal data and errors get logged.
    """
    candidate = address.strip()
    if not _EMAIL_RE.fullmatch(candidate):
        raise DomainError(f"{field} is not a valid email address (expected name@domain).")
    return candidate


def _is_aware(value: datetime) -> bool:
    return value.tzinfo is not None and value.tzinfo.utcoffset(value) is not None


def _require_aware(value: datetime, name: str) -> datetime:
    if not _is_aware(value):
        raise DomainError(f"{name} must be a timezone-aware datetime, got a naive one.")
    return value.astimezone(UTC)


@dataclass(frozen=True)
class _Panelist:
    """An interviewer with the zone resolved and busy blocks normalised to UTC, checked once."""

    zone: ZoneInfo
    work_start: time
    work_end: time
    busy: tuple[tuple[datetime, datetime], ...]

    @classmethod
    def of(cls, interviewer: Interviewer) -> _Panelist:
        zone = resolve_timezone(interviewer.timezone)
        if interviewer.work_start.tzinfo is not None or interviewer.work_end.tzinfo is not None:
            # Working hours are wall-clock times in the interviewer's zone; an offset is ambiguous.
            raise DomainError(
                f"Working hours of {interviewer.name!r} must be plain times in their time zone."
            )
        if interviewer.work_start >= interviewer.work_end:
            raise DomainError(
                f"Working hours of {interviewer.name!r} must start before they end "
                f"({interviewer.work_start:%H:%M}-{interviewer.work_end:%H:%M})."
            )
        busy: list[tuple[datetime, datetime]] = []
        for block in interviewer.busy:
            block_start = _require_aware(block.start, f"busy block start of {interviewer.name!r}")
            block_end = _require_aware(block.end, f"busy block end of {interviewer.name!r}")
            if block_end < block_start:
                raise DomainError(f"A busy block of {interviewer.name!r} ends before it starts.")
            busy.append((block_start, block_end))
        return cls(zone, interviewer.work_start, interviewer.work_end, tuple(busy))

    def is_free(self, start: datetime, end: datetime) -> bool:
        """Whether [start, end) is inside one weekday's working hours and clear of busy blocks."""
        if not _within_local_hours(start, end, self.zone, self.work_start, self.work_end):
            return False
        if start.astimezone(self.zone).weekday() >= 5:
            return False
        return not any(start < b_end and b_start < end for b_start, b_end in self.busy)


def _within_local_hours(
    start: datetime, end: datetime, zone: tzinfo, day_start: time, day_end: time
) -> bool:
    # Converting both instants separately is what makes this DST-correct: the local wall clock
    # of each end is read from the zone rules in force at that instant.
    local_start = start.astimezone(zone)
    local_end = end.astimezone(zone)
    if local_start.date() != local_end.date():
        return False
    return day_start <= local_start.time() and local_end.time() <= day_end


def _align(moment: datetime, step: timedelta) -> datetime:
    """The first point of the step grid (anchored at UTC midnight) at or after ``moment``."""
    midnight = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    offset = moment - midnight
    steps = offset // step + (1 if offset % step else 0)
    return midnight + steps * step


def find_common_slots(
    interviewers: Sequence[Interviewer],
    *,
    start: datetime,
    days: int,
    duration: timedelta,
    step: timedelta = timedelta(minutes=30),
    candidate_timezone: str | None = None,
    limit: int = 5,
    max_per_day: int = 2,
) -> list[tuple[datetime, datetime]]:
    """Up to ``limit`` slots, earliest first, in which the whole panel is free.

    A slot lies inside every interviewer's working hours on a weekday in their own time zone,
    overlaps none of their busy blocks and, when ``candidate_timezone`` is given, lies between
    08:00 and 19:00 candidate-local time. The scan covers ``days`` days from ``start`` on a grid
    of ``step`` anchored at UTC midnight. Results are alternatives for one person, so they do not
    overlap each other, and at most ``max_per_day`` fall on one day (the candidate's day when a
    candidate zone is given, else the first interviewer's). Returned datetimes are aware UTC.

    Raises ``DomainError`` for naive datetimes, unknown time zones, a non-positive duration or
    step, an empty panel or out-of-range counts.
    """
    if not interviewers:
        raise DomainError("At least one interviewer is needed to find a common slot.")
    window_start = _require_aware(start, "start")
    if duration <= timedelta(0):
        raise DomainError("Interview duration must be positive.")
    if step <= timedelta(0):
        raise DomainError("Slot step must be positive.")
    if not 1 <= days <= _MAX_DAYS:
        raise DomainError(f"days must be between 1 and {_MAX_DAYS}, got {days}.")
    if limit < 0:
        raise DomainError(f"limit must not be negative, got {limit}.")
    if max_per_day < 1:
        raise DomainError(f"max_per_day must be at least 1, got {max_per_day}.")

    panel = [_Panelist.of(interviewer) for interviewer in interviewers]
    candidate_zone = (
        resolve_timezone(candidate_timezone) if candidate_timezone is not None else None
    )
    day_zone = candidate_zone or panel[0].zone
    window_end = window_start + timedelta(days=days)
    # Advancing by whole steps after a pick keeps later slots on the same grid.
    steps_per_slot = duration // step + (1 if duration % step else 0)

    found: list[tuple[datetime, datetime]] = []
    per_day: dict[date, int] = {}
    slot_start = _align(window_start, step)
    while len(found) < limit and slot_start + duration <= window_end:
        slot_end = slot_start + duration
        day = slot_start.astimezone(day_zone).date()
        if (
            per_day.get(day, 0) < max_per_day
            and all(member.is_free(slot_start, slot_end) for member in panel)
            and (
                candidate_zone is None
                or _within_local_hours(
                    slot_start, slot_end, candidate_zone, _CANDIDATE_DAY_START, _CANDIDATE_DAY_END
                )
            )
        ):
            found.append((slot_start, slot_end))
            per_day[day] = per_day.get(day, 0) + 1
            slot_start += steps_per_slot * step
            continue
        slot_start += step
    return found


def assign_slots(
    candidate_ids: Sequence[str],
    interviewers: Sequence[Interviewer],
    *,
    start: datetime,
    days: int,
    duration: timedelta,
    candidate_timezones: Mapping[str, str] | None = None,
) -> list[InterviewSlot]:
    """One slot per candidate, in the given order, never sharing panel time between candidates.

    Each candidate gets the earliest slot the whole panel has free (within 08:00-19:00 of the
    candidate's zone when ``candidate_timezones`` names one); that slot is then booked as busy for
    the panel before the next candidate is placed. Candidates that cannot be placed are skipped
    and repeated ids are placed once. ``InterviewSlot.interviewers`` holds the panel's emails.
    """
    zones = candidate_timezones or {}
    panel = list(interviewers)
    emails = [interviewer.email for interviewer in interviewers]
    placed: set[str] = set()
    slots: list[InterviewSlot] = []
    for candidate_id in candidate_ids:
        if candidate_id in placed:
            continue
        found = find_common_slots(
            panel,
            start=start,
            days=days,
            duration=duration,
            candidate_timezone=zones.get(candidate_id),
            limit=1,
        )
        if not found:
            continue
        slot_start, slot_end = found[0]
        slots.append(
            InterviewSlot(
                candidate_id=candidate_id, start=slot_start, end=slot_end, interviewers=emails
            )
        )
        placed.add(candidate_id)
        booked = BusyBlock(start=slot_start, end=slot_end)
        # Copies, so the caller's interviewers are not mutated by the booking.
        panel = [member.model_copy(update={"busy": [*member.busy, booked]}) for member in panel]
    return slots


def escape_ics_text(value: str) -> str:
    """``value`` as an RFC 5545 TEXT value: ``\\ ; ,`` and line breaks escaped, controls dropped.

    Every character that some reader might take as a line break becomes the two characters
    ``\\n``, so untrusted text can never start a new property (calendar-invite injection).
    """
    out: list[str] = []
    for char in value.replace("\r\n", "\n"):
        if char == "\\":
            out.append("\\\\")
        elif char in ";,":
            out.append("\\" + char)
        elif char in _LINE_BREAKS:
            out.append("\\n")
        elif char == "\t":
            out.append(" ")
        elif unicodedata.category(char) in ("Cc", "Cf"):
            # Other controls are not allowed in TEXT; format chars (bidi overrides, zero-width)
            # could make a title display differently from what it says.
            continue
        else:
            out.append(char)
    return "".join(out)


def fold_ics_line(line: str) -> str:
    """``line`` folded into CRLF-separated physical lines of at most 75 octets (RFC 5545 3.1).

    Continuation lines start with one space, and multi-octet UTF-8 characters are never split.
    """
    parts: list[str] = []
    current: list[str] = []
    size = 0
    for char in line:
        octets = len(char.encode("utf-8"))
        if size + octets > _ICS_LINE_OCTETS:
            parts.append("".join(current))
            current = [" "]
            size = 1
        current.append(char)
        size += octets
    parts.append("".join(current))
    return "\r\n".join(parts)


def _ics_utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def ics_uid(candidate_id: str, start: datetime, *, uid_domain: str = "hirecrew.local") -> str:
    """The deterministic UID of a candidate's invite at ``start``: re-issuing updates, not dupes."""
    if not _UID_DOMAIN_RE.fullmatch(uid_domain):
        raise DomainError(f"uid_domain {uid_domain!r} must be a host name such as 'example.com'.")
    utc_start = _require_aware(start, "slot start")
    # The unit separator keeps ("a", "1...") and ("a1", "...") from hashing the same input.
    digest = hashlib.sha256(f"{candidate_id}\x1f{_ics_utc(utc_start)}".encode()).hexdigest()
    return f"{digest[:32]}@{uid_domain}"


def build_ics(
    slot: InterviewSlot,
    *,
    title: str,
    organizer_email: str,
    attendee_emails: Sequence[str],
    uid_domain: str = "hirecrew.local",
    dtstamp: datetime,
) -> str:
    """An RFC 5545 ``VCALENDAR`` with one tentative ``VEVENT`` (``METHOD:REQUEST``) for ``slot``.

    Lines end in CRLF and are folded at 75 octets; times are UTC (``...Z``); the UID is derived
    from the candidate id and start. ``title`` is untrusted and is escaped as TEXT; emails are
    validated, so neither can add properties. Attendees are de-duplicated case-insensitively.
    """
    slot_start = _require_aware(slot.start, "slot start")
    slot_end = _require_aware(slot.end, "slot end")
    if slot_end <= slot_start:
        raise DomainError("The interview slot must end after it starts.")
    stamp = _require_aware(dtstamp, "dtstamp")
    organizer = validate_email(organizer_email, field="organizer_email")
    attendees: list[str] = []
    seen: set[str] = set()
    for index, address in enumerate(attendee_emails):
        email = validate_email(address, field=f"attendee_emails[{index}]")
        if email.lower() not in seen:
            seen.add(email.lower())
            attendees.append(email)

    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//hirecrew//hirecrew//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:REQUEST",
        "BEGIN:VEVENT",
        f"UID:{ics_uid(slot.candidate_id, slot_start, uid_domain=uid_domain)}",
        f"DTSTAMP:{_ics_utc(stamp)}",
        f"DTSTART:{_ics_utc(slot_start)}",
        f"DTEND:{_ics_utc(slot_end)}",
        f"SUMMARY:{escape_ics_text(title)}",
        f"ORGANIZER:mailto:{organizer}",
        *(
            f"ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:{email}"
            for email in attendees
        ),
        "STATUS:TENTATIVE",
        "SEQUENCE:0",
        "TRANSP:OPAQUE",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "".join(fold_ics_line(line) + "\r\n" for line in lines)


def build_invite(
    slot: InterviewSlot,
    *,
    title: str,
    organizer_email: str,
    attendee_emails: Sequence[str],
    uid_domain: str = "hirecrew.local",
    dtstamp: datetime,
) -> CalendarInvite:
    """``build_ics`` wrapped as a ``CalendarInvite`` with a safe, deterministic file name."""
    ics = build_ics(
        slot,
        title=title,
        organizer_email=organizer_email,
        attendee_emails=attendee_emails,
        uid_domain=uid_domain,
        dtstamp=dtstamp,
    )
    # Candidate ids come from data files; keep the file name to a portable character set.
    safe_id = re.sub(r"[^A-Za-z0-9_-]+", "-", slot.candidate_id)[:40].strip("-") or "candidate"
    stamp = slot.start.astimezone(UTC).strftime("%Y%m%dT%H%MZ")
    return CalendarInvite(
        candidate_id=slot.candidate_id, filename=f"interview-{safe_id}-{stamp}.ics", ics=ics
    )
