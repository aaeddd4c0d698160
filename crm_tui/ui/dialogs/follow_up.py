""""Schedule a follow-up?" after creating a record (rule 1).

For whoever creates records (the Records screens). The simplest use is
`ask_follow_up`, which shows the prompt and records the answer:

    from crm_tui.ui.dialogs.follow_up import ask_follow_up
    ask_follow_up(self, "lead", lead.id, default_type="call", default_subject=f"Call {name}")

Or push the dialog yourself and handle its result:

    self.app.push_screen(FollowUpDialog("lead", lead.id, "call", "Call Kim Ng"), callback)

It dismisses a `FollowUp` (schedule it), `None` (the explicit "no follow-up"
choice) or `CANCELLED` (escape: nothing decided, nothing written). Pass both
of the first two to `activities.schedule_follow_up(actor, config, kind, id,
result)`; do nothing for CANCELLED.
"""

from __future__ import annotations

from typing import Any, Callable, Final

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Input, Label

from crm_tui.config import Config
from crm_tui.domain import activities, dates, records
from crm_tui.domain.activities import FollowUp
from crm_tui.ui.dialogs.modal import CrmDialog
from crm_tui.ui.widgets.follow_up_form import FOLLOW_UP_FIELDS, FollowUpForm


class _Cancelled:
    """The user closed the prompt without deciding (escape)."""

    def __repr__(self) -> str:
        return "CANCELLED"


CANCELLED: Final = _Cancelled()

FollowUpResult = FollowUp | None | _Cancelled


class FollowUpDialog(CrmDialog[FollowUpResult | None]):
    """Ask whether to schedule a follow-up on a freshly created record."""

    PREFIX = "form"
    BINDINGS = [
        Binding("ctrl+s", "accept", "Save", id="follow_up.accept", tooltip="Schedule it (or record no follow-up)"),
    ]
    FIELDS = FOLLOW_UP_FIELDS

    def __init__(
        self, record_kind: str, record_id: int, default_type: str, default_subject: str, *,
        config: Config | None = None, tz: str | None = None,
        default_choice: str = dates.TOMORROW,
        save: Callable[[FollowUpResult], Any] | None = None,
    ) -> None:
        super().__init__(save)
        self.record_kind = record_kind
        self.record_id = record_id
        self._default_type = default_type
        self._default_subject = default_subject
        self._default_choice = default_choice
        self._config = config
        self._tz = tz

    def compose(self) -> ComposeResult:
        session = getattr(self.app, "session", None)
        config = self._config or session.config
        tz = self._tz or session.user.time_zone
        with VerticalScroll(id="follow-up-dialog", classes="dialog"):
            name = records.names([(self.record_kind, self.record_id)]).get((self.record_kind, self.record_id), "")
            title = Text("Created: ", style="bold")
            title.append(f"{name} · {records.KIND_LABELS.get(self.record_kind, self.record_kind)}")
            yield Label(title, classes="dialog-title")
            yield self.error_line()
            yield FollowUpForm(config, tz, default_type=self._default_type,
                               default_subject=self._default_subject, default_choice=self._default_choice)
            yield Label("ctrl+s (or enter in a text box): save · escape: decide later", classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#fu-when-choice").focus()

    def action_cancel(self) -> None:
        self.dismiss(CANCELLED)  # escape decides nothing; None would mean "no follow-up"

    def action_accept(self) -> None:
        self.build(self.query_one(FollowUpForm).follow_up)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_accept()


def ask_follow_up(
    screen: Screen, record_kind: str, record_id: int, *, default_type: str = "call",
    default_subject: str = "", on_done: Callable[[FollowUpResult], None] | None = None,
) -> None:
    """Show the rule-1 prompt and record the answer in one transaction.

    A FollowUp creates the activity; "no follow-up" is recorded as a note on
    the record (see `activities.schedule_follow_up`); escape writes nothing.
    `on_done` is called with the dialog's result after it was saved.
    """
    app: Any = screen.app
    session = app.session

    def save(result: FollowUpResult) -> None:
        if not isinstance(result, _Cancelled):
            activities.schedule_follow_up(session.user, session.config, record_kind, record_id, result)

    def done(result: FollowUpResult | None) -> None:
        if not isinstance(result, _Cancelled):
            app.notify("Follow-up scheduled" if result is not None else "No follow-up: recorded on the record")
        if on_done is not None:
            on_done(result)

    if not default_subject:
        default_subject = f"Follow up: {records.display_name(records.get(record_kind, record_id))}"
    app.push_screen(FollowUpDialog(record_kind, record_id, default_type, default_subject, save=save), done)
