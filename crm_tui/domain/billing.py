"""Invoices and payments, and what an account owes.

An invoice is made from an order (its total, due `[sales] invoice_due_days`
after issue) or imported from the accounting system (`crm import invoices`,
domain.importing). Payments reduce what is open; the invoice is paid
when they reach its total, and a payment above what is open is refused.
Status is stored as open / paid / cancelled; "overdue" is an open invoice
past its due day, computed when read (`status_of`), so it never goes stale.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from crm_tui import clock, db
from crm_tui.config import Config
from crm_tui.domain import changes, money, validation
from crm_tui.domain.errors import DomainError, NotFound
from crm_tui.domain.money import Money
from crm_tui.domain.numbering import next_number
from crm_tui.models import Invoice, Payment, SalesOrder, User


def invoice_label(number: int) -> str:
    return f"INV-{number:05d}"


def get_invoice(invoice_id: int) -> Invoice:
    invoice = Invoice.get_or_none(Invoice.id == invoice_id)
    if invoice is None:
        raise NotFound(f"invoice {invoice_id} does not exist")
    return invoice


def status_of(invoice: Invoice, today: dt.date | None = None) -> str:
    """open, paid, cancelled, or overdue (open past its due day)."""
    if invoice.status == "open" and invoice.due_on < (today or clock.utcnow_naive().date()):
        return "overdue"
    return str(invoice.status)


def open_amount(invoice: Invoice) -> Decimal:
    return money.cents(invoice.total - invoice.paid)


@db.atomic
def invoice_order(actor: User, config: Config, order_id: int) -> Invoice:
    """Bill an order (once): its total, issued today, due after the configured days."""
    order = SalesOrder.get_or_none(SalesOrder.id == order_id)
    if order is None:
        raise NotFound(f"order {order_id} does not exist")
    if order.status == "cancelled":
        raise DomainError("this order was cancelled: nothing to bill")
    if Invoice.select().where((Invoice.order == order.id) & (Invoice.status != "cancelled")).exists():
        raise DomainError("this order is invoiced already")
    today = clock.today(actor.time_zone)
    with changes.action(actor):
        return changes.create(
            Invoice, number=invoice_label(next_number("invoice")), order=order, account=order.account_id,
            owner=order.owner_id, currency=order.currency, total=order.total, issued_on=today,
            due_on=today + dt.timedelta(days=config.sales.invoice_due_days),
        )


@db.atomic
def record_payment(actor: User, invoice_id: int, amount: Decimal | str, *, paid_on: dt.date | None = None,
                   reference: str = "") -> Payment:
    """Money received; the invoice becomes paid when nothing is left open."""
    invoice = get_invoice(invoice_id)
    if invoice.status != "open":
        raise DomainError(f"this invoice is {invoice.status}: no payment can be recorded")
    value = money.cents(money.to_decimal(amount, "amount"))
    if value <= 0:
        raise DomainError("amount: must be more than 0", "amount")
    left = open_amount(invoice)
    if value > left:
        raise DomainError(f"amount: only {money.format_amount(left)} {invoice.currency} is open", "amount")
    day = paid_on or clock.today(actor.time_zone)
    with changes.action(actor):
        payment = changes.create(Payment, invoice=invoice, amount=value, paid_on=day, recorded_by=actor,
                                 reference=validation.optional(reference, "reference", max_length=120))
        paid = money.cents(invoice.paid + value)
        values: dict[str, object] = {"paid": paid}
        if paid == invoice.total:
            values.update(status="paid", paid_at=clock.utcnow_naive())
        changes.update(invoice, **values)
    return payment


@db.atomic
def cancel_invoice(actor: User, invoice_id: int) -> Invoice:
    invoice = get_invoice(invoice_id)
    if invoice.status != "open" or invoice.paid:
        raise DomainError("only an open invoice without payments can be cancelled")
    with changes.action(actor):
        return changes.update(invoice, status="cancelled")


def unpaid_balance(account_id: int) -> dict[str, Decimal]:
    """What the account owes on open invoices, per currency (never summed across)."""
    rows = (Invoice.select(Invoice.currency, Invoice.total, Invoice.paid)
            .where((Invoice.account == account_id) & (Invoice.status == "open")).tuples())
    return money.balances(Money(total - paid, currency) for currency, total, paid in rows)


def invoice_by_number(text: str) -> int:
    """The id of the invoice numbered `text` (INV-00002), as people type it."""
    found = Invoice.select(Invoice.id).where(Invoice.number == text.strip()).scalar()
    if found is None:
        raise DomainError(f"no invoice {text.strip()}", "invoice")
    return int(found)
