"""Interview scheduling solver: ranked proposals for one candidate, balanced assignment for many.

Inputs are frozen dataclasses validated on construction (``DomainError`` on bad values):
``PanelMember`` (working hours ``"HH:MM-HH:MM"`` in their own IANA zone, Monday to Friday, busy
blocks as aware intervals, an optional per-day cap), ``InterviewType`` (length, required members,
``AnyOf`` pools), ``OrderRule`` ("screen before onsite", with a minimum gap), ``CandidateRequest``
(zone and availability windows) and ``SchedulingProblem`` (all of it, plus ``now``, the notice in
business hours, the granularity and the horizon). Nothing reads the clock.

Time model
    Every instant is an integer count of seconds since the Unix epoch (UTC) inside the solver.
    A local time window such as 09:00-17:00 on a date is the set of instants whose wall-clock
    time in that zone, on that date, lies inside the window; it is computed per date from the
    zone's UTC offsets (``zoneinfo``), splitting at a DST transition. So on a spring-forward day
    a 09:00-17:00 day is still 09:00-17:00 on the wall; a window end that falls in the missing
    hour ends at the transition; on a fall-back day a window covering the repeated hour is one
    hour longer in real time, and a window that starts or ends inside the repeated hour holds
    only the instants whose wall time is inside it (possibly two pieces).

Constraints
    A session lies inside each attendee's working hours on a weekday of their zone, clear of
    their busy blocks and earlier bookings, within the candidate's availability and (unless the
    request allows it) within 08:00-19:00 candidate-local time; it starts on the granularity
    grid (anchored at 00:00 UTC), not before the notice allows, and ends within the horizon. A
    member attends at most ``max_per_day`` sessions per local day. Sessions of one candidate
    never overlap, and order rules hold (``after`` starts at least ``min_gap_minutes`` after
    ``before`` ends).

Notice
    The first allowed start is ``now`` plus ``notice_hours`` business hours, where a business
    hour is time during which at least one panel member is inside their working hours (the
    union of the panel's working windows): the panel needs that much of its own working time
    to prepare, wherever its members sit.

Objective (lexicographic, lower is better), for ranking and for assignment alike
    1. peak load: the highest number of interviews any attendee would then have;
    2. minutes of the proposal outside the candidate's local 09:00-17:00;
    3. total prior load of the chosen attendees (prefer the less used in "any k of" pools);
    4. earlier first start; 5. shorter span from first start to last end.

Algorithm
    Per member, sorted disjoint free intervals = working windows minus busy blocks minus
    bookings. For each interview type (in an order compatible with the order rules) the
    candidate's usable time is intersected with the required members' free intervals; only
    grid starts inside those intersections are visited, and pool members are checked by
    bisection into their free lists. Multi-session proposals are built by a beam search over
    the types. Alternatives returned for one candidate do not overlap each other.

    Many candidates are placed greedily, most constrained first (least usable availability),
    each taking its best proposal given earlier bookings, which are then booked. Greedy is not
    globally optimal; with "any k of" pools the load term spreads interviews across members.

Infeasibility
    ``InfeasibleScheduleError`` carries an explanation found by relaxing constraints one at a
    time (notice, candidate hours, each member's working hours, busy blocks and daily cap, each
    order rule, earlier bookings) and naming each whose relaxation alone makes the request
    feasible.

iCalendar
    ``busy_from_ics`` reads busy intervals from RFC 5545 text (``icalendar``). Limitation:
    recurring events (RRULE/RDATE) contribute their first occurrence only; RECURRENCE-ID
    overrides are read as ordinary events.
"""

from __future__ import annotations

import heapq
import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from typing import Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from domain.entities import Interviewer
from domain.errors import DomainError

Interval = tuple[datetime, datetime]
"""A half-open ``[start, end)`` pair of aware datetimes."""

_Span = tuple[int, int]
_Spans = list[_Span]

_HOURS_RE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
_CANDIDATE_DAY = (time(8, 0), time(19, 0))
_CANDIDATE_CORE = (time(9, 0), time(17, 0))
_MAX_HORIZON_DAYS = 366
_DAY = 86_400
# Slack around a local date when looking for its instants: no zone is more than 14 h from UTC.
_ZONE_SLACK = 15 * 3600


class InfeasibleScheduleError(DomainError):
    """No slot satisfies every constraint; ``explanation`` names what blocks it."""

    def __init__(self, explanation: str) -> None:
        super().__init__(explanation)
        self.explanation = explanation


# --- validated inputs ----------------------------------------------------------------------------


