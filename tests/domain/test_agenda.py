"""The Today agenda: groups, order, lateness, local day, escalated cases."""

import datetime as dt

import pytest

from crm_tui import clock
from crm_tui.config import Config
from crm_tui.domain import activities, agenda, users
from crm_tui.models import Account, Case, Lead, User

CFG = Config()
WED = dt.date(2026, 11, 18)


@pytest.fixture
def lead(rep: User) -> Lead:
    return Lead.create(first_name="Kim", last_name="Ng", company="Acme", owner=rep)


def plan(owner: User, lead: Lead, subject: str, day: dt.date, time: dt.time | None = None, **kw):
    return activities.create(owner, CFG, type=kw.pop("type", "call"), subject=subject, record_kind="lead",
                             record_id=lead.id, day=day, time=time,
                             duration_min=15 if time else None, **kw)


def test_groups_and_order(rep: User, lead: Lead) -> None:
    plan(rep, lead, "dated low", WED, priority=3)
    plan(rep, lead, "afternoon", WED, dt.time(15, 0))
    plan(rep, lead, "dated high", WED, priority=1)
    plan(rep, lead, "morning", WED, dt.time(11, 0))
    plan(rep, lead, "two days late", WED - dt.timedelta(days=2))
    plan(rep, lead, "one day late", WED - dt.timedelta(days=1), dt.time(9, 0))
    plan(rep, lead, "tomorrow", WED + dt.timedelta(days=1))
    done = plan(rep, lead, "done already", WED)
    activities.complete(rep, CFG, done.id, outcome="connected", follow_up=None)

    result = agenda.for_user(rep, CFG)
    assert [row.subject for row in result.overdue] == ["two days late", "one day late"]
    assert [row.overdue_days for row in result.overdue] == [2, 1]
    assert result.overdue[0].lateness == "2d late"
    assert [row.subject for row in result.today] == ["morning", "afternoon", "dated high", "dated low"]
    assert result.header == "2 overdue, 4 today"
    row = result.today[0]
    assert (row.type_label, row.time_text, row.record_label, row.priority) == ("Call", "11:00", "Kim Ng (Acme) · Lead", 2)
    assert result.today[2].time_text == "—"


def test_the_first_rows_are_the_whole_agendas_first_rows_with_its_counts(rep: User, lead: Lead) -> None:
    """What Today's first frame reads: the same rows in the same order, cut short."""
    for day, time, priority, subject in (
        (WED, None, 3, "dated low"), (WED, dt.time(15, 0), 2, "afternoon"), (WED, None, 1, "dated high"),
        (WED, dt.time(11, 0), 2, "morning"), (WED - dt.timedelta(days=2), None, 2, "two days late"),
        (WED - dt.timedelta(days=1), dt.time(9, 0), 2, "late at nine"),
        (WED - dt.timedelta(days=1), None, 1, "late, high"),
        (WED - dt.timedelta(days=1), dt.time(8, 0), 2, "late at eight"),
        (WED + dt.timedelta(days=1), None, 2, "tomorrow"),
    ):
        plan(rep, lead, subject, day, time, priority=priority)
    whole = agenda.for_user(rep, CFG)
    assert whole.complete and (whole.overdue_count, whole.today_count) == (4, 4)
    for first in range(len(whole.rows()) + 2):
        head = agenda.for_user(rep, CFG, first=first)
        assert [row.subject for row in head.rows()] == [row.subject for row in whole.rows()][:first]
        assert head.header == whole.header == "4 overdue, 4 today"
        assert head.complete == (first >= 8) and not head.empty


def test_a_started_timed_activity_is_late_but_not_overdue(rep: User, lead: Lead) -> None:
    plan(rep, lead, "standup", WED, dt.time(8, 40))  # Berlin; now is 10:00 Berlin
    result = agenda.for_user(rep, CFG)
    assert not result.overdue
    assert result.today[0].late_minutes == 80
    assert result.today[0].lateness == "late by 1h20"


def test_only_my_activities(rep: User, manager: User, lead: Lead) -> None:
    plan(manager, lead, "not mine", WED)
    plan(rep, lead, "mine", WED)
    assert [row.subject for row in agenda.for_user(rep, CFG).today] == ["mine"]


def test_the_day_boundary_is_local_midnight(database: str) -> None:
    berlin = users.add_user("bea", time_zone="Europe/Berlin")
    la = users.add_user("lou", time_zone="America/Los_Angeles")
    lead = Lead.create(last_name="Ng")
    thu = WED + dt.timedelta(days=1)
    for user in (berlin, la):
        plan(user, lead, "wednesday", WED)
        plan(user, lead, "thursday", thu)
    clock.freeze("2026-11-18T22:59:00Z")  # 23:59 in Berlin, 14:59 in LA
    assert [r.subject for r in agenda.for_user(berlin, CFG).today] == ["wednesday"]
    clock.freeze("2026-11-18T23:01:00Z")  # 00:01 Thursday in Berlin, still Wednesday in LA
    berlin_day = agenda.for_user(berlin, CFG)
    assert berlin_day.day == thu
    assert [r.subject for r in berlin_day.overdue] == ["wednesday"]
    assert [r.subject for r in berlin_day.today] == ["thursday"]
    la_day = agenda.for_user(la, CFG)
    assert la_day.day == WED and not la_day.overdue
    assert [r.subject for r in la_day.today] == ["wednesday"]


def test_escalated_cases_for_a_manager(rep: User, manager: User) -> None:
    acme = Account.create(name="Acme")
    now = clock.utcnow_naive()
    Case.create(subject="Server down", account=acme, escalated_to=manager, escalated_at=now - dt.timedelta(hours=3),
                status="open", priority="urgent")
    Case.create(subject="Answered", escalated_to=manager, answered_at=now, status="open")
    Case.create(subject="Resolved", escalated_to=manager, status="resolved")
    Case.create(subject="Someone else's", escalated_to=rep, status="open")
    result = agenda.for_user(manager, CFG)
    assert [row.subject for row in result.escalated] == ["Server down"]
    row = result.escalated[0]
    assert (row.record_label, row.waiting_hours) == ("Acme · Case", 3.0)
    assert result.header == "0 overdue, 0 today, 1 escalated to you"
    assert not result.empty
    assert agenda.for_user(rep, CFG).escalated[0].subject == "Someone else's"


def test_a_deleted_record_does_not_break_the_agenda(rep: User, lead: Lead) -> None:
    plan(rep, lead, "orphan", WED)
    Lead.delete().where(Lead.id == lead.id).execute()
    assert agenda.for_user(rep, CFG).today[0].record_name.endswith("(deleted)")
