"""Repeat (`R` on Today): make the selected activity recurring, or edit or end its series.

One line says how it repeats, in words `domain.recurrence.parse` reads
(`weekly`, `every 2 weeks`, `monthly`, `every working day` for a fixed
schedule; `2w after`, `10 days after done` for a set time after the last
completion); an optional end day reads every form `domain.dates` reads. For
an activity that already repeats, the dialog edits the series (its subject
too) and offers "Stop repeating" with a reason, which cancels the open
occurrence. Dismisses the series, or None (escape).
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Static

from crm_tui import clock
from crm_tui.domain import dates, recurrence
from crm_tui.domain.errors import DomainError
from crm_tui.domain.recurrence import Repeat
from crm_tui.models import Recurrence
from crm_tui.ui.dialogs.modal import CrmDialog


class RepeatDialog(CrmDialog[Recurrence | None]):
    """`#repeat-rule`, `#repeat-until`, `#repeat-subject` (series only), `#repeat-reason` and `#repeat-end`."""

    PREFIX = "repeat"
    FIELDS = {"repeat": "repeat-rule", "rule": "repeat-rule", "every": "repeat-rule", "unit": "repeat-rule",
              "ends_on": "repeat-until", "subject": "repeat-subject", "reason": "repeat-reason"}
    BINDINGS = [
        *CrmDialog.BINDINGS,
        Binding("ctrl+s", "save", "Save", id="repeat.save", tooltip="Make it repeat, or save the series"),
    ]

    def __init__(self, activity_id: int, version: int, subject: str) -> None:
        super().__init__()
        self.activity_id = activity_id
        self.version = version
        self.subject = subject
        self.series: Recurrence | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="repeat-dialog", classes="dialog"):
            title = Text("Repeat: ", style="bold")
            title.append(self.subject)
            yield Static(title, id="repeat-title", classes="dialog-title")
            yield Static("", id="repeat-now", markup=False)
            with Horizontal(classes="dialog-row"):
                yield Label("Repeats", classes="dialog-label")
                yield Input("weekly", id="repeat-rule", compact=True,
                            placeholder="weekly, every 2 weeks, monthly, every working day, 2w after")
            with Horizontal(classes="dialog-row"):
                yield Label("Until", classes="dialog-label")
                yield Input(id="repeat-until", compact=True, placeholder="optional: 2027-06-30, +12w")
            with Horizontal(classes="dialog-row", id="repeat-subject-row"):
                yield Label("Subject", classes="dialog-label")
                yield Input(self.subject, id="repeat-subject", compact=True)
            with Horizontal(classes="dialog-row", id="repeat-end-row"):
                yield Label("Stop because", classes="dialog-label")
                yield Input(id="repeat-reason", compact=True, placeholder="reason, then Stop repeating")
            yield self.error_line()
            with Horizontal(classes="dialog-buttons"):
                yield Button("Stop repeating", id="repeat-end", variant="error", compact=True)
                yield Button("Save", id="repeat-save", variant="primary", compact=True)
            yield Static("enter/ctrl+s: save · escape: cancel", classes="dialog-keys")

    def on_mount(self) -> None:
        self.series = self.run(recurrence.series_of, self.activity_id)
        series = self.series
        self.query_one("#repeat-subject-row").display = series is not None
        self.query_one("#repeat-end-row").display = series is not None
        self.query_one("#repeat-end").display = series is not None
        if series is not None:
            repeat = recurrence.repeat_of(series)
            self.query_one("#repeat-now", Static).update(Text(f"Repeats {recurrence.describe(series)}"))
            self.query_one("#repeat-rule", Input).value = repeat.text
            self.query_one("#repeat-until", Input).value = repeat.ends_on.isoformat() if repeat.ends_on else ""
        else:
            self.query_one("#repeat-now", Static).update("Does not repeat yet.")
        self.query_one("#repeat-rule", Input).focus()

    def _repeat(self) -> Repeat:
        repeat = recurrence.parse(self.query_one("#repeat-rule", Input).value)
        tz = self.user.time_zone
        until = dates.parse_day(self.config, tz, self.query_one("#repeat-until", Input).value, field="ends_on")
        if until is not None and until < clock.today(tz):
            raise DomainError("the end day is in the past", "ends_on")
        return Repeat(repeat.rule, repeat.every, repeat.unit, until)

    @on(Input.Submitted, "#repeat-rule, #repeat-until, #repeat-subject")
    @on(Button.Pressed, "#repeat-save")
    def action_save(self) -> None:
        repeat = self.run(self._repeat)
        if repeat is None:
            return
        if self.series is None:
            result = self.run(recurrence.make_recurring, self.user, self.config, self.activity_id, repeat,
                              expected_version=self.version)
        else:
            result = self.run(recurrence.edit, self.user, self.config, self.series.id,
                              expected_version=self.series.version, repeat=repeat,
                              subject=self.query_one("#repeat-subject", Input).value)
        if result is not None:
            self.done(result)

    @on(Input.Submitted, "#repeat-reason")
    @on(Button.Pressed, "#repeat-end")
    def _end(self) -> None:
        if self.series is None:
            return
        result = self.run(recurrence.end, self.user, self.series.id,
                          self.query_one("#repeat-reason", Input).value, expected_version=self.series.version)
        if result is not None:
            self.done(result)
