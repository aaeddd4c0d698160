"""The Exceptions screen as a manager meets it: hits in the table, grouping,
filtering, opening a record, the process view, and a read-only session that
refuses to change anything."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from textual.widgets import DataTable

from crm_tui import db
from crm_tui.domain import changes, users
from crm_tui.models import Activity, AuditEvent, Case, Lead, User
from crm_tui.ui.app import make_app

T = dt.datetime(2026, 11, 18, 9, 0)
H = dt.timedelta(hours=1)
D = dt.timedelta(days=1)


@pytest.fixture
def hits(rep: User, manager: User) -> dict[str, Any]:
    """Two exceptions: Ann's untouched lead (rule 1) and Max's late case (rule 8)."""
    lead = Lead.create(last_name="Ng", company="Acme [EU]", owner=rep, status="new", created_at=T - 2 * D)
    case = Case.create(subject="Printer [on fire]", owner=manager, status="open", created_at=T - 3 * D,
                       sla_due=T - H)
    for kind, record_id, owner in (("lead", lead.id, rep), ("case", case.id, manager)):
        Activity.create(type="call", subject="follow up", owner=owner, record_kind=kind, record_id=record_id,
                        planned_date=(T + D).date())
    return {"lead": lead, "case": case}


async def ready(app, pilot) -> DataTable:  # noqa: ANN001
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()
    return app.screen.query_one("#exceptions-table", DataTable)


def cells(table: DataTable) -> list[str]:
    return [" | ".join(str(cell) for cell in table.get_row_at(i)) for i in range(table.row_count)]


async def test_table_shows_hits_grouped_by_rule_then_owner(manager: User, hits: dict[str, Any]) -> None:
    app = make_app(manager, start_mode="exceptions")
    async with app.run_test(size=(120, 40)) as pilot:
        table = await ready(app, pilot)
        rows = cells(table)
        assert any("lead · Ng (Acme [EU])" in row and "Ann Lee" in row for row in rows)
        assert any("case · Printer [on fire]" in row and "Max Mayer" in row for row in rows)
        titles = [" ".join(str(cell) for cell in table.get_row_at(i) if str(cell)) for i in range(table.row_count)]
        assert "1. New lead not touched within 1 day(s) of entry (1)" in titles  # spread over the row's cells
        counts = str(app.screen.query_one("#exceptions-counts").render())
        assert "2 exceptions" in counts and "1: 1" in counts and "8: 1" in counts
        await pilot.press("g")
        await pilot.pause()
        rows = cells(table)
        assert " | Ann Lee (1) | " in rows[0] + " | " and any("Max Mayer (1)" in row for row in rows)
        await pilot.press("g")
        await pilot.pause()
        assert cells(table)[0].startswith(" | 1. New lead")


async def test_filter_by_text_and_rule_number(manager: User, hits: dict[str, Any]) -> None:
    app = make_app(manager, start_mode="exceptions")
    async with app.run_test(size=(120, 40)) as pilot:
        table = await ready(app, pilot)
        await pilot.press("slash", *"printer")
        await pilot.pause()
        assert [row for row in cells(table) if "·" in row] == [r for r in cells(table) if "Printer" in r]
        assert len([row for row in cells(table) if "·" in row]) == 1
        await pilot.press("escape")
        await pilot.pause()
        assert len([row for row in cells(table) if "·" in row]) == 2
        await pilot.press("slash", "1", "enter")
        await pilot.pause()
        assert [row for row in cells(table) if "·" in row][0].startswith("1 | lead · Ng")


async def test_enter_opens_the_record(manager: User, hits: dict[str, Any]) -> None:
    app = make_app(manager, start_mode="exceptions")
    async with app.run_test(size=(120, 40)) as pilot:
        table = await ready(app, pilot)
        table.focus()
        await pilot.press("enter")
        await pilot.pause()
        opened = app.screen
        from crm_tui.ui.screens.record_detail import RecordDetailScreen

        assert isinstance(opened, RecordDetailScreen)
        assert (opened.kind, opened.record_id) in {("lead", hits["lead"].id), ("case", hits["case"].id)}
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen.query_one("#exceptions-table") is not None


async def test_process_view_switches_period(manager: User, hits: dict[str, Any]) -> None:
    app = make_app(manager, start_mode="exceptions")
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(app, pilot)
        text = str(app.screen.query_one("#exceptions-metrics").render())
        assert "last 30 days" in text and "Median time from inquiry to approved quote" in text
        chart = str(app.screen.query_one("#exceptions-chart").render())
        assert "Touched within a day" in chart
        await pilot.press("p")
        await ready(app, pilot)
        assert "last 90 days" in str(app.screen.query_one("#exceptions-metrics").render())
        await pilot.press("p")
        await ready(app, pilot)
        assert "last 7 days" in str(app.screen.query_one("#exceptions-metrics").render())


async def test_a_rep_sees_only_their_own(rep: User, hits: dict[str, Any]) -> None:
    app = make_app(rep, start_mode="exceptions")
    async with app.run_test(size=(120, 40)) as pilot:
        table = await ready(app, pilot)
        rows = [row for row in cells(table) if "·" in row]
        assert len(rows) == 1 and "Ng" in rows[0]


async def test_read_only_session_refuses_undo_and_changes_nothing(
    database: str, manager: User, hits: dict[str, Any], monkeypatch: pytest.MonkeyPatch,
) -> None:
    users.set_user("max", actor=manager, display_name="Max M.")  # something max could undo
    before = list(AuditEvent.select(AuditEvent.id, AuditEvent.undone).tuples())
    db.close()
    db.open_database(database, readonly=True)
    max_user = User.get(User.login == "max")
    app = make_app(max_user, readonly=True, start_mode="exceptions")
    said: list[str] = []
    monkeypatch.setattr(app, "notify", lambda message, *a, **k: said.append(str(message)))
    async with app.run_test(size=(120, 40)) as pilot:
        table = await ready(app, pilot)
        assert any("Printer" in row for row in cells(table))
        await pilot.press("u")
        await pilot.pause()
        assert "this session is read-only: nothing was changed" in said
        assert "read-only" in app.sub_title
        table.focus()
        await pilot.press("enter")  # drilling into a record works, read-only
        await pilot.pause()
        assert app.screen is not None and type(app.screen).__name__ != "ExceptionsScreen"
    db.close()
    db.open_database(database)
    assert list(AuditEvent.select(AuditEvent.id, AuditEvent.undone).tuples()) == before
    assert User.get(User.login == "max").display_name == "Max M."
    assert changes.latest_change_id() == before[-1][0]


async def test_80_columns_still_shows_table_and_process(manager: User, hits: dict[str, Any]) -> None:
    app = make_app(manager, start_mode="exceptions")
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        assert app.screen.has_class("-narrow")
        assert app.screen.query_one("#exceptions-table").region.height >= 5
        assert app.screen.query_one("#exceptions-process").region.height > 0


async def test_help_lists_the_screen_keys(manager: User, hits: dict[str, Any]) -> None:
    app = make_app(manager, start_mode="exceptions")
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(app, pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        text = str(app.screen.query_one("#help-text").render())
        for words in ("Group by rule or by owner", "Filter by rule, owner or text",
                      "Process view over 7, 30 or 90 days", "Open the record of this exception"):
            assert words in text


def test_a_group_title_is_spread_over_its_row_between_words() -> None:
    from rich.text import Text

    from crm_tui.ui.screens.exceptions import COLUMNS, spread

    title = "2. Lead still undecided 14 days after entry, with fewer than 5 activities (14)"
    cells = spread(Text(title, style="bold"))
    assert " ".join(cell.plain for cell in cells if cell.plain) == title
    for cell, (_, width) in zip(cells, COLUMNS[1:]):
        assert width is None or len(cell.plain) <= width
        assert cell.style == "bold"
