"""Queue mode on Today: work the list one item at a time, to the end."""

from __future__ import annotations

import datetime as dt

from textual.geometry import Region
from textual.widget import Widget

from crm_tui.config import Config
from crm_tui.domain import activities
from crm_tui.models import Activity, Lead, QualificationAnswer, User
from crm_tui.ui.app import make_app
from crm_tui.ui.screens.queue import QueueScreen

CFG = Config(refresh_seconds=0.2)
WED = dt.date(2026, 11, 18)
MON = dt.date(2026, 11, 23)
SIZE = (110, 40)


def shown(widget: Widget) -> str:
    """What the widget shows, as plain text lines."""
    width, height = widget.outer_size
    return "\n".join(strip.text.rstrip() for strip in widget.render_lines(Region(0, 0, width, height)))


def plan(owner: User, lead: Lead, subject: str, day: dt.date = WED) -> Activity:
    return activities.create(owner, CFG, type="call", subject=subject, record_kind="lead", record_id=lead.id,
                             day=day)


async def test_queue_to_the_end_of_the_list(rep: User) -> None:
    kim = Lead.create(first_name="Kim", last_name="Ng", company="Acme [EU]", owner=rep, status="working")
    QualificationAnswer.create(lead=kim, question="budget", answer="under 10k")
    bo = Lead.create(first_name="Bo", last_name="Li", company="Beta", owner=rep)
    activities.add_note(rep, "lead", kim.id, "Asked for pricing")
    overdue = plan(rep, kim, "Old call", WED - dt.timedelta(days=1))
    second = plan(rep, bo, "Intro call")
    third = plan(rep, kim, "Check-in")
    app = make_app(rep, CFG)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("w")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, QueueScreen)
        assert "item 1 of 3" in shown(screen.query_one("#queue-progress"))
        assert "Old call" in shown(screen.query_one("#queue-item"))
        context = shown(screen.query_one("#queue-context"))
        # the one-screen context: key fields, open activities, the timeline, what is still to ask
        assert "Lead Kim Ng (Acme [EU])" in context and "Company" in context and "working" in context
        assert "Open activities" in context and "Check-in" in context
        assert "Asked for pricing" in context
        assert "Still to ask" in context and "Authority" in context and "Budget," not in context

        for key in ("c", "2", "enter"):  # complete: left voicemail, accept the prefilled follow-up
            await pilot.press(key)
            await pilot.pause()
        assert app.screen is screen
        assert "item 2 of 3 · 1 done" in shown(screen.query_one("#queue-progress"))
        assert "Intro call" in shown(screen.query_one("#queue-item"))
        assert "Lead Bo Li (Beta)" in shown(screen.query_one("#queue-context"))

        await pilot.press("s")  # reschedule to next week
        await pilot.pause()
        await pilot.press("down", "down", "enter", "ctrl+s")
        await pilot.pause()
        assert "item 3 of 3 · 1 done · 1 rescheduled" in shown(screen.query_one("#queue-progress"))

        await pilot.press("space")  # skip the last one
        await pilot.pause()
        progress = shown(screen.query_one("#queue-progress"))
        assert "3 of 3 · 1 done · 1 rescheduled · 1 skipped" in progress
        assert "The queue is done" in shown(screen.query_one("#queue-item"))
        assert "1 completed, 1 rescheduled. 1 skipped item stays on Today." in shown(screen.query_one("#queue-item"))
        assert not screen.check_action("complete", ())

        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is not screen and "Check-in" in shown(app.screen.query_one("#today-list"))

    done = Activity.get_by_id(overdue.id)
    assert (done.status, done.outcome, done.followup) == ("done", "left voicemail", "scheduled")
    assert Activity.get(Activity.previous == overdue.id).subject == "Follow up: Old call"
    moved = Activity.get_by_id(second.id)
    assert (moved.status, moved.planned_date) == ("open", MON)
    assert Activity.get_by_id(third.id).status == "open"  # skipped: untouched


async def test_queue_passes_over_items_done_elsewhere_and_open_comes_back(rep: User) -> None:
    kim = Lead.create(first_name="Kim", last_name="Ng", owner=rep)
    first = plan(rep, kim, "First")
    second = plan(rep, kim, "Second")
    app = make_app(rep, CFG)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("w")
        await pilot.pause()
        queue = app.screen
        # someone (another process) completes the second item meanwhile
        activities.complete(rep, CFG, second.id, outcome="connected", follow_up=None)
        await pilot.press("o")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "LeadDetailScreen"
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is queue and "First" in shown(queue.query_one("#queue-item"))
        await pilot.press("space")
        await pilot.pause()
        assert "The queue is done" in shown(queue.query_one("#queue-item"))
        assert "0 done · 0 rescheduled · 1 skipped" in shown(queue.query_one("#queue-progress"))
    assert Activity.get_by_id(first.id).status == "open"


async def test_queue_key_with_nothing_due_says_so(rep: User) -> None:
    app = make_app(rep, CFG)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("w")
        await pilot.pause()
        assert not isinstance(app.screen, QueueScreen)
