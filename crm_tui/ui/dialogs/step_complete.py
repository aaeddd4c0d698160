"""Complete an opportunity's current methodology step and, in the same action,
schedule the next step's activity, prefilled from the methodology's
suggestion and due within the next step's time frame.

The next step's activity is offered like a chained next activity (see
`domain.chains`): prefilled with the step's subject and its `delay_days`,
scheduling switched off for a step whose mode is none, and shown as created
automatically for one whose mode is auto. The day field reads every form
`domain.dates` reads (fri, +2wd, 2026-12-01, tue 10:00).

`StepCompleteDialog(opportunity_id)` dismisses a `methodology.StepResult`
(the step done, the next step, the scheduled activity or None), or None
(escape: nothing changed).
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Checkbox, Input, Label, Static

from crm_tui.domain import dates, methodology, validation
from crm_tui.ui.dialogs.modal import CrmDialog


class StepCompleteDialog(CrmDialog[methodology.StepResult | None]):
    PREFIX = "step"
    FIELDS = {"day": "step-day", "time": "step-time", "subject": "step-subject", "note": "step-note"}
    BINDINGS = [
        Binding("ctrl+s", "complete", "Complete", id="step.complete", tooltip="Complete the step (and schedule the next)"),
    ]

    def __init__(self, opportunity_id: int) -> None:
        super().__init__()
        self.opportunity_id = opportunity_id
        self.suggestion: methodology.NextStep | None = None
        self.step = None
        self._tz = "UTC"

    def compose(self) -> ComposeResult:
        with Vertical(id="step-dialog", classes="dialog"):
            yield Static("Complete step", id="step-title", classes="dialog-title", markup=False)
            with Horizontal(classes="dialog-row"):
                yield Label("Note", classes="dialog-label")
                yield Input(id="step-note", placeholder="what came out of it (optional)", compact=True)
            yield Checkbox("Schedule the next step's activity", True, id="step-schedule", compact=True)
            with Vertical(id="step-next"):
                yield Static("", id="step-next-text", markup=False)
                with Horizontal(classes="dialog-row"):
                    yield Label("Subject", classes="dialog-label")
                    yield Input(id="step-subject", compact=True)
                with Horizontal(classes="dialog-row"):
                    yield Label("Day", classes="dialog-label")
                    yield Input(id="step-day", placeholder="fri, +2wd, 2026-12-01", compact=True)
                with Horizontal(classes="dialog-row"):
                    yield Label("Time", classes="dialog-label")
                    yield Input(id="step-time", placeholder="HH:MM, or empty for any time that day", compact=True)
            yield self.error_line()
            with Horizontal(classes="dialog-buttons"):
                yield Button("Complete", id="step-save", variant="primary", compact=True)
            yield Static("ctrl+s complete · space toggles scheduling · esc cancel", classes="dialog-keys")

    def on_mount(self) -> None:
        opportunity = self.run(methodology.get_opportunity, self.opportunity_id)
        if opportunity is None:
            return
        self.step = methodology.current_step(self.config, self.opportunity_id)
        title = self.query_one("#step-title", Static)
        if self.step is None:
            title.update(Text(f"{opportunity.name}: every step is done"))
            self.query_one("#step-save", Button).disabled = True
            self.query_one("#step-schedule").display = False
            self.query_one("#step-next").display = False
            return
        title.update(Text(f"{opportunity.name}: complete “{self.step.name}”"))
        tz = (opportunity.owner or self.user).time_zone
        self._tz = tz
        self.suggestion = methodology.suggest_next(self.config, self.opportunity_id, self.step, tz)
        if self.suggestion is None:
            self.query_one("#step-schedule", Checkbox).value = False
            self.query_one("#step-schedule").display = False
            self.query_one("#step-next").display = False
        else:
            nxt = self.suggestion
            how = {"auto": " · scheduled automatically", "none": " · not scheduled unless you tick it"}
            self.query_one("#step-next-text", Static).update(Text(
                f"Next: {nxt.step.name} ({nxt.activity_type}), due within {nxt.step.within_days} "
                f"working days: by {nxt.due:%a %d %b}{how.get(nxt.mode, '')}"
            ))
            self.query_one("#step-subject", Input).value = nxt.subject
            self.query_one("#step-day", Input).value = nxt.when
            if nxt.mode == "none":
                self.query_one("#step-schedule", Checkbox).value = False
            elif nxt.mode == "auto":
                self.query_one("#step-schedule").display = False
        self.query_one("#step-note", Input).focus()

    @on(Checkbox.Changed, "#step-schedule")
    def _toggle(self, event: Checkbox.Changed) -> None:
        self.query_one("#step-next").display = event.value

    def _follow_up(self) -> methodology.FollowUp | None:
        schedule = self.query_one("#step-schedule", Checkbox)
        if self.suggestion is None or not schedule.value:
            return None
        day, typed_time = dates.parse_when(self.config, self._tz, self.query_one("#step-day", Input).value,
                                           field="day")
        time = dates.parse_time(self.query_one("#step-time", Input).value, "time") or typed_time
        subject = validation.required(self.query_one("#step-subject", Input).value, "subject")
        follow = self.suggestion.follow_up(day, time, 30 if time else None)
        return methodology.FollowUp(follow.type, subject, follow.day, follow.time, follow.duration_min)

    @on(Input.Submitted)
    @on(Button.Pressed, "#step-save")
    def action_complete(self) -> None:
        if self.step is None:
            return
        follow_up = self.run(self._follow_up)
        if follow_up is None and self.query_one("#step-schedule", Checkbox).value and self.suggestion:
            return  # the error is shown
        result = self.run(
            methodology.complete_step, self.user, self.config, self.opportunity_id, self.step.key,
            follow_up=follow_up, note=self.query_one("#step-note", Input).value,
        )
        if result is not None:
            self.done(result)
