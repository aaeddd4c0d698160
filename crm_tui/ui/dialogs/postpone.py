"""Postpone (`p` on Today): one small prompt, a number of days, enter.

Calls `activities.postpone`, which counts from the planned day (today for an
overdue activity) and rolls forward to a working day; a refusal is shown in
the dialog with the number kept. Dismisses the moved Activity, or None.
"""

from __future__ import annotations

import datetime as dt

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, Static

from crm_tui import clock
from crm_tui.domain import activities, dates
from crm_tui.models import Activity
from crm_tui.ui.dialogs.modal import CrmDialog


class PostponeDialog(CrmDialog[Activity | None]):
    """`#postpone-days` (digits only, default 1), a preview of the new day, `#postpone-error`."""

    PREFIX = "postpone"
    FIELDS = {"days": "postpone-days", "day": "postpone-days"}
    BINDINGS = [
        *CrmDialog.BINDINGS,
        Binding("ctrl+s", "postpone", "Postpone", id="postpone.accept", tooltip="Move it that many days later"),
    ]

    def __init__(self, activity_id: int, version: int, subject: str, planned: dt.date) -> None:
        super().__init__()
        self.activity_id = activity_id
        self.version = version
        self.subject = subject
        self.planned = planned

    def compose(self) -> ComposeResult:
        with Vertical(id="postpone-dialog", classes="dialog"):
            title = Text("Postpone: ", style="bold")
            title.append(self.subject)
            yield Static(title, classes="dialog-title")
            with Horizontal(classes="dialog-row"):
                yield Label("Days", classes="dialog-label")
                yield Input("1", id="postpone-days", restrict=r"\d{0,3}", compact=True)
            yield Static("", id="postpone-preview", markup=False)
            yield self.error_line()
            yield Static("enter: postpone · escape: cancel", classes="dialog-keys")

    def on_mount(self) -> None:
        days = self.query_one("#postpone-days", Input)
        days.focus()
        days.select_all()
        self._preview(days.value)

    def _preview(self, text: str) -> None:
        tz = self.user.time_zone
        today = clock.today(tz)
        preview = self.query_one("#postpone-preview", Static)
        if not text.isdigit() or not 1 <= int(text) <= 366:
            preview.update("")
            return
        day = dates.next_working_day(self.config, max(self.planned, today) + dt.timedelta(days=int(text)))
        preview.update(f"→ {dates.describe(day, today)}")

    @on(Input.Changed, "#postpone-days")
    def _changed(self, event: Input.Changed) -> None:
        self._preview(event.value)

    @on(Input.Submitted, "#postpone-days")
    def action_postpone(self) -> None:
        moved = self.run(activities.postpone, self.user, self.config, self.activity_id,
                         self.query_one("#postpone-days", Input).value, expected_version=self.version)
        if moved is not None:
            self.done(moved)
