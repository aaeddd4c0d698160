"""An account's whole history across departments, in time order, with a filter and a header summary."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from crm_tui import clock
from crm_tui.config import Config
from crm_tui.domain import account_summary, billing, cases, delivery, history, roles, sales, users
from crm_tui.models import SalesOrder, User
from tests.domain.sales_fixtures import opportunity


def at(text: str) -> None:
    clock.freeze(f"2026-11-{text}:00+00:00")


def test_timeline_and_summary_across_departments(rep: User, manager: User, cfg: Config) -> None:
    admin = users.add_user("root", role="admin")
    carl = users.add_user("carl", "Carl Carrier")
    roles.grant(admin, carl, "delivery")
    sales.add_product(manager, cfg, code="LIC", name="Licence", unit_price="100")
    at("10T09:00")
    opp = opportunity(rep, cfg)
    account_id = opp.account_id
    at("10T10:00")
    quote = sales.create_quote(rep, cfg, opp.id)
    sales.add_line(rep, quote.id, product="LIC", quantity=3)
    at("10T11:00")
    sales.submit(rep, cfg, quote.id)
    at("10T12:00")
    sales.mark_sent(rep, quote.id)
    at("11T09:00")
    sales.accept(rep, cfg, quote.id)
    order = SalesOrder.get()
    at("12T09:00")
    case = cases.create(rep, cfg, subject="Licence key missing", account_id=account_id)
    at("13T09:00")
    delivery.mark_delivered(carl, cfg, order.id)
    at("14T09:00")
    invoice = billing.invoice_order(rep, cfg, order.id)
    at("16T09:00")
    billing.record_payment(rep, invoice.id, "100")
    at("18T09:00")

    entries = history.timeline("account", account_id)
    stamps = [entry.at for entry in entries]
    assert stamps == sorted(stamps, reverse=True)  # newest first, every department merged
    titles = [entry.title for entry in entries]
    order_of = {title: i for i, title in enumerate(titles)}
    # Reading upwards from the oldest: quote, order, case, delivery, invoice, payment.
    assert (order_of["Payment on INV-00001"] < order_of["Invoice INV-00001 issued"]
            < order_of["Order O-00001 delivered"] < order_of["Case created"]
            < order_of["Order O-00001 placed"] < order_of["Quote Q-00001 sent"] < order_of["Quote Q-00001 approved"]
            < order_of["Quote Q-00001 drafted"])
    assert order_of["Case created"] < order_of["Quote Q-00001 accepted by the customer"] < order_of["Quote Q-00001 sent"]
    departments = {entry.title: entry.department for entry in entries}
    assert departments["Payment on INV-00001"] == "billing"
    assert departments["Order O-00001 placed"] == "delivery"
    assert departments["Task: Deliver order O-00001"] == "delivery"
    assert departments["Case created"] == "support"
    assert departments["Quote Q-00001 sent"] == "sales"

    billing_only = history.timeline("account", account_id, department="billing")
    assert [e.title for e in billing_only] == ["Payment on INV-00001", "Invoice INV-00001 issued"]
    delivery_only = history.timeline("account", account_id, department="delivery")
    assert {e.department for e in delivery_only} == {"delivery"} and len(delivery_only) == 3
    support_only = history.timeline("account", account_id, department="support")
    assert {e.record for e in support_only} == {("case", case.id)}
    assert all(e.department == "sales" for e in history.timeline("account", account_id, department="sales"))

    head = account_summary.summary(account_id)
    assert (head.open_opportunities, head.orders_in_delivery, head.open_cases) == (1, 0, 1)
    assert head.unpaid == {"EUR": Decimal("257.00")}  # 357.00 with tax, 100 paid
    assert head.text == "1 open opportunity · 0 orders in delivery · unpaid 257.00 EUR · 1 open case"
    clock.freeze(dt.datetime(2026, 12, 20, 9, 0, tzinfo=dt.timezone.utc).isoformat())
    assert account_summary.summary(account_id).overdue_invoices == 1
