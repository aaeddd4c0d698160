""""Schedule a follow-up?": the section shared by the complete dialog and the
rule-1 prompt after creating a record.

Type (from the configured list only), subject, when (quick choices, or no
follow-up) and an optional time. `follow_up()` turns the answer into a
`FollowUp`, or None for the explicit "no follow-up"; a bad answer raises a
DomainError naming the field (`type`, `subject`, `day`, `time`).
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, Select

from crm_tui.config import Config
from crm_tui.domain import dates, validation
from crm_tui.domain.activities import FollowUp
from crm_tui.ui.widgets.day_picker import NO_FOLLOW_UP, DayPicker
from crm_tui.ui.widgets.field_error import FieldError


class FollowUpForm(Vertical):
    """Child ids: `#fu-when` (a DayPicker), `#fu-type`, `#fu-subject`, `#fu-time`."""

    def __init__(self, config: Config, tz: str, *, default_type: str, default_subject: str,
                 default_choice: str = dates.TOMORROW) -> None:
        super().__init__(id="follow-up", classes="follow-up-form")
        self._config = config
        self._tz = tz
        names = config.activity_type_names
        self._type = default_type if default_type in names else names[0]
        self._subject = default_subject
        self._choice = default_choice

    def compose(self) -> ComposeResult:
        yield Label("Schedule a follow-up?", classes="section-title")
        yield DayPicker(self._config, self._tz, id="fu-when", default=self._choice, allow_none=True)
        with Horizontal(classes="form-row"):
            with Vertical(classes="form-cell"):
                yield Label("Type", classes="field-label")
                yield Select(
                    [(kind.title, kind.name) for kind in self._config.activity_types],
                    value=self._type, allow_blank=False, id="fu-type",
                )
                yield FieldError("fu-type")
            with Vertical(classes="form-cell time-cell"):
                yield Label("Time (optional)", classes="field-label")
                yield Input(placeholder="10:00", id="fu-time")
                yield FieldError("fu-time")
        yield Label("Subject", classes="field-label")
        yield Input(self._subject, id="fu-subject")
        yield FieldError("fu-subject")

    @property
    def picker(self) -> DayPicker:
        return self.query_one("#fu-when", DayPicker)

    def prefill(self, follow_up: FollowUp | None, when: str) -> None:
        """Show a suggested next activity: its type, subject and day as typed text
        (`when`, e.g. "+2wd 10:00"); None preselects "no follow-up"; an empty
        `when` goes back to this form's default quick choice."""
        picker = self.picker
        if follow_up is None:
            picker.choose(NO_FOLLOW_UP)
            return
        if follow_up.type in self._config.activity_type_names:
            self.query_one("#fu-type", Select).value = follow_up.type
        self.query_one("#fu-subject", Input).value = follow_up.subject
        self.query_one("#fu-time", Input).value = ""
        if when:
            picker.type_date(when)
        else:
            picker.reset(self._choice)

    def follow_up(self) -> FollowUp | None:
        """The FollowUp asked for, or None for "no follow-up"."""
        picker = self.picker
        if picker.wants_none:
            return None
        day, typed_time = picker.value(field="day")
        kind = str(self.query_one("#fu-type", Select).value)
        subject = validation.required(self.query_one("#fu-subject", Input).value, "subject", max_length=200)
        time = dates.parse_time(self.query_one("#fu-time", Input).value, "time") or typed_time
        duration = self._config.activity_type(kind).minutes if time is not None else None
        return FollowUp(type=kind, subject=subject, day=day, time=time, duration_min=duration)


FOLLOW_UP_FIELDS = {"type": "fu-type", "subject": "fu-subject", "day": "fu-when", "time": "fu-time",
                    "duration_min": "fu-time", "priority": "fu-type"}
"""Domain field -> FieldError id prefix, for dialogs that contain a FollowUpForm."""
