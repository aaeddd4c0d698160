"""Activities: the follow-up rule, notes, moves, cancel, undo, derived stamps."""

import datetime as dt

import pytest

from crm_tui import clock
from crm_tui.config import Config
from crm_tui.domain import activities, changes
from crm_tui.domain.activities import FollowUp
from crm_tui.domain.errors import Conflict, DomainError
from crm_tui.models import Activity, AuditEvent, Lead, Note, User

CFG = Config()
THU = dt.date(2026, 11, 19)


@pytest.fixture
def lead(rep: User) -> Lead:
    return Lead.create(first_name="Kim", last_name="Ng", company="Acme", owner=rep)


def call(rep: User, lead: Lead, day: dt.date = dt.date(2026, 11, 18), **kw) -> Activity:
    return activities.create(rep, CFG, type="call", subject="Intro call", record_kind="lead",
                             record_id=lead.id, day=day, **kw)


def test_complete_and_follow_up_in_one_go(rep: User, lead: Lead) -> None:
    first = call(rep, lead)
    done, nxt = activities.complete(
        rep, CFG, first.id, outcome="left voicemail", note="Asked for a call back",
        follow_up=FollowUp("call", "Call again", THU, dt.time(10, 0), 15),
    )
    assert Activity.get_by_id(first.id).status == "done"
    assert Activity.get_by_id(first.id).followup == "scheduled"
    assert nxt is not None and nxt.previous_id == first.id
    assert nxt.start_at == dt.datetime(2026, 11, 19, 9, 0)  # 10:00 Berlin
    note = Note.get()
    assert (note.kind, note.record_kind, note.record_id) == ("voicemail", "lead", lead.id)
    fresh = Lead.get_by_id(lead.id)
    assert fresh.status == "working"
    assert fresh.last_touch_at == clock.utcnow_naive()
    assert fresh.next_activity_on == THU


def test_no_follow_up_is_recorded(rep: User, lead: Lead) -> None:
    first = call(rep, lead)
    activities.complete(rep, CFG, first.id, outcome="connected", follow_up=None)
    assert Activity.get_by_id(first.id).followup == "none"
    assert Lead.get_by_id(lead.id).next_activity_on is None


def test_outcome_and_type_come_from_the_standard_list(rep: User, lead: Lead) -> None:
    with pytest.raises(DomainError, match="not a standard activity type"):
        activities.create(rep, CFG, type="coffee", subject="x", record_kind="lead", record_id=lead.id, day=THU)
    first = call(rep, lead)
    with pytest.raises(DomainError, match="outcome must be one of"):
        activities.complete(rep, CFG, first.id, outcome="great chat", follow_up=None)
    assert Activity.get_by_id(first.id).status == "open"


def test_a_failed_follow_up_leaves_the_activity_open(rep: User, lead: Lead) -> None:
    first = call(rep, lead)
    with pytest.raises(DomainError):
        activities.complete(rep, CFG, first.id, outcome="connected", follow_up=FollowUp("call", "", THU))
    assert Activity.get_by_id(first.id).status == "open"
    assert Activity.select().count() == 1 and Note.select().count() == 0


def test_move_keeps_local_time_and_refuses_weekends_and_past(rep: User, lead: Lead) -> None:
    timed = call(rep, lead, day=THU, time=dt.time(14, 30), duration_min=30)
    activities.move_to_day(rep, CFG, timed.id, dt.date(2026, 11, 23))
    moved = Activity.get_by_id(timed.id)
    assert moved.planned_date == dt.date(2026, 11, 23)
    assert clock.to_local(moved.start_at, "Europe/Berlin").time() == dt.time(14, 30)
    with pytest.raises(DomainError, match="not a working day"):
        activities.move_to_day(rep, CFG, timed.id, dt.date(2026, 11, 22))
    with pytest.raises(DomainError, match="in the past"):
        activities.move_to_day(rep, CFG, timed.id, dt.date(2026, 11, 17))
    assert Activity.get_by_id(timed.id).planned_date == dt.date(2026, 11, 23)


def test_undo_restores_the_whole_action(rep: User, lead: Lead) -> None:
    first = call(rep, lead)
    activities.complete(rep, CFG, first.id, outcome="connected", note="Good talk",
                        follow_up=FollowUp("meeting", "Meet", THU))
    changes.undo_last(rep)
    assert Activity.get_by_id(first.id).status == "open"
    assert Activity.select().count() == 1 and Note.select().count() == 0
    assert Lead.get_by_id(lead.id).status == "new"
    assert Lead.get_by_id(lead.id).next_activity_on == dt.date(2026, 11, 18)
    changes.undo_last(rep)  # the creation of the call
    assert Activity.select().count() == 0
    with pytest.raises(DomainError, match="nothing to undo"):
        changes.undo_last(rep)


def test_undo_never_overwrites_someone_elses_change(rep: User, manager: User, lead: Lead) -> None:
    first = call(rep, lead)
    activities.move_to_day(rep, CFG, first.id, THU)
    activities.edit(manager, CFG, first.id, subject="Call about pricing")
    with pytest.raises(Conflict, match="Max Mayer changed it since"):
        changes.undo_last(rep)
    assert Activity.get_by_id(first.id).planned_date == THU


def test_stale_save_is_refused_with_who_and_when(rep: User, manager: User, lead: Lead) -> None:
    first = call(rep, lead)
    version_seen = first.version
    clock.freeze("2026-11-18T09:30:00Z")
    activities.edit(manager, CFG, first.id, subject="Changed by Max")
    with pytest.raises(Conflict) as info:
        activities.edit(rep, CFG, first.id, expected_version=version_seen, subject="Mine")
    assert info.value.by == "Max Mayer" and "09:30" in str(info.value)
    assert Activity.get_by_id(first.id).subject == "Changed by Max"


def test_every_write_is_audited_with_old_and_new(rep: User, lead: Lead) -> None:
    first = call(rep, lead)
    activities.edit(rep, CFG, first.id, subject="Pricing call", priority=1)
    event = AuditEvent.select().where(AuditEvent.action == "update").get()
    assert event.user_id == rep.id and event.table == "activity" and event.row_id == first.id
    assert '"subject": ["Intro call", "Pricing call"]' in event.changes


def test_cancel_needs_a_reason(rep: User, lead: Lead) -> None:
    first = call(rep, lead)
    with pytest.raises(DomainError, match="a reason is required"):
        activities.cancel(rep, first.id, "  ")
    activities.cancel(rep, first.id, "Customer moved on")
    assert Activity.get_by_id(first.id).status == "cancelled"
    assert Lead.get_by_id(lead.id).next_activity_on is None
