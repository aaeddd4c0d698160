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

    def __init__(self, rows: list[tuple[str, str]], title: str) -> None:
        super().__init__()
        self._rows = rows
        self._title = title

    def compose(self) -> ComposeResult:
        text = Text()
        text.append(f"{self._title}\n\n", style="bold")
        for key, description in self._rows:
            text.append(f"{key:>14}  ", style="bold")
            text.append(f"{description}\n")
        text.append("\nctrl+p opens the command palette: every action is there too.", style="dim")
        with VerticalScroll(id="help-body"):
            yield Static(text, id="help-text")

    def action_dismiss(self, result: None = None) -> None:  # type: ignore[override]
        self.dismiss(None)
