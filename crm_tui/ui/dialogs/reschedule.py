"""Reschedule (`s`): move an activity to another day with the same quick choices.

Dismisses a `Reschedule` (the day, and a time when one was typed with the
date, e.g. "fri 10:00"); a timed activity otherwise keeps its time of day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Input, Label

from crm_tui.config import Config
from crm_tui.domain import activities, dates
from crm_tui.ui.dialogs.modal import CrmDialog
from crm_tui.ui.widgets.day_picker import DayPicker

if TYPE_CHECKING:
    from crm_tui.domain.agenda import AgendaRow
    from crm_tui.ui.screens.base import CrmScreen


@dataclass(frozen=True)
class Reschedule:
    day: dt.date
    time: dt.time | None
    """A new time of day, or None to keep the activity's own."""


class RescheduleDialog(CrmDialog[Reschedule | None]):
    """`#reschedule-when` (a DayPicker); enter or ctrl+s moves it."""

    PREFIX = "form"
    BINDINGS = [
        Binding("ctrl+s", "accept", "Move", id="reschedule.accept", tooltip="Move the activity to that day"),
    ]
    FIELDS = {"day": "reschedule-when", "time": "reschedule-when"}

    def __init__(self, config: Config, tz: str, *, subject: str,
                 save: Callable[[Reschedule], Any] | None = None) -> None:
        super().__init__(save)
        self._config = config
        self._tz = tz
        self._subject = subject

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="reschedule-dialog", classes="dialog"):
            title = Text("Reschedule: ", style="bold")
            title.append(self._subject)
            yield Label(title, classes="dialog-title")
            yield self.error_line()
            yield DayPicker(self._config, self._tz, id="reschedule-when", default=dates.TOMORROW)
            yield Label("enter/ctrl+s: move · escape: cancel", classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#reschedule-when-choice").focus()

    def action_accept(self) -> None:
        def make() -> Reschedule:
            day, time = self.query_one(DayPicker).value()
            return Reschedule(day, time)

        self.build(make)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_accept()


def ask_reschedule(screen: CrmScreen, row: AgendaRow, then: Callable[[Reschedule | None], None]) -> None:
    """Move `row` to another day (and time) through this dialog: Today and queue mode
    both ask this way. A dated move keeps the activity dated; a time makes it timed."""
    session = screen.session

    def save(result: Reschedule) -> None:
        if result.time is None:
            activities.move_to_day(session.user, session.config, row.activity_id, result.day,
                                   expected_version=row.version)
        else:
            activities.edit(session.user, session.config, row.activity_id, expected_version=row.version,
                            day=result.day, time=result.time)

    screen.app.push_screen(RescheduleDialog(session.config, session.user.time_zone, subject=row.subject, save=save),
                           then)
