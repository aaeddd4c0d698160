"""Snooze from the record detail view (`z`), and the manager's parked group."""

from __future__ import annotations

import datetime as dt

from textual.widgets import DataTable, Input

from crm_tui.config import Config
from crm_tui.domain import snooze
from crm_tui.models import Activity, Lead, RecordSnooze, User
from crm_tui.ui.app import make_app

T = dt.datetime(2026, 11, 18, 9, 0)
D = dt.timedelta(days=1)
CFG = Config(refresh_seconds=0.2)


def _lead(rep: User) -> Lead:
    lead = Lead.create(first_name="Kim", last_name="Ng", company="Acme [EU]", owner=rep, status="new",
                       created_at=T - 3 * D)
    Activity.create(type="call", subject="Call", owner=rep, record_kind="lead", record_id=lead.id,
                    planned_date=(T + D).date())
    return lead


async def test_z_on_the_detail_view_snoozes_then_Z_ends_it(rep: User) -> None:
    lead = _lead(rep)
    app = make_app(rep, CFG)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.open_record("lead", lead.id)
        await pilot.pause()
        detail = app.screen
        assert "not snoozed" in str(detail.query_one("#detail-section-snooze").render())
        await pilot.press("z")
        await pilot.pause()
        dialog = app.screen
        dialog.query_one("#snooze-until", Input).value = "2026-12-03"
        dialog.query_one("#snooze-reason", Input).value = "champion on leave"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is detail
        assert "champion on leave" in str(detail.query_one("#detail-section-snooze").render())
        row = RecordSnooze.get()
        assert (row.record_kind, row.record_id, row.reason, row.until) == ("lead", lead.id, "champion on leave",
                                                                           dt.date(2026, 12, 3))
        await pilot.press("Z")
        await pilot.pause()
        assert RecordSnooze.select().count() == 0
        assert "not snoozed" in str(detail.query_one("#detail-section-snooze").render())


async def test_snooze_dialog_names_the_bad_field(rep: User) -> None:
    lead = _lead(rep)
    app = make_app(rep, CFG)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.open_record("lead", lead.id)
        await pilot.pause()
        await pilot.press("z")
        await pilot.pause()
        dialog = app.screen
        dialog.query_one("#snooze-until", Input).value = "someday"
        dialog.query_one("#snooze-reason", Input).value = "why not"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is dialog and "is not a day" in str(dialog.query_one("#snooze-error").render())
        assert dialog.focused is dialog.query_one("#snooze-until")
        assert RecordSnooze.select().count() == 0


async def test_manager_sees_the_parked_group(rep: User, manager: User) -> None:
    lead = _lead(rep)
    snooze.snooze(rep, CFG, "lead", lead.id, until="2026-12-03", reason="champion on leave")
    app = make_app(manager, CFG, start_mode="exceptions", readonly=True)
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.screen.query_one("#exceptions-table", DataTable)
        rows = [" | ".join(str(cell) for cell in table.get_row_at(i)) for i in range(table.row_count)]
        assert any("Parked: snoozed records (1)" in row for row in rows)
        parked = next(row for row in rows if row.startswith("P |"))
        assert "lead · Kim Ng (Acme [EU])" in parked and "Ann Lee" in parked
        assert "(parked 0h)" in parked and "until 03 Dec: champion on leave" in parked and "rules 1" in parked
        assert not any(row.startswith("1 |") for row in rows)  # not in the live list
        assert "1 parked" in str(app.screen.query_one("#exceptions-counts").render())
    rep_app = make_app(rep, CFG, start_mode="exceptions")
    async with rep_app.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
        await rep_app.workers.wait_for_complete()
        await pilot.pause()
        table = rep_app.screen.query_one("#exceptions-table", DataTable)
        assert table.row_count == 0  # gone from the rep's exceptions until the resume day
