"""The Records screen."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Footer, Static

from crm_tui.ui.screens.base import CrmScreen


class RecordsScreen(CrmScreen):
    def compose(self) -> ComposeResult:
        yield from self.compose_chrome()
        yield Static("Records", id="records-table")
        yield Footer()
