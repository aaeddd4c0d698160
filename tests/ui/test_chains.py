"""Chained next activities on the Today screen: `c`, one digit, `enter`."""

from __future__ import annotations

import datetime as dt

from textual.widgets import Label

from crm_tui.config import Chain, Config
from crm_tui.domain import activities
from crm_tui.models import Activity, Lead, User
from crm_tui.ui.app import make_app

WED = dt.date(2026, 11, 18)
HOLIDAY = dt.date(2026, 11, 20)  # Friday
CFG = Config(
    refresh_seconds=0.2,
    holidays=(HOLIDAY,),
    chains=(
        Chain("call", "left voicemail", subject="Call again: {subject}", working_days=2),
        Chain("call", "no answer", type="email", subject="Try {record} by email", working_days=1,
              time="10:00", mode="auto"),
        Chain("call", "wrong number", mode="none"),
    ),
)
SIZE = (110, 40)


def plan(owner: User, lead: Lead, subject: str) -> Activity:
    return activities.create(owner, CFG, type="call", subject=subject, record_kind="lead", record_id=lead.id,
                             day=WED)


async def test_voicemail_chain_is_three_keys(rep: User) -> None:
    lead = Lead.create(first_name="Kim", last_name="Ng", company="Acme", owner=rep)
    first = plan(rep, lead, "Intro call")
    app = make_app(rep, CFG)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("c", "2")
        await pilot.pause()
        hint = str(app.screen.query_one("#complete-chain", Label).render())
        assert "Call again: Intro call" in hint and "+2wd" in hint and "suggested" in hint
        await pilot.press("enter")
        await pilot.pause()
        assert len(app.screen_stack) == 1
    done = Activity.get_by_id(first.id)
    assert (done.status, done.outcome, done.followup) == ("done", "left voicemail", "scheduled")
    nxt = Activity.get(Activity.previous == first.id)
    # Wed + 2 working days: Thu, then Fri is a holiday and the weekend is skipped: Monday.
    assert (nxt.type, nxt.subject, nxt.planned_date, nxt.start_at) == (
        "call", "Call again: Intro call", dt.date(2026, 11, 23), None)


async def test_auto_chain_completes_on_the_outcome_key(rep: User) -> None:
    lead = Lead.create(first_name="Kim", last_name="Ng", company="Acme", owner=rep)
    first = plan(rep, lead, "Intro call")
    app = make_app(rep, CFG)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("c", "3")  # no answer: the email is created without asking
        await pilot.pause()
        assert len(app.screen_stack) == 1
    assert Activity.get_by_id(first.id).outcome == "no answer"
    nxt = Activity.get(Activity.previous == first.id)
    assert (nxt.type, nxt.subject, nxt.planned_date) == ("email", "Try Kim Ng (Acme) by email", dt.date(2026, 11, 19))
    assert nxt.start_at == dt.datetime(2026, 11, 19, 9, 0)  # 10:00 in Berlin, stored as UTC


async def test_none_chain_preselects_no_follow_up(rep: User) -> None:
    lead = Lead.create(first_name="Kim", last_name="Ng", company="Acme", owner=rep)
    first = plan(rep, lead, "Intro call")
    app = make_app(rep, CFG)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        for key in ("c", "4", "enter"):
            await pilot.press(key)
            await pilot.pause()
        assert len(app.screen_stack) == 1
    assert Activity.get_by_id(first.id).followup == "none"
    assert Activity.select().count() == 1


async def test_switching_outcome_back_restores_the_default(rep: User) -> None:
    lead = Lead.create(first_name="Kim", last_name="Ng", company="Acme", owner=rep)
    first = plan(rep, lead, "Intro call")
    app = make_app(rep, CFG)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        for key in ("c", "2", "1", "enter"):  # voicemail chain shown, then "connected" (no chain)
            await pilot.press(key)
            await pilot.pause()
    nxt = Activity.get(Activity.previous == first.id)
    assert (nxt.subject, nxt.planned_date) == ("Follow up: Intro call", dt.date(2026, 11, 19))
