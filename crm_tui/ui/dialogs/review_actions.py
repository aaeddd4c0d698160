"""The three dialogs of the weekly review, each one action on the item shown:

- `ReviewScheduleDialog`: plan the record's next activity with the same
  quick choices as Today (the shared FollowUpForm and domain.dates);
- `ReviewUpdateDialog`: a lead's or case's status (only the moves the rules
  allow are offered), or an opportunity's forecast close date;
- `ReviewLostDialog`: close the opportunity as lost, with the reason.

Each calls one domain.review function, which writes the change and marks the
item in one transaction, and dismisses the new `review.Progress`, or None
(escape: nothing changed).
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from crm_tui.domain import dates, review
from crm_tui.ui.dialogs.modal import CrmDialog
from crm_tui.ui.widgets.follow_up_form import FOLLOW_UP_FIELDS, FollowUpForm


class ReviewScheduleDialog(CrmDialog[review.Progress | None]):
    PREFIX = "review-schedule"
    FIELDS = FOLLOW_UP_FIELDS
    BINDINGS = [
        Binding("ctrl+s", "save", "Schedule", id="review_schedule.save",
                tooltip="Schedule the activity and mark the record reviewed"),
    ]

    def __init__(self, item_id: int, record_label: str, *, default_type: str, default_subject: str) -> None:
        super().__init__()
        self.item_id = item_id
        self.record_label = record_label
        self.default_type = default_type
        self.default_subject = default_subject

    def compose(self) -> ComposeResult:
        with Vertical(id="review-schedule-dialog", classes="dialog"):
            yield Static(Text(f"Next activity: {self.record_label}"), classes="dialog-title")
            yield FollowUpForm(self.config, self.user.time_zone, default_type=self.default_type,
                               default_subject=self.default_subject, default_choice=dates.TOMORROW)
            yield self.error_line()
            yield Static("ctrl+s (or enter in a text box) schedule · esc cancel", classes="dialog-keys")

    def on_mount(self) -> None:
        self.query_one("#fu-when-choice").focus()

    def action_save(self) -> None:
        form = self.query_one(FollowUpForm)
        if form.picker.wants_none:
            self.show_error("pick a day to schedule; to plan nothing, close this and press r (reviewed)", "day")
            return
        follow_up = self.run(form.follow_up)
        if follow_up is None:
            return
        result = self.run(review.schedule, self.user, self.config, self.item_id, follow_up)
        if result is not None:
            self.done(result)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()


class ReviewUpdateDialog(CrmDialog[review.Progress | None]):
    """A status pick for leads and cases, a close date for opportunities."""

    PREFIX = "review-update"
    FIELDS = {"close_date": "review-update-date", "status": "review-update-options",
              "reason": "review-update-reason"}
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="review_update.save", tooltip="Save the change"),
    ]

    def __init__(self, item_id: int, kind: str, record_label: str, current_status: str,
                 close_date_text: str = "") -> None:
        super().__init__()
        self.item_id = item_id
        self.kind = kind
        self.record_label = record_label
        self.current_status = current_status
        self.close_date_text = close_date_text
        self.choices = review.statuses_for(kind, current_status)

    def compose(self) -> ComposeResult:
        with Vertical(id="review-update-dialog", classes="dialog"):
            if self.kind == "opportunity":
                yield Static(Text(f"Forecast close of {self.record_label}"), classes="dialog-title")
                with Horizontal(classes="dialog-row"):
                    yield Label("Close date", classes="dialog-label")
                    yield Input(self.close_date_text, id="review-update-date", compact=True,
                                placeholder="2026-12-15, +3w, next week, fri …")
            else:
                yield Static(Text(f"{self.record_label} is {self.current_status}; change it to"),
                             classes="dialog-title")
                yield OptionList(*[Option(status, id=status) for status in self.choices],
                                 id="review-update-options", compact=True)
                if self.kind == "lead":
                    with Horizontal(classes="dialog-row"):
                        yield Label("Reason", classes="dialog-label")
                        yield Input(id="review-update-reason", compact=True, placeholder="why (optional, kept as a note)")
            yield self.error_line()
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save", id="review-update-save", variant="primary", compact=True)
            yield Static("enter or ctrl+s save · esc cancel", classes="dialog-keys")

    def on_mount(self) -> None:
        if self.kind == "opportunity":
            self.query_one("#review-update-date", Input).focus()
            return
        options = self.query_one("#review-update-options", OptionList)
        if self.choices:
            options.highlighted = 0
        else:
            self.show_error(f"a {self.current_status} {self.kind} cannot change status here")
        options.focus()

    @on(OptionList.OptionSelected, "#review-update-options")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_save()

    @on(Input.Submitted)
    @on(Button.Pressed, "#review-update-save")
    def action_save(self) -> None:
        if self.kind == "opportunity":
            text = self.query_one("#review-update-date", Input).value
            parsed = self.run(dates.parse_when, self.config, self.user.time_zone, text, field="close_date")
            if parsed is None:
                return
            result = self.run(review.update, self.user, self.config, self.item_id, close_date=parsed[0])
        else:
            options = self.query_one("#review-update-options", OptionList)
            if options.highlighted is None or not self.choices:
                self.show_error("pick a status", "status")
                return
            status = self.choices[options.highlighted]
            reason = self.query_one("#review-update-reason", Input).value if self.kind == "lead" else ""
            result = self.run(review.update, self.user, self.config, self.item_id, status=status, reason=reason)
        if result is not None:
            self.done(result)


class ReviewLostDialog(CrmDialog[review.Progress | None]):
    PREFIX = "review-lost"
    FIELDS = {"reason": "review-lost-reason"}
    BINDINGS = [
        Binding("ctrl+s", "save", "Mark lost", id="review_lost.save", tooltip="Close the opportunity as lost"),
    ]

    def __init__(self, item_id: int, record_label: str) -> None:
        super().__init__()
        self.item_id = item_id
        self.record_label = record_label

    def compose(self) -> ComposeResult:
        with Vertical(id="review-lost-dialog", classes="dialog"):
            yield Static(Text(f"Mark {self.record_label} as lost"), classes="dialog-title")
            yield Input(id="review-lost-reason", placeholder="why we lost it (required)", max_length=200,
                        compact=True)
            yield self.error_line()
            with Horizontal(classes="dialog-buttons"):
                yield Button("Mark lost", id="review-lost-save", variant="error", compact=True)
            yield Static("enter save · esc cancel", classes="dialog-keys")

    def on_mount(self) -> None:
        self.query_one("#review-lost-reason", Input).focus()

    @on(Input.Submitted, "#review-lost-reason")
    @on(Button.Pressed, "#review-lost-save")
    def action_save(self) -> None:
        reason = self.query_one("#review-lost-reason", Input).value
        result = self.run(review.mark_lost, self.user, self.item_id, reason)
        if result is not None:
            self.done(result)
