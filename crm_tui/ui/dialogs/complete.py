"""Complete an activity (`c`): outcome, optional note, and the follow-up decision.

Rule 2 in one dialog, fast enough to keep up with a phone: `c`, an outcome
digit, `enter` completes the call and schedules the prefilled follow-up
(same type, "Follow up: <subject>", next working day). Outcomes come only
from the configured list for the activity's type. The dialog dismisses a
`Completion`; with a `save` callable (the Today screen passes one that calls
`activities.complete` once, so completing and scheduling are one
transaction) refusals are shown at the field and the input is kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from crm_tui.config import Config
from crm_tui.domain import validation
from crm_tui.domain.activities import FollowUp
from crm_tui.domain.errors import DomainError
from crm_tui.ui.dialogs.modal import CrmDialog
from crm_tui.ui.widgets.field_error import FieldError
from crm_tui.ui.widgets.follow_up_form import FOLLOW_UP_FIELDS, FollowUpForm


@dataclass(frozen=True)
class Completion:
    """What the user decided: the outcome, a note, and the follow-up (None: no follow-up)."""

    outcome: str
    note: str
    follow_up: FollowUp | None


def follow_up_subject(subject: str) -> str:
    """'Follow up: Intro call' (not 'Follow up: Follow up: ...')."""
    base = subject.removeprefix("Follow up: ")
    return f"Follow up: {base}"[:200]


class CompleteDialog(CrmDialog[Completion | None]):
    """`#outcome` (digits pick), `#complete-note`, then the follow-up section."""

    PREFIX = "form"
    BINDINGS = [
        Binding("ctrl+s", "accept", "Complete", id="complete.accept",
                tooltip="Complete with the chosen outcome and follow-up"),
        *[
            Binding(str(n), f"outcome({n - 1})", f"Outcome {n}", id=f"complete.outcome-{n}", show=False,
                    tooltip=f"Choose outcome {n}")
            for n in range(1, 10)
        ],
    ]
    FIELDS = {"outcome": "outcome", "note": "complete-note", **FOLLOW_UP_FIELDS}

    def __init__(
        self, config: Config, tz: str, *, activity_type: str, subject: str, record_label: str,
        save: Callable[[Completion], Any] | None = None,
    ) -> None:
        super().__init__(save)
        self._config = config
        self._tz = tz
        self._type = activity_type
        self._subject = subject
        self._record = record_label
        names = config.activity_type_names
        self._outcomes = config.activity_type(activity_type).outcomes if activity_type in names else ()

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="complete-dialog", classes="dialog"):
            title = Text("Complete: ", style="bold")
            title.append(self._subject)
            title.append(f"  ({self._record})", style="dim")
            yield Label(title, classes="dialog-title")
            yield self.error_line()
            yield Label("Outcome (press its number)", classes="field-label")
            yield OptionList(
                *[Option(Text(f"{i}  {outcome}"), id=f"outcome-{i}") for i, outcome in enumerate(self._outcomes, 1)],
                id="outcome",
            )
            yield FieldError("outcome")
            with Vertical(classes="form-cell"):
                yield Label("Note (optional; lands on the record)", classes="field-label")
                yield Input(placeholder="what was said", id="complete-note")
                yield FieldError("complete-note")
            yield FollowUpForm(self._config, self._tz, default_type=self._type,
                               default_subject=follow_up_subject(self._subject))
            yield Label("1-9: outcome · enter or ctrl+s: complete · escape: cancel", classes="dialog-hint")

    def on_mount(self) -> None:
        outcomes = self.query_one("#outcome", OptionList)
        outcomes.highlighted = None
        outcomes.focus()

    @property
    def chosen_outcome(self) -> str | None:
        index = self.query_one("#outcome", OptionList).highlighted
        return self._outcomes[index] if index is not None and index < len(self._outcomes) else None

    def action_outcome(self, index: int) -> None:
        if index >= len(self._outcomes):
            self.show_error(f"there are only {len(self._outcomes)} outcomes for this type", "outcome")
            return
        outcomes = self.query_one("#outcome", OptionList)
        outcomes.highlighted = index
        outcomes.focus()
        self.show_error("")

    def _completion(self) -> Completion:
        outcome = self.chosen_outcome
        if outcome is None:
            raise DomainError("choose an outcome: press its number", "outcome")
        note = validation.optional(self.query_one("#complete-note", Input).value, "note", max_length=20000)
        return Completion(outcome=outcome, note=note, follow_up=self.query_one(FollowUpForm).follow_up())

    def action_accept(self) -> None:
        self.build(self._completion)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_accept()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_accept()
