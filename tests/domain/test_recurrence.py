"""Recurring activities: a fixed schedule and a set time after the last completion."""

from __future__ import annotations

import datetime as dt

import pytest

from crm_tui import clock
from crm_tui.config import Config
from crm_tui.domain import activities, chains, recurrence
from crm_tui.domain.errors import DomainError
from crm_tui.domain.recurrence import Repeat
from crm_tui.models import Activity, Lead, Recurrence, User

CFG = Config(holidays=(dt.date(2026, 12, 14),))  # a Monday
MON = dt.date(2026, 11, 23)
WEEKLY = Repeat("schedule", 1, "weeks")


@pytest.fixture
def lead(rep: User) -> Lead:
    return Lead.create(last_name="Ng", company="Acme", owner=rep)


def weekly(rep: User, lead: Lead, day: dt.date = MON, repeat: Repeat = WEEKLY,
           time: dt.time | None = None) -> tuple[Recurrence, Activity]:
    return recurrence.create(rep, CFG, type="call", subject="Account check-in", record_kind="lead",
                             record_id=lead.id, day=day, repeat=repeat, time=time,
                             duration_min=30 if time else None)


def complete_at(rep: User, activity: Activity, at: str) -> Activity | None:
    clock.freeze(at)
    activities.complete(rep, CFG, activity.id, outcome="connected", follow_up=None)
    return recurrence.open_occurrence(activity.series_id)


def test_fixed_schedule_keeps_its_calendar_when_done_late(rep: User, lead: Lead) -> None:
    series, first = weekly(rep, lead)
    assert first.series_id == series.id and recurrence.describe(series) == "every week on Monday"
    second = complete_at(rep, first, "2026-11-23T10:00:00+00:00")
    assert second is not None and second.planned_date == dt.date(2026, 11, 30)
    assert (second.subject, second.type, second.owner_id) == ("Account check-in", "call", rep.id)
    third = complete_at(rep, second, "2026-12-02T10:00:00+00:00")  # done on Wednesday: still Mondays
    assert third.planned_date == dt.date(2026, 12, 7)
    fourth = complete_at(rep, third, "2026-12-10T10:00:00+00:00")
    assert fourth.planned_date == dt.date(2026, 12, 15)  # Monday 14 is a holiday: Tuesday
    fifth = complete_at(rep, fourth, "2026-12-30T10:00:00+00:00")  # weeks missed: the next Monday from today
    assert fifth.planned_date == dt.date(2027, 1, 4)
    assert Activity.select().where(Activity.series == series.id, Activity.status == "open").count() == 1


def test_after_completion_counts_from_the_day_it_was_done(rep: User, lead: Lead) -> None:
    _, first = weekly(rep, lead, dt.date(2026, 11, 18), Repeat("after", 2, "weeks"))
    series, other = weekly(rep, lead, dt.date(2026, 11, 18), recurrence.parse("3wd after"))
    second = complete_at(rep, first, "2026-11-20T15:00:00+00:00")  # done on Friday
    assert second.planned_date == dt.date(2026, 12, 4)
    nxt = complete_at(rep, other, "2026-11-20T15:00:00+00:00")
    assert recurrence.describe(series) == "3 working days after each completion"
    assert nxt.planned_date == dt.date(2026, 11, 25)  # Fri + 3 working days: Mon, Tue, Wed


def test_monthly_schedule_clamps_to_the_month_end(rep: User, lead: Lead) -> None:
    clock.freeze("2026-12-30T09:00:00+00:00")
    _, first = weekly(rep, lead, dt.date(2026, 12, 31), Repeat("schedule", 1, "months"))
    second = complete_at(rep, first, "2026-12-31T10:00:00+00:00")
    assert second.planned_date == dt.date(2027, 2, 1)  # 31 Jan 2027 is a Sunday: Monday
    third = complete_at(rep, second, "2027-02-01T10:00:00+00:00")
    assert third.planned_date == dt.date(2027, 3, 1)  # 28 Feb (clamped) is a Sunday: Monday