def resolve_zone(name: str) -> ZoneInfo:
    """The ``ZoneInfo`` for an IANA name; ``DomainError`` naming an unknown zone."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise DomainError(
            f"Unknown time zone {name!r}: use an IANA name such as 'Europe/Berlin'."
        ) from exc


def parse_hours(text: str) -> tuple[time, time]:
    """``"HH:MM-HH:MM"`` as two times; ``DomainError`` unless well formed and start < end."""
    match = _HOURS_RE.match(text)
    if match is None:
        raise DomainError(f"Working hours {text!r} must look like '09:00-17:00'.")
    h1, m1, h2, m2 = (int(part) for part in match.groups())
    if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59:
        raise DomainError(f"Working hours {text!r} are not valid times of day.")
    start, end = time(h1, m1), time(h2, m2)
    if start >= end:
        raise DomainError(f"Working hours {text!r} must start before they end.")
    return start, end


def _aware(value: datetime, what: str) -> datetime:
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise DomainError(f"{what} must be a timezone-aware datetime, got a naive one.")
    return value


def _intervals(values: Iterable[Interval], what: str) -> tuple[Interval, ...]:
    out: list[Interval] = []
    for start, end in values:
        _aware(start, f"{what} start")
        _aware(end, f"{what} end")
        if end < start:
            raise DomainError(f"{what} ends before it starts ({start} > {end}).")
        out.append((start, end))
    return tuple(out)


@dataclass(frozen=True)
class PanelMember:
    """An interviewer: working hours in their own zone (Mon-Fri), busy blocks, an optional cap."""

    name: str
    email: str
    timezone: str = "UTC"
    working_hours: str = "09:00-17:00"
    busy: tuple[Interval, ...] = ()
    max_per_day: int | None = None

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise DomainError("A panel member needs a name.")
        resolve_zone(self.timezone)
        parse_hours(self.working_hours)
        object.__setattr__(self, "busy", _intervals(self.busy, f"busy block of {self.name!r}"))
        if self.max_per_day is not None and self.max_per_day < 1:
            raise DomainError(f"max_per_day of {self.name!r} must be at least 1.")

    @classmethod
    def from_interviewer(cls, interviewer: Interviewer, *, max_per_day: int | None = None) -> Self:
        """A panel member from the ``Interviewer`` entity that ``domain.scheduling`` uses."""
        hours = f"{interviewer.work_start:%H:%M}-{interviewer.work_end:%H:%M}"
        busy = tuple((block.start, block.end) for block in interviewer.busy)
        return cls(
            name=interviewer.name,
            email=interviewer.email,
            timezone=interviewer.timezone,
            working_hours=hours,
            busy=busy,
            max_per_day=max_per_day,
        )


@dataclass(frozen=True)
class AnyOf:
    """Any ``count`` of ``members`` (names or emails) attend."""

    members: tuple[str, ...]
    count: int = 1


@dataclass(frozen=True)
class InterviewType:
    """One interview of the loop: its length, who must attend and which pools supply the rest."""

    name: str
    minutes: int
    required: tuple[str, ...] = ()
    any_of: tuple[AnyOf, ...] = ()

    def __post_init__(self) -> None:
        if self.minutes < 1:
            raise DomainError(f"Interview {self.name!r} must last at least one minute.")
        if not self.required and not self.any_of:
            raise DomainError(f"Interview {self.name!r} needs required members or a pool.")


@dataclass(frozen=True)
class OrderRule:
    """``before`` ends at least ``min_gap_minutes`` before ``after`` starts."""

    before: str
    after: str
    min_gap_minutes: int = 0


@dataclass(frozen=True)
class CandidateRequest:
    """A candidate's zone and availability; times outside 08:00-19:00 local need the flag."""

    id: str
    name: str
    timezone: str
    availability: tuple[Interval, ...]
    allow_outside_hours: bool = False

    def __post_init__(self) -> None:
        resolve_zone(self.timezone)
        what = f"availability of {self.name or self.id!r}"
        object.__setattr__(self, "availability", _intervals(self.availability, what))


