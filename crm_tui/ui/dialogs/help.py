"""`?`: every key that works here, with what it does."""

from __future__ import annotations

import textwrap

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static


KEY_WIDTH = 14
DESCRIPTION_WIDTH = 48
"""What fits beside the key column in the help box (72 wide, see screens.tcss)."""


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,q,question_mark", "dismiss", "Close", id="help.close", tooltip="Close the help"),
    ]

    def __init__(self, rows: list[tuple[str, str]], title: str, *,
                 moving: list[tuple[str, str]] | None = None) -> None:
        super().__init__()
        self._rows = rows
        self._title = title
        self._moving = moving or []

    def compose(self) -> ComposeResult:
        text = Text()
        text.append(f"{self._title}\n", style="bold")
        text.append("ctrl+p opens the command palette: every action is there too.\n\n", style="dim")
        for key, description in self._rows:
            self._row(text, key, description, "")
        if self._moving:
            text.append("\nMoving around\n", style="bold")
            for key, description in self._moving:
                self._row(text, key, description, "dim")
        with VerticalScroll(id="help-body"):
            yield Static(text, id="help-text")

    @staticmethod
    def _row(text: Text, key: str, description: str, style: str) -> None:
        """One key: the description wrapped beside the key column, never under it."""
        text.append(f"{key:>{KEY_WIDTH}}  ", style=f"{style} bold".strip())
        lines = textwrap.wrap(description, DESCRIPTION_WIDTH) or [""]
        text.append("\n".join([lines[0], *(" " * (KEY_WIDTH + 2) + line for line in lines[1:])]) + "\n",
                    style=style)

    def action_dismiss(self, result: None = None) -> None:  # type: ignore[override]
        self.dismiss(None)
