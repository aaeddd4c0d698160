"""Cancel an activity (`x`): it needs a reason, kept on the activity."""

from __future__ import annotations

from typing import Any, Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label

from crm_tui.domain import validation
from crm_tui.ui.dialogs.modal import CrmDialog
from crm_tui.ui.widgets.field_error import FieldError


class CancelActivityDialog(CrmDialog[str | None]):
    """`#cancel-reason`; enter cancels the activity, escape keeps it."""

    PREFIX = "form"
    BINDINGS = [
        Binding("ctrl+s", "accept", "Cancel it", id="cancel_activity.accept", tooltip="Cancel the activity"),
    ]
    FIELDS = {"reason": "cancel-reason"}

    def __init__(self, *, subject: str, save: Callable[[str], Any] | None = None) -> None:
        super().__init__(save)
        self._subject = subject

    def compose(self) -> ComposeResult:
        with Vertical(id="cancel-dialog", classes="dialog"):
            title = Text("Cancel: ", style="bold")
            title.append(self._subject)
            yield Label(title, classes="dialog-title")
            yield self.error_line()
            yield Label("Why? (kept on the activity)", classes="field-label")
            yield Input(placeholder="customer moved on", id="cancel-reason")
            yield FieldError("cancel-reason")
            yield Label("enter: cancel the activity · escape: keep it", classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#cancel-reason").focus()

    def action_accept(self) -> None:
        self.build(lambda: validation.required(self.query_one("#cancel-reason", Input).value, "reason",
                                               "a reason"))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_accept()
