"""Slot finding across time zones and RFC 5545 invites (domain/scheduling.py).

Invites are written with ``icalendar`` and checked by parsing them back with ``vobject``, an
independent parser, so the tests do not trust the writer to read its own output.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import vobject  # type: ignore[import-untyped]

from domain.artifacts import CalendarInvite, InterviewSlot
from domain.entities import BusyBlock, Interviewer
from domain.errors import DomainError
from domain.scheduling import (
    Attendee,
    assign_slots,
    build_ics,
    build_invite,
    cancel_invite,
    find_common_slots,
    invite_covers,
    read_invite,
    reschedule_invite,
)

HOUR = timedelta(hours=1)
MONDAY = datetime(2024, 12, 2, tzinfo=UTC)  # an ordinary week, no DST change anywhere near
STAMP = datetime(2024, 11, 25, 12, 0, tzinfo=UTC)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def person(name: str, timezone: str = "UTC", **kwargs: object) -> Interviewer:
    return Interviewer(name=name, email=f"{name.lower()}@example.com", timezone=timezone, **kwargs)


def unfold(ics: str) -> list[str]:
    return ics.replace("\r\n ", "").split("\r\n")[:-1]


# --- find_common_slots ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "expected_hours"),
    [
        # Europe left DST on 27 Oct 2024, the US only on 3 Nov: the offset gap is 5 h, not 6.
        (utc(2024, 10, 28), [13, 14, 15]),
        # A week later both are on standard time: Berlin 08-16 UTC, New York 14-22 UTC.
        (utc(2024, 11, 4), [14, 15]),
        # Spring: the US moved on 10 Mar 2024, Europe only on 31 Mar.
        (utc(2024, 3, 11), [13, 14, 15]),
    ],
)
def test_dst_weeks_berlin_new_york(day: datetime, expected_hours: list[int]) -> None:
    panel = [person("Anna", "Europe/Berlin"), person("Ben", "America/New_York")]
    slots = find_common_slots(panel, start=day, days=1, duration=HOUR, limit=10, max_per_day=10)
    assert [s.hour for s, _ in slots] == expected_hours
    for slot_start, slot_end in slots:
        assert slot_start.tzinfo == UTC and slot_end - slot_start == HOUR
        for zone in ("Europe/Berlin", "America/New_York"):
            local_start = slot_start.astimezone(ZoneInfo(zone))
            local_end = slot_end.astimezone(ZoneInfo(zone))
            assert time(9) <= local_start.time() and local_end.time() <= time(17)


def test_busy_blocks_are_avoided() -> None:
    busy = [BusyBlock(start=utc(2024, 12, 2, 10), end=utc(2024, 12, 2, 12, 15))]
    panel = [person("Anna", busy=busy), person("Ben")]
    slots = find_common_slots(panel, start=MONDAY, days=1, duration=HOUR, limit=3, max_per_day=3)
    assert slots == [
        (utc(2024, 12, 2, 9), utc(2024, 12, 2, 10)),
        (utc(2024, 12, 2, 12, 30), utc(2024, 12, 2, 13, 30)),
        (utc(2024, 12, 2, 13, 30), utc(2024, 12, 2, 14, 30)),
    ]


def test_busy_blocks_in_other_zones_are_compared_as_instants() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    # 10:00-11:00 Berlin is 09:00-10:00 UTC in December.
    busy = [
        BusyBlock(
            start=datetime(2024, 12, 2, 10, tzinfo=berlin),
            end=datetime(2024, 12, 2, 11, tzinfo=berlin),
        )
    ]
    slots = find_common_slots(
        [person("Anna", busy=busy)], start=MONDAY, days=1, duration=HOUR, limit=1
    )
    assert slots == [(utc(2024, 12, 2, 10), utc(2024, 12, 2, 11))]


def test_weekends_are_skipped() -> None:
    saturday = utc(2024, 11, 30, 8)
    slots = find_common_slots([person("Anna")], start=saturday, days=3, duration=HOUR, limit=1)
    assert slots == [(utc(2024, 12, 2, 9), utc(2024, 12, 2, 10))]


def test_weekday_is_judged_in_the_interviewers_zone() -> None:
    # Friday 15:00-17:00 in Los Angeles is already Saturday in UTC: still a working slot.
    friday_afternoon = utc(2024, 12, 6, 23)
    slots = find_common_slots(
        [person("Lee", "America/Los_Angeles")],
        start=friday_afternoon,
        days=1,
        duration=HOUR,
        limit=5,
        max_per_day=5,
    )
    assert slots == [
        (utc(2024, 12, 6, 23), utc(2024, 12, 7, 0)),
        (utc(2024, 12, 7, 0), utc(2024, 12, 7, 1)),
    ]


def test_candidate_hours_window() -> None:
    # Tokyo 08:00-19:00 is 23:00-10:00 UTC: only 09:00-10:00 UTC meets a UTC 09-17 panel.
    slots = find_common_slots(
        [person("Anna")],
        start=MONDAY,
        days=2,
        duration=HOUR,
        candidate_timezone="Asia/Tokyo",
        limit=5,
    )
    assert slots == [
        (utc(2024, 12, 2, 9), utc(2024, 12, 2, 10)),
        (utc(2024, 12, 3, 9), utc(2024, 12, 3, 10)),
    ]
    tokyo = ZoneInfo("Asia/Tokyo")
    for slot_start, slot_end in slots:
        assert slot_start.astimezone(tokyo).time() >= time(8)
        assert slot_end.astimezone(tokyo).time() <= time(19)


def test_results_spread_across_days_and_do_not_overlap() -> None:
    slots = find_common_slots(
        [person("Anna")], start=MONDAY, days=5, duration=HOUR, limit=5, max_per_day=2
    )
    assert len(slots) == 5
    days = [s.date() for s, _ in slots]
    assert max(days.count(d) for d in set(days)) == 2
    assert len(set(days)) == 3
    for (_, first_end), (second_start, _) in itertools.pairwise(slots):
        assert first_end <= second_start


def test_start_is_aligned_to_the_step_grid() -> None:
    slots = find_common_slots(
        [person("Anna")], start=utc(2024, 12, 2, 9, 7), days=1, duration=HOUR, limit=1
    )
    assert slots[0][0] == utc(2024, 12, 2, 9, 30)


def test_no_common_time_gives_no_slots() -> None:
    panel = [person("Anna", "Europe/Berlin"), person("Kai", "Pacific/Auckland")]
    assert find_common_slots(panel, start=MONDAY, days=5, duration=HOUR) == []


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"start": datetime(2024, 12, 2, 9)}, "naive"),
        ({"duration": timedelta(0)}, "duration"),
        ({"duration": -HOUR}, "duration"),
        ({"candidate_timezone": "Mars/Olympus_Mons"}, "Mars/Olympus_Mons"),
        ({"candidate_timezone": "../../etc/passwd"}, "../../etc/passwd"),
        ({"days": 0}, "days"),
        ({"step": timedelta(0)}, "step"),
    ],
)
def test_invalid_input_raises(kwargs: dict[str, object], needle: str) -> None:
    arguments: dict[str, object] = {"start": MONDAY, "days": 1, "duration": HOUR} | kwargs
    with pytest.raises(DomainError, match=needle.replace(".", r"\.")):
        find_common_slots([person("Anna")], **arguments)  # type: ignore[arg-type]


def test_unknown_interviewer_zone_is_named() -> None:
    with pytest.raises(DomainError, match="Atlantis/Capital"):
        find_common_slots([person("Anna", "Atlantis/Capital")], start=MONDAY, days=1, duration=HOUR)


def test_naive_busy_block_raises() -> None:
    busy = [BusyBlock(start=datetime(2024, 12, 2, 9), end=datetime(2024, 12, 2, 10))]
    with pytest.raises(DomainError, match="naive"):
        find_common_slots([person("Anna", busy=busy)], start=MONDAY, days=1, duration=HOUR)


# --- assign_slots --------------------------------------------------------------------------------


def test_assign_slots_gives_distinct_slots_in_order() -> None:
    panel = [
        person("Anna", "Europe/Berlin"),
        person(
            "Ben",
            "America/New_York",
            busy=[BusyBlock(start=utc(2024, 12, 2, 14), end=utc(2024, 12, 2, 15))],
        ),
    ]
    slots = assign_slots(["c1", "c2", "c3"], panel, start=MONDAY, days=5, duration=HOUR)
    assert [s.candidate_id for s in slots] == ["c1", "c2", "c3"]
    assert [s.start for s in slots] == [
        utc(2024, 12, 2, 15),  # 14:00 UTC is busy for Ben; the panel overlaps 14-16 UTC
        utc(2024, 12, 3, 14),
        utc(2024, 12, 3, 15),
    ]
    for first, second in itertools.pairwise(slots):
        assert first.end <= second.start
    assert all(s.interviewers == ["anna@example.com", "ben@example.com"] for s in slots)
    assert len(panel[1].busy) == 1  # the caller's interviewers are not mutated


def test_assign_slots_skips_candidates_that_cannot_be_placed() -> None:
    # Kiritimati (UTC+14) 08:00-19:00 is 18:00-05:00 UTC: never inside a UTC 09-17 day.
    slots = assign_slots(
        ["c1", "c2", "c1", "c3"],
        [person("Anna")],
        start=MONDAY,
        days=1,
        duration=HOUR,
        candidate_timezones={"c2": "Pacific/Kiritimati"},
    )
    assert [s.candidate_id for s in slots] == ["c1", "c3"]
    assert slots[0].start != slots[1].start


def test_assign_slots_returns_what_fits() -> None:
    slots = assign_slots(
        [f"c{i}" for i in range(12)], [person("Anna")], start=MONDAY, days=1, duration=HOUR
    )
    assert len(slots) == 8  # 09:00-17:00 holds eight one-hour interviews


# --- invites: helpers ----------------------------------------------------------------------------

ORGANIZER = "recruiter@example.com"
ATTENDEES = ["jane@example.org", "anna@example.com"]


def slot(**kwargs: object) -> InterviewSlot:
    values: dict[str, object] = {
        "candidate_id": "cand-42",
        "start": utc(2024, 12, 3, 9),
        "end": utc(2024, 12, 3, 10),
        "interviewers": ["anna@example.com"],
    } | kwargs
    return InterviewSlot.model_validate(values)


def ics_for(title: str = "Interview: Backend Engineer", **kwargs: object) -> str:
    arguments: dict[str, object] = {
        "title": title,
        "organizer_email": ORGANIZER,
        "attendee_emails": ATTENDEES,
        "dtstamp": STAMP,
    } | kwargs
    return build_ics(slot(), **arguments)  # type: ignore[arg-type]


def invite_for(**kwargs: object) -> CalendarInvite:
    arguments: dict[str, object] = {
        "title": "Interview: Backend Engineer",
        "organizer_email": ORGANIZER,
        "attendee_emails": ATTENDEES,
        "dtstamp": STAMP,
    } | kwargs
    return build_invite(slot(), **arguments)  # type: ignore[arg-type]


def parse(ics: str) -> object:
    """The VCALENDAR as read by vobject (the independent parser)."""
    return vobject.readOne(ics)


def vevent(ics: str) -> object:
    """The one VEVENT of ``ics`` as read by vobject; fails if there is not exactly one."""
    calendar = vobject.readOne(ics)
    events = [c for c in calendar.components() if c.name == "VEVENT"]
    assert len(events) == 1
    return events[0]


def property_names(component: object) -> list[str]:
    return sorted(line.name for line in component.lines())  # type: ignore[attr-defined]


def attendees_of(event: object) -> list[str]:
    return [a.value for a in event.contents.get("attendee", [])]  # type: ignore[attr-defined]


def vobject_summary(ics: str) -> str:
    return str(vevent(ics).summary.value)  # type: ignore[attr-defined]


# --- build_ics -----------------------------------------------------------------------------------


def test_ics_parses_back_as_a_confirmed_request() -> None:
    ics = ics_for()
    calendar = parse(ics)
    assert calendar.name == "VCALENDAR"  # type: ignore[attr-defined]
    assert calendar.version.value == "2.0"  # type: ignore[attr-defined]
    assert calendar.method.value == "REQUEST"  # type: ignore[attr-defined]
    assert "vtimezone" not in calendar.contents  # type: ignore[attr-defined]  # UTC needs none
    event = vevent(ics)
    assert event.dtstart.value == utc(2024, 12, 3, 9)  # type: ignore[attr-defined]
    assert event.dtend.value == utc(2024, 12, 3, 10)  # type: ignore[attr-defined]
    assert event.dtstamp.value == STAMP  # type: ignore[attr-defined]
    assert event.status.value == "CONFIRMED"  # type: ignore[attr-defined]
    assert int(event.sequence.value) == 0  # type: ignore[attr-defined]
    assert event.summary.value == "Interview: Backend Engineer"  # type: ignore[attr-defined]
    assert event.organizer.value == "mailto:recruiter@example.com"  # type: ignore[attr-defined]
    assert attendees_of(event) == ["mailto:jane@example.org", "mailto:anna@example.com"]
    for attendee in event.contents["attendee"]:  # type: ignore[attr-defined]
        assert attendee.params["ROLE"] == ["REQ-PARTICIPANT"]
        assert attendee.params["PARTSTAT"] == ["NEEDS-ACTION"]
        assert attendee.params["RSVP"] == ["TRUE"]
    # UTC times are written as ...Z: the outreach review and the stage tests look for this text.
    lines = unfold(ics)
    assert "DTSTART:20241203T090000Z" in lines and "DTEND:20241203T100000Z" in lines
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"


def test_ics_uses_crlf_only() -> None:
    ics = ics_for()
    assert ics.endswith("\r\n")
    assert "\n" not in ics.replace("\r\n", "") and "\r" not in ics.replace("\r\n", "")


def test_ics_uid_is_deterministic() -> None:
    uid = vevent(ics_for()).uid.value  # type: ignore[attr-defined]
    again = vevent(ics_for(title="Other", dtstamp=STAMP + HOUR)).uid.value  # type: ignore[attr-defined]
    assert uid == again and uid.endswith("@hirecrew.local")
    other = build_ics(
        slot(candidate_id="cand-43"),
        title="x",
        organizer_email="r@example.com",
        attendee_emails=[],
        dtstamp=STAMP,
        uid_domain="example.com",
    )
    other_uid = vevent(other).uid.value  # type: ignore[attr-defined]
    assert other_uid != uid and other_uid.endswith("@example.com")


def test_attendees_are_deduplicated_and_named() -> None:
    ics = ics_for(
        attendee_emails=["jane@example.org", "JANE@example.org", "anna@example.com"],
        attendee_names={"Jane@Example.org": "Jane Doe"},
        organizer_name="Sam White",
    )
    event = vevent(ics)
    assert attendees_of(event) == ["mailto:jane@example.org", "mailto:anna@example.com"]
    jane, anna = event.contents["attendee"]  # type: ignore[attr-defined]
    assert jane.params["CN"] == ["Jane Doe"] and "CN" not in anna.params
    assert event.organizer.params["CN"] == ["Sam White"]  # type: ignore[attr-defined]


def test_ics_text_escaping() -> None:
    title = "Interview; Backend, Team \\ Ops\nRound 2"
    ics = ics_for(title)
    assert "SUMMARY:Interview\\; Backend\\, Team \\\\ Ops\\nRound 2" in unfold(ics)
    assert vobject_summary(ics) == title


def test_description_is_escaped_and_optional() -> None:
    assert "description" not in vevent(ics_for()).contents  # type: ignore[attr-defined]
    text = "Agenda: intro, code; review\nBEGIN:VALARM\nEND:VEVENT"
    event = vevent(ics_for(description=text))
    assert event.description.value == text  # type: ignore[attr-defined]
    assert not list(event.components())  # type: ignore[attr-defined]  # no VALARM was added


@pytest.mark.parametrize(
    "payload",
    [
        "Chat\r\nATTENDEE:mailto:evil@x.example",
        "Chat\nATTENDEE:mailto:evil@x.example\nEND:VEVENT\nBEGIN:VEVENT",
        "Chat\rATTENDEE:mailto:evil@x.example",
        "Chat\u2028ATTENDEE:mailto:evil@x.example",
        "Chat\x85ATTENDEE:mailto:evil@x.example",
        "Chat\vATTENDEE:mailto:evil@x.example\fEND:VEVENT\u2029BEGIN:VEVENT",
        "Chat;ATTENDEE=x:mailto:evil@x.example,BEGIN:VEVENT",
    ],
)
def test_ics_title_injection_stays_inside_summary(payload: str) -> None:
    ics = ics_for(payload)
    lines = unfold(ics)
    summary = [line for line in lines if line.startswith("SUMMARY")]
    assert len(summary) == 1 and "mailto:evil@x.example" in summary[0]
    assert not any(line.startswith("ATTENDEE:") for line in lines)
    assert lines.count("BEGIN:VEVENT") == 1 and lines.count("END:VEVENT") == 1
    assert "\n" not in ics.replace("\r\n", "")
    # The independent parser sees the same properties as for a harmless title, and no more.
    event = vevent(ics)
    assert property_names(event) == property_names(vevent(ics_for()))
    assert attendees_of(event) == ["mailto:jane@example.org", "mailto:anna@example.com"]
    assert "mailto:evil@x.example" in event.summary.value  # type: ignore[attr-defined]
    assert [c.name for c in parse(ics).components()] == ["VEVENT"]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "name",
    [
        'Jane "The Boss" Doe',
        "Doe, Jane; ROLE=CHAIR:mailto:evil@x.example",
        "Jane\r\nATTENDEE:mailto:evil@x.example\r\nBEGIN:VEVENT",
        "Jane\u2028END:VEVENT\x85BEGIN:VEVENT",
    ],
)
def test_display_names_cannot_add_parameters_or_properties(name: str) -> None:
    ics = ics_for(attendee_names={"jane@example.org": name}, organizer_name=name)
    event = vevent(ics)
    assert property_names(event) == property_names(
        vevent(ics_for(attendee_names={"jane@example.org": "Jane"}, organizer_name="Sam"))
    )
    assert attendees_of(event) == ["mailto:jane@example.org", "mailto:anna@example.com"]
    jane = event.contents["attendee"][0]  # type: ignore[attr-defined]
    assert jane.params["ROLE"] == ["REQ-PARTICIPANT"] and len(jane.params["CN"]) == 1
    assert event.organizer.value == "mailto:recruiter@example.com"  # type: ignore[attr-defined]
    assert [c.name for c in parse(ics).components()] == ["VEVENT"]  # type: ignore[attr-defined]
    assert "\n" not in ics.replace("\r\n", "")


def test_control_and_format_characters_are_dropped() -> None:
    # A right-to-left override would make the title display differently from what it says.
    assert vobject_summary(ics_for("Inter\u202eview\x00\x07\tround")) == "Interview round"


@pytest.mark.parametrize(
    "email",
    ["jane@example.org\r\nATTENDEE:mailto:evil@x", "jane@example.org;RSVP=FALSE", "not-an-email"],
)
def test_ics_rejects_unsafe_emails(email: str) -> None:
    with pytest.raises(DomainError, match="email"):
        ics_for(attendee_emails=[email])
    with pytest.raises(DomainError, match="email"):
        ics_for(organizer_email=email)


def test_ics_folding_at_75_octets() -> None:
    title = "Interview with the Ünïcødé panel — " * 6
    ics = ics_for(title)
    physical = ics.split("\r\n")[:-1]
    assert any(line.startswith(" ") for line in physical)
    assert all(len(line.encode("utf-8")) <= 75 for line in physical)
    assert vobject_summary(ics) == title


def test_folding_never_splits_multibyte_characters() -> None:
    title = "€" * 60
    ics = ics_for(title)
    for line in ics.encode("utf-8").split(b"\r\n"):
        assert len(line) <= 75
        line.decode("utf-8")  # a split character would not decode on its own
    assert vobject_summary(ics) == title


def test_ics_rejects_bad_slots() -> None:
    with pytest.raises(DomainError, match="naive"):
        build_ics(
            slot(start=datetime(2024, 12, 3, 9), end=datetime(2024, 12, 3, 10)),
            title="x",
            organizer_email="r@example.com",
            attendee_emails=[],
            dtstamp=STAMP,
        )
    with pytest.raises(DomainError, match="end after"):
        build_ics(
            slot(end=utc(2024, 12, 3, 9)),
            title="x",
            organizer_email="r@example.com",
            attendee_emails=[],
            dtstamp=STAMP,
        )
    with pytest.raises(DomainError, match="uid_domain"):
        ics_for(uid_domain="evil\r\nX:1")
    with pytest.raises(DomainError, match="naive"):
        ics_for(dtstamp=datetime(2024, 11, 25, 12))
    with pytest.raises(DomainError, match="Mars/Olympus_Mons"):
        ics_for(timezone="Mars/Olympus_Mons")


def test_build_invite_file_name() -> None:
    invite = build_invite(
        slot(candidate_id="../cand 42"),
        title="Interview",
        organizer_email="r@example.com",
        attendee_emails=["jane@example.org"],
        dtstamp=STAMP,
    )
    assert invite.candidate_id == "../cand 42"
    assert invite.filename == "interview-cand-42-20241203T0900Z.ics"
    assert vevent(invite.ics).dtstart.value == utc(2024, 12, 3, 9)  # type: ignore[attr-defined]


# --- time zones ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "start", "wall_clock", "offset_hours"),
    [
        # Europe/Berlin springs forward on 30 Mar 2025; New York already did on 9 Mar.
        ("America/New_York", utc(2025, 3, 31, 13), "20250331T090000", -4),
        ("Europe/Berlin", utc(2025, 3, 31, 13), "20250331T150000", 2),
        # The Friday before, Berlin is still on CET.
        ("Europe/Berlin", utc(2025, 3, 28, 13), "20250328T140000", 1),
        ("America/New_York", utc(2025, 3, 28, 13), "20250328T090000", -4),
        # Northern winter: New York on EST.
        ("America/New_York", utc(2024, 12, 3, 14), "20241203T090000", -5),
        ("Asia/Kolkata", utc(2024, 12, 3, 9), "20241203T143000", 5.5),
    ],
)
def test_times_are_written_in_the_given_zone_with_a_vtimezone(
    zone: str, start: datetime, wall_clock: str, offset_hours: float
) -> None:
    ics = build_ics(
        slot(start=start, end=start + HOUR),
        title="Interview",
        organizer_email=ORGANIZER,
        attendee_emails=ATTENDEES,
        dtstamp=STAMP,
        timezone=zone,
    )
    assert f"DTSTART;TZID={zone}:{wall_clock}" in unfold(ics)
    calendar = parse(ics)
    timezones = calendar.contents["vtimezone"]  # type: ignore[attr-defined]
    assert [tz.tzid.value for tz in timezones] == [zone]
    event = vevent(ics)
    # Compared as aware datetimes: the instants are the slot's, whatever zone they are shown in.
    assert event.dtstart.value == start and event.dtend.value == start + HOUR  # type: ignore[attr-defined]
    assert event.dtstart.value.utcoffset() == timedelta(hours=offset_hours)  # type: ignore[attr-defined]
    assert event.dtstamp.value == STAMP  # type: ignore[attr-defined]  # DTSTAMP stays UTC
    details = read_invite(ics)
    assert (details.start, details.end, details.timezone) == (start, start + HOUR, zone)


# --- read_invite, reschedule_invite, cancel_invite -----------------------------------------------


def test_read_invite_round_trips_what_was_written() -> None:
    invite = invite_for(
        timezone="Europe/Berlin",
        description="Bring a laptop",
        organizer_name="Sam White",
        attendee_names={"jane@example.org": "Jane Doe"},
    )
    details = read_invite(invite.ics)
    assert details.method == "REQUEST" and details.status == "CONFIRMED"
    assert details.sequence == 0 and details.uid == vevent(invite.ics).uid.value  # type: ignore[attr-defined]
    assert details.start == utc(2024, 12, 3, 9) and details.end == utc(2024, 12, 3, 10)
    assert details.timezone == "Europe/Berlin"
    assert details.title == "Interview: Backend Engineer"
    assert details.description == "Bring a laptop"
    assert details.organizer == Attendee("recruiter@example.com", "Sam White")
    assert details.attendees == (
        Attendee("jane@example.org", "Jane Doe"),
        Attendee("anna@example.com", None),
    )


@pytest.mark.parametrize(
    "ics",
    [
        "",
        "not a calendar",
        "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
        ics_for().replace("DTSTART:", "DTSTART:1"),
        ics_for().replace("DTSTART:20241203T090000Z", "DTSTART:20241203T090000"),  # floating
        ics_for().replace("UID:", "UID:<script>"),
        # Two VEVENTs: which one would a reschedule move?
        ics_for().replace("BEGIN:VEVENT", "BEGIN:VEVENT\r\nX-A:1\r\nEND:VEVENT\r\nBEGIN:VEVENT"),
    ],
)
def test_read_invite_rejects_what_it_cannot_reissue(ics: str) -> None:
    with pytest.raises(DomainError):
        read_invite(ics)
    assert not invite_covers(ics, utc(2024, 12, 3, 9))


def test_reschedule_keeps_the_uid_and_bumps_the_sequence() -> None:
    original = invite_for(
        timezone="America/New_York", attendee_names={"jane@example.org": "Jane Doe"}
    )
    # Moved to the day after Berlin's spring-forward, for a candidate in New York.
    new_start = utc(2025, 3, 31, 13)
    moved = reschedule_invite(
        original, slot(start=new_start, end=new_start + HOUR), dtstamp=STAMP + HOUR
    )
    before, after = vevent(original.ics), vevent(moved.ics)
    assert parse(moved.ics).method.value == "REQUEST"  # type: ignore[attr-defined]
    assert after.uid.value == before.uid.value  # type: ignore[attr-defined]
    assert int(after.sequence.value) == 1  # type: ignore[attr-defined]
    assert after.status.value == "CONFIRMED"  # type: ignore[attr-defined]
    assert after.dtstart.value == new_start  # type: ignore[attr-defined]
    assert after.dtend.value == new_start + HOUR  # type: ignore[attr-defined]
    assert after.dtstart.value.utcoffset() == timedelta(hours=-4)  # type: ignore[attr-defined]
    assert after.dtstamp.value == STAMP + HOUR  # type: ignore[attr-defined]
    assert "DTSTART;TZID=America/New_York:20250331T090000" in unfold(moved.ics)
    assert attendees_of(after) == attendees_of(before)
    assert after.organizer.value == before.organizer.value  # type: ignore[attr-defined]
    assert after.summary.value == before.summary.value  # type: ignore[attr-defined]
    assert after.contents["attendee"][0].params["CN"] == ["Jane Doe"]  # type: ignore[attr-defined]
    assert all(
        a.params["PARTSTAT"] == ["NEEDS-ACTION"]
        for a in after.contents["attendee"]  # type: ignore[attr-defined]
    )
    assert moved.candidate_id == original.candidate_id
    assert moved.filename == "interview-cand-42-20250331T1300Z.ics"

    again = reschedule_invite(
        moved, slot(start=new_start + HOUR, end=new_start + 2 * HOUR), dtstamp=STAMP + 2 * HOUR
    )
    assert int(vevent(again.ics).sequence.value) == 2  # type: ignore[attr-defined]
    assert vevent(again.ics).uid.value == before.uid.value  # type: ignore[attr-defined]


def test_cancel_keeps_the_uid_and_bumps_the_sequence() -> None:
    original = invite_for(timezone="Europe/Berlin")
    moved = reschedule_invite(
        original,
        slot(start=utc(2024, 12, 4, 9), end=utc(2024, 12, 4, 10)),
        dtstamp=STAMP + HOUR,
    )
    cancelled = cancel_invite(moved, dtstamp=STAMP + 2 * HOUR)
    assert parse(cancelled.ics).method.value == "CANCEL"  # type: ignore[attr-defined]
    event = vevent(cancelled.ics)
    assert event.status.value == "CANCELLED"  # type: ignore[attr-defined]
    assert int(event.sequence.value) == 2  # type: ignore[attr-defined]
    assert event.uid.value == vevent(original.ics).uid.value  # type: ignore[attr-defined]
    assert event.dtstart.value == utc(2024, 12, 4, 9)  # type: ignore[attr-defined]
    assert event.dtend.value == utc(2024, 12, 4, 10)  # type: ignore[attr-defined]
    assert event.dtstamp.value == STAMP + 2 * HOUR  # type: ignore[attr-defined]
    assert attendees_of(event) == attendees_of(vevent(original.ics))
    assert event.organizer.value == "mailto:recruiter@example.com"  # type: ignore[attr-defined]
    assert cancelled.filename == "interview-cand-42-20241204T0900Z-cancelled.ics"
    # Cancelling the first request directly gives SEQUENCE 1.
    direct = vevent(cancel_invite(original, dtstamp=STAMP).ics)
    assert int(direct.sequence.value) == 1  # type: ignore[attr-defined]


def test_a_cancelled_invite_cannot_be_moved_or_cancelled_again() -> None:
    cancelled = cancel_invite(invite_for(), dtstamp=STAMP)
    with pytest.raises(DomainError, match="cancel"):
        cancel_invite(cancelled, dtstamp=STAMP)
    with pytest.raises(DomainError, match="reschedule"):
        reschedule_invite(cancelled, slot(), dtstamp=STAMP)


def test_reschedule_checks_the_new_slot() -> None:
    invite = invite_for()
    with pytest.raises(DomainError, match="different candidate"):
        reschedule_invite(invite, slot(candidate_id="cand-43"), dtstamp=STAMP)
    with pytest.raises(DomainError, match="end after"):
        reschedule_invite(invite, slot(end=utc(2024, 12, 3, 8)), dtstamp=STAMP)
    with pytest.raises(DomainError, match="naive"):
        reschedule_invite(invite, slot(), dtstamp=datetime(2024, 11, 25))


def test_hostile_text_stays_contained_through_reschedule_and_cancel() -> None:
    payload = "Chat\nATTENDEE:mailto:evil@x.example\nEND:VEVENT\nBEGIN:VEVENT;x,y"
    original = invite_for(
        title=payload, description=payload, attendee_names={"jane@example.org": payload}
    )
    moved = reschedule_invite(
        original, slot(start=utc(2024, 12, 4, 9), end=utc(2024, 12, 4, 10)), dtstamp=STAMP
    )
    cancelled = cancel_invite(moved, dtstamp=STAMP)
    for invite in (original, moved, cancelled):
        event = vevent(invite.ics)
        assert [c.name for c in parse(invite.ics).components()] == ["VEVENT"]  # type: ignore[attr-defined]
        assert attendees_of(event) == ["mailto:jane@example.org", "mailto:anna@example.com"]
        assert event.summary.value == payload  # type: ignore[attr-defined]
        assert event.description.value == payload  # type: ignore[attr-defined]


def test_a_tampered_invite_is_not_reissued() -> None:
    invite = invite_for()
    forged = invite.model_copy(
        update={"ics": invite.ics.replace("mailto:jane@example.org", "mailto:jane@x;y")}
    )
    with pytest.raises(DomainError, match="email"):
        reschedule_invite(forged, slot(), dtstamp=STAMP)


def test_invite_covers_compares_instants() -> None:
    berlin = invite_for(timezone="Europe/Berlin").ics
    assert invite_covers(berlin, utc(2024, 12, 3, 9))
    assert invite_covers(berlin, datetime(2024, 12, 3, 4, tzinfo=ZoneInfo("America/New_York")))
    assert not invite_covers(berlin, utc(2024, 12, 3, 10))
    cancelled = cancel_invite(invite_for(), dtstamp=STAMP).ics
    assert not invite_covers(cancelled, utc(2024, 12, 3, 9))
