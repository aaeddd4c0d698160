"""Record a payment on one of an account's open invoices.

`PaymentDialog(account_id)` dismisses the Payment, or None (escape).
The amount starts at what is open on the chosen invoice; more than that is
refused (domain.billing).
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Select, Static

from crm_tui.domain import documents, money
from crm_tui.domain.billing import record_payment
from crm_tui.models import Payment
from crm_tui.ui.dialogs.modal import CrmDialog


class PaymentDialog(CrmDialog[Payment | None]):
    PREFIX = "payment"
    FIELDS = {"amount": "payment-amount", "reference": "payment-reference"}
    BINDINGS = [Binding("ctrl+s", "record", "Record", id="payment.record", tooltip="Record this payment")]

    def __init__(self, account_id: int) -> None:
        super().__init__()
        self.account_id = account_id
        self.open_amounts: dict[int, str] = {}

    def compose(self) -> ComposeResult:
        with Vertical(id="payment-dialog", classes="dialog"):
            yield Static("Record a payment", classes="dialog-title", markup=False)
            with Horizontal(classes="dialog-row"):
                yield Label("Invoice", classes="dialog-label")
                yield Select[int]([], id="payment-invoice", prompt="no open invoice", compact=True)
            with Horizontal(classes="dialog-row"):
                yield Label("Amount", classes="dialog-label")
                yield Input(id="payment-amount", compact=True)
            with Horizontal(classes="dialog-row"):
                yield Label("Reference", classes="dialog-label")
                yield Input(id="payment-reference", placeholder="bank reference (optional)", compact=True)
            yield self.error_line()
            with Horizontal(classes="dialog-buttons"):
                yield Button("Record payment", id="payment-record", variant="primary", compact=True)
            yield Static("enter record · esc cancel", classes="dialog-keys")

    def on_mount(self) -> None:
        rows = [row for row in documents.listing("invoice", account_id=self.account_id)
                if row["status"] in ("open", "overdue")]
        self.open_amounts = {row["id"]: str(row["open"]) for row in rows}
        select = self.query_one("#payment-invoice", Select)
        if not rows:
            self.show_error("this account has no open invoices")
            return
        select.set_options([(Text(f"{row['number']} · {money.format_amount(row['open'])} {row['currency']} open"
                                  f" · due {row['due']:%d %b %Y} · {row['status']}"), row["id"]) for row in rows])
        select.value = rows[-1]["id"]  # the oldest first: pay the longest-waiting invoice
        self.query_one("#payment-amount", Input).value = self.open_amounts[rows[-1]["id"]]
        self.query_one("#payment-amount", Input).focus()

    @on(Select.Changed, "#payment-invoice")
    def _picked(self, event: Select.Changed) -> None:
        if isinstance(event.value, int):
            self.query_one("#payment-amount", Input).value = self.open_amounts.get(event.value, "")

    @on(Input.Submitted)
    @on(Button.Pressed, "#payment-record")
    def action_record(self) -> None:
        invoice = self.query_one("#payment-invoice", Select).value
        if not isinstance(invoice, int):
            self.show_error("this account has no open invoices")
            return
        payment = self.run(record_payment, self.user, invoice, self.query_one("#payment-amount", Input).value,
                           reference=self.query_one("#payment-reference", Input).value)
        if payment is not None:
            self.done(payment)
