"""Write a note on a record; dismisses the text, or None when cancelled.

With a `save` callable (the record detail passes one that writes the note)
a refusal is shown in the dialog and the text stays to be fixed.
"""

from __future__ import annotations

from typing import Any, Callable

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Label, TextArea

from crm_tui.domain.errors import DomainError
from crm_tui.ui.dialogs.modal import CrmDialog


class NoteDialog(CrmDialog[str | None]):
    PREFIX = "note"
    FIELDS = {"note": "note-text"}
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="note.save", tooltip="Save the note"),
        Binding("escape", "cancel", "Cancel", id="note.cancel", tooltip="Close without saving"),
    ]

    def __init__(self, record_name: str, *, save: Callable[[str], Any] | None = None) -> None:
        super().__init__(save)
        self._record_name = record_name

    def compose(self) -> ComposeResult:
        title = Text("Note on ")
        title.append(self._record_name, style="bold")
        with Vertical(id="note-dialog"):
            yield Label(title)
            yield TextArea(id="note-text", soft_wrap=True)
            yield self.error_line()
            with Horizontal(id="note-buttons"):
                yield Button("Save", variant="primary", id="note-save")
                yield Button("Cancel", id="note-cancel")

    def on_mount(self) -> None:
        self.query_one("#note-text", TextArea).focus()

    def _text(self) -> str:
        text = self.query_one("#note-text", TextArea).text
        if not text.strip():
            raise DomainError("write something first", "note")
        return text

    def action_save(self) -> None:
        self.build(self._text)

    @on(Button.Pressed, "#note-save")
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#note-cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()
