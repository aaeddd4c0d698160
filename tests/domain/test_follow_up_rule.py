"""Rule 1: after creating a record, schedule a follow-up or record that there is none."""

import datetime as dt

import pytest

from crm_tui.config import Config
from crm_tui.domain import activities, changes
from crm_tui.domain.activities import FollowUp
from crm_tui.domain.errors import DomainError
from crm_tui.models import Activity, Lead, Note, User

CFG = Config()


def test_a_follow_up_creates_the_activity(rep: User) -> None:
    lead = Lead.create(last_name="Ng")
    made = activities.schedule_follow_up(rep, CFG, "lead", lead.id,
                                         FollowUp("call", "Call Ng", dt.date(2026, 11, 19), dt.time(10, 0), 15))
    assert isinstance(made, Activity)
    row = Activity.get()
    assert (row.record_kind, row.record_id, row.owner_id, row.subject) == ("lead", lead.id, rep.id, "Call Ng")
    assert Lead.get_by_id(lead.id).next_activity_on == dt.date(2026, 11, 19)
    assert not activities.declined_follow_up("lead", lead.id)


def test_no_follow_up_is_a_recorded_note_that_is_not_a_touch(rep: User) -> None:
    lead = Lead.create(last_name="Ng")
    activities.schedule_follow_up(rep, CFG, "lead", lead.id, None, reason="met at a fair, no need yet")
    note = Note.get()
    assert note.body == "No follow-up planned. met at a fair, no need yet"
    assert (note.record_kind, note.record_id, note.author_id) == ("lead", lead.id, rep.id)
    assert activities.declined_follow_up("lead", lead.id)
    assert Lead.get_by_id(lead.id).last_touch_at is None
    assert Activity.select().count() == 0
    changes.undo_last(rep)
    assert not activities.declined_follow_up("lead", lead.id)


def test_a_follow_up_on_a_weekend_or_in_the_past_is_refused(rep: User) -> None:
    lead = Lead.create(last_name="Ng")
    with pytest.raises(DomainError, match="not a working day") as info:
        activities.schedule_follow_up(rep, CFG, "lead", lead.id, FollowUp("call", "x", dt.date(2026, 11, 21)))
    assert info.value.field == "day"
    with pytest.raises(DomainError, match="in the past"):
        activities.schedule_follow_up(rep, CFG, "lead", lead.id, FollowUp("call", "x", dt.date(2026, 11, 17)))
    assert Activity.select().count() == 0
