"""The Records screen as a rep uses it: kinds, search, detail, create, edit."""

import datetime as dt

import pytest
from rich.text import Text
from textual import events
from textual.widgets import Input, Label, Tabs

from crm_tui.config import Config
from crm_tui.domain import activities, records
from crm_tui.models import Activity, Lead, User
from crm_tui.ui.app import make_app
from crm_tui.ui.screens.record_detail import RecordDetailScreen
from crm_tui.ui.widgets.timeline import Timeline
from crm_tui.ui.widgets.windowed_table import WindowedTable

CFG = Config()


def table_text(app) -> list[str]:
    table = app.screen.query_one("#records-table", WindowedTable)
    return [" | ".join(str(cell) for cell in table.get_row_at(i)) for i in range(table.row_count)]


@pytest.fixture
def data(rep: User, manager: User) -> dict:
    acme = records.create(rep, CFG, "account", {"name": "Acme [EU]", "city": "Berlin"})
    kim = records.create(rep, CFG, "contact", {"first_name": "Kim", "last_name": "Ng", "account": "Acme [EU]",
                                               "email": "kim@acme.test"})
    lead = records.create(rep, CFG, "lead", {"first_name": "Lou", "last_name": "Reed", "company": "Velvet"})
    records.create(manager, CFG, "lead", {"last_name": "Other", "company": "Theirs"})
    activities.create(rep, CFG, type="call", subject="Intro call", record_kind="contact", record_id=kim.id,
                      day=dt.date(2026, 11, 18))
    return {"acme": acme, "kim": kim, "lead": lead}


async def open_records(app, pilot) -> None:
    await pilot.pause()
    await pilot.press("3")
    await pilot.pause()


async def test_kinds_switch_and_mine_filter(data: dict, rep: User) -> None:
    app = make_app(rep, start_mode="records")
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        assert any("Lou Reed" in row for row in table_text(app))
        assert not any("Other" in row for row in table_text(app))  # mine only
        await pilot.press("m")
        await pilot.pause()
        assert any("Other" in row for row in table_text(app))
        await pilot.press("a")
        await pilot.pause()
        assert app.screen.query_one("#records-kinds", Tabs).active == "tab-account"
        assert table_text(app)[0].startswith("Acme [EU] | Berlin")  # user data shown as typed, not markup
        await pilot.press("k")
        await pilot.pause()
        assert table_text(app)[0].startswith("Kim Ng | Acme [EU]")


async def test_search_as_you_type_then_enter_opens_the_detail_with_timeline(data: dict, rep: User) -> None:
    app = make_app(rep, start_mode="records")
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        await pilot.press("slash")
        await pilot.press(*"kim@ac")
        await pilot.pause(0.3)
        rows = table_text(app)
        assert rows == ["Contact | Kim Ng | Acme [EU] | kim@acme.test | —"]
        await pilot.press("down")  # from the search box to the hits
        await pilot.press("enter")  # open the hit
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, RecordDetailScreen) and (screen.kind, screen.record_id) == ("contact", data["kim"].id)
        timeline = screen.query_one("#timeline", Timeline)
        lines = [str(timeline.get_option_at_index(i).prompt) for i in range(timeline.option_count)]
        assert any("Call: Intro call" in line and "(planned)" in line for line in lines)
        assert any("Contact created" in line for line in lines)
        related = screen.query_one("#detail-related")
        assert "Acme [EU]" in str(related.get_row_at(0)[1])
        await pilot.press("escape")
        await pilot.pause()
        assert app.current_mode == "records" and not isinstance(app.screen, RecordDetailScreen)