@dataclass(frozen=True)
class SchedulingProblem:
    """The panel, the interview loop and the rules shared by every candidate."""

    panel: tuple[PanelMember, ...]
    interviews: tuple[InterviewType, ...]
    now: datetime
    order: tuple[OrderRule, ...] = ()
    notice_hours: float = 0
    granularity_minutes: int = 15
    horizon_days: int = 14

    def __post_init__(self) -> None:
        _aware(self.now, "now")
        if not self.panel:
            raise DomainError("The panel is empty.")
        if not self.interviews:
            raise DomainError("At least one interview type is needed.")
        if not 1 <= self.granularity_minutes <= 1440 or 1440 % self.granularity_minutes:
            raise DomainError("granularity_minutes must divide a day (e.g. 5, 15, 30, 60).")
        if not 1 <= self.horizon_days <= _MAX_HORIZON_DAYS:
            raise DomainError(f"horizon_days must be between 1 and {_MAX_HORIZON_DAYS}.")
        if self.notice_hours < 0:
            raise DomainError("notice_hours must not be negative.")
        seen: set[str] = set()
        for member in self.panel:
            for key in {member.name.casefold(), member.email.casefold()}:
                if key in seen:
                    raise DomainError(f"Panel member {key!r} appears twice.")
                seen.add(key)
        names = [interview.name for interview in self.interviews]
        if len(set(names)) != len(names):
            raise DomainError("Interview type names must be unique.")
        for interview in self.interviews:
            for ref in interview.required:
                self.member_index(ref)
            for pool in interview.any_of:
                indexes = {self.member_index(ref) for ref in pool.members}
                if not 1 <= pool.count <= len(indexes):
                    raise DomainError(
                        f"Interview {interview.name!r}: a pool of {len(indexes)} cannot supply "
                        f"{pool.count} interviewers."
                    )
        for rule in self.order:
            for ref in (rule.before, rule.after):
                if ref not in names:
                    raise DomainError(f"Order rule names unknown interview {ref!r}.")
            if rule.min_gap_minutes < 0:
                raise DomainError("An order rule's min_gap_minutes must not be negative.")
        _topological(names, self.order)

    def member_index(self, ref: str) -> int:
        """The panel index of a member named by name or email (case-insensitive)."""
        key = ref.casefold()
        for index, member in enumerate(self.panel):
            if key in (member.name.casefold(), member.email.casefold()):
                return index
        raise DomainError(f"{ref!r} is not on the panel.")


def _topological(names: Sequence[str], rules: Sequence[OrderRule]) -> list[int]:
    index = {name: i for i, name in enumerate(names)}
    incoming = dict.fromkeys(range(len(names)), 0)
    edges: dict[int, list[int]] = {i: [] for i in range(len(names))}
    for rule in rules:
        edges[index[rule.before]].append(index[rule.after])
        incoming[index[rule.after]] += 1
    ready = [i for i in range(len(names)) if incoming[i] == 0]
    out: list[int] = []
    while ready:
        ready.sort()
        node = ready.pop(0)
        out.append(node)
        for nxt in edges[node]:
            incoming[nxt] -= 1
            if incoming[nxt] == 0:
                ready.append(nxt)
    if len(out) != len(names):
        raise DomainError("The order rules form a cycle.")
    return out


# --- results -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Session:
    """One interview of a proposal: aware UTC start and end, attendees by name."""

    interview: str
    start: datetime
    end: datetime
    interviewers: tuple[str, ...]


@dataclass(frozen=True)
class Proposal:
    """A full loop for one candidate, sessions in time order, with its objective terms."""

    candidate_id: str
    sessions: tuple[Session, ...]
    peak_load: int
    outside_core_minutes: int

    @property
    def start(self) -> datetime:
        return self.sessions[0].start

    @property
    def end(self) -> datetime:
        return max(session.end for session in self.sessions)


@dataclass(frozen=True)
class Assignment:
    """Placed candidates (in placement order), unplaced ones with the reason, final loads."""

    scheduled: Mapping[str, Proposal]
    unscheduled: Mapping[str, str]
    loads: Mapping[str, int] = field(default_factory=dict)


# --- interval arithmetic on epoch seconds -------------------------------------------------------


def _ts(moment: datetime) -> int:
    return int(moment.timestamp())


