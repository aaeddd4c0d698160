"""`p` on Today postpones by a number of days; typed dates in the edit dialog."""

from __future__ import annotations

import datetime as dt

from textual.widgets import Input

from crm_tui import clock
from crm_tui.config import Config
from crm_tui.domain import activities
from crm_tui.domain.errors import DomainError
from crm_tui.models import Activity, Lead, User
from crm_tui.ui.app import make_app

CFG = Config(refresh_seconds=0.2, holidays=(dt.date(2026, 11, 20),))
WED = dt.date(2026, 11, 18)
SIZE = (110, 40)


def plan(rep: User, day: dt.date = WED, time: dt.time | None = None) -> Activity:
    lead = Lead.create(last_name="Ng", owner=rep)
    return activities.create(rep, CFG, type="call", subject="Intro call", record_kind="lead", record_id=lead.id,
                             day=day, time=time, duration_min=15 if time else None)


async def test_p_postpones_by_days_skipping_a_holiday(rep: User) -> None:
    first = plan(rep)
    app = make_app(rep, CFG)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("p")
        await pilot.pause()
        assert "Thu 19 Nov" in str(app.screen.query_one("#postpone-preview").render())
        await pilot.press("2")  # replaces the selected default 1
        await pilot.pause()
        assert "Mon 23 Nov" in str(app.screen.query_one("#postpone-preview").render())  # Fri is a holiday
        await pilot.press("enter")
        await pilot.pause()
        assert len(app.screen_stack) == 1
        assert app.screen.has_class("-empty")  # nothing left due today
    assert Activity.get_by_id(first.id).planned_date == dt.date(2026, 11, 23)


async def test_postpone_refusal_is_shown_in_the_dialog(rep: User) -> None:
    first = plan(rep)
    app = make_app(rep, CFG)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("p", "backspace", "enter")
        await pilot.pause()
        assert "how many days" in str(app.screen.query_one("#postpone-error").render())
        assert len(app.screen_stack) == 2
    assert Activity.get_by_id(first.id).planned_date == WED


def test_postpone_counts_from_today_and_keeps_local_time(rep: User) -> None:
    clock.freeze("2026-10-22T09:00:00+00:00")  # Thursday, CEST
    overdue = plan(rep, dt.date(2026, 10, 19), dt.time(10, 0))  # Berlin local time
    moved = activities.postpone(rep, CFG, overdue.id, 1)
    assert (moved.planned_date, moved.start_at) == (dt.date(2026, 10, 23), dt.datetime(2026, 10, 23, 8, 0))
    moved = activities.postpone(rep, CFG, overdue.id, "1")  # Saturday -> Monday, now CET
    assert (moved.planned_date, moved.start_at) == (dt.date(2026, 10, 26), dt.datetime(2026, 10, 26, 9, 0))
    try:
        activities.postpone(rep, CFG, overdue.id, "0")
    except DomainError as exc:
        assert exc.field == "days"
    else:
        raise AssertionError("0 days was accepted")


async def test_edit_dialog_reads_relative_deadline_and_names_a_bad_one(rep: User) -> None:
    first = plan(rep)
    app = make_app(rep, CFG)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one("#edit-deadline", Input).value = "someday"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "is not a day" in str(app.screen.query_one("#edit-deadline-error").render())
        assert app.screen.focused is app.screen.query_one("#edit-deadline")
        app.screen.query_one("#edit-deadline", Input).value = "+1w"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert len(app.screen_stack) == 1
    assert Activity.get_by_id(first.id).deadline == dt.date(2026, 11, 25)
