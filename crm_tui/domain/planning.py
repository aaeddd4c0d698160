"""Plan Tomorrow: day loads, the rebalance proposal, and moving activities.

Three parts, used by the Plan screen, the benchmarks and the tests:

- `rebalance()` is a pure function over plain frozen dataclasses, so its
  rules can be property-tested and timed without a database.
- The queries (`load_by_day`, `plan_days`, `agenda`) read open activities as
  tuples, never as model instances: a year of a rep's work is 10k rows.
- The writes (`move_activity`, `apply_rebalance`) are one audited user action
  each, so a single `u` undoes a whole rebalance.

A day's load is the sum of its open activities' minutes: a timed activity
counts its duration, a dated one its type's configured estimate.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

import peewee as pw

from crm_tui import clock, db
from crm_tui.config import Config
from crm_tui.domain import activities, changes
from crm_tui.domain.errors import Conflict, DomainError, NotFound, PermissionDenied
from crm_tui.models import RECORD_MODELS, Activity, Case, Contact, Lead, User

UTC = dt.timezone.utc
NO_DEADLINE = 1 << 30  # slack of an activity with no deadline: it can wait the longest


# ---------------------------------------------------------------------------
# The pure rebalance
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanItem:
    """One open activity as the rebalance sees it."""

    id: int
    day: dt.date
    minutes: int
    priority: int = 2
    """1 high, 2 normal, 3 low: low moves first."""
    fixed: bool = False
    """Fixed activities are never moved by a rebalance."""
    deadline: dt.date | None = None
    """The last day it may be planned on; None means it can wait."""


@dataclass(frozen=True)
class PlanDay:
    """A day the rebalance may look at, with the owner's capacity that day."""

    day: dt.date
    capacity: int


@dataclass(frozen=True)
class Move:
    activity_id: int
    from_day: dt.date
    to_day: dt.date


@dataclass(frozen=True)
class Stuck:
    """An activity left on a day that is still over capacity, and why it stayed."""

    activity_id: int
    day: dt.date
    reason: str


@dataclass(frozen=True)
class Overload:
    """A day still over capacity after the proposed moves."""

    day: dt.date
    load: int
    capacity: int

    @property
    def over(self) -> int:
        return self.load - self.capacity


@dataclass(frozen=True)
class Proposal:
    """What a rebalance would do: the moves, and what still does not fit."""

    moves: tuple[Move, ...] = ()
    overloaded: tuple[Overload, ...] = ()
    stuck: tuple[Stuck, ...] = ()

    @property
    def fits(self) -> bool:
        return not self.overloaded


class _Rooms:
    """Free minutes per candidate day, in a max segment tree.

    "The nearest day at or after i with at least m minutes free" is then
    O(log days) instead of a scan, which keeps a year of overloaded days
    well inside the 200 ms budget.
    """

    def __init__(self, rooms: list[int]) -> None:
        size = 1
        while size < max(1, len(rooms)):
            size *= 2
        self.size = size
        self.tree = [-1] * (2 * size)
        self.tree[size:size + len(rooms)] = rooms
        for node in range(size - 1, 0, -1):
            self.tree[node] = max(self.tree[2 * node], self.tree[2 * node + 1])

    def room(self, index: int) -> int:
        return self.tree[self.size + index]

    def add(self, index: int, delta: int) -> None:
        node = self.size + index
        self.tree[node] += delta
        node //= 2
        while node:
            self.tree[node] = max(self.tree[2 * node], self.tree[2 * node + 1])
            node //= 2

    def first(self, lo: int, hi: int, need: int) -> int:
        """The lowest index in [lo, hi] with room >= need, or -1."""
        if lo > hi or self.tree[1] < need:
            return -1
        return self._first(1, 0, self.size - 1, lo, hi, need)

    def _first(self, node: int, nlo: int, nhi: int, lo: int, hi: int, need: int) -> int:
        if nhi < lo or nlo > hi or self.tree[node] < need:
            return -1
        if nlo == nhi:
            return nlo
        mid = (nlo + nhi) // 2
        found = self._first(2 * node, nlo, mid, lo, hi, need)
        return found if found >= 0 else self._first(2 * node + 1, mid + 1, nhi, lo, hi, need)

    def last(self, lo: int, hi: int, need: int) -> int:
        """The highest index in [lo, hi] with room >= need, or -1."""
        if lo > hi or self.tree[1] < need:
            return -1
        return self._last(1, 0, self.size - 1, lo, hi, need)

    def _last(self, node: int, nlo: int, nhi: int, lo: int, hi: int, need: int) -> int:
        if nhi < lo or nlo > hi or self.tree[node] < need:
            return -1
        if nlo == nhi:
            return nlo
        mid = (nlo + nhi) // 2
        found = self._last(2 * node + 1, mid + 1, nhi, lo, hi, need)
        return found if found >= 0 else self._last(2 * node, nlo, mid, lo, hi, need)


