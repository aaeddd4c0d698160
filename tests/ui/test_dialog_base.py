"""The one dialog base (`CrmDialog`): refusals at the field, a stale save at the
top, the input kept, escape changes nothing, a save closes and refreshes."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, TextArea

from crm_tui.config import Config
from crm_tui.domain import records
from crm_tui.domain.errors import Conflict, DomainError
from crm_tui.models import Lead, Note, User
from crm_tui.ui.app import make_app
from crm_tui.ui.dialogs.modal import CrmDialog
from crm_tui.ui.screens.record_detail import RecordDetailScreen
from crm_tui.ui.widgets.field_error import FieldError

CFG = Config()
SIZE = (100, 30)


class NameDialog(CrmDialog[str | None]):
    """A one-field dialog whose save refuses what the test tells it to."""

    PREFIX = "name"
    FIELDS = {"name": "name-input"}

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield self.error_line()
            yield Input(id="name-input")
            yield FieldError("name-input")

    def on_input_submitted(self) -> None:
        self.build(lambda: self.query_one("#name-input", Input).value)


def shown(dialog: CrmDialog[Any], widget_id: str) -> str:
    label = dialog.query_one(f"#{widget_id}", FieldError)
    return str(label.render()) if label.has_class("-error") else ""


async def test_refusals_land_at_the_field_or_the_top_and_keep_the_input(rep: User) -> None:
    saved: list[str] = []

    def save(name: str | None) -> None:
        if name == "bad":
            raise DomainError("not a name", "name")
        if name == "stale":
            raise Conflict("Max Mayer changed this at 09:00")
        if name == "vague":
            raise DomainError("refused for no field in particular")
        saved.append(name or "")

    app = make_app(rep, CFG)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        results: list[Any] = []
        dialog = NameDialog(save=save)
        app.push_screen(dialog, results.append)
        await pilot.pause()

        await pilot.press(*"bad", "enter")
        await pilot.pause()
        assert shown(dialog, "name-input-error") == "not a name" and shown(dialog, "name-error") == ""
        assert app.focused is dialog.query_one("#name-input") and app.screen is dialog

        dialog.query_one("#name-input", Input).value = "stale"
        await pilot.press("enter")
        await pilot.pause()
        assert shown(dialog, "name-error") == "Max Mayer changed this at 09:00"
        assert shown(dialog, "name-input-error") == ""  # one message at a time
        assert dialog.query_one("#name-input", Input).value == "stale"

        dialog.query_one("#name-input", Input).value = "vague"
        await pilot.press("enter")
        await pilot.pause()
        assert shown(dialog, "name-error") == "refused for no field in particular"

        dialog.query_one("#name-input", Input).value = "Kim"
        await pilot.press("enter")
        await pilot.pause()
        assert saved == ["Kim"] and results == ["Kim"] and app.screen is not dialog


async def test_escape_dismisses_none_and_saves_nothing(rep: User) -> None:
    saved: list[str | None] = []
    app = make_app(rep, CFG)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        results: list[Any] = []
        app.push_screen(NameDialog(save=saved.append), results.append)
        await pilot.pause()
        await pilot.press(*"Kim", "escape")
        await pilot.pause()
    assert results == [None] and saved == []


async def test_run_shows_a_refusal_and_returns_none(rep: User) -> None:
    def refuse() -> int:
        raise DomainError("no", "name")

    app = make_app(rep, CFG)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        dialog = NameDialog()
        app.push_screen(dialog)
        await pilot.pause()
        assert dialog.run(refuse) is None and shown(dialog, "name-input-error") == "no"
        assert dialog.run(lambda: 7) == 7 and shown(dialog, "name-input-error") == ""


async def test_an_empty_note_is_refused_in_the_dialog_then_saved(rep: User) -> None:
    lead = records.create(rep, CFG, "lead", {"first_name": "Lou", "last_name": "Reed", "company": "Velvet"})
    app = make_app(rep, CFG)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.open_record("lead", lead.id)
        await pilot.pause()
        await pilot.press("t", "ctrl+s")
        await pilot.pause()
        dialog = app.screen
        assert shown(dialog, "note-error") == "write something first"
        dialog.query_one("#note-text", TextArea).text = "Budget confirmed"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, RecordDetailScreen)
    assert [note.body for note in Note.select()] == ["Budget confirmed"]
    assert Lead.get_by_id(lead.id).last_touch_at is not None
