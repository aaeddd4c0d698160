"""Snoozing a record: it leaves the owner's exceptions until the resume day and
shows in the managers' parked group, with the reason and how long it has been parked."""

from __future__ import annotations

import datetime as dt

import pytest

from crm_tui.config import Config
from crm_tui.domain import changes, exceptions, snooze, users
from crm_tui.domain.errors import DomainError, PermissionDenied
from crm_tui.models import Activity, Case, Lead, RecordSnooze, User

T = dt.datetime(2026, 11, 18, 9, 0)
D = dt.timedelta(days=1)
CFG = Config()


@pytest.fixture
def untouched(rep: User) -> Lead:
    """Rule 1 hit (never touched) and rule 7 hit (a call overdue by 5 days) on one lead."""
    lead = Lead.create(last_name="Ng", company="Acme", owner=rep, status="new", created_at=T - 10 * D)
    Activity.create(type="call", subject="Call Ng", owner=rep, record_kind="lead", record_id=lead.id,
                    planned_date=(T - 5 * D).date(), created_at=T - 10 * D)
    return lead


def test_snooze_hides_from_the_rep_and_parks_for_the_manager(rep: User, manager: User, untouched: Lead) -> None:
    before = exceptions.for_viewer(rep, CFG)
    assert {hit.rule for hit in before} == {"lead_untouched", "activity_overdue"}

    snooze.snooze(rep, CFG, "lead", untouched.id, until="2026-12-03", reason="champion on leave")

    assert exceptions.for_viewer(rep, CFG) == []
    live, parked = exceptions.for_viewer_with_parked(rep, CFG)
    assert (live, parked) == ([], [])  # a rep does not get the parked group: their list is just clear
    live, parked = exceptions.for_viewer_with_parked(manager, CFG)
    assert live == []
    [item] = parked
    assert (item.snooze.kind, item.snooze.record_id, item.snooze.reason) == ("lead", untouched.id, "champion on leave")
    assert item.snooze.until == dt.date(2026, 12, 3) and item.snooze.owner_login == "ann"
    assert {hit.rule for hit in item.hits} == {"lead_untouched", "activity_overdue"}  # neglect stays visible
    assert snooze.parked_for(T + 3 * D, item.snooze.parked_at) == "3d"

    # the resume day comes (midnight in the snoozer's zone, Berlin): the exceptions are back
    resume = dt.datetime(2026, 12, 2, 23, 0)  # 3 Dec 00:00 in Berlin
    assert exceptions.evaluate(CFG, at=resume - dt.timedelta(minutes=1), owner=rep) == []
    back = {hit.rule for hit in exceptions.evaluate(CFG, at=resume, owner=rep)}
    assert {"lead_untouched", "activity_overdue"} <= back


def test_unsnooze_and_undo(rep: User, untouched: Lead) -> None:
    snooze.snooze(rep, CFG, "lead", untouched.id, until="+2w", reason="on leave")
    assert snooze.get("lead", untouched.id) is not None
    snooze.unsnooze(rep, "lead", untouched.id)
    assert snooze.get("lead", untouched.id) is None and len(exceptions.for_viewer(rep, CFG)) == 2
    changes.undo_last(rep)  # the snooze comes back
    assert snooze.get("lead", untouched.id).reason == "on leave"
    snooze.unsnooze(rep, "lead", untouched.id)
    with pytest.raises(DomainError, match="is not snoozed"):
        snooze.unsnooze(rep, "lead", untouched.id)


def test_resnooze_keeps_how_long_it_has_been_parked(rep: User, untouched: Lead) -> None:
    from crm_tui import clock

    snooze.snooze(rep, CFG, "lead", untouched.id, until="2026-12-01", reason="on leave")
    clock.freeze(T + 5 * D)
    snooze.snooze(rep, CFG, "lead", untouched.id, until="2026-12-20", reason="still on leave")
    item = snooze.get("lead", untouched.id)
    assert (item.reason, item.until, item.parked_at) == ("still on leave", dt.date(2026, 12, 20), T)
    assert RecordSnooze.select().count() == 1


def test_refusals(rep: User, manager: User, untouched: Lead) -> None:
    with pytest.raises(DomainError, match="say why") as err:
        snooze.snooze(rep, CFG, "lead", untouched.id, until="fri", reason="  ")
    assert err.value.field == "reason"
    with pytest.raises(DomainError, match="after today") as err:
        snooze.snooze(rep, CFG, "lead", untouched.id, until="2026-11-18", reason="x")
    assert err.value.field == "until"
    with pytest.raises(DomainError, match="is not a day") as err:
        snooze.snooze(rep, CFG, "lead", untouched.id, until="someday", reason="x")
    other = users.add_user("bob", "Bob", role="rep")
    with pytest.raises(PermissionDenied):
        snooze.snooze(other, CFG, "lead", untouched.id, until="fri", reason="not mine")
    snooze.snooze(manager, CFG, "lead", untouched.id, until="fri", reason="team call")  # a manager may
    assert snooze.get("lead", untouched.id).by == "Max Mayer"


def test_a_record_of_another_kind_with_the_same_id_stays_live(rep: User, manager: User, untouched: Lead) -> None:
    """Parking matches kind and id: a case numbered like the snoozed lead keeps its exceptions."""
    case = Case.create(id=untouched.id, subject="Refund", owner=rep, status="open", sla_due=T - D,
                       created_at=T - 2 * D)
    snooze.snooze(rep, CFG, "lead", untouched.id, until="2026-12-03", reason="champion on leave")
    live, [item] = exceptions.for_viewer_with_parked(manager, CFG)
    assert live and {(hit.kind, hit.record_id) for hit in live} == {("case", case.id)}
    assert "case_sla" in {hit.rule for hit in live}
    assert {(hit.rule, hit.kind) for hit in item.hits} == {("lead_untouched", "lead"), ("activity_overdue", "activity")}
    assert exceptions.evaluate(CFG) == live
