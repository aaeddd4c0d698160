"""A web lead lands on its assignee's Today: the first call, high priority, due today."""

from __future__ import annotations

from crm_tui import clock
from crm_tui.config import Config, Intake
from crm_tui.domain import users
from crm_tui.interop import intake as intake_io
from crm_tui.models import Lead
from crm_tui.ui.app import make_app
from crm_tui.ui.widgets.activity_list import ActivityList
from tests.conftest import FROZEN_NOW
from tests.ui.test_exceptions import ready
from tests.ui.test_today import SIZE, list_text


async def test_the_assignee_sees_the_captured_lead_and_its_first_call(database: str) -> None:
    ann = users.add_user("ann", "Ann Lee", role="rep", time_zone="Europe/Berlin")
    users.add_user("zed", "Zed Ray", role="manager")
    config = Config(refresh_seconds=0.2, intake=Intake(first_call_hours=2))
    got = intake_io.capture(config, {"name": "Jo Smith", "email": "jo@example.test", "company": "Acme [EU]",
                                     "form": "demo", "utm_source": "google"})
    assert got.assignee == "ann"
    app = make_app(ann, config)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        shown = list_text(app)
        assert "First call: Jo Smith (demo)" in shown
        assert "Jo Smith (Acme [EU])" in shown, "the lead, with its company as typed"
        widget = app.screen.query_one("#today-list", ActivityList)
        assert widget.get_option_index(f"activity-{got.first_call_id}") >= 0
        widget.focus()
        widget.highlighted = widget.get_option_index(f"activity-{got.first_call_id}")
        await pilot.press("enter")
        await pilot.pause()
        assert getattr(app.screen, "record_id", None) == got.lead_id, "enter opens the captured lead"
    assert Lead.get_by_id(got.lead_id).status == "new"


async def test_the_process_view_counts_captures_by_source(database: str) -> None:
    boss = users.add_user("boss", "Boss", role="manager")
    users.add_user("ann", "Ann Lee", role="rep")
    clock.freeze("2026-11-18T08:00:00+00:00")  # an hour ago: the period ends now
    for email in ("a@example.test", "b@example.test"):
        intake_io.capture(Config(), {"email": email, "utm_source": "google", "utm_campaign": "spring"})
    clock.freeze(FROZEN_NOW)
    app = make_app(boss, start_mode="exceptions")
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(app, pilot)
        text = str(app.screen.query_one("#exceptions-metrics").render())
        assert "Captured leads, source / campaign: all, new, converted" in text
        assert "google / spring: 2, 2, 0" in text
