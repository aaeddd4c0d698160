"""Plan Tomorrow's rules: the pure rebalance (property and example tests),
the load query, moving by hand, and applying a rebalance with undo."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from crm_tui import clock
from crm_tui.config import Config
from crm_tui.domain import changes, planning, users
from crm_tui.domain.errors import Conflict, DomainError, PermissionDenied
from crm_tui.domain.planning import Move, PlanDay, PlanItem, rebalance
from crm_tui.models import Activity, AuditEvent, Lead, User

D = dt.date
TODAY = D(2026, 11, 18)  # Wednesday, the frozen clock's day
HOLIDAY = D(2026, 11, 26)


def working(day: dt.date) -> bool:
    return day.weekday() < 5 and day != HOLIDAY


# ---- the pure rebalance: properties -----------------------------------------

WINDOW = [TODAY + dt.timedelta(days=i) for i in range(-2, 12)]


@st.composite
def plans(draw: st.DrawFn) -> tuple[list[PlanItem], list[PlanDay]]:
    capacities = draw(st.lists(st.sampled_from([0, 60, 120, 240, 420]), min_size=len(WINDOW), max_size=len(WINDOW)))
    days = [PlanDay(day, cap) for day, cap in zip(WINDOW, capacities)]
    count = draw(st.integers(0, 40))
    items = []
    for i in range(count):
        day = draw(st.sampled_from(WINDOW))
        deadline = draw(st.one_of(st.none(), st.sampled_from(WINDOW)))
        items.append(PlanItem(
            id=i + 1, day=day, minutes=draw(st.sampled_from([10, 15, 30, 60, 90, 240])),
            priority=draw(st.integers(1, 3)), fixed=draw(st.booleans()), deadline=deadline,
        ))
    return items, days


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plans())
def test_rebalance_keeps_every_rule(plan: tuple[list[PlanItem], list[PlanDay]]) -> None:
    items, days = plan
    proposal = rebalance(items, days, today=TODAY, is_working_day=working)
    after = planning.apply_moves(items, proposal)
    before_by_id = {it.id: it for it in items}

    # The set of activities is unchanged; each moves at most once.
    assert sorted(it.id for it in after) == sorted(it.id for it in items)
    assert len({m.activity_id for m in proposal.moves}) == len(proposal.moves)
    for move in proposal.moves:
        item = before_by_id[move.activity_id]
        assert move.from_day == item.day != move.to_day
        assert not item.fixed, "a fixed activity moved"
        assert item.deadline is None or move.to_day <= item.deadline, "a deadline was broken"
        assert move.to_day >= TODAY, "moved into the past"
        assert working(move.to_day), "moved onto a non-working day or holiday"
        assert move.from_day >= TODAY, "the past is not rebalanced"

    # No day ends over capacity unless the proposal reports it.
    cap = {d.day: (d.capacity if working(d.day) and d.day >= TODAY else 0) for d in days}
    load: Counter[dt.date] = Counter()
    for it in after:
        load[it.day] += it.minutes
    reported = {o.day: o for o in proposal.overloaded}
    for day in cap:
        if day >= TODAY and load[day] > cap[day]:
            assert day in reported, f"{day} left over capacity without a report"
            assert reported[day].load == load[day] and reported[day].capacity == cap[day]
    # A day that was within capacity never becomes over it.
    before_load: Counter[dt.date] = Counter()
    for it in items:
        before_load[it.day] += it.minutes
    for day in cap:
        if day >= TODAY and before_load[day] <= cap[day]:
            assert load[day] <= cap[day]
    # Every stuck activity is on a reported day, with a reason.
    for stuck in proposal.stuck:
        assert stuck.day in reported and stuck.reason


# ---- the pure rebalance: examples --------------------------------------------

def week(cap: int = 120) -> list[PlanDay]:
    return [PlanDay(TODAY + dt.timedelta(days=i), cap) for i in range(0, 14)]


def test_lower_priority_moves_first() -> None:
    thu = D(2026, 11, 19)
    items = [PlanItem(1, thu, 60, priority=1), PlanItem(2, thu, 60, priority=3), PlanItem(3, thu, 60, priority=2)]
    proposal = rebalance(items, week(), today=TODAY, is_working_day=working)
    assert [m.activity_id for m in proposal.moves] == [2]
    assert proposal.fits


def test_more_slack_moves_first_and_no_deadline_is_most_slack() -> None:
    thu = D(2026, 11, 19)
    items = [
        PlanItem(1, thu, 60, deadline=D(2026, 11, 20)),
        PlanItem(2, thu, 60, deadline=D(2026, 11, 25)),
        PlanItem(3, thu, 60),
        PlanItem(4, thu, 60, deadline=D(2026, 11, 19)),
    ]
    proposal = rebalance(items, week(), today=TODAY, is_working_day=working)
    assert [m.activity_id for m in proposal.moves] == [3, 2]


def test_nearest_working_day_forward_first_skipping_weekend_and_full_days() -> None:
    fri = D(2026, 11, 20)
    days = week()
    items = [PlanItem(1, fri, 120, fixed=True), PlanItem(2, fri, 30)]
    # Monday 23rd is full: the nearest with room is Tuesday 24th.
    items.append(PlanItem(3, D(2026, 11, 23), 120, fixed=True))
    proposal = rebalance(items, days, today=TODAY, is_working_day=working)
    assert proposal.moves == (Move(2, fri, D(2026, 11, 24)),)


def test_falls_back_to_the_nearest_earlier_day_before_a_deadline() -> None:
    fri = D(2026, 11, 20)
    items = [PlanItem(1, fri, 120, fixed=True), PlanItem(2, fri, 30, deadline=fri),
             PlanItem(3, D(2026, 11, 19), 100, fixed=True)]
    proposal = rebalance(items, week(), today=TODAY, is_working_day=working)
    # Thursday has 20 minutes free, too few: Wednesday (today) takes it.
    assert proposal.moves == (Move(2, fri, TODAY),)


def test_holiday_and_past_are_never_targets_and_what_stays_is_explained() -> None:
    wed_next = D(2026, 11, 25)
    days = [PlanDay(D(2026, 11, 17), 420), PlanDay(wed_next, 60), PlanDay(HOLIDAY, 420)]
    items = [PlanItem(1, wed_next, 60, fixed=True), PlanItem(2, wed_next, 30, deadline=D(2026, 11, 30))]
    proposal = rebalance(items, days, today=TODAY, is_working_day=working)
    assert proposal.moves == ()
    assert proposal.overloaded[0].day == wed_next and proposal.overloaded[0].over == 30
    reasons = {s.activity_id: s.reason for s in proposal.stuck}
    assert reasons[1] == "fixed"
    assert "deadline Mon 30 Nov" in reasons[2]


def test_work_on_a_holiday_is_moved_off_it() -> None:
    items = [PlanItem(1, HOLIDAY, 30)]
    proposal = rebalance(items, week(), today=TODAY, is_working_day=working)
    assert proposal.moves == (Move(1, HOLIDAY, D(2026, 11, 27)),)


# ---- queries -------------------------------------------------------------------

def make_lead(owner: User, name: str = "Lee") -> Lead:
    return Lead.create(last_name=name, first_name="Pat", company="Acme [EU]", owner=owner)


def make_activity(owner: User, lead: Lead, day: dt.date, **fields: object) -> Activity:
    values = dict(type="call", subject="Call", owner=owner, record_kind="lead", record_id=lead.id,
                  planned_date=day)
    values.update(fields)
    return Activity.create(**values)


def test_load_counts_durations_and_type_estimates_of_open_activities_only(rep: User, cfg: Config) -> None:
    lead = make_lead(rep)
    thu, fri = D(2026, 11, 19), D(2026, 11, 20)
    make_activity(rep, lead, thu, type="call")  # 15
    make_activity(rep, lead, thu, type="meeting")  # 60
    make_activity(rep, lead, thu, type="meeting", start_at=dt.datetime(2026, 11, 19, 13), duration_min=45)
    make_activity(rep, lead, thu, type="task", status="done")
    make_activity(rep, lead, fri, type="email")  # 10
    other = users.add_user("bob", "Bob")
    make_activity(other, lead, thu, type="task")
    assert planning.load_by_day(rep, thu, fri, cfg) == {thu: 120, fri: 10}


def test_plan_days_orders_timed_by_time_then_dated_by_priority(rep: User, cfg: Config) -> None:
    lead = make_lead(rep)
    thu = D(2026, 11, 19)
    low = make_activity(rep, lead, thu, priority=3, subject="low")
    late = make_activity(rep, lead, thu, start_at=dt.datetime(2026, 11, 19, 14), duration_min=30)
    high = make_activity(rep, lead, thu, priority=1, subject="high")
    early = make_activity(rep, lead, thu, start_at=dt.datetime(2026, 11, 19, 8), duration_min=30)
    columns = planning.plan_days(rep, D(2026, 11, 18), D(2026, 11, 24), cfg)
    assert [c.day for c in columns] == [D(2026, 11, 18), thu, D(2026, 11, 20), D(2026, 11, 23), D(2026, 11, 24)]
    column = columns[1]
    assert [c.id for c in column.cards] == [early.id, late.id, high.id, low.id]
    assert column.cards[0].time == "09:00"  # 08:00 UTC in Berlin
    assert column.load == 15 + 30 + 15 + 30 and column.capacity == 420
    agenda = planning.agenda(rep, thu, cfg)
    assert agenda[0][1] == "Pat Lee (Acme [EU])"


def test_a_weekend_day_with_work_on_it_gets_a_column(rep: User, cfg: Config) -> None:
    lead = make_lead(rep)
    sat = D(2026, 11, 21)
    make_activity(rep, lead, sat)
    columns = planning.plan_days(rep, D(2026, 11, 19), D(2026, 11, 23), cfg)
    weekend = [c for c in columns if c.day == sat][0]
    assert not weekend.working and weekend.capacity == 0 and weekend.over == 15


def test_views_cover_this_week_next_week_and_working_days_ahead(rep: User, cfg: Config) -> None:
    assert planning.view_range("this_week", rep, cfg) == (D(2026, 11, 16), D(2026, 11, 22))
    assert planning.view_range("next_week", rep, cfg) == (D(2026, 11, 23), D(2026, 11, 29))
    assert planning.view_range("ahead", rep, cfg, 5) == (D(2026, 11, 19), D(2026, 11, 25))
    assert planning.tomorrow(rep, cfg) == D(2026, 11, 19)


# ---- writes ---------------------------------------------------------------------

def test_move_keeps_local_time_of_day_across_a_dst_change(database: str, cfg: Config) -> None:
    clock.freeze("2026-10-22T09:00:00+00:00")  # Thursday; Berlin leaves summer time on Sun 25 Oct
    rep = users.add_user("ann", "Ann", time_zone="Europe/Berlin")
    lead = make_lead(rep)
    # 10:00 in Berlin on Friday 23 Oct (summer time) is 08:00 UTC.
    act = make_activity(rep, lead, D(2026, 10, 23), start_at=dt.datetime(2026, 10, 23, 8), duration_min=30)
    planning.move_activity(rep, act.id, D(2026, 10, 26), cfg)
    moved = Activity.get_by_id(act.id)
    assert moved.planned_date == D(2026, 10, 26)
    assert moved.start_at == dt.datetime(2026, 10, 26, 9)  # still 10:00 in Berlin, now UTC+1
    assert Lead.get_by_id(lead.id).next_activity_on == D(2026, 10, 26)


def test_move_refuses_past_weekend_holiday_and_deadline(rep: User) -> None:
    cfg = Config(holidays=(HOLIDAY,))
    lead = make_lead(rep)
    act = make_activity(rep, lead, D(2026, 11, 19), deadline=D(2026, 11, 24))
    for day, words in ((D(2026, 11, 17), "past"), (D(2026, 11, 21), "not a working day"),
                       (HOLIDAY, "holiday"), (D(2026, 11, 25), "deadline")):
        with pytest.raises(DomainError, match=words):
            planning.move_activity(rep, act.id, day, cfg)
    assert Activity.get_by_id(act.id).planned_date == D(2026, 11, 19)
    assert AuditEvent.select().where(AuditEvent.table == "activity").count() == 0


def test_move_by_hand_is_allowed_for_fixed_but_not_for_someone_elses(rep: User, cfg: Config) -> None:
    lead = make_lead(rep)
    act = make_activity(rep, lead, D(2026, 11, 19), fixed=True)
    planning.move_activity(rep, act.id, D(2026, 11, 20), cfg)
    assert Activity.get_by_id(act.id).planned_date == D(2026, 11, 20)
    bob = users.add_user("bob", "Bob")
    with pytest.raises(PermissionDenied):
        planning.move_activity(bob, act.id, D(2026, 11, 23), cfg)


def test_apply_rebalance_is_one_action_and_undo_restores_all(rep: User, cfg: Config) -> None:
    lead = make_lead(rep)
    thu = D(2026, 11, 19)
    users.set_user("ann", capacity="30")
    rep = User.get_by_id(rep.id)
    acts = [make_activity(rep, lead, thu, type="task", priority=p, start_at=start, duration_min=dur)
            for p, start, dur in ((1, None, None), (3, None, None), (3, dt.datetime(2026, 11, 19, 15), 30))]
    start, end = planning.view_range("ahead", rep, cfg, 5)
    proposal = planning.propose(rep, planning.plan_days(rep, start, end, cfg), cfg)
    assert {m.activity_id for m in proposal.moves} == {acts[1].id, acts[2].id}
    before = {a.id: (a.planned_date, a.start_at) for a in Activity.select()}

    assert planning.apply_rebalance(rep, proposal, cfg) == 2
    after = {a.id: (a.planned_date, a.start_at) for a in Activity.select()}
    assert after[acts[0].id] == before[acts[0].id]
    assert after[acts[1].id][0] == D(2026, 11, 20)
    assert after[acts[2].id] == (D(2026, 11, 23), dt.datetime(2026, 11, 23, 15))  # same 16:00 in Berlin
    assert AuditEvent.select(AuditEvent.change).where(AuditEvent.table == "activity").distinct().count() == 1

    restored = changes.undo_last(rep)
    assert len(restored) == 2
    assert {a.id: (a.planned_date, a.start_at) for a in Activity.select()} == before


def test_apply_rebalance_refuses_a_stale_preview_and_changes_nothing(rep: User, cfg: Config) -> None:
    lead = make_lead(rep)
    thu, fri = D(2026, 11, 19), D(2026, 11, 20)
    a, b = make_activity(rep, lead, thu), make_activity(rep, lead, thu)
    proposal = planning.Proposal(moves=(Move(a.id, thu, fri), Move(b.id, thu, fri)))
    planning.move_activity(rep, b.id, D(2026, 11, 23), cfg)
    with pytest.raises(Conflict, match="changed since the preview"):
        planning.apply_rebalance(rep, proposal, cfg)
    assert Activity.get_by_id(a.id).planned_date == thu


def test_the_pure_rebalance_handles_many_items_quickly() -> None:
    """A smoke check of the segment tree at size (the timed figures are in benchmarks/)."""
    days = [PlanDay(TODAY + dt.timedelta(days=i), 420) for i in range(60)]
    items = [PlanItem(i, days[i % 5].day, 30, priority=1 + i % 3) for i in range(300)]
    proposal = rebalance(items, days, today=TODAY, is_working_day=working)
    after = planning.apply_moves(items, proposal)
    load: defaultdict[dt.date, int] = defaultdict(int)
    for it in after:
        load[it.day] += it.minutes
    assert proposal.fits and all(load[d.day] <= (420 if working(d.day) else 0) for d in days)