def rebalance(
    items: Iterable[PlanItem],
    days: Sequence[PlanDay],
    *,
    today: dt.date,
    is_working_day: Callable[[dt.date], bool],
) -> Proposal:
    """Propose moves that bring every overloaded day within capacity.

    Only `days` are looked at, as sources and as targets; activities on other
    days are left alone. Rules: fixed activities never move; nothing moves
    past its deadline, before `today`, or onto a non-working day or holiday
    (`is_working_day` says which); lower priority, then more slack (deadline
    further away, or none), move first; each goes to the nearest working day
    with room, looking forward first, then back towards today. Days before
    `today` are the past: they are neither sources nor targets. A day that
    stays over capacity is reported with every activity left on it and why.
    """
    capacity: dict[dt.date, int] = {}
    for plan_day in days:
        working = plan_day.day >= today and is_working_day(plan_day.day)
        capacity[plan_day.day] = max(0, plan_day.capacity) if working else 0
    by_day: dict[dt.date, list[PlanItem]] = defaultdict(list)
    load: dict[dt.date, int] = dict.fromkeys(capacity, 0)
    for item in items:
        if item.day in capacity:
            by_day[item.day].append(item)
            load[item.day] += item.minutes

    targets = sorted(day for day, cap in capacity.items() if cap > 0)
    target_index = {day: i for i, day in enumerate(targets)}
    rooms = _Rooms([capacity[day] - load[day] for day in targets])

    last_target = len(targets) - 1
    moves: list[Move] = []
    stuck: list[Stuck] = []
    overloaded: list[Overload] = []
    for day in sorted(capacity):
        if day < today or load[day] <= capacity[day]:
            continue
        # Later days first in the forward search: targets strictly after `day`.
        after = bisect.bisect_right(targets, day)
        before = bisect.bisect_left(targets, day) - 1
        here = target_index.get(day)
        left: list[tuple[PlanItem, str]] = []
        candidates = sorted(
            by_day[day],
            key=lambda it: (
                -it.priority,
                -((it.deadline - day).days if it.deadline is not None else NO_DEADLINE),
                it.id,
            ),
        )
        cap = capacity[day]
        for item in candidates:
            if load[day] <= cap:
                break
            minutes = item.minutes
            if item.fixed:
                left.append((item, "fixed"))
                continue
            if minutes > rooms.tree[1]:  # no day anywhere has that much room
                left.append((item, _why_stuck(item, today)))
                continue
            last_ok = last_target
            if item.deadline is not None:
                last_ok = bisect.bisect_right(targets, item.deadline) - 1
            found = rooms.first(after, last_ok, minutes)
            if found < 0:
                found = rooms.last(0, min(before, last_ok), minutes)
            if found < 0:
                left.append((item, _why_stuck(item, today)))
                continue
            to_day = targets[found]
            rooms.add(found, -minutes)
            load[day] -= minutes
            load[to_day] += minutes
            if here is not None:
                rooms.add(here, minutes)
            moves.append(Move(item.id, day, to_day))
        if load[day] > cap:
            # Every candidate was tried, so `left` is everything still on the day.
            overloaded.append(Overload(day, load[day], cap))
            stuck.extend(Stuck(item.id, day, reason) for item, reason in left)
    return Proposal(tuple(moves), tuple(overloaded), tuple(stuck))


def _why_stuck(item: PlanItem, today: dt.date) -> str:
    return _reason(item.minutes, item.deadline, today)