def _dt(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def _merge(spans: Iterable[_Span]) -> _Spans:
    out: _Spans = []
    for lo, hi in sorted(spans):
        if hi <= lo:
            continue
        if out and lo <= out[-1][1]:
            if hi > out[-1][1]:
                out[-1] = (out[-1][0], hi)
        else:
            out.append((lo, hi))
    return out


def _intersect(a: _Spans, b: _Spans) -> _Spans:
    out: _Spans = []
    i = j = 0
    while i < len(a) and j < len(b):
        lo = max(a[i][0], b[j][0])
        hi = min(a[i][1], b[j][1])
        if lo < hi:
            out.append((lo, hi))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


def _subtract(a: _Spans, b: _Spans) -> _Spans:
    out: _Spans = []
    j = 0
    for lo, hi in a:
        while j < len(b) and b[j][1] <= lo:
            j += 1
        k = j
        cur = lo
        while k < len(b) and b[k][0] < hi:
            if b[k][0] > cur:
                out.append((cur, b[k][0]))
            cur = max(cur, b[k][1])
            k += 1
        if cur < hi:
            out.append((cur, hi))
    return out


def _covers(spans: _Spans, lo: int, hi: int) -> bool:
    """Whether ``[lo, hi)`` lies inside one span of a sorted disjoint list."""
    index = bisect_right(spans, (lo, 1 << 62)) - 1
    return index >= 0 and spans[index][0] <= lo and hi <= spans[index][1]


def _overlap(spans: _Spans, lo: int, hi: int) -> int:
    index = max(0, bisect_right(spans, (lo, 1 << 62)) - 1)
    total = 0
    while index < len(spans) and spans[index][0] < hi:
        total += max(0, min(hi, spans[index][1]) - max(lo, spans[index][0]))
        index += 1
    return total


def _starts(spans: _Spans, length: int) -> _Spans:
    """The starts ``s`` (half-open sets) for which ``[s, s + length)`` fits in one span."""
    return [(lo, hi - length + 1) for lo, hi in spans if hi - lo >= length]


def _at_least(sets: Sequence[_Spans], count: int) -> _Spans:
    """Where at least ``count`` of the span lists overlap (a sweep over their ends)."""
    events = sorted(
        (t, delta) for spans in sets for lo, hi in spans for t, delta in ((lo, 1), (hi, -1))
    )
    out: _Spans = []
    depth, opened = 0, 0
    for moment, delta in events:  # at one instant, ends (-1) sort before starts (+1)
        before = depth
        depth += delta
        if before < count <= depth:
            opened = moment
        elif depth < count <= before and opened < moment:
            out.append((opened, moment))
    return _merge(out)


def _offset(zone: tzinfo, seconds: int) -> int:
    delta = datetime.fromtimestamp(seconds, zone).utcoffset()
    return int(delta.total_seconds()) if delta is not None else 0


def _offset_pieces(zone: tzinfo, lo: int, hi: int) -> list[tuple[int, int, int]]:
    """``[lo, hi)`` cut where the zone's UTC offset changes: ``(start, end, offset)`` pieces."""
    pieces: list[tuple[int, int, int]] = []
    start = lo
    first = _offset(zone, start)
    while _offset(zone, hi - 1) != first:
        low, high = start, hi - 1  # offset(low) == first, offset(high) != first
        while high - low > 1:
            mid = (low + high) // 2
            if _offset(zone, mid) == first:
                low = mid
            else:
                high = mid
        pieces.append((start, high, first))
        start, first = high, _offset(zone, high)
    pieces.append((start, hi, first))
    return pieces


@lru_cache(maxsize=16_384)
def _local_window(zone: tzinfo, day: date, start: time, end: time) -> tuple[_Span, ...]:
    """The instants whose wall time in ``zone`` on ``day`` lies in ``[start, end)``."""
    midnight = int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())
    first = start.hour * 3600 + start.minute * 60
    last = end.hour * 3600 + end.minute * 60
    spans: _Spans = []
    for lo, hi, offset in _offset_pieces(
        zone, midnight - _ZONE_SLACK, midnight + _DAY + _ZONE_SLACK
    ):
        piece = (max(lo, midnight + first - offset), min(hi, midnight + last - offset))
        if piece[0] < piece[1]:
            spans.append(piece)
    return tuple(_merge(spans))


def _local_days(zone: tzinfo, lo: int, hi: int) -> Iterator[date]:
    day = datetime.fromtimestamp(lo, zone).date() - timedelta(days=1)
    last = datetime.fromtimestamp(hi, zone).date() + timedelta(days=1)
    while day <= last:
        yield day
        day += timedelta(days=1)


def _windows(
    zone: tzinfo, start: time, end: time, lo: int, hi: int, *, weekdays_only: bool
) -> _Spans:
    spans: _Spans = []
    for day in _local_days(zone, lo, hi):
        if weekdays_only and day.weekday() >= 5:
            continue
        spans.extend(_local_window(zone, day, start, end))
    return _intersect(_merge(spans), [(lo, hi)])


