"""The rebalance preview: what moves where, and what still does not fit.

Dismisses True to apply (the screen then applies it as one transaction) or
False to leave everything as it is.
"""

from __future__ import annotations

from typing import Mapping

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from crm_tui.domain.planning import Card, Proposal
from crm_tui.ui.widgets.calendar import hours


def describe(proposal: Proposal, cards: Mapping[int, Card], type_labels: Mapping[str, str]) -> Text:
    """The preview as plain text: readable without colour, user data never parsed as markup."""

    def name(activity_id: int) -> str:
        card = cards.get(activity_id)
        if card is None:
            return f"activity {activity_id}"
        when = f"{card.time} " if card.time else ""
        return f"{when}{type_labels.get(card.type, card.type)} · {card.subject} ({hours(card.minutes)})"

    text = Text()
    if proposal.moves:
        text.append(f"Moves ({len(proposal.moves)})\n", style="bold")
        for move in proposal.moves:
            text.append(f"  {move.from_day:%a %d %b} → {move.to_day:%a %d %b}  ", style="bold")
            text.append(f"{name(move.activity_id)}\n")
    else:
        text.append("Nothing to move.\n", style="bold")
    if proposal.overloaded:
        text.append("\nStill does not fit\n", style="bold")
        for overload in proposal.overloaded:
            text.append(
                f"  {overload.day:%a %d %b}: ▲ OVER {hours(overload.over)} "
                f"({hours(overload.load)} of {hours(overload.capacity)})\n",
                style="bold",
            )
            for stuck in proposal.stuck:
                if stuck.day == overload.day:
                    text.append(f"    {name(stuck.activity_id)}: {stuck.reason}\n")
    elif proposal.moves:
        text.append("\nEvery day fits after these moves.\n")
    else:
        text.append("Every day is within capacity.\n")
    return text


class RebalanceDialog(ModalScreen[bool]):
    BINDINGS = [
        Binding("a", "apply", "Apply", id="rebalance.apply", tooltip="Apply every move as one change (u undoes it)"),
        Binding("escape", "cancel", "Cancel", id="rebalance.cancel", tooltip="Close; nothing moves"),
    ]

    def __init__(self, proposal: Proposal, cards: Mapping[int, Card], type_labels: Mapping[str, str]) -> None:
        super().__init__()
        self.proposal = proposal
        self._text = describe(proposal, cards, type_labels)

    def compose(self) -> ComposeResult:
        with Vertical(id="rebalance-box"):
            yield Static("Rebalance", classes="dialog-title")
            with VerticalScroll(id="rebalance-body"):
                yield Static(self._text, id="rebalance-preview")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Apply (a)", id="rebalance-apply", variant="primary",
                             disabled=not self.proposal.moves)
                yield Button("Cancel (esc)", id="rebalance-cancel")

    def on_mount(self) -> None:
        button = self.query_one("#rebalance-apply" if self.proposal.moves else "#rebalance-cancel", Button)
        button.focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "rebalance-apply":
            self.action_apply()
        else:
            self.action_cancel()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "apply":
            return bool(self.proposal.moves)
        return True

    def action_apply(self) -> None:
        self.dismiss(bool(self.proposal.moves))

    def action_cancel(self) -> None:
        self.dismiss(False)