@functools.lru_cache(maxsize=4096)
def _reason(minutes: int, deadline: dt.date | None, today: dt.date) -> str:
    """Cached: a year of stuck work repeats a few hundred reasons thousands of times."""
    if deadline is not None and deadline < today:
        return f"its deadline {deadline:%a %d %b} has passed"
    if deadline is not None:
        return f"no working day with {minutes} min free up to its deadline {deadline:%a %d %b}"
    return f"no working day with {minutes} min free in view"


def apply_moves(items: Iterable[PlanItem], proposal: Proposal) -> list[PlanItem]:
    """The items as they would be after the proposal: for previews and tests."""
    to_day = {move.activity_id: move.to_day for move in proposal.moves}
    return [
        PlanItem(it.id, to_day.get(it.id, it.day), it.minutes, it.priority, it.fixed, it.deadline)
        for it in items
    ]


# ---------------------------------------------------------------------------
# Days, capacity and the queries
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Card:
    """One open activity as a calendar card or an agenda row shows it."""

    id: int
    day: dt.date
    type: str
    subject: str
    minutes: int
    priority: int
    fixed: bool
    deadline: dt.date | None
    time: str
    """Local start time "HH:MM" for a timed activity, "" for a dated one."""
    record_kind: str
    record_id: int


@dataclass(frozen=True)
class DayPlan:
    """A calendar column: the day, its capacity, its load and its cards in order."""

    day: dt.date
    capacity: int
    load: int
    working: bool
    past: bool
    cards: tuple[Card, ...]
    holiday: bool = False

    @property
    def over(self) -> int:
        return max(0, self.load - self.capacity)


VIEWS = ("ahead", "this_week", "next_week")
"""The calendar's views: working days from tomorrow, this week, next week."""


def capacity_for(user: User, day: dt.date, config: Config) -> int:
    """The user's capacity on a day: 0 on non-working days and holidays."""
    if not config.is_working_day(day):
        return 0
    minutes = user.capacity_minutes
    return minutes[day.weekday()] if len(minutes) == 7 else 0


def local_today(user: User) -> dt.date:
    """The user's local day as a plain date (Pendulum's Date does not bind in sqlite3)."""
    day = clock.today(user.time_zone)
    return dt.date(day.year, day.month, day.day)


def next_working_day(day: dt.date, config: Config, step: int = 1) -> dt.date:
    """The first working day after (step 1) or before (step -1) `day`."""
    current = day + dt.timedelta(days=step)
    for _ in range(370):
        if config.is_working_day(current):
            return current
        current += dt.timedelta(days=step)
    raise DomainError("no working day within a year: check working_days and holidays in the config")


def tomorrow(user: User, config: Config) -> dt.date:
    """The next working day in the user's zone: what Plan Tomorrow plans."""
    return next_working_day(local_today(user), config)


def view_range(view: str, user: User, config: Config, count: int = 5) -> tuple[dt.date, dt.date]:
    """First and last day of a calendar view; "ahead" spans `count` working days."""
    today = local_today(user)
    if view == "this_week":
        start = today - dt.timedelta(days=today.weekday())
        return start, start + dt.timedelta(days=6)
    if view == "next_week":
        start = today - dt.timedelta(days=today.weekday()) + dt.timedelta(days=7)
        return start, start + dt.timedelta(days=6)
    if view != "ahead":
        raise DomainError(f"unknown view {view!r}; one of {', '.join(VIEWS)}")
    first = next_working_day(today, config)
    last = first
    for _ in range(max(1, count) - 1):
        last = next_working_day(last, config)
    return first, last


def _minutes_expression(config: Config) -> pw.Node:
    """SQL for an open activity's load: its duration, else its type's estimate."""
    estimate = pw.Case(
        Activity.type, [(kind.name, kind.minutes) for kind in config.activity_types], 30
    )
    return pw.fn.COALESCE(Activity.duration_min, estimate)


def _minutes_of(config: Config) -> Callable[[str, int | None], int]:
    estimates = {kind.name: kind.minutes for kind in config.activity_types}
    return lambda kind, duration: duration if duration is not None else estimates.get(kind, 30)


