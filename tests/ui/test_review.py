"""The weekly review driven like a rep would: the reminder on Today, `w`, one
record at a time; what each key writes to the database; and progress that a
new app on the same database resumes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from textual.widgets import Input, Static

from crm_tui import db
from crm_tui.config import Config, Review
from crm_tui.models import Account, Activity, Lead, Opportunity, ReviewItem, User
from crm_tui.ui.app import make_app
from crm_tui.ui.dialogs.review_actions import (
    ReviewLostDialog,
    ReviewScheduleDialog,
    ReviewUpdateDialog,
)
from crm_tui.ui.screens.review import ReviewScreen
from crm_tui.ui.screens.today import TodayScreen

T = dt.datetime(2026, 11, 18, 9, 0)
D = dt.timedelta(days=1)
CFG = Config(review=Review(weekday=2))  # Wednesday: the review is due today
SIZE = (120, 40)


def text(app: Any, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


def setup(rep: User) -> dict[str, Any]:
    return {
        "opp": Opportunity.create(name="Acme [EU]: fleet", owner=rep, created_at=T - 30 * D,
                                  last_touch_at=T - 20 * D, forecast_close=dt.date(2026, 11, 2)),
        "account": Account.create(name="Quiet GmbH", owner=rep, created_at=T - 40 * D, last_touch_at=T - 16 * D),
        "lead": Lead.create(last_name="Ng", first_name="Kim", owner=rep, status="working", created_at=T - 20 * D,
                            last_touch_at=T - 15 * D),
    }


async def open_review(app: Any, pilot: Any) -> None:
    await pilot.pause()
    assert isinstance(app.screen, TodayScreen)
    await pilot.press("W")
    await pilot.pause()
    assert isinstance(app.screen, ReviewScreen)


async def test_today_reminds_and_w_walks_the_review(rep: User) -> None:
    setup(rep)
    app = make_app(rep, CFG)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "Weekly review due since Wed 18 Nov (W to start)" in text(app, "#today-review")
        await open_review(app, pilot)
        assert "0 of 3 reviewed · record 1 of 3" in text(app, "#review-progress")
        record = text(app, "#review-record")
        assert "Acme [EU]: fleet" in record and "forecast close Mon 02 Nov 2026 is past" in record
        assert app.screen.query_one("#review-timeline").option_count >= 1
        await pilot.press("r")
        await pilot.pause()
        assert "1 of 3 reviewed · record 2 of 3" in text(app, "#review-progress")
        assert "Quiet GmbH" in text(app, "#review-record")
        assert ReviewItem.get(ReviewItem.record_kind == "opportunity").outcome == "reviewed"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, TodayScreen)
        assert "Weekly review: 1 of 3 reviewed (W to continue)" in text(app, "#today-review")


async def test_scheduling_from_the_review_creates_the_activity(rep: User) -> None:
    made = setup(rep)
    app = make_app(rep, CFG)
    async with app.run_test(size=SIZE) as pilot:
        await open_review(app, pilot)
        await pilot.press("right")  # skip the opportunity: the account is next
        await pilot.pause()
        assert "Quiet GmbH" in text(app, "#review-record")
        await pilot.press("s")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ReviewScheduleDialog)
        dialog.query_one("#fu-subject", Input).value = "Call Quiet about renewal"
        await pilot.press("ctrl+s")  # tomorrow, the default quick choice
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        activity = Activity.get(Activity.subject == "Call Quiet about renewal")
        assert (activity.record_kind, activity.record_id) == ("account", made["account"].id)
        assert activity.planned_date == dt.date(2026, 11, 19) and activity.status == "open"
        assert Account.get_by_id(made["account"].id).next_activity_on == dt.date(2026, 11, 19)
        assert ReviewItem.get(ReviewItem.record_kind == "account").outcome == "scheduled"
        assert "1 of 3 reviewed" in text(app, "#review-progress")
        assert "Kim Ng" in text(app, "#review-record")  # on to the next one not dealt with


async def test_lost_and_close_date_from_the_review(rep: User) -> None:
    made = setup(rep)
    app = make_app(rep, CFG)
    async with app.run_test(size=SIZE) as pilot:
        await open_review(app, pilot)
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, ReviewUpdateDialog)
        field = app.screen.query_one("#review-update-date", Input)
        field.value = "2026-11-01"
        await pilot.press("enter")
        await pilot.pause()
        assert "in the past" in text(app, "#review-update-error")
        field.value = "2027-01-15"
        await pilot.press("enter")
        await pilot.pause()
        assert Opportunity.get_by_id(made["opp"].id).forecast_close == dt.date(2027, 1, 15)
        assert ReviewItem.get(ReviewItem.record_kind == "opportunity").outcome == "updated"
        assert "Quiet GmbH" in text(app, "#review-record")
        assert not app.screen.check_action("lost", ()) and not app.screen.check_action("update", ())
        await pilot.press("left")  # wraps round to the lead: a status, no close date, cannot be lost
        await pilot.pause()
        assert "Kim Ng" in text(app, "#review-record")
        assert app.screen.check_action("update", ()) and not app.screen.check_action("lost", ())


async def test_mark_lost_from_the_review(rep: User) -> None:
    lost = Opportunity.create(name="Dead deal", owner=rep, created_at=T - 30 * D, forecast_close=dt.date(2026, 11, 1))
    app = make_app(rep, CFG)
    async with app.run_test(size=SIZE) as pilot:
        await open_review(app, pilot)
        assert "Dead deal" in text(app, "#review-record")
        await pilot.press("l")
        await pilot.pause()
        assert isinstance(app.screen, ReviewLostDialog)
        await pilot.press("enter")
        await pilot.pause()
        assert "reason" in text(app, "#review-lost-error")
        app.screen.query_one("#review-lost-reason", Input).value = "chose competitor"
        await pilot.press("enter")
        await pilot.pause()
        closed = Opportunity.get_by_id(lost.id)
        assert (closed.state, closed.close_reason) == ("lost", "chose competitor")
        assert ReviewItem.get(ReviewItem.record_id == lost.id).outcome == "lost"
        assert "Weekly review complete: 1 of 1 reviewed" in text(app, "#review-complete")


async def test_progress_resumes_in_a_new_app_on_the_same_database(rep: User, database: str) -> None:
    setup(rep)
    first = make_app(rep, CFG)
    async with first.run_test(size=SIZE) as pilot:
        await open_review(first, pilot)
        await pilot.press("r")
        await pilot.pause()
        await pilot.press("r")
        await pilot.pause()
        assert "2 of 3 reviewed" in text(first, "#review-progress")
    db.close()  # quit: the next app is a new process as far as the database can tell
    db.open_database(database)
    again = User.get(User.login == "ann")
    second = make_app(again, CFG)
    async with second.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "Weekly review: 2 of 3 reviewed (W to continue)" in text(second, "#today-review")
        await open_review(second, pilot)
        assert "2 of 3 reviewed · record 3 of 3" in text(second, "#review-progress")
        assert "Kim Ng" in text(second, "#review-record")
        await pilot.press("r")
        await pilot.pause()
        assert "Weekly review complete: 3 of 3 reviewed" in text(second, "#review-complete")
        await pilot.press("escape")
        await pilot.pause()
        assert not second.screen.query_one("#today-review").has_class("-shown")


async def test_review_is_in_the_command_palette(rep: User) -> None:
    app = make_app(rep, CFG)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert "Weekly review" in titles
        app.action_review()
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        assert "Nothing needs a look" in text(app, "#review-complete")
