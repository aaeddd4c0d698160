"""`R` on Today: make an activity repeat, complete it, then stop the series."""

from __future__ import annotations

import datetime as dt

from textual.widgets import Input, Label

from crm_tui import clock
from crm_tui.config import Config
from crm_tui.domain import activities
from crm_tui.models import Activity, Lead, Recurrence, User
from crm_tui.ui.app import make_app

CFG = Config(refresh_seconds=0.2)
WED = dt.date(2026, 11, 18)
SIZE = (110, 40)


async def test_repeat_complete_and_stop(rep: User) -> None:
    lead = Lead.create(last_name="Ng", company="Acme", owner=rep)
    first = activities.create(rep, CFG, type="call", subject="Check-in", record_kind="lead", record_id=lead.id,
                              day=WED)
    app = make_app(rep, CFG)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("R")
        await pilot.pause()
        rule = app.screen.query_one("#repeat-rule", Input)
        rule.value = "fortnightly"
        app.screen.query_one("#repeat-until", Input).value = "someday"
        await pilot.press("enter")
        await pilot.pause()
        assert "is not a day" in str(app.screen.query_one("#repeat-error").render())
        app.screen.query_one("#repeat-until", Input).value = ""
        rule.focus()
        await pilot.press("enter")
        await pilot.pause()
        assert len(app.screen_stack) == 1
        series = Recurrence.get()
        assert (series.rule, series.every, series.unit, series.anchor) == ("schedule", 2, "weeks", WED)
        assert Activity.get_by_id(first.id).series_id == series.id

        await pilot.press("c", "1")
        await pilot.pause()
        hint = str(app.screen.query_one("#complete-chain", Label).render())
        assert "Repeats every 2 weeks" in hint and "next Wed 02 Dec" in hint
        await pilot.press("enter")
        await pilot.pause()
        assert len(app.screen_stack) == 1
        done = Activity.get_by_id(first.id)
        assert (done.status, done.followup) == ("done", "none")  # the series is the next step
        nxt = Activity.get((Activity.series == series.id) & (Activity.status == "open"))
        assert nxt.planned_date == dt.date(2026, 12, 2)

    clock.freeze("2026-12-02T09:00:00+00:00")
    app = make_app(rep, CFG)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("R")
        await pilot.pause()
        assert app.screen.query_one("#repeat-rule", Input).value == "every 2 weeks"
        app.screen.query_one("#repeat-reason", Input).value = "moved to quarterly reviews"
        await pilot.click("#repeat-end")
        await pilot.pause()
        assert len(app.screen_stack) == 1
    assert Recurrence.get_by_id(series.id).active is False
    assert Activity.get_by_id(nxt.id).status == "cancelled"