def test_timed_series_keeps_local_time_across_daylight_saving(rep: User, lead: Lead) -> None:
    clock.freeze("2026-10-22T09:00:00+00:00")
    _, first = weekly(rep, lead, dt.date(2026, 10, 23), time=dt.time(10, 0))
    assert first.start_at == dt.datetime(2026, 10, 23, 8, 0)  # CEST
    second = complete_at(rep, first, "2026-10-23T08:30:00+00:00")
    assert (second.planned_date, second.start_at) == (dt.date(2026, 10, 30), dt.datetime(2026, 10, 30, 9, 0))


def test_a_series_ends_on_its_last_day(rep: User, lead: Lead) -> None:
    _, first = weekly(rep, lead, repeat=Repeat("schedule", 1, "weeks", ends_on=dt.date(2026, 12, 1)))
    second = complete_at(rep, first, "2026-11-23T10:00:00+00:00")
    assert second.planned_date == dt.date(2026, 11, 30)
    assert recurrence.preview_next(CFG, second.id).endswith("this is the last one")
    assert complete_at(rep, second, "2026-11-30T10:00:00+00:00") is None


def test_edit_and_end_a_series(rep: User, lead: Lead) -> None:
    series, first = weekly(rep, lead)
    recurrence.edit(rep, CFG, series.id, subject="Weekly check-in", repeat=Repeat("schedule", 2, "weeks"))
    assert Activity.get_by_id(first.id).subject == "Weekly check-in"
    second = complete_at(rep, first, "2026-11-23T10:00:00+00:00")
    assert (second.subject, second.planned_date) == ("Weekly check-in", dt.date(2026, 12, 7))
    with pytest.raises(DomainError) as caught:
        recurrence.end(rep, series.id, " ")
    assert caught.value.field == "reason"
    recurrence.end(rep, series.id, "account churned")
    gone = Activity.get_by_id(second.id)
    assert (gone.status, gone.cancel_reason) == ("cancelled", "series ended: account churned")
    assert Recurrence.get_by_id(series.id).active is False
    assert recurrence.open_occurrence(series.id) is None
    assert Lead.get_by_id(lead.id).next_activity_on is None


def test_occurrences_suggest_no_follow_up_unless_a_chain_says_otherwise(rep: User, lead: Lead) -> None:
    _, first = weekly(rep, lead)
    assert chains.suggest_for(CFG, first, "connected").mode == chains.REPEATS
    assert chains.suggest_for(CFG, first, "connected").follow_up is None
    plain = activities.create(rep, CFG, type="call", subject="One-off", record_kind="lead", record_id=lead.id,
                              day=MON)
    assert chains.suggest_for(CFG, plain, "connected").mode == chains.DEFAULT


@pytest.mark.parametrize(("text", "repeat"), [
    ("weekly", Repeat("schedule", 1, "weeks")),
    ("every 2 weeks", Repeat("schedule", 2, "weeks")),
    ("monthly", Repeat("schedule", 1, "months")),
    ("every working day", Repeat("schedule", 1, "working_days")),
    ("10 days after done", Repeat("after", 10, "days")),
    ("2w after", Repeat("after", 2, "weeks")),
])
def test_parse_repeat(text: str, repeat: Repeat) -> None:
    assert recurrence.parse(text) == repeat


@pytest.mark.parametrize("text", ["sometimes", "every 0 weeks", "every 2 fortnights"])
def test_parse_refuses_nonsense(text: str) -> None:
    with pytest.raises(DomainError):
        recurrence.parse(text)


def test_the_demo_user_has_a_weekly_check_in(database: str) -> None:
    from crm_tui.domain import demo

    demo.build(leads=60)
    series = Recurrence.get()
    assert (series.owner.login, series.rule, series.unit, series.record_kind) == ("alex", "schedule", "weeks",
                                                                                  "account")
    first = recurrence.open_occurrence(series.id)
    assert first is not None and recurrence.preview_next(CFG, first.id).startswith("repeats every week on")


def test_only_who_may_change_the_occurrences_may_change_the_series(rep: User, lead: Lead) -> None:
    from crm_tui.domain import users
    from crm_tui.domain.errors import PermissionDenied

    other = users.add_user("bob", "Bob Roe", role="rep", time_zone="Europe/Berlin")
    series, _ = weekly(rep, lead)
    with pytest.raises(PermissionDenied):
        recurrence.end(other, series.id, "not mine")
    with pytest.raises(PermissionDenied):
        recurrence.edit(other, CFG, series.id, subject="Hijacked")
    assert Recurrence.get_by_id(series.id).active is True
