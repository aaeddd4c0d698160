"""Saved views on the Records screen: V saves the filter and sort, v and the
command palette recall them."""

from __future__ import annotations

from textual.widgets import Input, OptionList, Select

from crm_tui.config import Config
from crm_tui.domain import records, views
from crm_tui.models import SavedView, User
from crm_tui.ui.app import make_app

CFG = Config(refresh_seconds=0.2)


def table_names(app) -> list[str]:  # noqa: ANN001
    table = app.screen.query_one("#records-table")
    return [" ".join(str(cell) for cell in table.get_row_at(i)) for i in range(table.row_count)]


async def test_save_then_recall_with_v_and_the_palette(rep: User, manager: User) -> None:
    records.create(rep, CFG, "lead", {"first_name": "Lou", "last_name": "Reed", "company": "Velvet"})
    records.create(manager, CFG, "lead", {"last_name": "Other", "company": "Theirs"})
    records.create(rep, CFG, "case", {"subject": "Printer on fire"})
    app = make_app(rep, CFG, start_mode="records")
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        screen.query_one("#records-scope", Select).value = "all"
        screen.query_one("#records-sort", Select).value = "-created"
        await pilot.pause()
        assert len(table_names(app)) == 2
        await pilot.press("V")
        await pilot.pause()
        app.screen.query_one("#view-save-name", Input).value = "Everyone's leads"
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is screen
        saved = views.get(rep, "Everyone's leads")
        assert (saved.kind, saved.scope, saved.status, saved.sort) == ("lead", "all", "", "-created")

        # elsewhere: another tab, mine only
        await pilot.press("c")
        await pilot.pause()
        screen.query_one("#records-scope", Select).value = "mine"
        await pilot.pause()
        assert screen.kind == "case"

        await pilot.press("v")
        await pilot.pause()
        listing = app.screen.query_one("#views-list", OptionList)
        assert listing.option_count == 1
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is screen
        assert (screen.kind, screen.query_one("#records-scope", Select).value, screen.sort) == ("lead", "all",
                                                                                               "-created")
        names = table_names(app)
        assert len(names) == 2 and "Other" in names[0]  # newest first: the manager's lead was created last

        # the command palette offers each saved view by name
        await pilot.press("c")
        await pilot.pause()
        commands = [command.title for command in screen.commands()]
        assert "View: Everyone's leads" in commands and "Save this view" in commands
        dict((c.title, c) for c in screen.commands())["View: Everyone's leads"].callback()
        await pilot.pause()
        assert screen.kind == "lead" and screen.sort == "-created"


async def test_views_dialog_deletes_and_says_when_there_are_none(rep: User) -> None:
    views.save(rep, "Old", kind="lead")
    app = make_app(rep, CFG, start_mode="records")
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
        await pilot.press("v")
        await pilot.pause()
        await pilot.press("delete")
        await pilot.pause()
        assert SavedView.select().count() == 0
        assert "no saved views yet" in str(app.screen.query_one("#views-error").render())
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "RecordsScreen"