def _ceil(value: int, step: int) -> int:
    return -(-value // step) * step


# --- the solver ---------------------------------------------------------------------------------

_Relax = tuple[str, ...]
"""A relaxed constraint: ("notice",), ("candidate_hours",), ("hours", i), ("busy", i), ("cap", i),
("order", k) or ("bookings",); members and rules by index, as strings."""


@dataclass
class _State:
    """What earlier placements used: bookings, per-member day counts and loads."""

    bookings: list[_Spans] = field(default_factory=list)  # per member, booked (start, end)
    day_counts: list[Counter[date]] = field(default_factory=list)
    loads: list[int] = field(default_factory=list)
    free: list[_Spans] | None = None  # per member, the panel's free time minus the bookings


@dataclass
class _Partial:
    sessions: list[tuple[int, int, int, tuple[int, ...]]]  # type index, start, end, members
    outside: int
    load_sum: int
    added: Counter[int]
    day_added: Counter[tuple[int, date]]

    def key(self, loads: list[int]) -> tuple[int, int, int, int, int]:
        peak = max((loads[m] + n for m, n in self.added.items()), default=0)
        first = min(s[1] for s in self.sessions)
        span = max(s[2] for s in self.sessions) - first
        return (peak, self.outside, self.load_sum, first, span)


class _Panel:
    """What every candidate of one problem shares, computed once: windows, free time, notice."""

    def __init__(self, problem: SchedulingProblem) -> None:
        self.problem = problem
        self.step = problem.granularity_minutes * 60
        self.now = _ts(problem.now)
        self.horizon = self.now + problem.horizon_days * _DAY
        self.zones = [resolve_zone(member.timezone) for member in problem.panel]
        self.hours = [parse_hours(member.working_hours) for member in problem.panel]
        self.work = [
            _windows(zone, *self.hours[i], self.now, self.horizon, weekdays_only=True)
            for i, zone in enumerate(self.zones)
        ]
        self.busy = [_merge((_ts(s), _ts(e)) for s, e in m.busy) for m in problem.panel]
        self.free = [_subtract(work, busy) for work, busy in zip(self.work, self.busy, strict=True)]
        self.notice = self._notice_start()
        self.order_index = _topological([t.name for t in problem.interviews], problem.order)
        self.required = [
            tuple(problem.member_index(ref) for ref in t.required) for t in problem.interviews
        ]
        self.pools = [
            [
                (
                    tuple(dict.fromkeys(problem.member_index(ref) for ref in pool.members)),
                    pool.count,
                )
                for pool in t.any_of
            ]
            for t in problem.interviews
        ]

    def _notice_start(self) -> int:
        """``now`` plus ``notice_hours`` of the panel's (union) working time."""
        need = int(self.problem.notice_hours * 3600)
        if need == 0:
            return self.now
        # Working windows beyond the horizon count too: a long notice is still well defined.
        reach = self.now + max(self.problem.horizon_days, 7) * _DAY
        while True:
            union = _merge(
                span
                for i, zone in enumerate(self.zones)
                for span in _windows(zone, *self.hours[i], self.now, reach, weekdays_only=True)
            )
            left = need
            for lo, hi in union:
                if hi - lo >= left:
                    return lo + left
                left -= hi - lo
            if reach - self.now > 10 * _MAX_HORIZON_DAYS * _DAY:
                return reach
            reach += 2 * (reach - self.now)


class _Context:
    """One candidate against a ``_Panel`` and earlier bookings, some constraints relaxed."""

    def __init__(
        self,
        panel: _Panel,
        candidate: CandidateRequest,
        state: _State,
        relax: frozenset[_Relax] = frozenset(),
    ) -> None:
        problem = panel.problem
        self.panel = panel
        self.problem = problem
        self.candidate = candidate
        self.state = state
        self.relax = relax
        self.step = panel.step
        self.now, self.horizon = panel.now, panel.horizon
        self.zones = panel.zones
        self.order_index, self.required, self.pools = panel.order_index, panel.required, panel.pools
        self.work = [
            [(self.now, self.horizon)] if ("hours", str(i)) in relax else work
            for i, work in enumerate(panel.work)
        ]
        self.earliest = self.now if ("notice",) in relax else panel.notice
        self.free: list[_Spans] = []
        for i in range(len(problem.panel)):
            relaxed = ("hours", str(i)) in relax or ("busy", str(i)) in relax
            booked = [] if ("bookings",) in relax else state.bookings[i]
            if not relaxed and not booked:
                self.free.append(panel.free[i])
                continue
            if not relaxed and state.free is not None:
                self.free.append(state.free[i])
                continue
            blocked = [] if ("busy", str(i)) in relax else panel.busy[i]
            self.free.append(_subtract(self.work[i], _merge([*blocked, *booked])))
        self.candidate_zone = resolve_zone(candidate.timezone)
        self.available = _intersect(
            _merge((_ts(s), _ts(e)) for s, e in candidate.availability), [(self.now, self.horizon)]
        )
        if candidate.allow_outside_hours or ("candidate_hours",) in relax:
            self.usable = self.available
        else:
            day = _windows(
                self.candidate_zone, *_CANDIDATE_DAY, self.now, self.horizon, weekdays_only=False
            )
            self.usable = _intersect(self.available, day)
        self.usable = _intersect(self.usable, [(max(self.earliest, self.now), self.horizon)])
        self.core = _windows(
            self.candidate_zone, *_CANDIDATE_CORE, self.now, self.horizon, weekdays_only=False
        )

    def cap_ok(self, member: int, start: int, partial: _Partial) -> bool:
        cap = self.problem.panel[member].max_per_day
        if cap is None or ("cap", str(member)) in self.relax:
            return True
        day = datetime.fromtimestamp(start, self.zones[member]).date()
        used = self.state.day_counts[member][day] + partial.day_added[(member, day)]
        return used < cap

    def options(self, kind: int, partial: _Partial) -> Iterator[tuple[int, tuple[int, ...]]]:
        """Feasible ``(start, members)`` for interview ``kind`` after ``partial``."""
        length = self.problem.interviews[kind].minutes * 60
        name = self.problem.interviews[kind].name
        lower = self.earliest
        for k, rule in enumerate(self.problem.order):
            if rule.after != name or ("order", str(k)) in self.relax:
                continue
            for t, _, end, _ in partial.sessions:
                if self.problem.interviews[t].name == rule.before:
                    lower = max(lower, end + rule.min_gap_minutes * 60)
        taken = _merge((s, e) for _, s, e, _ in partial.sessions)
        region = _subtract(_intersect(self.usable, [(lower, self.horizon)]), taken)
        busy_in_partial: dict[int, _Spans] = {}
        for _, s, e, members in partial.sessions:
            for m in members:
                busy_in_partial.setdefault(m, []).append((s, e))
        free = {m: _subtract(self.free[m], _merge(spans)) for m, spans in busy_in_partial.items()}

        def free_of(m: int) -> _Spans:
            return free.get(m, self.free[m])

        for m in self.required[kind]:
            region = _intersect(region, free_of(m))
        pools = self.pools[kind]
        required = set(self.required[kind])
        # Start instants, not spans, from here: a pool needs ``count`` members free at once.
        valid = _starts(region, length)
        for members, count in pools:
            sets = [_starts(free_of(m), length) for m in members if m not in required]
            valid = _intersect(valid, _at_least(sets, count))
        for lo, hi in valid:
            start = _ceil(lo, self.step)
            while start < hi:
                end = start + length
                if all(self.cap_ok(m, start, partial) for m in required):
                    chosen: list[int] = []
                    ok = True
                    for members, count in pools:
                        eligible = [
                            m
                            for m in members
                            if m not in required
                            and m not in chosen
                            and _covers(free_of(m), start, end)
                            and self.cap_ok(m, start, partial)
                        ]
                        if len(eligible) < count:
                            ok = False
                            break
                        eligible.sort(key=lambda m: (self.state.loads[m] + partial.added[m], m))
                        chosen.extend(eligible[:count])
                    if ok:
                        yield start, (*self.required[kind], *chosen)
                start += self.step

    def extend(
        self, partial: _Partial, kind: int, start: int, members: tuple[int, ...]
    ) -> _Partial:
        end = start + self.problem.interviews[kind].minutes * 60
        added = partial.added.copy()
        day_added = partial.day_added.copy()
        load_sum = partial.load_sum
        for m in members:
            load_sum += self.state.loads[m] + added[m]
            added[m] += 1
            day_added[(m, datetime.fromtimestamp(start, self.zones[m]).date())] += 1
        outside = partial.outside + (end - start - _overlap(self.core, start, end)) // 60
        return _Partial(
            [*partial.sessions, (kind, start, end, members)], outside, load_sum, added, day_added
        )

    def search(self, limit: int, beam: int, *, any_fit: bool = False) -> list[_Partial]:
        """The best non-overlapping full proposals, best first, at most ``limit``; with
        ``any_fit``, the first full proposal found (a feasibility test)."""
        partials = [_Partial([], 0, 0, Counter(), Counter())]
        loads = self.state.loads
        last = len(self.order_index) - 1
        for depth, kind in enumerate(self.order_index):
            if any_fit and depth == last:
                for partial in partials:
                    for start, members in self.options(kind, partial):
                        return [self.extend(partial, kind, start, members)]
                return []
            grown = [
                self.extend(partial, kind, start, members)
                for partial in partials
                for start, members in self.options(kind, partial)
            ]
            if depth < last:
                partials = heapq.nsmallest(beam, grown, key=lambda p: p.key(loads))
            else:
                partials = sorted(grown, key=lambda p: p.key(loads))
            if not partials:
                return []
        picked: list[_Partial] = []
        spans: _Spans = []
        for partial in partials:
            lo = min(s[1] for s in partial.sessions)
            hi = max(s[2] for s in partial.sessions)
            if any(lo < b and a < hi for a, b in spans):
                continue
            picked.append(partial)
            spans.append((lo, hi))
            if len(picked) >= limit:
                break
        return picked


def _new_state(problem: SchedulingProblem) -> _State:
    size = len(problem.panel)
    return _State([[] for _ in range(size)], [Counter() for _ in range(size)], [0] * size)


def _proposal(context: _Context, partial: _Partial) -> Proposal:
    problem = context.problem
    sessions = tuple(
        Session(
            interview=problem.interviews[kind].name,
            start=_dt(start),
            end=_dt(end),
            interviewers=tuple(problem.panel[m].name for m in members),
        )
        for kind, start, end, members in sorted(partial.sessions, key=lambda s: (s[1], s[0]))
    )
    return Proposal(
        candidate_id=context.candidate.id,
        sessions=sessions,
        peak_load=partial.key(context.state.loads)[0],
        outside_core_minutes=partial.outside,
    )


def propose(
    problem: SchedulingProblem, candidate: CandidateRequest, *, limit: int = 5, beam: int = 40
) -> list[Proposal]:
    """Up to ``limit`` non-overlapping proposals for one candidate, best first.

    Args:
        problem: the panel, interview loop and rules.
        candidate: who is interviewed, and when they can.
        limit: how many alternatives to return (at least 1).
        beam: partial loops kept per step when the loop has several interviews.

    Returns:
        Proposals ranked by the module's objective; never empty.

    Raises:
        InfeasibleScheduleError: nothing fits; the message names the blocking constraint.
        DomainError: ``limit`` below 1.
    """
    if limit < 1:
        raise DomainError(f"limit must be at least 1, got {limit}.")
    state = _new_state(problem)
    panel = _Panel(problem)
    context = _Context(panel, candidate, state)
    found = context.search(limit, beam)
    if not found:
        raise InfeasibleScheduleError(_explain(panel, candidate, state, beam))
    return [_proposal(context, partial) for partial in found]


def assign(
    problem: SchedulingProblem, candidates: Sequence[CandidateRequest], *, beam: int = 20
) -> Assignment:
    """Place every candidate it can without double-booking anyone, balancing the panel's load.

    Candidates go most constrained first (least usable availability, then id); each takes its
    best proposal given the earlier bookings, which are then booked. Candidates that cannot be
    placed are listed in ``unscheduled`` with the explanation. Repeated ids are placed once.
    """
    state = _new_state(problem)
    panel = _Panel(problem)
    free = state.free = list(panel.free)
    unique = list({candidate.id: candidate for candidate in reversed(candidates)}.values())
    now, horizon = _ts(problem.now), _ts(problem.now) + problem.horizon_days * _DAY

    def usable(candidate: CandidateRequest) -> int:
        spans = _intersect(
            _merge((_ts(s), _ts(e)) for s, e in candidate.availability), [(now, horizon)]
        )
        return sum(hi - lo for lo, hi in spans)

    scheduled: dict[str, Proposal] = {}
    unscheduled: dict[str, str] = {}
    for candidate in sorted(unique, key=lambda c: (usable(c), c.id)):
        context = _Context(panel, candidate, state)
        found = context.search(1, beam)
        if not found:
            unscheduled[candidate.id] = _explain(panel, candidate, state, beam)
            continue
        best = found[0]
        scheduled[candidate.id] = _proposal(context, best)
        for _, start, end, members in best.sessions:
            for m in members:
                state.bookings[m].append((start, end))
                free[m] = _subtract(free[m], [(start, end)])
                state.day_counts[m][datetime.fromtimestamp(start, context.zones[m]).date()] += 1
                state.loads[m] += 1
    loads = {member.name: state.loads[i] for i, member in enumerate(problem.panel)}
    return Assignment(scheduled=scheduled, unscheduled=unscheduled, loads=loads)


# --- explanations -------------------------------------------------------------------------------


def _fmt(seconds: int, zone: tzinfo) -> str:
    return datetime.fromtimestamp(seconds, zone).strftime("%Y-%m-%d %H:%M %Z")


def explain(problem: SchedulingProblem, candidate: CandidateRequest, *, beam: int = 20) -> str:
    """Why no proposal fits, naming each constraint whose relaxation alone would make one fit.

    Returns "a proposal fits" when one does.
    """
    return _explain(_Panel(problem), candidate, _new_state(problem), beam)


def _explain(panel: _Panel, candidate: CandidateRequest, state: _State, beam: int) -> str:
    problem = panel.problem
    base = _Context(panel, candidate, state)
    zone = base.candidate_zone
    if not base.available:
        return (
            f"the candidate's availability has no time between now ({_fmt(base.now, zone)}) "
            f"and the end of the search horizon ({_fmt(base.horizon, zone)})"
        )
    if base.search(1, beam, any_fit=True):
        return "a proposal fits"
    relaxations: list[_Relax] = [("notice",), ("candidate_hours",)]
    for i in range(len(problem.panel)):
        relaxations += [("hours", str(i)), ("busy", str(i))]
        if problem.panel[i].max_per_day is not None:
            relaxations.append(("cap", str(i)))
    relaxations += [("order", str(k)) for k in range(len(problem.order))]
    if any(state.bookings):
        relaxations.append(("bookings",))
    reasons = [
        _reason(base, relax)
        for relax in relaxations
        if (relax != ("notice",) or base.earliest > base.now)
        and _Context(panel, candidate, state, frozenset({relax})).search(1, beam, any_fit=True)
    ]
    if reasons:
        return "; ".join(reasons)
    # Several constraints block together; name those that leave no time at all on their own.
    blockers = []
    if not _intersect(base.available, base.usable) and base.earliest <= base.now:
        blockers.append(_reason(base, ("candidate_hours",)))
    for i in range(len(problem.panel)):
        if not _intersect(base.usable, base.work[i]):
            blockers.append(_reason(base, ("hours", str(i))))
        elif not _intersect(base.usable, base.free[i]):
            blockers.append(_reason(base, ("busy", str(i))))
    if blockers:
        return "; ".join(blockers)
    minutes = ", ".join(f"{t.name} {t.minutes} min" for t in problem.interviews)
    return (
        f"no slot for {minutes} satisfies every constraint together, and relaxing any single "
        "one (notice, the candidate's hours, each interviewer's working hours, busy blocks and "
        "daily cap, the order rules) is not enough: the panel's common free time and the "
        "candidate's availability do not meet"
    )


def _reason(base: _Context, relax: _Relax) -> str:
    problem, zone = base.problem, base.candidate_zone
    length = max(t.minutes for t in problem.interviews)
    kind = relax[0]
    if kind == "notice":
        first = _fmt(base.earliest, zone)
        hours = f"{problem.notice_hours:g} business hours after now"
        last = max(hi for _, hi in base.available)
        if base.earliest >= last:
            return (
                f"notice: the first allowed start is {first} ({hours}), after the last "
                f"availability window ends ({_fmt(last, zone)})"
            )
        return f"notice: the first allowed start is {first} ({hours}); nothing fits after it"
    if kind == "candidate_hours":
        return (
            f"none of the candidate's availability leaves {length} minutes between 08:00 and "
            f"19:00 in their time zone ({base.candidate.timezone}); allow times outside those "
            "hours to use it"
        )
    if kind == "bookings":
        return "every time that fits is already taken by candidates scheduled earlier"
    if kind == "order":
        rule = problem.order[int(relax[1])]
        gap = (
            f" with at least {rule.min_gap_minutes} minutes between" if rule.min_gap_minutes else ""
        )
        return (
            f"order: no time fits {rule.before!r} before {rule.after!r}{gap} within the "
            "candidate's availability"
        )
    index = int(relax[1])
    member = problem.panel[index]
    where = f"({member.working_hours} {member.timezone}, Monday to Friday)"
    if kind == "hours":
        usable = base.usable
        if not _intersect(usable, base.work[index]):
            return (
                f"no time in the candidate's availability falls within {member.name}'s "
                f"working hours {where}"
            )
        return (
            f"no {length}-minute slot in the candidate's availability fits {member.name}'s "
            f"working hours {where} together with the rest of the panel"
        )
    if kind == "busy":
        return (
            f"{member.name} is busy at every time that otherwise fits (busy blocks in "
            "their calendar)"
        )
    return (
        f"interviewer {member.name} reached the daily cap of {member.max_per_day} interviews "
        "on every day that otherwise fits"
    )


# --- iCalendar ----------------------------------------------------------------------------------


def busy_from_ics(text: str, *, floating_timezone: str = "UTC") -> list[Interval]:
    """Busy intervals (aware, UTC, sorted) from the VEVENTs of an iCalendar document.

    Times with a TZID or in UTC are read as such; floating times and all-day dates are read in
    ``floating_timezone``. An event without DTEND uses DURATION, else lasts one day when all-day
    and nothing otherwise (RFC 5545 3.6.1). Events with ``TRANSP:TRANSPARENT`` or
    ``STATUS:CANCELLED`` are skipped. Recurring events contribute their first occurrence only.

    Raises:
        DomainError: text that is not iCalendar, or an unknown zone.
    """
    import icalendar  # only this function needs it

    zone = resolve_zone(floating_timezone)
    try:
        calendar = icalendar.Calendar.from_ical(text)
    except ValueError as exc:
        raise DomainError(f"Not an iCalendar document: {exc}") from exc
    out: list[Interval] = []
    for event in calendar.walk("VEVENT"):
        if str(event.get("TRANSP", "OPAQUE")).upper() == "TRANSPARENT":
            continue
        if str(event.get("STATUS", "")).upper() == "CANCELLED":
            continue
        dtstart = event.get("DTSTART")
        if dtstart is None:
            continue
        start = _ics_moment(dtstart.dt, zone)
        dtend, duration = event.get("DTEND"), event.get("DURATION")
        if dtend is not None:
            end = _ics_moment(dtend.dt, zone)
        elif duration is not None:
            end = start + duration.dt
        elif not isinstance(dtstart.dt, datetime):
            end = _ics_moment(dtstart.dt + timedelta(days=1), zone)
        else:
            end = start
        if end > start:
            out.append((start.astimezone(UTC), end.astimezone(UTC)))
    return sorted(out)


def _ics_moment(value: object, zone: ZoneInfo) -> datetime:
    if isinstance(value, datetime):
        if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
            return value.replace(tzinfo=zone)
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=zone)
    raise DomainError(f"Unsupported iCalendar date value {value!r}.")
