"""The "when?" of every dialog: quick choices, in N days, or a typed date.

Used by complete (the follow-up), the rule-1 follow-up prompt, reschedule and
new activity, so the same keys mean the same days everywhere. The meaning of
each choice lives in `domain.dates`; this widget only collects the answer and
previews the day it resolves to. Typing into the N or date box selects that
choice.
"""

from __future__ import annotations

import datetime as dt

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, RadioButton, RadioSet

from crm_tui import clock
from crm_tui.config import Config
from crm_tui.domain import dates
from crm_tui.domain.errors import DomainError
from crm_tui.ui.widgets.field_error import FieldError

NO_FOLLOW_UP = "no follow-up"
_LABELS = {
    dates.TOMORROW: "tomorrow",
    dates.IN_2_DAYS: "in 2 days",
    dates.NEXT_WEEK: "next week (Monday)",
    dates.IN_N_DAYS: "in N days",
    dates.A_DATE: "a date",
    NO_FOLLOW_UP: "no follow-up",
}


class DayPicker(Vertical):
    """Quick choices as a radio set, with boxes for N and for a typed date.

    Child ids are prefixed by the picker's id: `#<id>-choice`, `#<id>-days`,
    `#<id>-date`, `#<id>-preview`, and `#<id>-error` for a refusal.
    """

    def __init__(
        self, config: Config, tz: str, *, id: str, default: str = dates.TOMORROW,
        allow_none: bool = False, days: str = "", date: str = "",
    ) -> None:
        super().__init__(id=id, classes="day-picker")
        self._config = config
        self._tz = tz
        self._choices = dates.QUICK_CHOICES + ((NO_FOLLOW_UP,) if allow_none else ())
        self._default = default
        self._days = days
        self._date = date
        self._syncing = False

    def compose(self) -> ComposeResult:
        pid = self.id
        with RadioSet(id=f"{pid}-choice"):
            for choice in self._choices:
                yield RadioButton(_LABELS[choice], value=choice == self._default, id=f"{pid}-{_slug(choice)}")
        with Horizontal(classes="day-picker-boxes"):
            yield Label("N", classes="box-label")
            yield Input(self._days, placeholder="5", id=f"{pid}-days", classes="days-box", restrict=r"\d{0,4}")
            yield Label("date", classes="box-label")
            yield Input(self._date, placeholder="fri, +3d, +2wd, 2026-12-01 10:00", id=f"{pid}-date",
                        classes="date-box")
        yield Label("", id=f"{pid}-preview", classes="day-preview", markup=False)
        yield FieldError(pid or "day")

    def on_mount(self) -> None:
        self.refresh_preview()

    @property
    def choice(self) -> str:
        radio = self.query_one(f"#{self.id}-choice", RadioSet)
        index = radio.pressed_index
        return self._choices[index] if index >= 0 else self._default

    def choose(self, choice: str) -> None:
        """Press a quick choice from code (a key binding, a typed box)."""
        button = self.query_one(f"#{self.id}-{_slug(choice)}", RadioButton)
        if not button.value:
            self._syncing = True
            button.value = True
            self._syncing = False
        self.refresh_preview()

    def type_date(self, text: str) -> None:
        """Fill the date box (e.g. "+2wd 10:00" from a configured chain) and choose it."""
        self.query_one(f"#{self.id}-date", Input).value = text
        self.choose(dates.A_DATE)

    def reset(self, choice: str) -> None:
        """Back to a quick choice with empty boxes (an outcome without a chain)."""
        self.query_one(f"#{self.id}-date", Input).value = ""
        self.choose(choice)

    @property
    def wants_none(self) -> bool:
        return self.choice == NO_FOLLOW_UP

    def value(self, field: str = "day") -> tuple[dt.date, dt.time | None]:
        """The chosen day (and a time, if typed with the date); DomainError at `field`."""
        choice = self.choice
        if choice == NO_FOLLOW_UP:
            raise DomainError("no day: no follow-up was chosen", field)
        days = self.query_one(f"#{self.id}-days", Input).value
        typed = self.query_one(f"#{self.id}-date", Input).value
        if choice == dates.A_DATE:
            return dates.parse_when(self._config, self._tz, typed, field=field)
        return dates.quick_day(self._config, self._tz, choice, days=days, field=field), None

    def refresh_preview(self) -> None:
        label = self.query_one(f"#{self.id}-preview", Label)
        if self.wants_none:
            label.update("→ nothing will be scheduled")
            return
        try:
            day, time = self.value()
        except DomainError:
            label.update("")
            return
        text = Text("→ ")
        text.append(dates.describe(day, clock.today(self._tz)))
        if time is not None:
            text.append(f" at {time:%H:%M}")
        if not self._config.is_working_day(day):
            text.append("  (not a working day)", style="bold")
        label.update(text)

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        event.stop()
        self.refresh_preview()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == f"{self.id}-days":
            event.stop()
            if event.value:
                self.choose(dates.IN_N_DAYS)
        elif event.input.id == f"{self.id}-date":
            event.stop()
            if event.value:
                self.choose(dates.A_DATE)
        self.refresh_preview()


def _slug(choice: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in choice.lower())
