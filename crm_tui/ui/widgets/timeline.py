"""The timeline of a record: one line per thing that happened, newest first.

The detail screen sets entries (domain.history.Entry) on it; the last option
asks for older entries (posts `Timeline.MoreRequested`), so a long history
opens with its first page only. Times show in the user's zone via stdlib
zoneinfo (one conversion per row is cheap; Pendulum is not).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Sequence
from zoneinfo import ZoneInfo

from rich.text import Text
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

MORE_ID = "timeline-more"
ICONS = {"activity": "●", "email": "✉", "note": "✎", "change": "Δ", "created": "+", "deleted": "✕",
         "touch": "→", "step": "✓", "document": "§"}


class Timeline(OptionList):
    """Rows of a record's history; `enter` on the last row loads older ones."""

    class MoreRequested(Message):
        """The user asked for older entries than those shown."""

        def __init__(self, timeline: "Timeline") -> None:
            super().__init__()
            self.timeline = timeline

        @property
        def control(self) -> "Timeline":
            return self.timeline

    def __init__(self, tz: str = "UTC", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._zone = ZoneInfo(tz)
        self.count = 0

    def show(self, entries: Sequence[Any], *, more: bool, append: bool = False) -> None:
        """Show entries (or add older ones below); `more` offers to load older still."""
        highlighted = self.highlighted
        if append:
            if self.option_count and self.get_option_at_index(self.option_count - 1).id == MORE_ID:
                self.remove_option(MORE_ID)
        else:
            self.clear_options()
            self.count = 0
        self.add_options([Option(self._line(entry)) for entry in entries])
        self.count += len(entries)
        if not self.count:
            self.add_option(Option(Text("Nothing has happened here yet.", style="dim"), disabled=True))
        if more:
            self.add_option(Option(Text("… older entries (enter)", style="italic"), id=MORE_ID))
        if append and highlighted is not None:
            self.highlighted = highlighted

    def _line(self, entry: Any) -> Text:
        if entry.dated:  # a day in the owner's zone already: no conversion, no time
            when = f"{entry.at:%a %d %b %Y}      "
        else:
            local = entry.at.replace(tzinfo=dt.timezone.utc).astimezone(self._zone)
            when = f"{local:%a %d %b %Y %H:%M}"
        text = Text(no_wrap=False)
        text.append(f"{when}  ", style="dim")
        text.append(f"{ICONS.get(entry.kind, '·')} ", style="bold")
        text.append(entry.title, style="bold" if not entry.planned else "italic")
        if entry.planned:
            text.append("  (planned)", style="italic dim")
        if entry.detail and not entry.planned:
            text.append(f"  {entry.detail}")
        department = getattr(entry, "department", "sales")
        extras = [part for part in (entry.who, entry.record_name, department if department != "sales" else "")
                  if part]
        if extras:
            text.append("  · " + " · ".join(extras), style="dim")
        return text

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id == MORE_ID:
            event.stop()
            self.post_message(self.MoreRequested(self))