async def test_create_lead_error_at_the_field_keeps_input_then_saves(data: dict, rep: User) -> None:
    app = make_app(rep, start_mode="records")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        dialog = app.screen
        dialog.query_one("#field-first_name", Input).value = "Ada"
        dialog.query_one("#field-last_name", Input).value = "Lovelace"
        dialog.query_one("#field-company", Input).value = "Engines [UK]"
        dialog.query_one("#field-email", Input).value = "ada@"
        await pilot.press("ctrl+s")
        await pilot.pause()
        error = dialog.query_one("#error-email", Label)
        assert error.has_class("-error") and "not an email address" in str(error.render())
        assert app.screen is dialog and dialog.focused is dialog.query_one("#field-email")
        assert dialog.query_one("#field-company", Input).value == "Engines [UK]"  # what was typed stays
        assert Lead.select().where(Lead.last_name == "Lovelace").count() == 0
        dialog.query_one("#field-email", Input).value = "ada@engines.test"
        await pilot.press("ctrl+s")
        await pilot.pause()
        lead = Lead.get(Lead.last_name == "Lovelace")
        assert (lead.first_name, lead.company, lead.email, lead.owner_id) == ("Ada", "Engines [UK]", "ada@engines.test", rep.id)
        assert not isinstance(app.screen, type(dialog))
        await pilot.press("escape")  # the rule-1 follow-up prompt: decide later
        await pilot.pause()
        assert any("Ada Lovelace" in row for row in table_text(app))


async def test_duplicate_warning_then_create_anyway(data: dict, rep: User) -> None:
    app = make_app(rep, start_mode="records")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        dialog = app.screen
        dialog.query_one("#field-last_name", Input).value = "Ng"
        dialog.query_one("#field-email", Input).value = "kim@acme.test"
        await pilot.press("ctrl+s")
        await pilot.pause()
        message = str(dialog.query_one("#record-form-message").render())
        assert "Contact Kim Ng at Acme [EU] has the same email — create anyway?" in message
        assert Lead.select().where(Lead.email == "kim@acme.test").count() == 0
        await pilot.click("#record-form-anyway")
        await pilot.pause()
        assert Lead.select().where(Lead.email == "kim@acme.test").count() == 1


async def test_edit_stale_save_says_who_and_when_and_keeps_input(data: dict, rep: User, manager: User) -> None:
    app = make_app(rep, start_mode="records")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("e")  # the highlighted lead: Lou Reed
        await pilot.pause()
        dialog = app.screen
        dialog.query_one("#field-company", Input).value = "Velvet Underground"
        records.update(manager, CFG, "lead", data["lead"].id, {"title": "Singer"}, expected_version=1)
        await pilot.press("ctrl+s")
        await pilot.pause()
        message = str(dialog.query_one("#record-form-message").render())
        assert "Max Mayer changed this lead at 2026-11-18 09:00" in message
        assert dialog.query_one("#field-company", Input).value == "Velvet Underground"
        assert Lead.get_by_id(data["lead"].id).company == "Velvet"
        await pilot.click("#record-form-reload")
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        saved = Lead.get_by_id(data["lead"].id)
        assert (saved.company, saved.title) == ("Velvet Underground", "Singer")


async def test_detail_note_key_adds_to_the_timeline(data: dict, rep: User) -> None:
    app = make_app(rep, start_mode="records")
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        app.open_record("lead", data["lead"].id)
        await pilot.pause()
        await pilot.press("t")
        await pilot.pause()
        await pilot.press(*"Called back")
        await pilot.press("ctrl+s")
        await pilot.pause()
        timeline = app.screen.query_one("#timeline", Timeline)
        assert "Called back" in str(timeline.get_option_at_index(0).prompt)


async def test_after_create_offers_the_follow_up(data: dict, rep: User) -> None:
    """Rule 1: creating a record ends with the "schedule a follow-up?" prompt."""
    from crm_tui.ui.dialogs import follow_up

    app = make_app(rep, start_mode="records")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        app.screen.query_one("#field-last_name", Input).value = "Hopper"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, follow_up.FollowUpDialog)
        await pilot.press("ctrl+s")  # the prefilled follow-up: a call tomorrow
        await pilot.pause()
    hopper = Lead.get(Lead.last_name == "Hopper")
    planned = Activity.get((Activity.record_kind == "lead") & (Activity.record_id == hopper.id))
    assert (planned.type, planned.subject, planned.planned_date) == ("call", "Follow up: Hopper", dt.date(2026, 11, 19))


