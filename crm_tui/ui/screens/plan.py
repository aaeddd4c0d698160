"""The Plan Tomorrow screen."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Footer, Static

from crm_tui.ui.screens.base import CrmScreen


class PlanScreen(CrmScreen):
    def compose(self) -> ComposeResult:
        yield from self.compose_chrome()
        yield Static("Plan Tomorrow", id="calendar")
        yield Footer()
