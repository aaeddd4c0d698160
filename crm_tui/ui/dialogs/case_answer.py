"""Record that a case was answered (stamps the answer time, clears an escalation
from the manager's Today), with the answer kept as a note.

`CaseAnswerDialog(case_id)` dismisses the updated `Case`, or None (escape:
nothing changed).
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Static, TextArea

from crm_tui.domain import cases
from crm_tui.models import Case
from crm_tui.ui.dialogs.modal import CrmDialog


class CaseAnswerDialog(CrmDialog[Case | None]):
    PREFIX = "answer"
    BINDINGS = [
        Binding("ctrl+s", "answer", "Save", id="answer.save", tooltip="Save the answer"),
    ]

    def __init__(self, case_id: int) -> None:
        super().__init__()
        self.case_id = case_id

    def compose(self) -> ComposeResult:
        with Vertical(id="answer-dialog", classes="dialog"):
            yield Static("Answer case", id="answer-title", classes="dialog-title", markup=False)
            yield TextArea(id="answer-text", soft_wrap=True)
            yield self.error_line()
            with Horizontal(classes="dialog-buttons"):
                yield Button("Answered", id="answer-save", variant="primary", compact=True)
            yield Static("ctrl+s save · esc cancel", classes="dialog-keys")

    def on_mount(self) -> None:
        case = self.run(cases.get_case, self.case_id)
        if case is not None:
            self.query_one("#answer-title", Static).update(Text(f"Answer “{case.subject}”"))
        self.query_one("#answer-text", TextArea).focus()

    @on(Button.Pressed, "#answer-save")
    def action_answer(self) -> None:
        result = self.run(cases.answer, self.user, self.case_id, self.query_one("#answer-text", TextArea).text)
        if result is not None:
            self.done(result)
