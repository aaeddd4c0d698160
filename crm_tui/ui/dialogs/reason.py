"""Ask for a reason, then run one domain action with it (reject a quote,
decline one, cancel an order). A refusal (an empty required reason) shows in
the dialog and keeps what was typed.

`ReasonDialog(title, placeholder, submit)` dismisses whatever `submit(reason)`
returned, or None (escape: nothing changed).
"""

from __future__ import annotations

from typing import Any, Callable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Static

from crm_tui.ui.dialogs.modal import CrmDialog


class ReasonDialog(CrmDialog[Any]):
    PREFIX = "reason"
    FIELDS = {"reason": "reason-text"}
    BINDINGS = [Binding("ctrl+s", "confirm", "Confirm", id="reason.confirm", tooltip="Do it, with this reason")]

    def __init__(self, title: str, placeholder: str, submit: Callable[[str], Any], *, button: str = "Confirm") -> None:
        super().__init__()
        self.title_text = title
        self.placeholder = placeholder
        self.submit = submit
        self.button = button

    def compose(self) -> ComposeResult:
        with Vertical(id="reason-dialog", classes="dialog"):
            yield Static(self.title_text, id="reason-title", classes="dialog-title", markup=False)
            yield Input(id="reason-text", placeholder=self.placeholder, max_length=300, compact=True)
            yield self.error_line()
            with Horizontal(classes="dialog-buttons"):
                yield Button(self.button, id="reason-confirm", variant="primary", compact=True)
            yield Static("enter confirm · esc cancel", classes="dialog-keys")

    def on_mount(self) -> None:
        self.query_one("#reason-text", Input).focus()

    @on(Input.Submitted, "#reason-text")
    @on(Button.Pressed, "#reason-confirm")
    def action_confirm(self) -> None:
        result = self.run(self.submit, self.query_one("#reason-text", Input).value)
        if result is not None:
            self.done(result)
