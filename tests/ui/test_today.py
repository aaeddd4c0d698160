"""The Today screen as a rep uses it: keys in, rows in the database out."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import pytest
from textual.geometry import Region
from textual.widget import Widget
from textual.widgets import Input

from crm_tui import clock, db
from crm_tui.config import Config
from crm_tui.domain import activities, users
from crm_tui.domain.activities import FollowUp
from crm_tui.models import Activity, Lead, Note, User
from crm_tui.ui.app import CrmApp, make_app
from crm_tui.ui.dialogs.follow_up import CANCELLED, ask_follow_up
from crm_tui.ui.widgets.activity_list import ActivityList

CFG = Config(refresh_seconds=0.2)
WED = dt.date(2026, 11, 18)
THU = dt.date(2026, 11, 19)
SIZE = (110, 34)


@pytest.fixture
def lead(rep: User) -> Lead:
    return Lead.create(first_name="Kim", last_name="Ng", company="Acme [EU]", owner=rep)


def plan(owner: User, lead: Lead, subject: str, day: dt.date = WED, time: dt.time | None = None,
         type: str = "call") -> Activity:
    return activities.create(owner, CFG, type=type, subject=subject, record_kind="lead", record_id=lead.id,
                             day=day, time=time, duration_min=15 if time else None)


def text_of(widget: Widget) -> str:
    """What the widget shows, as plain text lines."""
    width, height = widget.size
    return "\n".join(strip.text.rstrip() for strip in widget.render_lines(Region(0, 0, width, height)))


def list_text(app: CrmApp) -> str:
    return text_of(app.screen.query_one("#today-list"))


def header(app: CrmApp) -> str:
    return str(app.screen.query_one("#today-header").render())


def capture_notes(app: CrmApp) -> list[str]:
    seen: list[str] = []
    original = app.notify

    def notify(message: str, *args: Any, **kwargs: Any) -> None:
        seen.append(message)
        original(message, *args, **kwargs)

    app.notify = notify  # type: ignore[method-assign]
    return seen


def select_row(app: CrmApp, activity_id: int) -> None:
    widget = app.screen.query_one("#today-list", ActivityList)
    widget.highlighted = widget.get_option_index(f"activity-{activity_id}")


async def test_complete_then_follow_up_in_three_keys(rep: User, lead: Lead) -> None:
    first = plan(rep, lead, "Intro call")
    app = make_app(rep, CFG)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "Intro call" in list_text(app)
        for key in ("c", "2", "enter"):  # complete, "left voicemail", accept the prefilled follow-up
            await pilot.press(key)
            await pilot.pause()
        assert len(app.screen_stack) == 1
        done = Activity.get_by_id(first.id)
        assert (done.status, done.outcome, done.followup) == ("done", "left voicemail", "scheduled")
        nxt = Activity.get(Activity.previous == first.id)
        assert (nxt.type, nxt.subject, nxt.planned_date, nxt.status) == ("call", "Follow up: Intro call", THU, "open")
        assert (nxt.record_kind, nxt.record_id, nxt.owner_id) == ("lead", lead.id, rep.id)
        assert "Intro call" not in list_text(app)
        assert header(app).endswith("0 overdue, 0 today")


async def test_complete_with_note_and_no_follow_up(rep: User, lead: Lead) -> None:
    first = plan(rep, lead, "Intro call")
    app = make_app(rep, CFG)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("c", "1")
        dialog = app.screen
        dialog.query_one("#complete-note", Input).value = "Too small for us"
        dialog.query_one("#fu-when-no-follow-up").value = True
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert len(app.screen_stack) == 1
        done = Activity.get_by_id(first.id)
        assert (done.status, done.outcome, done.followup) == ("done", "connected", "none")
        assert Activity.select().count() == 1
        note = Note.get()
        assert (note.body, note.kind, note.record_id) == ("Too small for us", "phone", lead.id)


async def test_overdue_rows_are_marked_in_text(rep: User, lead: Lead) -> None:
    plan(rep, lead, "Old call", WED - dt.timedelta(days=2))
    plan(rep, lead, "Standup", WED, dt.time(8, 40))  # 10:00 in Berlin now
    plan(rep, lead, "Later", WED, dt.time(16, 0))
    app = make_app(rep, CFG)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        shown = list_text(app)
        assert "⚠ Overdue (1)" in shown and "⚠ 2d late" in shown
        assert "late by 1h20" in shown
        assert "Acme [EU]" in shown  # user data is not read as markup
        assert header(app).endswith("1 overdue, 2 today")
        assert app.screen.query_one("#today-header").has_class("-overdue")


async def test_a_list_longer_than_the_screen_paints_its_first_rows_then_has_them_all(rep: User, lead: Lead) -> None:
    """The first frame reads one screen of rows (agenda.for_user(first=...));
    the whole list follows right after it, with the cursor where it was."""
    for day in range(40):
        plan(rep, lead, f"Late call {day:02d}", WED - dt.timedelta(days=40 - day))
    for hour in range(9, 19):
        plan(rep, lead, f"Call at {hour}", WED, dt.time(hour, 0))
    app = make_app(rep, CFG)
    async with app.run_test(size=(110, 24)) as pilot:
        await pilot.pause()
        listing = app.screen.query_one("#today-list", ActivityList)
        assert listing.option_count == 2 + 50  # two headings, every row
        assert header(app).endswith("40 overdue, 10 today")
        assert listing.selected.subject == "Late call 00"
        await pilot.press("end")
        assert listing.selected.subject == "Call at 18"


async def test_empty_state_says_what_to_do(rep: User) -> None:
    app = make_app(rep, CFG)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.screen.has_class("-empty")
        assert "Press n to plan an activity" in str(app.screen.query_one("#today-empty").render())


@pytest.mark.parametrize(("zone", "expected"), [
    ("Europe/Berlin", "1 overdue, 1 today"),  # 00:01 Thursday
    ("America/Los_Angeles", "0 overdue, 1 today"),  # 15:01 Wednesday
])
async def test_the_day_ends_at_local_midnight(database: str, zone: str, expected: str) -> None:
    user = users.add_user("rep1", "Rep One", time_zone=zone)
    lead = Lead.create(last_name="Ng")
    plan(user, lead, "Wednesday call", WED)
    plan(user, lead, "Thursday call", THU)
    clock.freeze("2026-11-18T23:01:00Z")
    app = make_app(user, CFG)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert header(app).endswith(expected)
        shown = list_text(app)
        if zone == "Europe/Berlin":
            assert "⚠ 1d late" in shown and "Thursday call" in shown
        else:
            assert "Wednesday call" in shown and "Thursday call" not in shown and "late" not in shown


async def test_live_refresh_from_another_connection(rep: User, manager: User, lead: Lead) -> None:
    plan(rep, lead, "First")
    second = plan(rep, lead, "Second")
    app = make_app(rep, CFG)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        select_row(app, second.id)

        def assign() -> None:
            with db.connection():  # this thread's own connection
                activities.create(manager, CFG, type="meeting", subject="Assigned by Max", record_kind="lead",
                                  record_id=lead.id, day=WED, time=dt.time(8, 0), duration_min=30, owner=rep)

        await asyncio.to_thread(assign)
        for _ in range(20):
            await pilot.pause(0.1)
            if "Assigned by Max" in list_text(app):
                break
        assert "Assigned by Max" in list_text(app)
        assert header(app).endswith("0 overdue, 3 today")
        selected = app.screen.query_one("#today-list", ActivityList).selected
        assert selected is not None and selected.subject == "Second"  # the cursor stayed


async def test_undo_restores_and_the_list_follows(rep: User, lead: Lead) -> None:
    first = plan(rep, lead, "Intro call")
    app = make_app(rep, CFG)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("c", "1", "enter")
        await pilot.pause()
        assert Activity.get_by_id(first.id).status == "done"
        assert "Intro call" not in list_text(app)
        await pilot.press("u")
        await pilot.pause()
        assert Activity.get_by_id(first.id).status == "open"
        assert Activity.select().count() == 1
        assert "Intro call" in list_text(app)


async def test_escape_leaves_everything_as_it_was(rep: User, lead: Lead) -> None:
    first = plan(rep, lead, "Intro call")
    before = (Activity.select().count(), Note.select().count(), Activity.get_by_id(first.id).version)
    app = make_app(rep, CFG)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        for key in ("c", "s", "e", "x", "n"):
            await pilot.press(key)
            await pilot.pause()
            assert len(app.screen_stack) == 2, key
            if key == "c":
                await pilot.press("2")  # an outcome chosen, then abandoned
            await pilot.press("escape")
            await pilot.pause()
            assert len(app.screen_stack) == 1, key
    assert (Activity.select().count(), Note.select().count(), Activity.get_by_id(first.id).version) == before
    assert Activity.get_by_id(first.id).status == "open"


async def test_new_activity_finds_the_record_as_you_type(rep: User, lead: Lead) -> None:
    Lead.create(first_name="Bo", last_name="Stern", company="Initech", owner=rep)
    app = make_app(rep, CFG)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        dialog = app.screen
        assert dialog.focused is dialog.query_one("#new-record")
        await pilot.press("i", "n", "i", "t")  # part of "Initech"
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "Bo Stern (Initech) · Lead" in text_of(dialog.query_one("#new-record-hits"))
        await pilot.press("enter")  # take the best hit
        assert "Bo Stern (Initech) · Lead" in str(dialog.query_one("#new-record-chosen").render())
        await pilot.press(*"Demo")
        dialog.query_one("#new-when-date", Input).value = "fri 11:00"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert len(app.screen_stack) == 1
    row = Activity.get()
    assert (row.subject, row.record_kind, row.type, row.planned_date) == ("Demo", "lead", "call", dt.date(2026, 11, 20))
    assert Lead.get_by_id(row.record_id).company == "Initech"
    assert row.start_at == dt.datetime(2026, 11, 20, 10, 0)  # 11:00 in Berlin
    assert row.duration_min == 15  # the call type's estimate


async def test_n_preselects_the_record_of_the_selected_row(rep: User, lead: Lead) -> None:
    plan(rep, lead, "Intro call")
    app = make_app(rep, CFG)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        assert "Kim Ng (Acme [EU]) · Lead" in str(app.screen.query_one("#new-record-chosen").render())
        await pilot.press(*"Quote", "enter")  # enter in the subject saves
        await pilot.pause()
        await pilot.press("4", "n")  # n works on any screen; nothing to preselect on Exceptions
        await pilot.pause()
        assert "no record chosen yet" in str(app.screen.query_one("#new-record-chosen").render())
    assert Activity.select().where(Activity.subject == "Quote").get().planned_date == THU


async def test_reschedule_with_a_quick_choice(rep: User, lead: Lead) -> None:
    timed = plan(rep, lead, "Call back", WED, dt.time(14, 30))
    app = make_app(rep, CFG)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("s")
        await pilot.pause()
        await pilot.press("down", "down", "enter")  # next week (Monday)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert len(app.screen_stack) == 1
        assert "Call back" not in list_text(app)
    moved = Activity.get_by_id(timed.id)
    assert moved.planned_date == dt.date(2026, 11, 23)
    assert clock.to_local(moved.start_at, "Europe/Berlin").strftime("%H:%M") == "14:30"


async def test_reschedule_onto_a_weekend_is_refused_at_the_field(rep: User, lead: Lead) -> None:
    first = plan(rep, lead, "Call")
    app = make_app(rep, CFG)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("s")
        await pilot.pause()
        app.screen.query_one("#reschedule-when-date", Input).value = "sat"
        await pilot.press("ctrl+s")
        await pilot.pause()
        error = app.screen.query_one("#reschedule-when-error")
        assert error.has_class("-error") and "not a working day" in str(error.render())
        assert app.screen.query_one("#reschedule-when-date", Input).value == "sat"
    assert Activity.get_by_id(first.id).planned_date == WED


async def test_edit_shows_the_error_at_the_field_then_saves(rep: User, lead: Lead) -> None:
    first = plan(rep, lead, "Intro call")
    app = make_app(rep, CFG)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        dialog = app.screen
        dialog.query_one("#edit-subject", Input).value = "Pricing call"
        dialog.query_one("#edit-day", Input).value = "fri"
        dialog.query_one("#edit-deadline", Input).value = "2026-11-19"
        await pilot.press("ctrl+s")
        await pilot.pause()
        error = dialog.query_one("#edit-deadline-error")
        assert error.has_class("-error") and "deadline is before the planned day" in str(error.render())
        assert not dialog.query_one("#edit-subject-error").has_class("-error")
        assert dialog.query_one("#edit-subject", Input).value == "Pricing call"  # input kept
        assert Activity.get_by_id(first.id).subject == "Intro call"
        dialog.query_one("#edit-deadline", Input).value = "2026-11-27"
        dialog.query_one("#edit-time", Input).value = "9:15"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert len(app.screen_stack) == 1
    saved = Activity.get_by_id(first.id)
    assert (saved.subject, saved.planned_date, saved.deadline) == ("Pricing call", dt.date(2026, 11, 20), dt.date(2026, 11, 27))
    assert saved.start_at == dt.datetime(2026, 11, 20, 8, 15) and saved.duration_min == 15


async def test_edit_a_stale_activity_shows_who_and_keeps_the_input(rep: User, manager: User, lead: Lead) -> None:
    first = plan(rep, lead, "Intro call")
    app = make_app(rep, CFG)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        activities.edit(manager, CFG, first.id, subject="Changed by Max")
        dialog = app.screen
        dialog.query_one("#edit-subject", Input).value = "Mine"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is dialog
        error = str(dialog.query_one("#form-error").render())
        assert "Max Mayer changed this activity at 2026-11-18 09:00" in error
        assert dialog.query_one("#edit-subject", Input).value == "Mine"
    assert Activity.get_by_id(first.id).subject == "Changed by Max"


async def test_cancel_with_a_reason(rep: User, lead: Lead) -> None:
    first = plan(rep, lead, "Intro call")
    app = make_app(rep, CFG)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("x")
        await pilot.pause()
        await pilot.press("enter")  # no reason yet
        await pilot.pause()
        assert app.screen.query_one("#cancel-reason-error").has_class("-error")
        assert Activity.get_by_id(first.id).status == "open"
        await pilot.press(*"lost", "enter")
        await pilot.pause()
        assert len(app.screen_stack) == 1
        assert "Intro call" not in list_text(app)
    cancelled = Activity.get_by_id(first.id)
    assert (cancelled.status, cancelled.cancel_reason) == ("cancelled", "lost")


async def test_click_selects_and_double_click_opens(rep: User, lead: Lead) -> None:
    plan(rep, lead, "First")
    second = plan(rep, lead, "Second")
    app = make_app(rep, CFG)
    opened: list[tuple[str, int]] = []
    app.open_record = lambda kind, record_id: opened.append((kind, record_id))  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        widget = app.screen.query_one("#today-list", ActivityList)
        row_y = widget.get_option_index(f"activity-{second.id}")
        await pilot.click("#today-list", offset=(20, row_y))
        await pilot.pause()
        assert widget.selected is not None and widget.selected.subject == "Second"
        assert not opened
        await pilot.double_click("#today-list", offset=(20, row_y))
        await pilot.pause()
        assert opened == [("lead", lead.id)]
        await pilot.press("up", "enter")
        await pilot.pause()
        assert opened[-1] == ("lead", lead.id) and len(opened) == 2


async def test_rule_one_prompt_schedules_or_records_no_follow_up(rep: User) -> None:
    first = Lead.create(last_name="Ng", owner=rep)
    second = Lead.create(last_name="Lo", owner=rep)
    results: list[Any] = []
    app = make_app(rep, CFG)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        ask_follow_up(app.screen, "lead", first.id, default_type="call", on_done=results.append)
        await pilot.pause()
        assert app.screen.query_one("#fu-subject", Input).value == "Follow up: Ng"
        await pilot.press("ctrl+s")  # the prefilled follow-up: tomorrow
        await pilot.pause()
        ask_follow_up(app.screen, "lead", second.id, on_done=results.append)
        await pilot.pause()
        await pilot.press(*["down"] * 5, "enter", "ctrl+s")  # "no follow-up"
        await pilot.pause()
        ask_follow_up(app.screen, "lead", second.id, on_done=results.append)
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert len(app.screen_stack) == 1
    assert isinstance(results[0], FollowUp) and results[1] is None and results[2] is CANCELLED
    made = Activity.get()
    assert (made.record_id, made.planned_date, made.subject) == (first.id, THU, "Follow up: Ng")
    assert activities.declined_follow_up("lead", second.id)
    assert not activities.declined_follow_up("lead", first.id)
    assert Note.select().count() == 1


async def test_a_read_only_session_opens_no_dialog(rep: User, lead: Lead) -> None:
    first = plan(rep, lead, "Intro call")
    app = make_app(rep, CFG, readonly=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        notes = capture_notes(app)
        await pilot.press("c", "n")
        await pilot.pause()
        assert len(app.screen_stack) == 1
        assert notes and all("read-only" in note for note in notes)
    assert Activity.get_by_id(first.id).status == "open"


@pytest.mark.parametrize("width", [50, 110])
async def test_each_row_is_one_line_of_cells_cut_to_the_width(rep: User, lead: Lead, width: int) -> None:
    plan(rep, lead, "Call about the renewal of the enterprise support contract", time=dt.time(10, 0))
    app = make_app(rep, CFG)
    async with app.run_test(size=(width, 20)) as pilot:
        await pilot.pause()
        listing = app.screen.query_one("#today-list", ActivityList)
        row = text_of(listing).splitlines()[1]
        assert row.startswith("late by") or row.lstrip().startswith("Call")
        assert len(row) <= listing.scrollable_content_region.width
        if width == 50:  # narrower than a row's cells: cut, and the cut shows
            assert row.endswith("…")
        else:
            assert "Call about the renewal" in row and "Kim Ng (Acme [EU]) · Lead" in row
