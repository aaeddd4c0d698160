"""`?`: every key that works here, with what it does."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static


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
            text.append(f"{key:>14}  ", style="bold")
            text.append(f"{description}\n")
        if self._moving:
            text.append("\nMoving around\n", style="bold")
            for key, description in self._moving:
                text.append(f"{key:>14}  ", style="dim bold")
                text.append(f"{description}\n", style="dim")
        with VerticalScroll(id="help-body"):
            yield Static(text, id="help-text")

    def action_dismiss(self, result: None = None) -> None:  # type: ignore[override]
        self.dismiss(None)
