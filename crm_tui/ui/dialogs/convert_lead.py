"""Convert a qualified lead: confirm the account (new, or an existing one with
the same company name), the opportunity's name, amount and close date.

`ConvertLeadDialog(lead_id)` dismisses a `qualification.Conversion` (the
account, contact and opportunity made), or None (escape: nothing changed).
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Select, Static

from crm_tui.domain import qualification
from crm_tui.ui.dialogs.modal import CrmDialog

NEW_ACCOUNT = -1


class ConvertLeadDialog(CrmDialog[qualification.Conversion | None]):
    PREFIX = "convert"
    FIELDS = {
        "account": "convert-account", "account_name": "convert-account-name",
        "opportunity_name": "convert-opportunity", "amount": "convert-amount",
        "currency": "convert-currency", "forecast_close": "convert-close",
    }
    BINDINGS = [
        Binding("ctrl+s", "convert", "Convert", id="convert.save", tooltip="Convert the lead now"),
    ]

    def __init__(self, lead_id: int) -> None:
        super().__init__()
        self.lead_id = lead_id

    def compose(self) -> ComposeResult:
        with Vertical(id="convert-dialog", classes="dialog"):
            yield Static("Convert lead", id="convert-title", classes="dialog-title", markup=False)
            with Horizontal(classes="dialog-row"):
                yield Label("Account", classes="dialog-label")
                yield Select[int]([("New account", NEW_ACCOUNT)], id="convert-account", allow_blank=False,
                                  value=NEW_ACCOUNT, compact=True)
            with Horizontal(classes="dialog-row"):
                yield Label("New account", classes="dialog-label")
                yield Input(id="convert-account-name", placeholder="name of the new account", compact=True)
            with Horizontal(classes="dialog-row"):
                yield Label("Opportunity", classes="dialog-label")
                yield Input(id="convert-opportunity", placeholder="opportunity name", compact=True)
            with Horizontal(classes="dialog-row"):
                yield Label("Amount", classes="dialog-label")
                yield Input(id="convert-amount", placeholder="e.g. 12500.00", compact=True)
                yield Input("EUR", id="convert-currency", max_length=3, compact=True)
            with Horizontal(classes="dialog-row"):
                yield Label("Close date", classes="dialog-label")
                yield Input(id="convert-close", placeholder="e.g. end of quarter: 2026-12-31, +6w (optional)", compact=True)
            yield self.error_line()
            with Horizontal(classes="dialog-buttons"):
                yield Button("Convert", id="convert-save", variant="primary", compact=True)
            yield Static("ctrl+s convert · esc cancel", classes="dialog-keys")

    def on_mount(self) -> None:
        lead = self.run(qualification.get_lead, self.lead_id)
        if lead is None:
            return
        self.query_one("#convert-title", Static).update(Text(f"Convert {lead.name} ({lead.company or 'no company'})"))
        matches = qualification.matching_accounts(lead.company)
        options: list[tuple[Text, int]] = [
            (Text(f"Existing: {name} (#{account_id})"), account_id) for account_id, name in matches
        ]
        options.append((Text("New account"), NEW_ACCOUNT))
        select = self.query_one("#convert-account", Select)
        select.set_options(options)
        select.value = options[0][1]
        self.query_one("#convert-account-name", Input).value = lead.company or lead.name
        self.query_one("#convert-opportunity", Input).value = qualification.default_opportunity_name(lead)
        self._account_changed()
        if lead.status != "qualified":
            self.show_error(f"only a qualified lead can be converted; this one is {lead.status}")
        self.query_one("#convert-opportunity", Input).focus()

    @on(Select.Changed, "#convert-account")
    def _account_changed(self) -> None:
        self.query_one("#convert-account-name", Input).disabled = (
            self.query_one("#convert-account", Select).value != NEW_ACCOUNT
        )

    @on(Input.Submitted)
    @on(Button.Pressed, "#convert-save")
    def action_convert(self) -> None:
        account = self.query_one("#convert-account", Select).value
        result = self.run(
            qualification.convert, self.user, self.config, self.lead_id,
            account_id=None if account == NEW_ACCOUNT or not isinstance(account, int) else account,
            account_name=self.query_one("#convert-account-name", Input).value,
            opportunity_name=self.query_one("#convert-opportunity", Input).value,
            amount=self.query_one("#convert-amount", Input).value,
            currency=self.query_one("#convert-currency", Input).value,
            forecast_close=self.query_one("#convert-close", Input).value,
        )
        if result is not None:
            self.done(result)
