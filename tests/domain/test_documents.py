"""Listings of quotes, orders and invoices: labels, statuses (overdue computed), filters."""

from __future__ import annotations

from decimal import Decimal

import pytest

from crm_tui.config import Config
from crm_tui.domain import billing, documents, records, sales
from crm_tui.domain.errors import DomainError
from crm_tui.models import Invoice, SalesOrder, User
from tests.domain.sales_fixtures import opportunity


def test_listings_and_opening_their_records(rep: User, cfg: Config) -> None:
    opp = opportunity(rep, cfg)
    quote = sales.create_quote(rep, cfg, opp.id)
    sales.add_line(rep, quote.id, description="Setup", unit_price="100")
    sales.submit(rep, cfg, quote.id)
    sales.mark_sent(rep, quote.id)
    sales.accept(rep, cfg, quote.id)
    order = SalesOrder.get()
    invoice = billing.invoice_order(rep, cfg, order.id)
    Invoice.update(due_on="2026-11-01").where(Invoice.id == invoice.id).execute()
    [row] = documents.listing("quote")
    assert (row["number"], row["status"], row["total"], row["account"]) == ("Q-00001", "accepted", Decimal("119.00"),
                                                                            "Acme [EU]")
    assert documents.listing("quote", status="draft") == []
    assert documents.listing("order")[0]["number"] == "O-00001"
    [bill] = documents.listing("invoice", status="overdue")
    assert (bill["number"], bill["status"], bill["open"]) == ("INV-00001", "overdue", Decimal("119.00"))
    assert documents.listing("invoice", status="open") == []
    with pytest.raises(DomainError, match="invoice status must be one of"):
        documents.listing("invoice", status="late")
    assert records.resolve("quote", quote.id) == ("opportunity", opp.id)
    assert records.resolve("order", order.id) == ("opportunity", opp.id)
    assert records.resolve("invoice", invoice.id) == ("account", opp.account_id)
