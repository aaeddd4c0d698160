"""Plan Tomorrow as a user drives it: drag, keys, refused drops, rebalance and undo.

The clock is frozen on Wednesday 18 November 2026; Ann works in Berlin, so
tomorrow is Thursday 19th. Assertions read the database, and what is on screen.
"""

from __future__ import annotations

import datetime as dt

from textual.pilot import Pilot

from crm_tui.config import Config
from crm_tui.domain import planning, users
from crm_tui.models import Activity, Lead, User
from crm_tui.ui.app import CrmApp, make_app
from crm_tui.ui.widgets.calendar import ActivityCard, Calendar

THU, FRI, MON, TUE = dt.date(2026, 11, 19), dt.date(2026, 11, 20), dt.date(2026, 11, 23), dt.date(2026, 11, 24)


def seed(owner: User) -> dict[str, Activity]:
    lead = Lead.create(first_name="Pat", last_name="Lee", company="Acme [EU]", owner=owner)

    def make(subject: str, day: dt.date, **fields: object) -> Activity:
        values: dict[str, object] = dict(type="call", subject=subject, owner=owner, record_kind="lead",
                                         record_id=lead.id, planned_date=day)
        values.update(fields)
        return Activity.create(**values)

    return {
        "call": make("Call Pat [EU]", THU),
        "meeting": make("Demo", THU, type="meeting", start_at=dt.datetime(2026, 11, 19, 13), duration_min=60),
        "task": make("Prepare offer", FRI, type="task", priority=3),
    }


def day_of(activity: Activity) -> dt.date:
    return Activity.get_by_id(activity.id).planned_date


