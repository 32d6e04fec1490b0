"""Interview scheduling: common free slots across a panel, and iCalendar (.ics) invites.

Everything works on aware datetimes and returns UTC; working hours are interpreted in each
interviewer's own IANA time zone through ``zoneinfo``, so daylight-saving changes are handled by
converting instants rather than by adding fixed offsets. Nothing here reads the clock: callers
pass ``start`` and ``dtstamp``.

Invites (RFC 5545, scheduled per RFC 5546) are written and read back with the ``icalendar``
library: ``build_invite`` issues a request (SEQUENCE 0), ``reschedule_invite`` and
``cancel_invite`` update it under the same UID with the next SEQUENCE, read from the previous
invite's own .ics text.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from icalendar import Calendar, Event, Timezone, vCalAddress

from domain.artifacts import CalendarInvite, InterviewSlot
from domain.entities import BusyBlock, Interviewer
from domain.errors import DomainError

# A scan over more than a year is almost certainly a mistake and would only burn CPU.
_MAX_DAYS = 366

# Candidates are only offered times a person can reasonably attend from home or work.
_CANDIDATE_DAY_START = time(8, 0)
_CANDIDATE_DAY_END = time(19, 0)

_PRODID = "-//hirecrew//hirecrew//EN"
# Zones whose times are written as ``...Z`` rather than with a TZID and VTIMEZONE.
_UTC_KEYS = frozenset({"UTC", "Etc/UTC", "Etc/Zulu", "Zulu", "Etc/UCT", "UCT", "Universal"})
# How far either side of the event the generated VTIMEZONE spells out the zone's rules.
_VTIMEZONE_MARGIN = timedelta(days=366)

# Deliberately narrower than RFC 5322: addresses end up inside ``mailto:`` URIs of an invite and
# in the ``to`` of a draft, where quotes, spaces or separators would let input break the format.
_EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*")
_UID_DOMAIN_RE = re.compile(r"[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*")
# UIDs read back from an invite are re-issued, so they are held to the shape ``ics_uid`` makes.
_UID_RE = re.compile(r"[A-Za-z0-9._-]{1,128}@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*")

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


def _clean_text(value: str) -> str:
    """``value`` made safe for an iCalendar TEXT or parameter value before the library escapes it.

    Every character that some reader might take as a line break becomes ``\\n`` (which the
    library then writes as the two characters ``\\n``), tabs become spaces, and other control
    and format characters are dropped: bidi overrides or zero-width characters could make a title
    display differently from what it says. (icalendar reads a literal backslash followed by ``N``
    in a value as a line break too; that only changes how such text looks, never its structure.)
    """
    out: list[str] = []
    for char in value.replace("\r\n", "\n"):
        if char in _LINE_BREAKS:
            out.append("\n")
        elif char == "\t":
            out.append(" ")
        elif unicodedata.category(char) in ("Cc", "Cf"):
            continue
        else:
            out.append(char)
    return "".join(out)


def _clean_name(value: str) -> str:
    """A display name for a ``CN`` parameter: one line, no double quotes, no controls."""
    one_line = " ".join(_clean_text(value).split())
    return one_line.replace('"', "'")


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


def _event_zone(name: str) -> tzinfo:
    """The zone DTSTART/DTEND are written in; UTC is written as ``...Z`` without a VTIMEZONE."""
    zone = resolve_timezone(name)
    return UTC if zone.key in _UTC_KEYS else zone


@dataclass(frozen=True)
class Attendee:
    """An invitee as written to (and read back from) an invite."""

    email: str
    name: str | None = None


@dataclass(frozen=True)
class InviteDetails:
    """What an invite says, read back from its .ics text by ``read_invite``.

    ``start`` and ``end`` are aware UTC instants; ``timezone`` is the IANA zone the times are
    written in (``"UTC"`` for ``...Z`` times).
    """

    method: str
    status: str
    uid: str
    sequence: int
    start: datetime
    end: datetime
    timezone: str
    title: str
    description: str | None
    organizer: Attendee
    attendees: tuple[Attendee, ...]


def _render(details: InviteDetails, *, dtstamp: datetime) -> str:
    """``details`` as an RFC 5545 ``VCALENDAR`` with one ``VEVENT``, written by icalendar."""
    zone = _event_zone(details.timezone)
    organizer = vCalAddress.new(details.organizer.email)
    if details.organizer.name:
        organizer.params["CN"] = details.organizer.name
    attendees = []
    for attendee in details.attendees:
        address = vCalAddress.new(
            attendee.email,
            cutype="INDIVIDUAL",
            role="REQ-PARTICIPANT",
            partstat="NEEDS-ACTION",
            rsvp=True,
        )
        if attendee.name:
            address.params["CN"] = attendee.name
        attendees.append(address)
    event = Event()
    event.add("uid", details.uid)
    event.add("dtstamp", dtstamp.astimezone(UTC))
    event.add("dtstart", details.start.astimezone(zone))
    event.add("dtend", details.end.astimezone(zone))
    event.add("summary", details.title)
    if details.description:
        event.add("description", details.description)
    event.add("organizer", organizer)
    for address in attendees:
        event.add("attendee", address)
    event.add("sequence", details.sequence)
    event.add("status", details.status)
    event.add("transp", "OPAQUE")

    calendar = Calendar()
    calendar.add("prodid", _PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", details.method)
    if isinstance(zone, ZoneInfo):
        # Cover a year either side so clients that show the event next to others get the rules.
        calendar.add_component(
            Timezone.from_tzid(
                zone.key,
                first_date=(details.start - _VTIMEZONE_MARGIN).date(),
                last_date=(details.end + _VTIMEZONE_MARGIN).date(),
            )
        )
    calendar.add_component(event)
    ics: bytes = calendar.to_ical()
    return ics.decode("utf-8")


def _checked_times(start: datetime, end: datetime) -> tuple[datetime, datetime]:
    slot_start = _require_aware(start, "slot start")
    slot_end = _require_aware(end, "slot end")
    if slot_end <= slot_start:
        raise DomainError("The interview slot must end after it starts.")
    return slot_start, slot_end


def build_ics(
    slot: InterviewSlot,
    *,
    title: str,
    organizer_email: str,
    attendee_emails: Sequence[str],
    uid_domain: str = "hirecrew.local",
    dtstamp: datetime,
    timezone: str = "UTC",
    description: str | None = None,
    organizer_name: str | None = None,
    attendee_names: Mapping[str, str] | None = None,
) -> str:
    """An RFC 5545 ``VCALENDAR`` (``METHOD:REQUEST``) with one confirmed ``VEVENT`` for ``slot``.

    Written by the ``icalendar`` library: CRLF line ends, lines folded at 75 octets, TEXT and
    parameter values escaped. DTSTART/DTEND are wall-clock times in ``timezone`` (an IANA name,
    normally the candidate's or the organiser's) with a matching ``VTIMEZONE``; ``"UTC"`` writes
    ``...Z`` times instead. The UID is derived from the candidate id and start and SEQUENCE is 0.
    ``title``, ``description`` and the display names are untrusted: line breaks and control
    characters are neutralised before escaping, so none can add properties or components. Emails
    are validated; attendees are de-duplicated case-insensitively and ``attendee_names`` (keyed by
    email, case-insensitively) gives their ``CN``.
    """
    slot_start, slot_end = _checked_times(slot.start, slot.end)
    stamp = _require_aware(dtstamp, "dtstamp")
    _event_zone(timezone)  # an unknown zone fails before anything else is built
    organizer = validate_email(organizer_email, field="organizer_email")
    names = {email.strip().lower(): name for email, name in (attendee_names or {}).items()}
    attendees: list[Attendee] = []
    seen: set[str] = set()
    for index, address in enumerate(attendee_emails):
        email = validate_email(address, field=f"attendee_emails[{index}]")
        if email.lower() not in seen:
            seen.add(email.lower())
            name = names.get(email.lower())
            attendees.append(Attendee(email, _clean_name(name) if name else None))
    details = InviteDetails(
        method="REQUEST",
        status="CONFIRMED",
        uid=ics_uid(slot.candidate_id, slot_start, uid_domain=uid_domain),
        sequence=0,
        start=slot_start,
        end=slot_end,
        timezone=timezone,
        title=_clean_text(title),
        description=_clean_text(description) if description else None,
        organizer=Attendee(organizer, _clean_name(organizer_name) if organizer_name else None),
        attendees=tuple(attendees),
    )
    return _render(details, dtstamp=stamp)


def _invite_filename(candidate_id: str, start: datetime, suffix: str = "") -> str:
    # Candidate ids come from data files; keep the file name to a portable character set.
    safe_id = re.sub(r"[^A-Za-z0-9_-]+", "-", candidate_id)[:40].strip("-") or "candidate"
    stamp = start.astimezone(UTC).strftime("%Y%m%dT%H%MZ")
    return f"interview-{safe_id}-{stamp}{suffix}.ics"


def build_invite(
    slot: InterviewSlot,
    *,
    title: str,
    organizer_email: str,
    attendee_emails: Sequence[str],
    uid_domain: str = "hirecrew.local",
    dtstamp: datetime,
    timezone: str = "UTC",
    description: str | None = None,
    organizer_name: str | None = None,
    attendee_names: Mapping[str, str] | None = None,
) -> CalendarInvite:
    """``build_ics`` wrapped as a ``CalendarInvite`` with a safe, deterministic file name."""
    ics = build_ics(
        slot,
        title=title,
        organizer_email=organizer_email,
        attendee_emails=attendee_emails,
        uid_domain=uid_domain,
        dtstamp=dtstamp,
        timezone=timezone,
        description=description,
        organizer_name=organizer_name,
        attendee_names=attendee_names,
    )
    return CalendarInvite(
        candidate_id=slot.candidate_id,
        filename=_invite_filename(slot.candidate_id, slot.start),
        ics=ics,
    )


def _address(value: object, field: str) -> Attendee:
    if not isinstance(value, vCalAddress):
        raise DomainError(f"The invite's {field} is not a calendar address.")
    email = validate_email(value.email, field=field)
    name = value.params.get("CN")
    return Attendee(email, _clean_name(name) if isinstance(name, str) and name else None)


def _instant(event: Event, name: str) -> tuple[datetime, str]:
    """The aware UTC instant of DTSTART/DTEND and the IANA zone it is written in."""
    prop = event.get(name)
    value = getattr(prop, "dt", None)
    if not isinstance(value, datetime) or not _is_aware(value):
        raise DomainError(f"The invite's {name} is not a date-time with a time zone.")
    if value.utcoffset() == timedelta(0) and value.tzinfo in (UTC, ZoneInfo("UTC")):
        return value.astimezone(UTC), "UTC"
    tzid = prop.params.get("TZID")
    if not isinstance(tzid, str):
        raise DomainError(f"The invite's {name} has no TZID.")
    resolve_timezone(tzid)
    return value.astimezone(UTC), tzid


def read_invite(ics: str) -> InviteDetails:
    """The details of an invite with exactly one ``VEVENT``, parsed back with ``icalendar``.

    Raises ``DomainError`` when the text is not such an invite or a value is unusable (an
    unparsable or floating time, an unknown zone, an invalid email, an unsafe UID).
    """
    try:
        return _read_invite(ics)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
        # icalendar reports malformed text and broken property values as ValueError subclasses.
        raise DomainError(f"The invite is not valid iCalendar: {exc}") from exc


def _read_invite(ics: str) -> InviteDetails:
    calendar = Calendar.from_ical(ics)
    if not isinstance(calendar, Calendar):
        raise DomainError("The invite is not a VCALENDAR.")
    events = [c for c in calendar.subcomponents if isinstance(c, Event)]
    if len(events) != 1:
        raise DomainError(f"The invite must hold exactly one VEVENT, found {len(events)}.")
    event = events[0]
    uid = str(event.get("UID", ""))
    if not _UID_RE.fullmatch(uid):
        raise DomainError("The invite's UID is missing or not of the form id@host.")
    start, zone = _instant(event, "DTSTART")
    end, _ = _instant(event, "DTEND")
    if end <= start:
        raise DomainError("The invite must end after it starts.")
    sequence = event.get("SEQUENCE", 0)
    if not isinstance(sequence, int) or sequence < 0:
        raise DomainError("The invite's SEQUENCE is not a non-negative integer.")
    raw_attendees = event.get("ATTENDEE", [])
    if not isinstance(raw_attendees, list):
        raw_attendees = [raw_attendees]
    description = event.get("DESCRIPTION")
    return InviteDetails(
        method=str(calendar.get("METHOD", "")).upper(),
        status=str(event.get("STATUS", "")).upper(),
        uid=uid,
        sequence=int(sequence),
        start=start,
        end=end,
        timezone=zone,
        title=_clean_text(str(event.get("SUMMARY", ""))),
        description=_clean_text(str(description)) if description else None,
        organizer=_address(event.get("ORGANIZER"), "organizer"),
        attendees=tuple(
            _address(value, f"attendee[{index}]") for index, value in enumerate(raw_attendees)
        ),
    )


def _open_request(invite: CalendarInvite, action: str) -> InviteDetails:
    details = read_invite(invite.ics)
    if details.method != "REQUEST" or details.status == "CANCELLED":
        raise DomainError(f"Cannot {action} an invite that is not an open request.")
    return details


def reschedule_invite(
    invite: CalendarInvite, slot: InterviewSlot, *, dtstamp: datetime
) -> CalendarInvite:
    """``invite`` moved to the times of ``slot``: same UID, SEQUENCE + 1, ``METHOD:REQUEST``.

    Title, description, organiser, attendees and time zone are carried over from the previous
    invite's .ics (read back and re-validated); attendees' replies are reset to NEEDS-ACTION, as
    RFC 5546 asks when the time changes. ``slot`` must be for the same candidate. Raises
    ``DomainError`` for a cancelled or unreadable invite or a bad slot.
    """
    if slot.candidate_id != invite.candidate_id:
        raise DomainError("The new slot is for a different candidate than the invite.")
    start, end = _checked_times(slot.start, slot.end)
    stamp = _require_aware(dtstamp, "dtstamp")
    previous = _open_request(invite, "reschedule")
    details = replace(previous, start=start, end=end, sequence=previous.sequence + 1)
    return CalendarInvite(
        candidate_id=invite.candidate_id,
        filename=_invite_filename(invite.candidate_id, start),
        ics=_render(details, dtstamp=stamp),
    )


def cancel_invite(invite: CalendarInvite, *, dtstamp: datetime) -> CalendarInvite:
    """The cancellation of ``invite``: ``METHOD:CANCEL``, ``STATUS:CANCELLED``, same UID and
    times, SEQUENCE + 1, addressed to the same attendees. Raises ``DomainError`` for an
    unreadable or already cancelled invite."""
    stamp = _require_aware(dtstamp, "dtstamp")
    previous = _open_request(invite, "cancel")
    details = replace(previous, method="CANCEL", status="CANCELLED", sequence=previous.sequence + 1)
    return CalendarInvite(
        candidate_id=invite.candidate_id,
        filename=_invite_filename(invite.candidate_id, previous.start, "-cancelled"),
        ics=_render(details, dtstamp=stamp),
    )


def invite_covers(ics: str, start: datetime) -> bool:
    """Whether ``ics`` is an open request (not cancelled) for an event starting at ``start``.

    Compares instants, so an invite written in any time zone matches; unreadable text does not.
    """
    try:
        details = read_invite(ics)
    except DomainError:
        return False
    return (
        details.method == "REQUEST"
        and details.status != "CANCELLED"
        and details.start == start.astimezone(UTC)
    )
