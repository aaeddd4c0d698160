"""Quotes: lines and totals, the approval flow with its permissions, and quote -> order -> invoice -> payment."""

from __future__ import annotations

from decimal import Decimal

import pytest

from crm_tui.config import Config, Sales
from crm_tui.domain import billing, changes, delivery, roles, sales, users
from crm_tui.domain.errors import DomainError, PermissionDenied
from crm_tui.models import Activity, Quote, SalesOrder, User
from tests.domain.sales_fixtures import opportunity

D = Decimal


@pytest.fixture
def catalog(manager: User, cfg: Config) -> None:
    sales.add_product(manager, cfg, code="LIC", name="Licence", unit_price="1000.00")
    sales.add_product(manager, cfg, code="DAY", name="Consulting day", unit_price="1,250.005")
    sales.add_product(manager, cfg, code="USD-LIC", name="US licence", unit_price="900", currency="USD")


def test_lines_totals_and_currencies(rep: User, cfg: Config, catalog: None) -> None:
    opp = opportunity(rep, cfg)
    quote = sales.create_quote(rep, cfg, opp.id)
    assert quote.number == 1 and quote.status == "draft" and quote.tax_rate == D("19.00")
    sales.add_line(rep, quote.id, product="LIC", quantity="3", discount="5")
    sales.add_line(rep, quote.id, product="DAY", quantity="0.5")   # 1250.01 x 0.5 = 625.005 -> 625.01
    sales.add_line(rep, quote.id, description="Travel", quantity=1, unit_price="99.99")
    quote = sales.get_quote(quote.id)
    assert [line.net for line in sales.lines(quote.id)] == [D("2850.00"), D("625.01"), D("99.99")]
    assert (quote.subtotal, quote.tax, quote.total) == (D("3575.00"), D("679.25"), D("4254.25"))
    assert quote.max_discount == D("5.00")
    with pytest.raises(DomainError, match="priced in USD, this quote in EUR"):
        sales.add_line(rep, quote.id, product="USD-LIC")
    with pytest.raises(DomainError, match="free-text line needs a unit price"):
        sales.add_line(rep, quote.id, description="Something")
    text = sales.render_text(sales.get_quote(quote.id))
    assert "Q-00001" in text and "4,254.25 EUR" in text and "Consulting day" in text


def test_small_discount_is_approved_on_submit(rep: User, cfg: Config, catalog: None) -> None:
    quote = sales.create_quote(rep, cfg, opportunity(rep, cfg).id)
    with pytest.raises(DomainError, match="at least one line"):
        sales.submit(rep, cfg, quote.id)
    sales.add_line(rep, quote.id, product="LIC", discount="10")  # at the limit
    quote = sales.submit(rep, cfg, quote.id)
    assert quote.status == "approved" and quote.decided_by_id is None and "within the 10" in quote.decision_reason


def test_big_discount_needs_a_manager_and_never_the_author(rep: User, manager: User, cfg: Config,
                                                           catalog: None) -> None:
    other_rep = users.add_user("bob", "Bob Brown", role="rep")
    quote = sales.create_quote(rep, cfg, opportunity(rep, cfg).id)
    sales.add_line(rep, quote.id, product="LIC", discount="25")
    quote = sales.submit(rep, cfg, quote.id)
    assert quote.status == "submitted"
    with pytest.raises(PermissionDenied, match="cannot approve or reject your own quote"):
        sales.approve(rep, quote.id)
    with pytest.raises(PermissionDenied, match="only a manager"):
        sales.approve(other_rep, quote.id)
    with pytest.raises(DomainError, match="a reason for rejecting is required"):
        sales.reject(manager, quote.id, " ")
    quote = sales.reject(manager, quote.id, "25% is too much")
    assert quote.status == "rejected" and quote.decided_by_id == manager.id
    sales.add_line(rep, quote.id, description="Support", unit_price="100")  # editing makes it a draft again
    quote = sales.submit(rep, cfg, quote.id)
    assert quote.status == "submitted"
    quote = sales.approve(manager, quote.id)
    assert quote.status == "approved" and quote.decided_by_id == manager.id


