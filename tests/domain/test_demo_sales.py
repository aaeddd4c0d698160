"""The demo shows selling, delivery and billing: quotes at every stage, orders, invoices,
job roles, and one of each new exception."""

from __future__ import annotations

from crm_tui.config import Config
from crm_tui.domain import demo, exceptions, roles
from crm_tui.models import Invoice, Product, Quote, SalesOrder


def test_demo_has_quotes_orders_invoices_and_roles(database: str) -> None:
    demo.build(seed=3, leads=40, activities=400)
    assert Product.select().count() == 6
    statuses = {status for (status,) in Quote.select(Quote.status).tuples()}
    assert {"draft", "submitted", "rejected", "approved", "sent", "accepted", "declined"} <= statuses
    assert {s for (s,) in SalesOrder.select(SalesOrder.status).tuples()} >= {"ordered", "delivered"}
    assert {s for (s,) in Invoice.select(Invoice.status).tuples()} == {"open", "paid"}
    numbers = sorted(n for (n,) in Quote.select(Quote.number).tuples())
    assert numbers == list(range(1, len(numbers) + 1))
    assert [u.login for u in roles.holders("delivery")] == ["dana"]
    fired = exceptions.counts_by_rule(exceptions.evaluate(Config()))
    assert fired["quote_approval"] == 1 and fired["order_late"] == 1 and fired["invoice_overdue"] == 1
    demo_quotes = Quote.select().join_from(Quote, Quote.owner.rel_model, on=(Quote.owner == Quote.owner.rel_model.id))
    assert any(q.owner.login == demo.DEMO_LOGIN for q in demo_quotes)