def _open_in_range(user_id: int, start: dt.date, end: dt.date) -> pw.Expression:
    return (
        (Activity.owner == user_id)
        & (Activity.status == "open")
        & (Activity.planned_date >= start)
        & (Activity.planned_date <= end)
    )


def load_by_day(user: User, start: dt.date, end: dt.date, config: Config) -> dict[dt.date, int]:
    """Planned minutes per day of the user's open activities: one GROUP BY."""
    minutes = pw.fn.SUM(_minutes_expression(config))
    rows = (
        Activity.select(Activity.planned_date, minutes)
        .where(_open_in_range(user.id, start, end))
        .group_by(Activity.planned_date)
        .tuples()
    )
    return {_as_date(day): int(total or 0) for day, total in rows}


def cards(user: User, start: dt.date, end: dt.date, config: Config) -> list[Card]:
    """The user's open activities in a range, in day order: timed ones by time,
    then dated ones by priority. Tuples in, small frozen rows out."""
    rows = (
        Activity.select(
            Activity.id, Activity.planned_date, Activity.type, Activity.subject,
            Activity.start_at, Activity.duration_min, Activity.priority, Activity.fixed,
            Activity.deadline, Activity.record_kind, Activity.record_id,
        )
        .where(_open_in_range(user.id, start, end))
        .order_by(
            Activity.planned_date, Activity.start_at.is_null(), Activity.start_at,
            Activity.priority, Activity.id,
        )
        .tuples()
    )
    zone = zoneinfo.ZoneInfo(user.time_zone)
    minutes_of = _minutes_of(config)
    result = []
    for (aid, day, kind, subject, start_at, duration, priority, fixed, deadline, rkind, rid) in rows:
        time = ""
        if start_at is not None:
            time = start_at.replace(tzinfo=UTC).astimezone(zone).strftime("%H:%M")
        result.append(Card(
            aid, _as_date(day), kind, subject, minutes_of(kind, duration), int(priority),
            bool(fixed), _as_date(deadline) if deadline else None, time, rkind, int(rid),
        ))
    return result


