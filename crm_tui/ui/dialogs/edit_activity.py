"""Edit an activity (`e`): subject, type, day, time, duration, priority, fixed, deadline.

A refusal is shown under the field it concerns (`#<field>-error`, class
`-error`) and everything typed stays; a stale save (someone changed the
activity since the dialog opened) is shown at the top with who and when,
also keeping the input. Dismisses an `ActivityEdit`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Checkbox, Input, Label, Select

from crm_tui.config import Config
from crm_tui.domain import dates, validation
from crm_tui.domain.agenda import AgendaRow
from crm_tui.domain.errors import DomainError
from crm_tui.ui.dialogs.modal import CrmDialog
from crm_tui.ui.dialogs.new_activity import priority_options
from crm_tui.ui.widgets.field_error import FieldError


@dataclass(frozen=True)
class ActivityEdit:
    """The edited values, and the version the dialog was opened at."""

    activity_id: int
    expected_version: int
    subject: str
    type: str
    day: dt.date
    time: dt.time | None
    duration_min: int | None
    priority: int
    fixed: bool
    deadline: dt.date | None


class EditActivityDialog(CrmDialog[ActivityEdit | None]):
    PREFIX = "form"
    BINDINGS = [
        Binding("ctrl+s", "accept", "Save", id="edit_activity.accept", tooltip="Save the changes"),
    ]
    FIELDS = {"subject": "edit-subject", "type": "edit-type", "day": "edit-day", "planned_date": "edit-day",
              "time": "edit-time", "duration_min": "edit-duration", "priority": "edit-priority",
              "fixed": "edit-fixed", "deadline": "edit-deadline"}

    def __init__(self, config: Config, tz: str, row: AgendaRow, *,
                 save: Callable[[ActivityEdit], Any] | None = None) -> None:
        super().__init__(save)
        self._config = config
        self._tz = tz
        self._row = row

    def compose(self) -> ComposeResult:
        row = self._row
        with VerticalScroll(id="edit-activity-dialog", classes="dialog"):
            title = Text("Edit: ", style="bold")
            title.append(row.record_label, style="dim")
            yield Label(title, classes="dialog-title")
            yield self.error_line()
            yield Label("Subject", classes="field-label")
            yield Input(row.subject, id="edit-subject")
            yield FieldError("edit-subject")
            with Horizontal(classes="form-row"):
                with Vertical(classes="form-cell"):
                    yield Label("Type", classes="field-label")
                    names = self._config.activity_type_names
                    options = [(kind.title, kind.name) for kind in self._config.activity_types]
                    if row.type not in names:  # an old type stays visible, but cannot be chosen anew
                        options.append((f"{row.type} (no longer standard)", row.type))
                    yield Select(options, value=row.type, allow_blank=False, id="edit-type")
                    yield FieldError("edit-type")
                with Vertical(classes="form-cell"):
                    yield Label("Priority", classes="field-label")
                    yield Select(priority_options(), value=row.priority, allow_blank=False, id="edit-priority")
                    yield FieldError("edit-priority")
            with Horizontal(classes="form-row"):
                with Vertical(classes="form-cell"):
                    yield Label("Day", classes="field-label")
                    yield Input(row.planned_date.isoformat(), id="edit-day",
                                placeholder="2026-12-01, tomorrow, fri, +3d")
                    yield FieldError("edit-day")
                with Vertical(classes="form-cell"):
                    yield Label("Time (empty: all day)", classes="field-label")
                    yield Input(row.local_time.strftime("%H:%M") if row.local_time else "", id="edit-time",
                                placeholder="10:00")
                    yield FieldError("edit-time")
                with Vertical(classes="form-cell"):
                    yield Label("Minutes", classes="field-label")
                    yield Input(str(row.duration_min or ""), id="edit-duration", placeholder="30")
                    yield FieldError("edit-duration")
            with Horizontal(classes="form-row"):
                with Vertical(classes="form-cell"):
                    yield Label("Deadline (optional)", classes="field-label")
                    yield Input(row.deadline.isoformat() if row.deadline else "", id="edit-deadline",
                                placeholder="2026-12-31, fri, +2w")
                    yield FieldError("edit-deadline")
                with Vertical(classes="form-cell"):
                    yield Checkbox("Fixed (rebalancing never moves it)", row.fixed, id="edit-fixed")
                    yield FieldError("edit-fixed")
            yield Label("ctrl+s/enter: save · escape: cancel", classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#edit-subject").focus()

    def _value(self, selector: str) -> str:
        return self.query_one(selector, Input).value

    def _result(self) -> ActivityEdit:
        subject = validation.required(self._value("#edit-subject"), "subject")
        day_text = self._value("#edit-day")
        day, typed_time = dates.parse_when(self._config, self._tz, day_text, field="day")
        time = dates.parse_time(self._value("#edit-time"), "time") or typed_time
        duration = validation.integer(self._value("#edit-duration"), "duration_min", low=1, high=24 * 60)
        kind = str(self.query_one("#edit-type", Select).value)
        if time is not None and duration is None:
            standard = kind in self._config.activity_type_names
            duration = self._config.activity_type(kind).minutes if standard else 30
        if time is None and duration is not None:
            raise DomainError("minutes need a time of day (or clear them for an all-day activity)",
                              "duration_min")
        return ActivityEdit(
            activity_id=self._row.activity_id, expected_version=self._row.version, subject=subject,
            type=kind, day=day, time=time, duration_min=duration,
            priority=int(self.query_one("#edit-priority", Select).value),
            fixed=self.query_one("#edit-fixed", Checkbox).value,
            deadline=dates.parse_day(self._config, self._tz, self._value("#edit-deadline"), field="deadline"),
        )

    def action_accept(self) -> None:
        self.build(self._result)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_accept()
