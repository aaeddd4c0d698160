"""Assign a case to another active person (someone with the expertise); people
holding the support job role are listed first, the least busy on top.

`CaseAssignDialog(case_id)` dismisses the updated `Case`, or None (escape:
nothing changed).
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from crm_tui.domain import cases, users
from crm_tui.models import Case
from crm_tui.ui.dialogs.modal import CrmDialog


class CaseAssignDialog(CrmDialog[Case | None]):
    PREFIX = "assign"

    def __init__(self, case_id: int) -> None:
        super().__init__()
        self.case_id = case_id

    def compose(self) -> ComposeResult:
        with Vertical(id="assign-dialog", classes="dialog"):
            yield Static("Assign case", id="assign-title", classes="dialog-title", markup=False)
            yield OptionList(id="assign-people", compact=True)
            yield self.error_line()
            yield Static("enter assign · esc cancel", classes="dialog-keys")

    def on_mount(self) -> None:
        case = self.run(cases.get_case, self.case_id)
        if case is None:
            return
        self.query_one("#assign-title", Static).update(Text(f"Assign “{case.subject}” to"))
        people = self.query_one("#assign-people", OptionList)
        suggested = cases.suggested_assignees()  # people in the support job role, least busy first
        others = [person for person in users.list_users(active_only=True) if person not in suggested]
        for person in suggested + others:
            current = " (assigned now)" if person.id == case.owner_id else ""
            hint = " · suggested" if person in suggested else ""
            people.add_option(Option(Text(f"{person.display_name} · {person.role}{hint}{current}"), id=str(person.id)))
        if people.option_count:
            people.highlighted = 0
        people.focus()

    @on(OptionList.OptionSelected, "#assign-people")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        result = self.run(cases.assign, self.user, self.case_id, int(str(event.option.id)))
        if result is not None:
            self.done(result)
