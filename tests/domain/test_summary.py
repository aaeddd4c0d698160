"""The read-only record summary the Exceptions screen opens."""

from __future__ import annotations

import datetime as dt

import pytest

from crm_tui.domain import summary
from crm_tui.domain.errors import NotFound
from crm_tui.models import Activity, Case, Lead, Note, User

T = dt.datetime(2026, 11, 18, 9, 0)
D = dt.timedelta(days=1)


def test_summary_has_fields_owner_last_touch_and_next_step(rep: User) -> None:
    lead = Lead.create(last_name="Ng", first_name="Kim", company="Acme [EU]", owner=rep, status="working",
                       created_at=T - 5 * D, last_touch_at=T - 4 * D)
    Note.create(record_kind="lead", record_id=lead.id, body="called", created_at=T - 2 * D)
    Activity.create(type="call", subject="done call", owner=rep, record_kind="lead", record_id=lead.id,
                    planned_date=(T - 3 * D).date(), status="done", completed_at=T - 3 * D)
    Activity.create(type="meeting", subject="demo", owner=rep, record_kind="lead", record_id=lead.id,
                    planned_date=(T + 2 * D).date())
    found = summary.record_summary("lead", lead.id)
    assert (found.title, found.owner) == ("Kim Ng", "Ann Lee")
    assert ("Company", "Acme [EU]") in found.fields and ("Status", "working") in found.fields
    assert (found.last_touch, found.last_touch_what) == (T - 2 * D, "note")
    assert found.next_activity == "meeting: demo on 2026-11-20" and found.open_activities == 1


def test_an_activity_opens_its_record(rep: User) -> None:
    case = Case.create(subject="Late", owner=rep)
    activity = Activity.create(type="call", subject="x", owner=rep, record_kind="case", record_id=case.id,
                               planned_date=T.date())
    assert summary.resolve("activity", activity.id) == ("case", case.id)
    assert summary.record_summary("activity", activity.id).title == "Late"
    with pytest.raises(NotFound):
        summary.record_summary("case", case.id + 100)
    with pytest.raises(NotFound):
        summary.resolve("activity", activity.id + 100)
