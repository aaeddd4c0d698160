"""Escalate a case to a manager with a reason; it then waits on that manager's Today.

`CaseEscalateDialog(case_id)` dismisses the escalated `Case`, or None
(escape: nothing changed).
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Select, Static

from crm_tui.domain import cases
from crm_tui.models import Case
from crm_tui.ui.dialogs.modal import CrmDialog


class CaseEscalateDialog(CrmDialog[Case | None]):
    PREFIX = "escalate"
    FIELDS = {"escalated_to": "escalate-manager", "reason": "escalate-reason"}
    BINDINGS = [
        Binding("ctrl+s", "escalate", "Escalate", id="escalate.save", tooltip="Escalate to the manager"),
    ]

    def __init__(self, case_id: int) -> None:
        super().__init__()
        self.case_id = case_id

    def compose(self) -> ComposeResult:
        with Vertical(id="escalate-dialog", classes="dialog"):
            yield Static("Escalate case", id="escalate-title", classes="dialog-title", markup=False)
            with Horizontal(classes="dialog-row"):
                yield Label("To", classes="dialog-label")
                yield Select[int]([], id="escalate-manager", prompt="Pick a manager", compact=True)
            with Horizontal(classes="dialog-row"):
                yield Label("Why", classes="dialog-label")
                yield Input(id="escalate-reason", placeholder="e.g. refund above my limit", max_length=300,
                            compact=True)
            yield self.error_line()
            with Horizontal(classes="dialog-buttons"):
                yield Button("Escalate", id="escalate-save", variant="warning", compact=True)
            yield Static("ctrl+s escalate · esc cancel", classes="dialog-keys")

    def on_mount(self) -> None:
        case = self.run(cases.get_case, self.case_id)
        if case is None:
            return
        self.query_one("#escalate-title", Static).update(Text(f"Escalate “{case.subject}”"))
        people = [(Text(f"{u.display_name} ({u.role})"), u.id) for u in cases.managers() if u.id != self.user.id]
        select = self.query_one("#escalate-manager", Select)
        select.set_options(people)
        if len(people) == 1:
            select.value = people[0][1]
        if not people:
            self.show_error("there is no other active manager or admin to escalate to")
        select.focus()

    @on(Input.Submitted, "#escalate-reason")
    @on(Button.Pressed, "#escalate-save")
    def action_escalate(self) -> None:
        manager = self.query_one("#escalate-manager", Select).value
        if not isinstance(manager, int):
            self.show_error("pick the manager to escalate to", "escalated_to")
            return
        result = self.run(cases.escalate, self.user, self.case_id, manager,
                          self.query_one("#escalate-reason", Input).value)
        if result is not None:
            self.done(result)