def _as_date(value: dt.date | str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def plan_days(user: User, start: dt.date, end: dt.date, config: Config) -> list[DayPlan]:
    """The calendar's columns: every working day in the range, plus any
    non-working day that still holds open activities (so they can be moved off)."""
    today = local_today(user)
    loads = load_by_day(user, start, end, config)
    by_day: dict[dt.date, list[Card]] = defaultdict(list)
    for card in cards(user, start, end, config):
        by_day[card.day].append(card)
    columns = []
    day = start
    while day <= end:
        working = config.is_working_day(day)
        if working or by_day.get(day):
            columns.append(DayPlan(
                day, capacity_for(user, day, config), loads.get(day, 0), working,
                day < today, tuple(by_day.get(day, ())), day in config.holidays,
            ))
        day += dt.timedelta(days=1)
    return columns


def agenda(user: User, day: dt.date, config: Config) -> list[tuple[Card, str]]:
    """One day's open activities in order, each with its linked record's name."""
    day_cards = cards(user, day, day, config)
    names = record_names((card.record_kind, card.record_id) for card in day_cards)
    return [(card, names.get((card.record_kind, card.record_id), "")) for card in day_cards]


def record_names(keys: Iterable[tuple[str, int]]) -> dict[tuple[str, int], str]:
    """Display names of linked records: one query per record kind present."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for kind, rid in keys:
        wanted[kind].add(rid)
    names: dict[tuple[str, int], str] = {}
    for kind, ids in wanted.items():
        model = RECORD_MODELS[kind]
        if model is Lead:
            query = model.select(Lead.id, Lead.first_name, Lead.last_name, Lead.company)
            for rid, first, last, company in query.where(Lead.id.in_(ids)).tuples():
                person = f"{first} {last}".strip()
                names[(kind, rid)] = f"{person} ({company})" if company else person
        elif model is Contact:
            query = model.select(Contact.id, Contact.first_name, Contact.last_name)
            for rid, first, last in query.where(Contact.id.in_(ids)).tuples():
                names[(kind, rid)] = f"{first} {last}".strip()
        elif model is Case:
            for rid, subject in model.select(Case.id, Case.subject).where(Case.id.in_(ids)).tuples():
                names[(kind, rid)] = subject
        else:
            for rid, name in model.select(model.id, model.name).where(model.id.in_(ids)).tuples():
                names[(kind, rid)] = name
    return names


def plan_items(day_plans: Sequence[DayPlan]) -> list[PlanItem]:
    """The rebalance's view of the calendar's cards."""
    return [
        PlanItem(card.id, card.day, card.minutes, card.priority, card.fixed, card.deadline)
        for plan in day_plans
        for card in plan.cards
    ]


def propose(user: User, day_plans: Sequence[DayPlan], config: Config) -> Proposal:
    """The rebalance for what a calendar shows, for that user's rules."""
    return rebalance(
        plan_items(day_plans),
        [PlanDay(plan.day, plan.capacity) for plan in day_plans],
        today=local_today(user),
        is_working_day=config.is_working_day,
    )


def can_view_others(user: User) -> bool:
    """Managers and admins may look at a rep's plan (read-only)."""
    return user.role in ("manager", "admin")


# ---------------------------------------------------------------------------
# Writes
# ---------------------------------------------------------------------------


def _moved(activity: Activity, day: dt.date, tz: str) -> dict[str, object]:
    """New field values for an activity on another day; a timed one keeps its
    local time of day, so its UTC start is recomputed in the owner's zone
    (across a DST change the UTC hour shifts, the wall clock does not)."""
    values: dict[str, object] = {"planned_date": day}
    if activity.start_at is not None:
        local = clock.to_local(activity.start_at, tz)
        wall = dt.datetime.combine(day, dt.time(local.hour, local.minute, local.second))
        values["start_at"] = clock.to_utc_naive(wall, tz)
    return values


def _movable(user: User, activity_id: int) -> Activity:
    activity = Activity.get_or_none(Activity.id == activity_id)
    if activity is None:
        raise NotFound("this activity no longer exists")
    if activity.owner_id != user.id:
        raise PermissionDenied("you can only move your own activities")
    if activity.status != "open":
        raise DomainError(f"this activity is {activity.status}: only open activities move")
    return activity


@db.atomic
def move_activity(user: User, activity_id: int, day: dt.date, config: Config) -> Activity:
    """Plan an activity on another day, by hand (drag or keys).

    Refused: a past day, a non-working day or holiday, and a day after the
    activity's deadline. A fixed activity may be moved by hand: "fixed" means
    the rebalance never touches it, while its owner may still decide to.
    """
    activity = _movable(user, activity_id)
    activities.check_plannable(config, user, day)
    if activity.deadline is not None and day > activity.deadline:
        raise DomainError(
            f"its deadline is {activity.deadline:%a %d %b}: cannot plan it for {day:%a %d %b}", "day"
        )
    if activity.planned_date == day:
        return activity
    with changes.action(user):
        changes.update(activity, **_moved(activity, day, user.time_zone))
        activities.refresh_record(activity.record_kind, activity.record_id)
    return activity


@db.atomic
def apply_rebalance(user: User, proposal: Proposal, config: Config) -> int:
    """Apply a previewed rebalance as one action (one `u` undoes all of it).

    If any activity changed since the preview (moved, done, made fixed) the
    whole rebalance is refused and nothing changes. Returns the moves made.
    """
    if not proposal.moves:
        return 0
    ids = [move.activity_id for move in proposal.moves]
    found = {a.id: a for a in Activity.select().where(Activity.id.in_(ids))}
    with changes.action(user):
        for move in proposal.moves:
            activity = found.get(move.activity_id)
            if activity is None or activity.owner_id != user.id:
                raise Conflict("an activity of this rebalance is gone: rebalance again")
            if activity.status != "open" or activity.fixed or activity.planned_date != move.from_day:
                raise Conflict(f"“{activity.subject}” changed since the preview: rebalance again")
            activities.check_plannable(config, user, move.to_day)
            if activity.deadline is not None and move.to_day > activity.deadline:
                raise DomainError(f"“{activity.subject}” would miss its deadline: rebalance again")
            changes.update(activity, **_moved(activity, move.to_day, user.time_zone))
        activities.refresh_records((a.record_kind, a.record_id) for a in found.values())
    return len(proposal.moves)

