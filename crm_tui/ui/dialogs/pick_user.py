"""Pick a user: a manager choosing whose plan to look at. Dismisses the
chosen user's id, or None when cancelled."""

from __future__ import annotations

from typing import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option


class PickUserDialog(ModalScreen[int | None]):
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="pick_user.cancel", tooltip="Close without choosing"),
    ]

    def __init__(self, people: Sequence[tuple[int, str]], title: str, current: int | None = None) -> None:
        super().__init__()
        self._people = list(people)
        self._title = title
        self._current = current

    def compose(self) -> ComposeResult:
        with Vertical(id="pick-user-box"):
            yield Static(self._title, classes="dialog-title")
            yield OptionList(
                *(Option(Text(label), id=str(user_id)) for user_id, label in self._people),
                id="pick-user-list",
            )

    def on_mount(self) -> None:
        options = self.query_one("#pick-user-list", OptionList)
        ids = [user_id for user_id, _ in self._people]
        if self._current in ids:
            options.highlighted = ids.index(self._current)
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(int(event.option.id or 0))

    def action_cancel(self) -> None:
        self.dismiss(None)
