"""A compact read-only view of one record: fields, owner, last touch, next step.

Opened from the Exceptions screen (through `CrmApp.open_record`) when no full
record screen is installed; it never writes, so it works on read-only sessions.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from crm_tui import clock
from crm_tui.domain.summary import RecordSummary


class RecordSummaryDialog(ModalScreen[None]):
    """Shows a `RecordSummary`; escape closes it."""

    BINDINGS = [
        Binding("escape,q,enter", "close", "Close", id="record_summary.close", tooltip="Close the summary"),
    ]

    def __init__(self, summary: RecordSummary, time_zone: str = "UTC") -> None:
        super().__init__()
        self.summary = summary
        self.time_zone = time_zone

    def compose(self) -> ComposeResult:
        s = self.summary
        text = Text()
        text.append(f"{s.kind.capitalize()} #{s.record_id}\n", style="dim")
        text.append(f"{s.title}\n\n", style="bold")
        rows = [("Owner", s.owner)] + s.fields
        if s.last_touch is not None:
            local = clock.to_local(s.last_touch, self.time_zone).format("ddd D MMM YYYY HH:mm")
            rows.append(("Last touch", f"{local} ({s.last_touch_what})"))
        else:
            rows.append(("Last touch", "never"))
        rows.append(("Next activity", s.next_activity))
        rows.append(("Open activities", str(s.open_activities)))
        width = max(len(label) for label, _ in rows)
        for label, value in rows:
            text.append(f"{label:>{width}}  ", style="bold")
            text.append(f"{value}\n")
        text.append("\nRead-only summary · escape closes", style="dim")
        with VerticalScroll(id="record-summary-body"):
            yield Static(text, id="record-summary-text")

    def action_close(self) -> None:
        self.dismiss(None)
