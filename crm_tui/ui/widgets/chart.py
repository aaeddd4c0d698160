"""A small bar chart drawn in text, readable without colour.

Each row is a label, a bar of full blocks against light shade for the rest,
and the number itself, so a monochrome terminal or a screen reader gets the
same information as a colour one. The widget only draws what it is given.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.widgets import Static

FULL, EMPTY = "█", "░"


@dataclass(frozen=True)
class Bar:
    """One row: a label, a share from 0 to 1 (None: nothing to measure), and its caption."""

    label: str
    value: float | None
    caption: str


def render_bars(title: str, bars: list[Bar], width: int = 20) -> Text:
    """The chart as text; a bar with no data shows a dash instead of an empty bar."""
    text = Text()
    if title:
        text.append(title + "\n", style="bold")
    label_width = max((len(bar.label) for bar in bars), default=0)
    for bar in bars:
        text.append(f"{bar.label:<{label_width}} ")
        if bar.value is None:
            text.append("-".ljust(width), style="dim")
        else:
            filled = round(max(0.0, min(1.0, bar.value)) * width)
            text.append(FULL * filled, style="bold")
            text.append(EMPTY * (width - filled), style="dim")
        text.append(f" {bar.caption}\n")
    return text


class BarChart(Static):
    """Horizontal text bars; set `show(title, bars)` to draw."""

    def __init__(self, *, bar_width: int = 20, id: str | None = None, classes: str | None = None) -> None:
        super().__init__("", id=id, classes=classes)
        self.bar_width = bar_width
        self.bars: list[Bar] = []

    def show(self, title: str, bars: list[Bar]) -> None:
        self.bars = list(bars)
        self.update(render_bars(title, self.bars, self.bar_width))
