"""Close an opportunity as won or lost; a lost one needs a reason.

`WonLostDialog(opportunity_id, outcome="won"|"lost")` dismisses the closed
`Opportunity`, or None (escape: nothing changed).
"""

from __future__ import annotations

from typing import Literal

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Static

from crm_tui.domain import methodology
from crm_tui.models import Opportunity
from crm_tui.ui.dialogs.modal import CrmDialog


class WonLostDialog(CrmDialog[Opportunity | None]):
    PREFIX = "wonlost"
    FIELDS = {"reason": "wonlost-reason"}
    BINDINGS = [
        Binding("ctrl+s", "close_deal", "Close", id="wonlost.save", tooltip="Close the opportunity"),
    ]

    def __init__(self, opportunity_id: int, outcome: Literal["won", "lost"]) -> None:
        super().__init__()
        if outcome not in ("won", "lost"):
            raise ValueError(f"outcome must be won or lost, not {outcome!r}")
        self.opportunity_id = opportunity_id
        self.outcome = outcome

    def compose(self) -> ComposeResult:
        with Vertical(id="wonlost-dialog", classes="dialog"):
            yield Static("", id="wonlost-title", classes="dialog-title", markup=False)
            placeholder = "why we lost it (required)" if self.outcome == "lost" else "why we won it (optional)"
            yield Input(id="wonlost-reason", placeholder=placeholder, max_length=200, compact=True)
            yield self.error_line()
            with Horizontal(classes="dialog-buttons"):
                yield Button(f"Mark {self.outcome}", id="wonlost-save", compact=True,
                             variant="success" if self.outcome == "won" else "error")
            yield Static("enter save · esc cancel", classes="dialog-keys")

    def on_mount(self) -> None:
        opportunity = self.run(methodology.get_opportunity, self.opportunity_id)
        if opportunity is not None:
            self.query_one("#wonlost-title", Static).update(Text(f"Mark {opportunity.name} as {self.outcome}"))
        self.query_one("#wonlost-reason", Input).focus()

    @on(Input.Submitted, "#wonlost-reason")
    @on(Button.Pressed, "#wonlost-save")
    def action_close_deal(self) -> None:
        reason = self.query_one("#wonlost-reason", Input).value
        if self.outcome == "won":
            result = self.run(methodology.mark_won, self.user, self.opportunity_id, reason)
        else:
            result = self.run(methodology.mark_lost, self.user, self.opportunity_id, reason)
        if result is not None:
            self.done(result)
