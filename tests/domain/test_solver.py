"""The scheduling solver: properties against an independent brute-force checker, DST, ranking,
infeasibility explanations and iCalendar busy import."""

from __future__ import annotations

import os
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from domain.entities import BusyBlock, Interviewer
from domain.errors import DomainError
from domain.solver import (
    AnyOf,
    CandidateRequest,
    InfeasibleScheduleError,
    InterviewType,
    OrderRule,
    PanelMember,
    Proposal,
    SchedulingProblem,
    _local_window,
    assign,
    busy_from_ics,
    propose,
)

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
ZONES = (
    "Europe/Berlin",
    "America/New_York",
    "Asia/Kolkata",
    "Australia/Sydney",
    "UTC",
    "America/Los_Angeles",
    "Africa/Cairo",
)
# Mondays 00:00 UTC around DST changes (US 8 Mar / 1 Nov, EU 29 Mar / 25 Oct, Cairo 24 Apr /
# 29 Oct, Sydney 5 Apr / 4 Oct 2026) and one quiet week.
STARTS = tuple(
    datetime(2026, m, d, tzinfo=UTC)
    for m, d in ((3, 2), (3, 23), (4, 20), (10, 19), (10, 26), (3, 30), (6, 8), (10, 5))
)
QUARTER = timedelta(minutes=15)
Span = tuple[datetime, datetime]


# --- an independent checker: sampled instants, no interval arithmetic ---------------------------


def _samples(start: datetime, end: datetime) -> list[datetime]:
    """Instants that pin down wall time on [start, end): transitions fall on quarter hours."""
    out = []
    moment = start
    while moment < end:
        out += [moment, min(moment + QUARTER, end) - timedelta(seconds=1)]
        moment += QUARTER
    return out


def _inside(start: datetime, end: datetime, zone: str, hours: str, *, weekdays: bool) -> bool:
    tz = ZoneInfo(zone)
    first, last = (time.fromisoformat(part) for part in hours.split("-"))
    locals_ = [moment.astimezone(tz) for moment in _samples(start, end)]
    day = locals_[0].date()
    return all(
        local.date() == day
        and first <= local.time().replace(tzinfo=None) < last
        and (not weekdays or local.weekday() < 5)
        for local in locals_
    )


def _overlaps(start: datetime, end: datetime, blocks: list[tuple[datetime, datetime]]) -> bool:
    return any(start < b_end and b_start < end for b_start, b_end in blocks)


def _in_availability(start: datetime, end: datetime, candidate: CandidateRequest) -> bool:
    # Windows may touch or overlap: walk the covered time from the start.
    reach = start
    changed = True
    while changed and reach < end:
        changed = False
        for lo, hi in candidate.availability:
            if lo <= reach < hi:
                reach, changed = hi, True
    return reach >= end


def _member_ok(member: PanelMember, start: datetime, end: datetime, extra: list[Span]) -> bool:
    return _inside(
        start, end, member.timezone, member.working_hours, weekdays=True
    ) and not _overlaps(start, end, [*member.busy, *extra])


def _outside_core(start: datetime, end: datetime, zone: str) -> int:
    tz = ZoneInfo(zone)
    moment, outside = start, 0
    while moment < end:
        local = moment.astimezone(tz).time()
        if not time(9) <= local < time(17):
            outside += 15
        moment += QUARTER
    return outside


def _notice_start(problem: SchedulingProblem) -> datetime:
    """The first moment after ``notice_hours`` of time in which some member works."""
    moment, total = problem.now, 0
    while total < problem.notice_hours * 60:
        if any(
            _inside(moment, moment + QUARTER, m.timezone, m.working_hours, weekdays=True)
            for m in problem.panel
        ):
            total += 15
        moment += QUARTER
    return moment


