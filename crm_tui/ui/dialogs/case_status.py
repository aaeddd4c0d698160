"""Move a case along its status flow: only the moves the flow allows are offered,
each picked with its number key or enter.

`CaseStatusDialog(case_id)` dismisses the updated `Case`, or None (escape:
nothing changed).
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from crm_tui.domain import cases
from crm_tui.models import Case
from crm_tui.ui.dialogs.modal import CrmDialog

LABELS = {
    "open": "open: we are working on it",
    "waiting": "waiting: on the customer or a third party",
    "resolved": "resolved: the customer has a solution",
    "closed": "closed: nothing more to do",
}


class CaseStatusDialog(CrmDialog[Case | None]):
    PREFIX = "case-status"
    BINDINGS = [
        *[Binding(str(n), f"pick({n})", f"Status {n}", id=f"case-status.pick{n}", show=False,
                  tooltip=f"Pick status {n}") for n in range(1, 5)],
    ]

    def __init__(self, case_id: int) -> None:
        super().__init__()
        self.case_id = case_id
        self._choices: tuple[str, ...] = ()

    def compose(self) -> ComposeResult:
        with Vertical(id="case-status-dialog", classes="dialog"):
            yield Static("Case status", id="case-status-title", classes="dialog-title", markup=False)
            yield OptionList(id="case-status-options", compact=True)
            yield self.error_line()
            yield Static("1-4 or enter pick · esc cancel", classes="dialog-keys")

    def on_mount(self) -> None:
        case = self.run(cases.get_case, self.case_id)
        if case is None:
            return
        self._choices = cases.next_statuses(case.status)
        self.query_one("#case-status-title", Static).update(Text(f"“{case.subject}” is {case.status}; move it to"))
        options = self.query_one("#case-status-options", OptionList)
        options.add_options([Option(f"{n}  {LABELS.get(s, s)}", id=s) for n, s in enumerate(self._choices, 1)])
        if self._choices:
            options.highlighted = 0
        else:
            self.show_error("a closed case is final")
        options.focus()

    def action_pick(self, number: int) -> None:
        if 1 <= number <= len(self._choices):
            self._set(self._choices[number - 1])

    @on(OptionList.OptionSelected, "#case-status-options")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._set(str(event.option.id))

    def _set(self, status: str) -> None:
        result = self.run(cases.set_status, self.user, self.case_id, status)
        if result is not None:
            self.done(result)