async def settle(pilot: Pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


def toasts(app: CrmApp) -> str:
    return " ".join(str(toast.render()) for toast in app.screen.query("Toast"))


async def open_plan(app: CrmApp, pilot: Pilot) -> Calendar:
    await settle(pilot)
    assert app.current_mode == "plan"
    return app.screen.query_one("#calendar", Calendar)


async def test_dragging_a_card_onto_another_day_moves_it_in_the_database(rep: User) -> None:
    acts = seed(rep)
    app = make_app(rep, start_mode="plan")
    async with app.run_test(size=(120, 40)) as pilot:
        calendar = await open_plan(app, pilot)
        assert calendar.days[:3] == [THU, FRI, MON]
        untouched = app.screen.query_one(f"#activity-{acts['task'].id}")

        await pilot.mouse_down(f"#activity-{acts['meeting'].id}")
        await pilot.hover(f"#day-{MON}")
        assert calendar.target == MON
        assert app.screen.query_one(f"#day-{MON}").has_class("-drop-target")
        await pilot.mouse_up(f"#day-{MON}")
        await settle(pilot)

        moved = Activity.get_by_id(acts["meeting"].id)
        assert moved.planned_date == MON
        assert moved.start_at == dt.datetime(2026, 11, 23, 13)  # still 14:00 in Berlin
        card = app.screen.query_one(f"#activity-{acts['meeting'].id}", ActivityCard)
        assert card.parent is not None and card.parent.parent.id == f"day-{MON}"
        # Only the two days that changed were repainted: Friday's card is the same widget.
        assert app.screen.query_one(f"#activity-{acts['task'].id}") is untouched
        assert not app.screen.query_one(f"#day-{MON}").has_class("-drop-target")


async def test_keyboard_moves_with_shift_arrows_and_move_mode(rep: User) -> None:
    acts = seed(rep)
    app = make_app(rep, start_mode="plan")
    posted: list[Calendar.ActivityMoved] = []

    def hook(message: object) -> None:
        if isinstance(message, Calendar.ActivityMoved) and all(m is not message for m in posted):
            posted.append(message)  # the hook sees a bubbling message at every level

    async with app.run_test(size=(120, 40), message_hook=hook) as pilot:
        calendar = await open_plan(app, pilot)
        await pilot.press("down")  # selects the first card: Thursday's 14:00 meeting
        assert app.screen.focused is app.screen.query_one(f"#activity-{acts['meeting'].id}")
        await pilot.press("down")  # then the dated call below it
        await pilot.press("shift+right")
        await settle(pilot)
        assert day_of(acts["call"]) == FRI
        assert [(m.activity_id, m.day, m.control) for m in posted] == [(acts["call"].id, FRI, calendar)]
        assert app.screen.focused is app.screen.query_one(f"#activity-{acts['call'].id}")

        await pilot.press("m", "right", "right")
        assert app.screen.query_one(f"#day-{TUE}").has_class("-drop-target")
        await pilot.press("enter")
        await settle(pilot)
        assert day_of(acts["call"]) == TUE

        await pilot.press("m", "left", "escape")
        await settle(pilot)
        assert day_of(acts["call"]) == TUE
        assert not app.screen.query(".-drop-target")


async def test_drops_on_a_past_day_or_a_weekend_are_refused_and_change_nothing(rep: User) -> None:
    acts = seed(rep)
    saturday = dt.date(2026, 11, 21)
    weekend = Activity.create(type="task", subject="Weekend", owner=rep, record_kind="lead",
                              record_id=acts["call"].record_id, planned_date=saturday)
    app = make_app(rep, start_mode="plan")
    async with app.run_test(size=(160, 40), notifications=True) as pilot:
        calendar = await open_plan(app, pilot)
        await pilot.press("w")  # this week: Monday 16th to Friday 20th, and Saturday (it holds work)
        await settle(pilot)
        assert calendar.days == [dt.date(2026, 11, d) for d in (16, 17, 18, 19, 20, 21)]
        assert app.screen.query_one(f"#day-{saturday}").has_class("-overloaded")

        await pilot.mouse_down(f"#activity-{acts['call'].id}")
        await pilot.hover("#day-2026-11-17")
        await pilot.mouse_up("#day-2026-11-17")
        await settle(pilot)
        assert day_of(acts["call"]) == THU
        assert "in the past" in toasts(app)

        await pilot.mouse_down(f"#activity-{acts['call'].id}")
        await pilot.hover(f"#day-{saturday}")
        await pilot.mouse_up(f"#day-{saturday}")
        await settle(pilot)
        assert day_of(acts["call"]) == THU
        assert "not a working day" in toasts(app)
        assert day_of(weekend) == saturday


async def test_overloaded_day_reads_without_colour(rep: User) -> None:
    users.set_user("ann", capacity="60")
    rep = User.get_by_id(rep.id)
    seed(rep)
    app = make_app(rep, start_mode="plan")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_plan(app, pilot)
        column = app.screen.query_one(f"#day-{THU}")
        assert column.has_class("-overloaded")
        assert "▲ OVER 15m" in str(column.query_one(".load-bar").render())
        assert not app.screen.query_one(f"#day-{FRI}").has_class("-overloaded")


async def test_rebalance_preview_apply_then_undo_restores_everything(rep: User) -> None:
    users.set_user("ann", capacity="60")
    rep = User.get_by_id(rep.id)
    acts = seed(rep)
    app = make_app(rep, start_mode="plan")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_plan(app, pilot)
        await pilot.press("r")
        await settle(pilot)
        preview = str(app.screen.query_one("#rebalance-preview").render())
        assert "Thu 19 Nov → Fri 20 Nov" in preview and "Call Pat [EU]" in preview

        await pilot.press("a")
        await settle(pilot)
        assert day_of(acts["call"]) == FRI
        assert day_of(acts["meeting"]) == THU
        assert not app.screen.query_one(f"#day-{THU}").has_class("-overloaded")

        await pilot.press("u")
        await settle(pilot)
        assert day_of(acts["call"]) == THU
        assert app.screen.query_one(f"#day-{THU}").has_class("-overloaded")


async def test_cancelling_the_rebalance_preview_moves_nothing(rep: User) -> None:
    users.set_user("ann", capacity="60")
    rep = User.get_by_id(rep.id)
    acts = seed(rep)
    app = make_app(rep, start_mode="plan")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_plan(app, pilot)
        await pilot.press("r")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert day_of(acts["call"]) == THU and len(app.screen_stack) == 1


async def test_a_manager_looks_at_a_reps_plan_read_only(rep: User, manager: User) -> None:
    acts = seed(rep)
    app = make_app(manager, start_mode="plan")
    async with app.run_test(size=(120, 40)) as pilot:
        calendar = await open_plan(app, pilot)
        await pilot.press("v")
        await settle(pilot)
        picker = app.screen.query_one("#pick-user-list")
        labels = [str(picker.get_option_at_index(i).prompt) for i in range(picker.option_count)]
        assert labels.index("Max Mayer (max, manager)") == picker.highlighted  # starts on me
        await pilot.press("up")  # ann sorts before max
        await pilot.press("enter")
        await settle(pilot)
        assert calendar.readonly and calendar.has_class("-readonly")
        assert "Ann Lee's plan (read-only)" in str(app.screen.query_one("#plan-heading").render())
        assert app.screen.query(f"#activity-{acts['call'].id}")

        await pilot.mouse_down(f"#activity-{acts['call'].id}")
        await pilot.hover(f"#day-{MON}")
        await pilot.mouse_up(f"#day-{MON}")
        await pilot.press("down", "shift+right", "r")
        await settle(pilot)
        assert day_of(acts["call"]) == THU and len(app.screen_stack) == 1


async def test_ahead_view_fits_five_to_ten_days_to_the_width(rep: User) -> None:
    seed(rep)
    app = make_app(rep, start_mode="plan")
    async with app.run_test(size=(80, 24)) as pilot:
        calendar = await open_plan(app, pilot)
        assert len(calendar.days) == 5
        await pilot.resize_terminal(200, 40)
        await settle(pilot)
        assert len(calendar.days) == 10
        await pilot.press("W")
        await settle(pilot)
        assert calendar.days == [MON, TUE, dt.date(2026, 11, 25), dt.date(2026, 11, 26), dt.date(2026, 11, 27)]


async def test_agenda_and_live_refresh_when_another_terminal_moves_work(rep: User) -> None:
    acts = seed(rep)
    app = make_app(rep, Config(refresh_seconds=0.2), start_mode="plan")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_plan(app, pilot)
        agenda = str(app.screen.query_one("#plan-agenda").render())
        assert "Tomorrow, Thu 19 Nov: 2 activities" in agenda
        assert agenda.index("14:00") < agenda.index("Call Pat [EU]")  # timed first, then dated
        assert "Pat Lee (Acme [EU])" in agenda

        planning.move_activity(rep, acts["call"].id, MON, Config())  # as if from a second terminal
        await pilot.pause(0.6)
        await settle(pilot)
        card = app.screen.query_one(f"#activity-{acts['call'].id}")
        assert card.parent is not None and card.parent.parent.id == f"day-{MON}"
        assert "1 activity" in str(app.screen.query_one("#plan-agenda").render())


async def test_arrows_select_cards_in_a_day_too_full_to_show_and_scroll_it(rep: User) -> None:
    lead = Lead.create(last_name="Lee", owner=rep)
    ids = [Activity.create(type="call", subject=f"Call {i}", owner=rep, record_kind="lead", record_id=lead.id,
                           planned_date=THU).id for i in range(15)]
    app = make_app(rep, start_mode="plan")
    async with app.run_test(size=(100, 30)) as pilot:
        await open_plan(app, pilot)
        await pilot.press(*["down"] * 16)
        focused = app.screen.focused
        assert focused is not None and focused.id == f"activity-{ids[-1]}"
        column = app.screen.query_one(f"#day-{THU}")
        assert column.region.contains_region(focused.region)  # scrolled into view
        await pilot.press("right")
        assert app.screen.focused is focused  # no other day has cards: stays


async def test_a_long_rebalance_preview_keeps_its_buttons_in_view_at_80x24(rep: User) -> None:
    from crm_tui.domain.planning import Move, Proposal
    from crm_tui.ui.dialogs.rebalance import RebalanceDialog

    proposal = Proposal(moves=tuple(Move(n, THU, FRI) for n in range(1, 30)))
    app = make_app(rep, start_mode="plan")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_plan(app, pilot)
        app.push_screen(RebalanceDialog(proposal, {}, {}))
        await settle(pilot)
        for button_id in ("#rebalance-apply", "#rebalance-cancel"):
            region = app.screen.query_one(button_id).region
            assert region.height > 0 and region.bottom <= 23, button_id  # above the footer line