async def test_windowed_table_walks_a_long_list_both_ways(rep: User) -> None:
    Lead.insert_many([{"last_name": f"L{i:04d}", "owner": rep.id} for i in range(650)]).execute()
    app = make_app(rep, start_mode="records")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        table = app.screen.query_one("#records-table", WindowedTable)
        assert (table.row_count, table.total) == (200, 650)
        seen = []
        for _ in range(8):
            table.move_cursor(row=table.row_count - 1)
            await pilot.pause()
            seen.append(table.current_row[1])
            assert table.row_count <= 300
            assert table.current_row[1] == f"L{table.first_index + table.cursor_row:04d}"
        assert seen[-1] == "L0649"
        await pilot.press("home")
        await pilot.pause()
        assert table.current_row[1] == "L0000" and table.first_index == 0
        await pilot.press("end")
        await pilot.pause()
        assert table.current_row[1] == "L0649" and table.first_index == 450
        for _ in range(8):
            table.move_cursor(row=0)
            await pilot.pause()
            assert table.current_row[1] == f"L{table.first_index + table.cursor_row:04d}"
        assert table.current_row[1] == "L0000"
        assert "1 of 650" in str(app.screen.query_one("#records-count").render())


async def test_registered_detail_action_becomes_a_key(data: dict, rep: User) -> None:
    from crm_tui.ui.screens import record_detail
    from crm_tui.ui.screens.record_detail import DetailAction, DetailSection

    ran: list[tuple[str, int]] = []
    record_detail.register_action("lead", DetailAction(
        key="x", id="test.mark", description="Mark", tooltip="Mark this lead",
        run=lambda screen: ran.append((screen.kind, screen.record_id)),
        available=lambda record: record.company == "Velvet",
    ))
    record_detail.register_section("lead", DetailSection("test", "Qualification", lambda s: Text("Budget: 10k")))
    try:
        app = make_app(rep, start_mode="records")
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.pause()
            app.open_record("lead", data["lead"].id)
            await pilot.pause()
            await pilot.press("x")
            assert ran == [("lead", data["lead"].id)]
            assert "Budget: 10k" in str(app.screen.query_one("#detail-section-test").render())
            await pilot.press("escape")
            other = Lead.get(Lead.last_name == "Other")
            app.open_record("lead", other.id)
            await pilot.pause()
            await pilot.press("x")  # not available for this lead: the key does nothing
            assert ran == [("lead", data["lead"].id)]
    finally:
        record_detail._ACTIONS["lead"].pop("test.mark")
        record_detail._SECTIONS["lead"].pop("test")


async def test_escape_leaves_search_and_help_lists_the_records_keys(data: dict, rep: User) -> None:
    app = make_app(rep, start_mode="records")
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        await pilot.press("slash", *"velv")
        await pilot.pause(0.3)
        assert table_text(app) == ["Lead | Lou Reed | Velvet | — | —"]
        await pilot.press("escape")
        await pilot.pause()
        assert not app.screen.query_one("#records-search").display or app.screen.query_one("#records-search").has_class("-hidden")
        assert table_text(app)[0].startswith("Lou Reed | Velvet")
        await pilot.press("question_mark")
        await pilot.pause()
        text = str(app.screen.query_one("#help-text").render())
        assert "Search every kind as you type" in text and "Create a record of this kind" in text


async def test_mouse_wheel_at_the_window_edge_loads_more(rep: User) -> None:
    Lead.insert_many([{"last_name": f"L{i:04d}", "owner": rep.id} for i in range(450)]).execute()
    app = make_app(rep, start_mode="records")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        table = app.screen.query_one("#records-table", WindowedTable)
        assert table.row_count == 200
        table.scroll_to(y=table.max_scroll_y, animate=False, immediate=True)
        await pilot.pause()
        assert table.scroll_y == table.max_scroll_y and table.cursor_row == 0
        table.post_message(events.MouseScrollDown(table, 1, 1, 0, 1, 0, False, False, False))
        await pilot.pause()
        await pilot.pause()
        assert table.row_count == 300 and table.current_row[1] == f"L{table.first_index + table.cursor_row:04d}"
