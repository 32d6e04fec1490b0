"""Slot finding across time zones and RFC 5545 invites (domain/scheduling.py)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from domain.artifacts import InterviewSlot
from domain.entities import BusyBlock, Interviewer
from domain.errors import DomainError
from domain.scheduling import (
    assign_slots,
    build_ics,
    build_invite,
    escape_ics_text,
    find_common_slots,
    fold_ics_line,
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


# --- build_ics -----------------------------------------------------------------------------------


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
        "organizer_email": "recruiter@example.com",
        "attendee_emails": ["jane@example.org", "anna@example.com"],
        "dtstamp": STAMP,
    } | kwargs
    return build_ics(slot(), **arguments)  # type: ignore[arg-type]


def test_ics_structure() -> None:
    ics = ics_for()
    lines = unfold(ics)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    for expected in (
        "VERSION:2.0",
        "METHOD:REQUEST",
        "BEGIN:VEVENT",
        "END:VEVENT",
        "STATUS:TENTATIVE",
        "DTSTART:20241203T090000Z",
        "DTEND:20241203T100000Z",
        "DTSTAMP:20241125T120000Z",
        "ORGANIZER:mailto:recruiter@example.com",
        "SUMMARY:Interview: Backend Engineer",
    ):
        assert expected in lines
    assert [line.split(":", 1)[1] for line in lines if line.startswith("ATTENDEE")] == [
        "mailto:jane@example.org",
        "mailto:anna@example.com",
    ]
    assert lines.index("BEGIN:VCALENDAR") < lines.index("BEGIN:VEVENT") < lines.index("END:VEVENT")


def test_ics_uses_crlf_only() -> None:
    ics = ics_for()
    assert ics.endswith("\r\n")
    assert "\n" not in ics.replace("\r\n", "") and "\r" not in ics.replace("\r\n", "")


def test_ics_uid_is_deterministic() -> None:
    uid = [line for line in unfold(ics_for()) if line.startswith("UID:")]
    again = [
        line
        for line in unfold(ics_for(title="Other", dtstamp=STAMP + HOUR))
        if line.startswith("UID:")
    ]
    assert uid == again and uid[0].endswith("@hirecrew.local")
    other = build_ics(
        slot(candidate_id="cand-43"),
        title="x",
        organizer_email="r@example.com",
        attendee_emails=[],
        dtstamp=STAMP,
        uid_domain="example.com",
    )
    other_uid = next(line for line in unfold(other) if line.startswith("UID:"))
    assert other_uid != uid[0] and other_uid.endswith("@example.com")


def test_ics_text_escaping() -> None:
    assert escape_ics_text("a,b;c\\d\ne\r\nf") == "a\\,b\\;c\\\\d\\ne\\nf"
    lines = unfold(ics_for("Interview; Backend, Team \\ Ops\nRound 2"))
    assert "SUMMARY:Interview\\; Backend\\, Team \\\\ Ops\\nRound 2" in lines


@pytest.mark.parametrize(
    "payload",
    [
        "Chat\r\nATTENDEE:mailto:evil@x.example",
        "Chat\nATTENDEE:mailto:evil@x.example\nEND:VEVENT\nBEGIN:VEVENT",
        "Chat\rATTENDEE:mailto:evil@x.example",
        "Chat\u2028ATTENDEE:mailto:evil@x.example",
        "Chat\x85ATTENDEE:mailto:evil@x.example",
    ],
)
def test_ics_title_injection_stays_inside_summary(payload: str) -> None:
    ics = ics_for(payload)
    lines = unfold(ics)
    summary = [line for line in lines if line.startswith("SUMMARY")]
    assert len(summary) == 1 and "ATTENDEE:mailto:evil@x.example" in summary[0]
    assert not any(line.startswith("ATTENDEE:") for line in lines)
    assert sum(line.startswith("ATTENDEE") for line in lines) == 2
    assert lines.count("BEGIN:VEVENT") == 1 and lines.count("END:VEVENT") == 1
    assert "\n" not in ics.replace("\r\n", "")


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
    assert f"SUMMARY:{escape_ics_text(title)}" in unfold(ics)


def test_fold_never_splits_multibyte_characters() -> None:
    folded = fold_ics_line("SUMMARY:" + "€" * 60)
    for line in folded.split("\r\n"):
        assert len(line.encode("utf-8")) <= 75
        line.encode("utf-8").decode("utf-8")
    assert folded.replace("\r\n ", "") == "SUMMARY:" + "€" * 60


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
    assert "DTSTART:20241203T090000Z" in invite.ics
