"""Snooze a record (`z` on its detail view): a resume day and a reason.

`SnoozeDialog(kind, record_id, name)` dismisses True once the record is
parked, or None (escape: nothing changed). The day field reads every form
domain.dates does (`2027-03-03`, `fri`, `+2w`, `next week`).
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Static

from crm_tui.domain import snooze
from crm_tui.ui.dialogs.modal import CrmDialog


class SnoozeDialog(CrmDialog[bool | None]):
    PREFIX = "snooze"
    FIELDS = {"until": "snooze-until", "reason": "snooze-reason"}
    BINDINGS = [
        Binding("ctrl+s", "snooze", "Snooze", id="snooze.save", tooltip="Park the record until that day"),
    ]

    def __init__(self, kind: str, record_id: int, name: str) -> None:
        super().__init__()
        self.kind = kind
        self.record_id = record_id
        self.record_name = name

    def compose(self) -> ComposeResult:
        with Vertical(id="snooze-dialog", classes="dialog"):
            title = Text("Snooze ", style="bold")
            title.append(self.record_name)
            yield Static(title, classes="dialog-title")
            with Horizontal(classes="dialog-row"):
                yield Label("Until", classes="dialog-label")
                yield Input(id="snooze-until", placeholder="e.g. 2027-03-03, +2w, next week", compact=True)
            with Horizontal(classes="dialog-row"):
                yield Label("Why", classes="dialog-label")
                yield Input(id="snooze-reason", placeholder="e.g. champion on leave", max_length=snooze.MAX_REASON,
                            compact=True)
            yield self.error_line()
            with Horizontal(classes="dialog-buttons"):
                yield Button("Snooze", id="snooze-save", variant="primary", compact=True)
            yield Static("Managers see parked records and the reason · ctrl+s snooze · esc cancel",
                         classes="dialog-keys", markup=False)

    def on_mount(self) -> None:
        self.query_one("#snooze-until", Input).focus()

    @on(Input.Submitted, "#snooze-until")
    def _to_reason(self, event: Input.Submitted) -> None:
        event.stop()
        self.query_one("#snooze-reason", Input).focus()

    @on(Input.Submitted, "#snooze-reason")
    @on(Button.Pressed, "#snooze-save")
    def action_snooze(self) -> None:
        result = self.run(snooze.snooze, self.user, self.config, self.kind, self.record_id,
                          until=self.query_one("#snooze-until", Input).value,
                          reason=self.query_one("#snooze-reason", Input).value)
        if result is not None:
            self.done(True)
