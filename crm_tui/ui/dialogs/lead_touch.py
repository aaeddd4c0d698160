"""Record a touch on a lead by hand (a seminar visit, a call-in from an ad);
the first touch becomes the lead's original source.

`LeadTouchDialog(lead_id)` dismisses the new `LeadTouch`, or None (escape:
nothing changed).
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Static

from crm_tui.domain import qualification, touches
from crm_tui.models import LeadTouch
from crm_tui.ui.dialogs.modal import CrmDialog

FIELDS = (("source", "Source", "e.g. seminar, google ads, referral"), ("campaign", "Campaign", ""),
          ("medium", "Medium", "e.g. cpc, email, event"), ("referrer", "Referrer", ""), ("page", "Page", ""))


class LeadTouchDialog(CrmDialog[LeadTouch | None]):
    PREFIX = "touch"
    FIELDS = {name: f"touch-{name}" for name, _, _ in FIELDS}
    BINDINGS = [
        Binding("ctrl+s", "add_touch", "Add", id="touch.save", tooltip="Add the touch"),
    ]

    def __init__(self, lead_id: int) -> None:
        super().__init__()
        self.lead_id = lead_id

    def compose(self) -> ComposeResult:
        with Vertical(id="touch-dialog", classes="dialog"):
            yield Static("Add a touch", id="touch-title", classes="dialog-title", markup=False)
            for name, label, hint in FIELDS:
                with Horizontal(classes="dialog-row"):
                    yield Label(label, classes="dialog-label")
                    yield Input(id=f"touch-{name}", placeholder=hint, compact=True)
            yield Static("", id="touch-history", markup=False)
            yield self.error_line()
            with Horizontal(classes="dialog-buttons"):
                yield Button("Add", id="touch-save", variant="primary", compact=True)
            yield Static("ctrl+s add · esc cancel", classes="dialog-keys")

    def on_mount(self) -> None:
        lead = self.run(qualification.get_lead, self.lead_id)
        if lead is None:
            return
        self.query_one("#touch-title", Static).update(Text(f"Add a touch to {lead.name}"))
        earlier = touches.list_touches(self.lead_id)
        history = Text(style="dim")
        history.append(f"Original source: {lead.original_source or '—'} · {len(earlier)} touch(es) so far")
        self.query_one("#touch-history", Static).update(history)
        self.query_one("#touch-source", Input).focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#touch-save")
    def action_add_touch(self) -> None:
        values = {name: self.query_one(f"#touch-{name}", Input).value for name, _, _ in FIELDS}
        touch = self.run(touches.add_touch, self.user, self.lead_id, **values)
        if touch is not None:
            self.done(touch)
