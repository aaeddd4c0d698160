"""Saved Records views: name the current filter and sort (`V`), or pick one (`v`).

`SaveViewDialog(state)` saves the Records screen's current state under a
name and dismisses the saved `View`; `ViewsDialog()` lists the user's views
and dismisses the chosen `View` (`delete` removes the highlighted one).
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from crm_tui.domain import views
from crm_tui.domain.views import View
from crm_tui.ui.dialogs.modal import CrmDialog


class SaveViewDialog(CrmDialog[View | None]):
    PREFIX = "view-save"
    FIELDS = {"name": "view-save-name"}
    BINDINGS = [Binding("ctrl+s", "save", "Save", id="views.save", tooltip="Save the view under this name")]

    def __init__(self, kind: str, scope: str, status: str, step: str, sort: str) -> None:
        super().__init__()
        self.state = {"kind": kind, "scope": scope, "status": status, "step": step, "sort": sort}

    def compose(self) -> ComposeResult:
        with Vertical(id="view-save-dialog", classes="dialog"):
            yield Static("Save this view", classes="dialog-title", markup=False)
            summary = View(0, "", **self.state).summary
            yield Static(Text(summary, style="dim"))
            with Horizontal(classes="dialog-row"):
                yield Label("Name", classes="dialog-label")
                yield Input(id="view-save-name", placeholder="e.g. My stale leads", max_length=views.MAX_NAME,
                            compact=True)
            yield self.error_line()
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save", id="view-save-save", variant="primary", compact=True)
            yield Static("enter/ctrl+s save · esc cancel", classes="dialog-keys", markup=False)

    def on_mount(self) -> None:
        self.query_one("#view-save-name", Input).focus()

    @on(Input.Submitted, "#view-save-name")
    @on(Button.Pressed, "#view-save-save")
    def action_save(self) -> None:
        result = self.run(views.save, self.user, self.query_one("#view-save-name", Input).value, **self.state)
        if result is not None:
            self.done(result)


class ViewsDialog(CrmDialog[View | None]):
    PREFIX = "views"
    BINDINGS = [
        Binding("delete", "delete_view", "Delete", id="views.delete", tooltip="Delete the highlighted view"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="views-dialog", classes="dialog"):
            yield Static("Saved views", classes="dialog-title", markup=False)
            yield OptionList(id="views-list")
            yield self.error_line()
            yield Static("enter apply · delete remove · esc cancel · V on Records saves one",
                         classes="dialog-keys", markup=False)

    def on_mount(self) -> None:
        self._fill()
        self.query_one("#views-list", OptionList).focus()

    def _fill(self) -> None:
        found = self.run(views.list_views, self.user) or []
        self._views = {view.name: view for view in found}
        listing = self.query_one("#views-list", OptionList)
        listing.clear_options()
        for view in found:
            label = Text(view.name, style="bold")
            label.append(f"  {view.summary}", style="dim")
            listing.add_option(Option(label, id=view.name))
        if found:
            listing.highlighted = 0
        else:
            self.show_error("no saved views yet: press V on Records to save the current filter and sort")

    @on(OptionList.OptionSelected, "#views-list")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        view = self._views.get(event.option.id or "")
        if view is not None:
            self.dismiss(view)

    def action_delete_view(self) -> None:
        listing = self.query_one("#views-list", OptionList)
        if listing.highlighted is None:
            return
        name = listing.get_option_at_index(listing.highlighted).id or ""
        if self.run(views.delete, self.user, name) is not None:
            self.notify(f"Deleted view {name}")
            self._fill()
