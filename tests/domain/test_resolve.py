"""Opening a link: an activity opens the record it is on."""

from __future__ import annotations

import datetime as dt

import pytest

from crm_tui.domain import records
from crm_tui.domain.errors import NotFound
from crm_tui.models import Activity, Case, User


def test_an_activity_opens_its_record(rep: User) -> None:
    case = Case.create(subject="Late", owner=rep)
    activity = Activity.create(type="call", subject="x", owner=rep, record_kind="case", record_id=case.id,
                               planned_date=dt.date(2026, 11, 18))
    assert records.resolve("activity", activity.id) == ("case", case.id)
    assert records.resolve("lead", 7) == ("lead", 7)
    with pytest.raises(NotFound):
        records.resolve("activity", activity.id + 100)
