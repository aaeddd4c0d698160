"""New activity (`n`, from any screen): type, subject, when, and the record it is for.

The type comes only from the configured list (a Select, no free text). The
record is found by typing part of its name (`domain.lookup`), or preselected
when the screen underneath has one (`current_record()`). Dismisses a
`NewActivity`; with a `save` callable refusals are shown at the field.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Callable

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Input, Label, OptionList, Select
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from crm_tui import db
from crm_tui.config import Config
from crm_tui.domain import activities, dates, lookup, validation
from crm_tui.domain.errors import DomainError
from crm_tui.models import PRIORITIES
from crm_tui.ui.dialogs.modal import CrmDialog
from crm_tui.ui.widgets.day_picker import DayPicker
from crm_tui.ui.widgets.field_error import FieldError


@dataclass(frozen=True)
class NewActivity:
    type: str
    subject: str
    record_kind: str
    record_id: int
    day: dt.date
    time: dt.time | None
    duration_min: int | None
    priority: int


def priority_options() -> list[tuple[str, int]]:
    return [(f"{number} {name}", number) for number, name in PRIORITIES.items()]


class NewActivityDialog(CrmDialog[NewActivity | None]):
    """`#new-type`, `#new-subject`, `#new-record` (+ `#new-record-hits`), `#new-when`,
    `#new-time`, `#new-duration`, `#new-priority`."""

    PREFIX = "form"
    BINDINGS = [
        Binding("ctrl+s", "accept", "Save", id="new_activity.accept", tooltip="Create the activity"),
    ]
    FIELDS = {"type": "new-type", "subject": "new-subject", "record": "new-record", "day": "new-when",
              "time": "new-time", "duration_min": "new-duration", "priority": "new-priority",
              "deadline": "new-when"}

    def __init__(
        self, config: Config, tz: str, *, record: lookup.Hit | None = None,
        save: Callable[[NewActivity], Any] | None = None,
    ) -> None:
        super().__init__(save)
        self._config = config
        self._tz = tz
        self._record = record
        self._hits: list[lookup.Hit] = []

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="new-activity-dialog", classes="dialog"):
            yield Label(Text("New activity", style="bold"), classes="dialog-title")
            yield self.error_line()
            yield Label("Record (type part of a name)", classes="field-label")
            yield Input(placeholder="lead, contact, account, opportunity or case", id="new-record")
            yield Label(self._record_text(), id="new-record-chosen", classes="record-chosen")
            yield OptionList(id="new-record-hits")
            yield FieldError("new-record")
            with Horizontal(classes="form-row"):
                with Vertical(classes="form-cell"):
                    yield Label("Type", classes="field-label")
                    yield Select([(kind.title, kind.name) for kind in self._config.activity_types],
                                 value=self._config.activity_type_names[0], allow_blank=False, id="new-type")
                    yield FieldError("new-type")
                with Vertical(classes="form-cell"):
                    yield Label("Priority", classes="field-label")
                    yield Select(priority_options(), value=2, allow_blank=False, id="new-priority")
                    yield FieldError("new-priority")
            yield Label("Subject", classes="field-label")
            yield Input(id="new-subject")
            yield FieldError("new-subject")
            yield Label("When", classes="field-label")
            yield DayPicker(self._config, self._tz, id="new-when")
            with Horizontal(classes="form-row"):
                with Vertical(classes="form-cell"):
                    yield Label("Time (optional)", classes="field-label")
                    yield Input(placeholder="10:00", id="new-time")
                    yield FieldError("new-time")
                with Vertical(classes="form-cell"):
                    yield Label("Minutes", classes="field-label")
                    yield Input(placeholder="30", id="new-duration", restrict=r"\d{0,4}")
                    yield FieldError("new-duration")
            yield Label("ctrl+s: save · escape: cancel", classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#new-record-hits", OptionList).display = False
        (self.query_one("#new-subject") if self._record else self.query_one("#new-record")).focus()

    def _record_text(self) -> Text:
        if self._record is None:
            return Text("no record chosen yet", style="dim")
        return Text(f"→ {self._record.label}")

    @property
    def record(self) -> lookup.Hit | None:
        return self._record

    def choose(self, hit: lookup.Hit) -> None:
        self._record = hit
        self.query_one("#new-record-chosen", Label).update(self._record_text())
        hits = self.query_one("#new-record-hits", OptionList)
        hits.display = False
        self.query_one("#new-record-error", FieldError).show("")
        self.query_one("#new-subject").focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "new-record":
            self._search(event.value)

    @work(thread=True, exclusive=True, exit_on_error=False, group="record-search")
    def _search(self, text: str) -> None:
        """Search off the UI thread (a miss scans names); a newer keystroke cancels this one."""
        with db.connection():
            found = lookup.search(text)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show_hits, found)

    def _show_hits(self, found: list[lookup.Hit]) -> None:
        self._hits = found
        hits = self.query_one("#new-record-hits", OptionList)
        hits.set_options([Option(Text(hit.label), id=f"hit-{i}") for i, hit in enumerate(self._hits)])
        hits.display = bool(self._hits)
        if self._hits:
            hits.highlighted = 0

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option_list.id == "new-record-hits":
            event.stop()
            self.choose(self._hits[event.option_index])

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "new-record":
            hits = self.query_one("#new-record-hits", OptionList)
            if self._hits:
                self.choose(self._hits[hits.highlighted or 0])
            return
        self.action_accept()

    def _result(self) -> NewActivity:
        if self._record is None:
            raise DomainError("choose the record this activity is for: type part of its name", "record")
        kind = str(self.query_one("#new-type", Select).value)
        subject = validation.required(self.query_one("#new-subject", Input).value, "subject")
        day, typed_time = self.query_one("#new-when", DayPicker).value()
        time = dates.parse_time(self.query_one("#new-time", Input).value, "time") or typed_time
        duration_text = self.query_one("#new-duration", Input).value
        duration = validation.integer(duration_text, "duration_min", low=1, high=24 * 60)
        if time is not None and duration is None:
            duration = self._config.activity_type(kind).minutes
        if time is None and duration is not None:
            raise DomainError("minutes need a time of day", "duration_min")
        return NewActivity(
            type=kind, subject=subject, record_kind=self._record.kind, record_id=self._record.record_id,
            day=day, time=time, duration_min=duration, priority=int(self.query_one("#new-priority", Select).value),
        )

    def action_accept(self) -> None:
        self.build(self._result)


def open_new_activity(app: Any) -> None:
    """Open the dialog on top of whatever is shown, and create the activity on save.

    The record is preselected when the current screen offers
    `current_record() -> tuple[str, int] | None`.
    """
    session = app.session
    record: lookup.Hit | None = None
    current = getattr(app.screen, "current_record", None)
    if callable(current):
        link = current()
        if link is not None:
            record = app.attempt(lookup.hit_for, *link)

    def save(result: NewActivity) -> None:
        activities.create(
            session.user, session.config, type=result.type, subject=result.subject,
            record_kind=result.record_kind, record_id=result.record_id, day=result.day, time=result.time,
            duration_min=result.duration_min, priority=result.priority, check_day=True,
        )

    def done(result: NewActivity | None) -> None:
        if result is not None:
            app.notify(f"Planned: {result.subject} on {result.day:%a %d %b}")

    app.push_screen(NewActivityDialog(session.config, session.user.time_zone, record=record, save=save), done)
