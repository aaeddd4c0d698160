"""Complete an activity (`c`): outcome, optional note, and the follow-up decision.

Rule 2 in one dialog, fast enough to keep up with a phone: `c`, an outcome
digit, `enter` completes the call and schedules the prefilled follow-up.
Choosing an outcome prefills the follow-up from `domain.chains` (a configured
chain such as "left voicemail: call again in 2 working days", else the same
type, "Follow up: <subject>", next working day); an outcome whose chain is
`auto` completes at once with its next activity, and one whose chain is
`none` preselects "no follow-up". Outcomes come only
from the configured list for the activity's type. The dialog dismisses a
`Completion`; with a `save` callable (the Today screen passes one that calls
`activities.complete` once, so completing and scheduling are one
transaction) refusals are shown at the field and the input is kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from crm_tui import clock
from crm_tui.config import Config
from crm_tui.domain import activities, chains, recurrence, validation
from crm_tui.domain.activities import FollowUp
from crm_tui.domain.errors import DomainError
from crm_tui.ui.dialogs.modal import CrmDialog
from crm_tui.ui.widgets.field_error import FieldError
from crm_tui.ui.widgets.follow_up_form import FOLLOW_UP_FIELDS, FollowUpForm

if TYPE_CHECKING:
    from crm_tui.domain.agenda import AgendaRow
    from crm_tui.ui.screens.base import CrmScreen


@dataclass(frozen=True)
class Completion:
    """What the user decided: the outcome, a note, and the follow-up (None: no follow-up)."""

    outcome: str
    note: str
    follow_up: FollowUp | None


follow_up_subject = chains.follow_up_subject


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
        save: Callable[[Completion], Any] | None = None, record_name: str = "", repeats: str = "",
    ) -> None:
        super().__init__(save)
        self._config = config
        self._tz = tz
        self._type = activity_type
        self._subject = subject
        self._record = record_label
        self._record_name = record_name
        self._repeats = repeats
        """What completing plans next for an occurrence of a series ("repeats every week: next Mon")."""
        self._applied: int | None = None
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
            yield Label(self._repeats[:1].upper() + self._repeats[1:], id="complete-chain", classes="dialog-hint", markup=False)
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
        suggestion = self._apply_chain(index)
        if suggestion.auto:
            self.submit_auto(suggestion)

    def _suggestion(self, index: int) -> chains.Suggestion:
        return chains.suggest(self._config, self._tz, activity_type=self._type, outcome=self._outcomes[index],
                              subject=self._subject, record_name=self._record_name)

    def _apply_chain(self, index: int) -> chains.Suggestion:
        """Prefill the follow-up section for the outcome at `index` (once per outcome change)."""
        suggestion = self._suggestion(index)
        if self._applied == index:
            return suggestion
        self._applied = index
        hint = self.query_one("#complete-chain", Label)
        if suggestion.mode == chains.DEFAULT and self._repeats:
            self.query_one(FollowUpForm).prefill(None, "")
            hint.update(f"{self._repeats[:1].upper() + self._repeats[1:]}; no follow-up needed")
        elif suggestion.mode == chains.DEFAULT:
            self.query_one(FollowUpForm).prefill(suggestion.follow_up, "")
            hint.update("")
        else:
            self.query_one(FollowUpForm).prefill(suggestion.follow_up, suggestion.when)
            hint.update("Next: " + suggestion.describe(clock.today(self._tz)))
        return suggestion

    def submit_auto(self, suggestion: chains.Suggestion) -> None:
        """An auto chain: complete now with the configured next activity (the note typed so far kept)."""
        outcome = self.chosen_outcome
        if outcome is None:
            return
        self.build(lambda: Completion(
            outcome=outcome,
            note=validation.optional(self.query_one("#complete-note", Input).value, "note", max_length=20000),
            follow_up=suggestion.follow_up,
        ))

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        if event.option_index is not None and event.option_index < len(self._outcomes):
            self._apply_chain(event.option_index)

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


def ask_complete(screen: CrmScreen, row: AgendaRow, then: Callable[[Completion | None], None]) -> None:
    """Complete `row` through this dialog: Today and queue mode both ask this way, so
    both get the chained follow-up, the series preview and one transaction."""
    session = screen.session

    def save(result: Completion) -> None:
        activities.complete(
            session.user, session.config, row.activity_id, outcome=result.outcome,
            follow_up=result.follow_up, note=result.note, expected_version=row.version,
        )

    repeats = screen.attempt(recurrence.preview_next, session.config, row.activity_id)
    if repeats is None:
        return
    screen.app.push_screen(
        CompleteDialog(session.config, session.user.time_zone, activity_type=row.type, subject=row.subject,
                       record_label=row.record_label, record_name=row.record_name, repeats=repeats, save=save),
        then,
    )