def _valid_starts(
    problem: SchedulingProblem,
    candidate: CandidateRequest,
    bookings: dict[str, list[Span]] | None = None,
    counts: Counter[tuple[str, date]] | None = None,
) -> list[tuple[int, datetime]]:
    """Brute force: every grid start with a feasible panel, as (outside minutes, start)."""
    bookings = bookings or {}
    counts = counts or Counter()
    interview = problem.interviews[0]
    length = timedelta(minutes=interview.minutes)
    step = timedelta(minutes=problem.granularity_minutes)
    horizon = problem.now + timedelta(days=problem.horizon_days)
    found = []
    moment = problem.now
    earliest = _notice_start(problem)
    while moment + length <= horizon:
        end = moment + length
        if (
            _in_availability(moment, end, candidate)
            and (
                candidate.allow_outside_hours
                or _inside(moment, end, candidate.timezone, "08:00-19:00", weekdays=False)
            )
            and moment >= earliest
        ):

            def free(member: PanelMember, start: datetime = moment, stop: datetime = end) -> bool:
                day = start.astimezone(ZoneInfo(member.timezone)).date()
                cap = member.max_per_day
                return _member_ok(member, start, stop, bookings.get(member.name, [])) and (
                    cap is None or counts[(member.name, day)] < cap
                )

            required = [problem.panel[problem.member_index(r)] for r in interview.required]
            pools_ok = all(
                sum(free(problem.panel[problem.member_index(r)]) for r in pool.members)
                >= pool.count
                for pool in interview.any_of
            )
            if all(free(m) for m in required) and pools_ok:
                found.append((_outside_core(moment, end, candidate.timezone), moment))
        moment += step
    return found


def _check_proposal(
    problem: SchedulingProblem, candidate: CandidateRequest, proposal: Proposal
) -> None:
    by_name = {m.name: m for m in problem.panel}
    step = problem.granularity_minutes * 60
    for session in proposal.sessions:
        start, end = session.start, session.end
        assert int(start.timestamp()) % step == 0
        assert problem.now <= start and end <= problem.now + timedelta(days=problem.horizon_days)
        assert _in_availability(start, end, candidate)
        if not candidate.allow_outside_hours:
            assert _inside(start, end, candidate.timezone, "08:00-19:00", weekdays=False)
        assert start >= _notice_start(problem)
        for name in session.interviewers:
            assert _member_ok(by_name[name], start, end, [])


# --- strategies ---------------------------------------------------------------------------------


@st.composite
def problems(draw: st.DrawFn, *, pools: bool = True) -> SchedulingProblem:
    now = draw(st.sampled_from(STARTS)) + timedelta(hours=draw(st.integers(0, 30)))
    size = draw(st.integers(1, 3))
    members = []
    for i in range(size):
        first = draw(st.integers(0, 19))
        length = draw(st.integers(2, 10))
        minutes = draw(st.sampled_from([0, 30]))
        last = min(23 * 60 + 30, first * 60 + minutes + length * 60)
        hours = f"{first:02d}:{minutes:02d}-{last // 60:02d}:{last % 60:02d}"
        busy = tuple(
            (now + timedelta(minutes=15 * b), now + timedelta(minutes=15 * (b + n)))
            for b, n in draw(
                st.lists(st.tuples(st.integers(0, 7 * 96), st.integers(1, 16)), max_size=8)
            )
        )
        cap = draw(st.none() | st.integers(1, 3))
        zone = draw(st.sampled_from(ZONES))
        members.append(PanelMember(f"m{i}", f"m{i}@x.io", zone, hours, busy, cap))
    names = tuple(m.name for m in members)
    minutes = draw(st.sampled_from([30, 45, 60, 90]))
    if pools and size > 1 and draw(st.booleans()):
        interview = InterviewType("i", minutes, any_of=(AnyOf(names, draw(st.integers(1, size))),))
    else:
        interview = InterviewType("i", minutes, required=names)
    return SchedulingProblem(
        panel=tuple(members),
        interviews=(interview,),
        now=now,
        notice_hours=draw(st.sampled_from([0, 0, 4, 12])),
        granularity_minutes=draw(st.sampled_from([15, 30, 60])),
        horizon_days=7,
    )