def test_a_manager_cannot_approve_their_own_quote_and_a_sales_manager_role_can(
        manager: User, cfg: Config, catalog: None) -> None:
    admin = users.add_user("root", role="admin")
    lead = users.add_user("sam", "Sam Sales", role="rep")
    roles.grant(admin, lead, "sales manager")
    quote = sales.create_quote(manager, cfg, opportunity(manager, cfg).id)
    sales.add_line(manager, quote.id, product="LIC", discount="50")
    sales.submit(manager, cfg, quote.id)
    with pytest.raises(PermissionDenied, match="your own quote"):
        sales.approve(manager, quote.id)
    assert sales.approve(lead, quote.id).status == "approved"  # a rep holding the approving job role


def test_quote_to_order_to_invoice_to_payment_changes_the_balance(rep: User, manager: User, cfg: Config,
                                                                  catalog: None) -> None:
    admin = users.add_user("root", role="admin")
    carl = users.add_user("carl", "Carl Carrier", role="rep")
    roles.grant(admin, carl, "delivery")
    opp = opportunity(rep, cfg)
    quote = sales.create_quote(rep, cfg, opp.id)
    sales.add_line(rep, quote.id, product="LIC", quantity=2)
    sales.submit(rep, cfg, quote.id)
    with pytest.raises(DomainError, match="it cannot become accepted"):
        sales.accept(rep, cfg, quote.id)
    sales.mark_sent(rep, quote.id)
    sales.accept(rep, cfg, quote.id)
    order = SalesOrder.get(SalesOrder.quote == quote.id)
    assert (order.status, order.total, order.number) == ("ordered", D("2380.00"), 1)
    task = Activity.get_by_id(order.delivery_activity_id)
    assert task.owner_id == carl.id and task.record_id == opp.id and task.subject == "Deliver order O-00001"
    delivery.start_delivery(carl, order.id)
    delivery.mark_delivered(carl, cfg, order.id)
    assert Activity.get_by_id(task.id).status == "done"
    assert billing.unpaid_balance(opp.account_id) == {}
    invoice = billing.invoice_order(rep, cfg, order.id)
    assert invoice.number == "INV-00001" and billing.status_of(invoice) == "open"
    assert billing.unpaid_balance(opp.account_id) == {"EUR": D("2380.00")}
    with pytest.raises(DomainError, match="only 2,380.00 EUR is open"):
        billing.record_payment(rep, invoice.id, "2380.01")
    billing.record_payment(rep, invoice.id, "1000")
    assert billing.unpaid_balance(opp.account_id) == {"EUR": D("1380.00")}
    billing.record_payment(rep, invoice.id, "1380.00", reference="bank 42")
    invoice = billing.get_invoice(invoice.id)
    assert invoice.status == "paid" and billing.unpaid_balance(opp.account_id) == {}
    with pytest.raises(DomainError, match="invoiced already"):
        billing.invoice_order(rep, cfg, order.id)


def test_others_may_not_touch_a_reps_quote_and_undo_restores(rep: User, cfg: Config, catalog: None) -> None:
    bob = users.add_user("bob", role="rep")
    quote = sales.create_quote(rep, cfg, opportunity(rep, cfg).id)
    with pytest.raises(PermissionDenied):
        sales.add_line(bob, quote.id, product="LIC")
    sales.add_line(rep, quote.id, product="LIC")
    changes.undo_last(rep)
    assert sales.lines(quote.id) == [] and sales.get_quote(quote.id).total == D("0.00")


def test_discount_limit_comes_from_config(rep: User, catalog: None) -> None:
    cfg = Config(sales=Sales(discount_limit=D("30")))
    quote = sales.create_quote(rep, cfg, opportunity(rep, cfg).id)
    sales.add_line(rep, quote.id, product="LIC", discount="25")
    assert sales.submit(rep, cfg, quote.id).status == "approved"
    assert Quote.select().count() == 1