@st.composite
def candidates(draw: st.DrawFn, now: datetime, ident: str = "c") -> CandidateRequest:
    windows = tuple(
        (now + timedelta(minutes=15 * b), now + timedelta(minutes=15 * (b + n)))
        for b, n in draw(
            st.lists(st.tuples(st.integers(0, 7 * 96), st.integers(4, 192)), min_size=1, max_size=6)
        )
    )
    return CandidateRequest(
        ident, ident, draw(st.sampled_from(ZONES)), windows, draw(st.booleans())
    )


FAST = settings(
    # SOLVER_EXAMPLES=1000 for a deeper search; the default keeps the suite fast.
    max_examples=int(os.environ.get("SOLVER_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@FAST
@given(data=st.data())
def test_proposals_satisfy_every_constraint_and_match_brute_force(data: st.DataObject) -> None:
    problem = data.draw(problems())
    candidate = data.draw(candidates(problem.now))
    brute = sorted(_valid_starts(problem, candidate))
    try:
        proposals = propose(problem, candidate, limit=4)
    except InfeasibleScheduleError as exc:
        event("infeasible")
        assert brute == [], f"solver found nothing, brute force found {brute[:3]}"
        assert exc.explanation
        return
    event("feasible")
    assert brute, "solver proposed a slot the brute force rejects"
    valid = {start for _, start in brute}
    for proposal in proposals:
        _check_proposal(problem, candidate, proposal)
        assert proposal.start in valid
        assert proposal.outside_core_minutes == _outside_core(
            proposal.start, proposal.end, candidate.timezone
        )
    # Best first: the first proposal is the brute-force optimum (core minutes, then earlier).
    assert (proposals[0].outside_core_minutes, proposals[0].start) == brute[0]
    keys = [(p.peak_load, p.outside_core_minutes, p.start) for p in proposals]
    assert keys == sorted(keys)
    spans = sorted((p.start, p.end) for p in proposals)
    assert all(a[1] <= b[0] for a, b in pairwise(spans))


@FAST
@given(data=st.data())
def test_assignment_never_double_books_and_respects_caps(data: st.DataObject) -> None:
    problem = data.draw(problems())
    count = data.draw(st.integers(2, 6))
    people = [data.draw(candidates(problem.now, f"c{i}")) for i in range(count)]
    result = assign(problem, people)
    assert set(result.scheduled) | set(result.unscheduled) == {c.id for c in people}
    by_id = {c.id: c for c in people}
    booked: dict[str, list[Span]] = {}
    counts: Counter[tuple[str, date]] = Counter()
    zones = {m.name: ZoneInfo(m.timezone) for m in problem.panel}
    for cid, proposal in result.scheduled.items():
        _check_proposal(problem, by_id[cid], proposal)
        for session in proposal.sessions:
            for name in session.interviewers:
                assert not _overlaps(session.start, session.end, booked.get(name, []))
                booked.setdefault(name, []).append((session.start, session.end))
                counts[(name, session.start.astimezone(zones[name]).date())] += 1
    for member in problem.panel:
        if member.max_per_day is not None:
            assert all(
                n <= member.max_per_day for (name, _), n in counts.items() if name == member.name
            )
    assert dict(result.loads) == {m.name: len(booked.get(m.name, [])) for m in problem.panel}
    # Greedy only adds bookings, so whoever is left out has no slot given all of them.
    for cid, reason in result.unscheduled.items():
        assert reason
        assert _valid_starts(problem, by_id[cid], booked, counts) == []


def test_any_of_pools_spread_the_load() -> None:
    now = datetime(2026, 6, 8, 7, tzinfo=UTC)
    panel = tuple(PanelMember(f"p{i}", f"p{i}@x.io", "Europe/London") for i in range(3))
    problem = SchedulingProblem(
        panel, (InterviewType("i", 60, any_of=(AnyOf(("p0", "p1", "p2"), 1),)),), now
    )
    window = ((now, now + timedelta(days=5)),)
    people = [CandidateRequest(f"c{i}", "c", "Europe/London", window) for i in range(6)]
    result = assign(problem, people)
    assert not result.unscheduled
    assert sorted(result.loads.values()) == [2, 2, 2]


# --- DST ----------------------------------------------------------------------------------------


def test_local_window_on_the_missing_and_the_repeated_hour() -> None:
    def utc(day: date, start: str, end: str) -> list[tuple[str, str]]:
        spans = _local_window(BERLIN, day, time.fromisoformat(start), time.fromisoformat(end))
        return [
            (f"{datetime.fromtimestamp(a, UTC):%H:%M}", f"{datetime.fromtimestamp(b, UTC):%H:%M}")
            for a, b in spans
        ]

    spring, autumn = date(2026, 3, 29), date(2026, 10, 25)
    assert utc(spring, "09:00", "17:00") == [("07:00", "15:00")]  # wall clock, CEST
    assert utc(spring, "01:00", "04:00") == [("00:00", "02:00")]  # two real hours
    assert utc(spring, "02:15", "02:45") == []  # does not exist
    assert utc(spring, "01:00", "02:30") == [("00:00", "01:00")]  # ends at the jump
    assert utc(autumn, "01:00", "04:00") == [("23:00", "03:00")]  # four real hours
    # 02:00-02:30 happens twice: once in CEST and once in CET.
    assert utc(autumn, "02:00", "02:30") == [("00:00", "00:30"), ("01:00", "01:30")]


def test_a_panel_spanning_berlin_and_new_york_follows_both_dst_changes() -> None:
    panel = (
        PanelMember("Ana", "ana@x.io", "Europe/Berlin", "09:00-17:00"),
        PanelMember("Ben", "ben@x.io", "America/New_York", "09:00-17:00"),
    )

    def daily_slots(monday: datetime) -> list[str]:
        problem = SchedulingProblem(
            panel,
            (InterviewType("i", 60, required=("Ana", "Ben")),),
            monday,
            granularity_minutes=60,
            horizon_days=1,
        )
        who = CandidateRequest("c", "c", "UTC", ((monday, monday + timedelta(days=1)),), True)
        return [f"{p.start:%H:%M}" for p in propose(problem, who, limit=10)]

    # Both on standard time: New York 09:00 = 14:00 UTC, Berlin 17:00 = 16:00 UTC.
    assert daily_slots(datetime(2026, 3, 2, tzinfo=UTC)) == ["14:00", "15:00"]
    # New York moved on 8 March, Berlin not yet: three hours overlap.
    assert daily_slots(datetime(2026, 3, 9, tzinfo=UTC)) == ["13:00", "14:00", "15:00"]
    # Both on summer time again.
    assert daily_slots(datetime(2026, 3, 30, tzinfo=UTC)) == ["13:00", "14:00"]
    # Europe fell back on 25 October, New York on 1 November.
    assert daily_slots(datetime(2026, 10, 26, tzinfo=UTC)) == ["13:00", "14:00", "15:00"]


def test_working_hours_across_a_weekday_dst_change_are_wall_clock() -> None:
    # Cairo skips 00:00-01:00 on Friday 24 April 2026: 00:00-08:00 holds seven real hours.
    friday = datetime(2026, 4, 23, 20, tzinfo=UTC)
    panel = (PanelMember("Nour", "nour@x.io", "Africa/Cairo", "00:00-08:00"),)
    problem = SchedulingProblem(
        panel,
        (InterviewType("i", 60, required=("Nour",)),),
        friday,
        granularity_minutes=60,
        horizon_days=1,
    )
    who = CandidateRequest("c", "c", "UTC", ((friday, friday + timedelta(hours=12)),), True)
    slots = propose(problem, who, limit=20)
    assert [f"{p.start:%H}" for p in slots] == ["22", "23", "00", "01", "02", "03", "04"]


# --- notice, granularity, caps ------------------------------------------------------------------


def _one(zone: str = "Europe/London", hours: str = "09:00-17:00", **kw: object) -> PanelMember:
    return PanelMember("Ana", "ana@x.io", zone, hours, **kw)  # type: ignore[arg-type]


MONDAY = datetime(2026, 6, 8, 8, tzinfo=UTC)  # 09:00 in London
WEEK = ((MONDAY, MONDAY + timedelta(days=5)),)


def _problem(*members: PanelMember, **kw: object) -> SchedulingProblem:
    names = tuple(m.name for m in members)
    return SchedulingProblem(members, (InterviewType("i", 60, required=names),), MONDAY, **kw)  # type: ignore[arg-type]


def test_notice_counts_the_panels_business_hours() -> None:
    # 10 business hours from Monday 09:00 London (hours 09-17) is Tuesday 11:00.
    proposals = propose(
        _problem(_one(), notice_hours=10), CandidateRequest("c", "c", "Europe/London", WEEK)
    )
    assert proposals[0].start == datetime(2026, 6, 9, 10, tzinfo=UTC)


def test_the_candidates_core_hours_win_over_earlier_times() -> None:
    # Ana works 07:00-17:00 London; the candidate in London prefers 09:00 over 08:00.
    best = propose(
        _problem(_one(hours="07:00-17:00")), CandidateRequest("c", "c", "Europe/London", WEEK)
    )[0]
    assert best.start == datetime(2026, 6, 8, 8, tzinfo=UTC)
    assert best.outside_core_minutes == 0


# --- explanations -------------------------------------------------------------------------------


def _why(problem: SchedulingProblem, candidate: CandidateRequest) -> str:
    with pytest.raises(InfeasibleScheduleError) as caught:
        propose(problem, candidate)
    return caught.value.explanation


def test_explains_working_hours() -> None:
    # 17:00-19:00 in London is 18:00-20:00 in Berlin, after Ana's day.
    evening = ((MONDAY + timedelta(hours=8), MONDAY + timedelta(hours=10)),)
    why = _why(
        _problem(_one("Europe/Berlin")), CandidateRequest("c", "c", "Europe/London", evening)
    )
    assert "no time in the candidate's availability falls within Ana's working hours" in why
    assert "09:00-17:00 Europe/Berlin" in why


def test_explains_busy_blocks() -> None:
    member = _one(busy=((MONDAY, MONDAY + timedelta(days=7)),))
    why = _why(_problem(member), CandidateRequest("c", "c", "Europe/London", WEEK))
    assert why.startswith("Ana is busy at every time")


def test_explains_the_daily_cap() -> None:
    member = _one(max_per_day=1)
    day = ((MONDAY, MONDAY + timedelta(hours=8)),)
    problem = _problem(member)
    people = [CandidateRequest(f"c{i}", "c", "Europe/London", day) for i in range(2)]
    result = assign(problem, people)
    assert len(result.scheduled) == 1
    (why,) = result.unscheduled.values()
    assert "interviewer Ana reached the daily cap of 1" in why


def test_explains_the_notice() -> None:
    day = ((MONDAY, MONDAY + timedelta(hours=8)),)
    why = _why(_problem(_one(), notice_hours=16), CandidateRequest("c", "c", "Europe/London", day))
    assert why.startswith("notice: the first allowed start is 2026-06-09 17:00 BST")
    assert "after the last availability window ends (2026-06-08 17:00 BST)" in why


def test_explains_the_candidates_hours_and_the_horizon() -> None:
    # 09:00-17:00 London is 17:00-01:00 in Tokyo: only 17:00-19:00 is reasonable there.
    problem = SchedulingProblem((_one(),), (InterviewType("i", 180, required=("Ana",)),), MONDAY)
    why = _why(problem, CandidateRequest("c", "c", "Asia/Tokyo", WEEK))
    assert "between 08:00 and 19:00 in their time zone (Asia/Tokyo)" in why
    assert propose(problem, CandidateRequest("c", "c", "Asia/Tokyo", WEEK, True))
    late = ((MONDAY + timedelta(days=30), MONDAY + timedelta(days=31)),)
    assert "no time between now" in _why(problem, CandidateRequest("c", "c", "UTC", late))


def test_explains_an_order_rule_and_orders_sessions() -> None:
    panel = (_one(), PanelMember("Bo", "bo@x.io", "Europe/London"))
    loop = (
        InterviewType("screen", 30, required=("Bo",)),
        InterviewType("onsite", 60, required=("Ana", "Bo")),
    )
    ordered = SchedulingProblem(panel, loop, MONDAY, order=(OrderRule("screen", "onsite", 60),))
    proposal = propose(ordered, CandidateRequest("c", "c", "Europe/London", WEEK))[0]
    screen, onsite = proposal.sessions
    assert (screen.interview, onsite.interview) == ("screen", "onsite")
    assert onsite.start >= screen.end + timedelta(minutes=60)
    short = ((MONDAY, MONDAY + timedelta(hours=2)),)
    why = _why(ordered, CandidateRequest("c", "c", "Europe/London", short))
    assert "order: no time fits 'screen' before 'onsite' with at least 60 minutes" in why


def test_rejects_bad_input() -> None:
    with pytest.raises(DomainError, match="Unknown time zone"):
        _one("Mars/Base")
    with pytest.raises(DomainError, match="must look like"):
        _one(hours="9 to 5")
    with pytest.raises(DomainError, match="naive"):
        CandidateRequest("c", "c", "UTC", ((datetime(2026, 1, 1), datetime(2026, 1, 2)),))
    with pytest.raises(DomainError, match="cycle"):
        SchedulingProblem(
            (_one(),),
            (InterviewType("a", 30, required=("Ana",)), InterviewType("b", 30, required=("Ana",))),
            MONDAY,
            order=(OrderRule("a", "b"), OrderRule("b", "a")),
        )
    with pytest.raises(DomainError, match="not on the panel"):
        SchedulingProblem((_one(),), (InterviewType("a", 30, required=("Zed",)),), MONDAY)


def test_adapts_the_interviewer_entity() -> None:
    entity = Interviewer(
        name="Ana",
        email="ana@x.io",
        timezone="Europe/Berlin",
        work_start=time(8),
        work_end=time(16),
        busy=[BusyBlock(start=MONDAY, end=MONDAY + timedelta(hours=1))],
    )
    member = PanelMember.from_interviewer(entity, max_per_day=2)
    assert member.working_hours == "08:00-16:00" and member.busy == (
        (MONDAY, MONDAY + timedelta(hours=1)),
    )


# --- iCalendar ----------------------------------------------------------------------------------

ICS = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//test//EN
BEGIN:VEVENT
UID:tzid
DTSTART;TZID=Europe/Berlin:20260608T100000
DTEND;TZID=Europe/Berlin:20260608T113000
END:VEVENT
BEGIN:VEVENT
UID:utc
DTSTART:20260609T120000Z
DURATION:PT45M
END:VEVENT
BEGIN:VEVENT
UID:floating
DTSTART:20260610T090000
DTEND:20260610T100000
END:VEVENT
BEGIN:VEVENT
UID:allday
DTSTART;VALUE=DATE:20260611
END:VEVENT
BEGIN:VEVENT
UID:free
DTSTART:20260612T090000Z
DTEND:20260612T100000Z
TRANSP:TRANSPARENT
END:VEVENT
BEGIN:VEVENT
UID:cancelled
DTSTART:20260612T110000Z
DTEND:20260612T120000Z
STATUS:CANCELLED
END:VEVENT
END:VCALENDAR
"""


def test_busy_from_ics_reads_tzid_utc_floating_and_all_day_and_skips_free_time() -> None:
    busy = busy_from_ics(ICS.replace("\n", "\r\n"), floating_timezone="America/New_York")
    assert busy == [
        (datetime(2026, 6, 8, 8, tzinfo=UTC), datetime(2026, 6, 8, 9, 30, tzinfo=UTC)),
        (datetime(2026, 6, 9, 12, tzinfo=UTC), datetime(2026, 6, 9, 12, 45, tzinfo=UTC)),
        (datetime(2026, 6, 10, 13, tzinfo=UTC), datetime(2026, 6, 10, 14, tzinfo=UTC)),
        (datetime(2026, 6, 11, 4, tzinfo=UTC), datetime(2026, 6, 12, 4, tzinfo=UTC)),
    ]
    with pytest.raises(DomainError, match="iCalendar"):
        busy_from_ics("not a calendar")
