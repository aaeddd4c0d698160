"""Listings of quotes, orders and invoices for the Records screen and the CLI.

Each returns plain dict rows (never model instances), newest first, with the
labels people use (Q-00042, O-00007, INV-00003), the account, the owner, the
money as Decimal with its currency, and the status (an invoice's status is
"overdue" when it is open past its due day).
"""

from __future__ import annotations

from typing import Any

import peewee as pw

from crm_tui import clock
from crm_tui.domain.errors import DomainError
from crm_tui.models import Account, Invoice, Opportunity, Quote, SalesOrder, User

KINDS = ("quote", "order", "invoice")
COLUMNS = {
    "quote": ("number", "opportunity", "account", "status", "total", "currency", "owner", "created"),
    "order": ("number", "account", "status", "total", "currency", "promised", "owner", "created"),
    "invoice": ("number", "account", "status", "total", "open", "currency", "due", "owner"),
}
STATUSES = {
    "quote": ("draft", "submitted", "approved", "rejected", "sent", "accepted", "declined"),
    "order": ("ordered", "in delivery", "delivered", "cancelled"),
    "invoice": ("open", "overdue", "paid", "cancelled"),
}


def listing(kind: str, *, status: str | None = None, owner_id: int | None = None,
            account_id: int | None = None, limit: int = 500) -> list[dict[str, Any]]:
    """Rows of one kind, newest first, optionally of one status, owner or account."""
    if kind not in KINDS:
        raise DomainError(f"unknown kind {kind!r}; use one of: {', '.join(KINDS)}")
    if status is not None and status not in STATUSES[kind]:
        raise DomainError(f"{kind} status must be one of: {', '.join(STATUSES[kind])}", "status")
    return {"quote": _quotes, "order": _orders, "invoice": _invoices}[kind](status, owner_id, account_id, limit)


def _filters(model: Any, owner_id: int | None, account_id: int | None) -> Any:
    where = pw.SQL("1 = 1")
    if owner_id is not None:
        where &= model.owner == owner_id
    if account_id is not None:
        where &= model.account == account_id
    return where


def _quotes(status: str | None, owner_id: int | None, account_id: int | None, limit: int) -> list[dict[str, Any]]:
    where = _filters(Quote, owner_id, account_id)
    if status:
        where &= Quote.status == status
    query = (Quote.select(Quote.id, Quote.number, Opportunity.name, Account.name, Quote.status, Quote.total,
                          Quote.currency, User.login, Quote.created_at, Quote.opportunity)
             .join(Opportunity, on=(Quote.opportunity == Opportunity.id))
             .join_from(Quote, Account, pw.JOIN.LEFT_OUTER, on=(Quote.account == Account.id))
             .join_from(Quote, User, pw.JOIN.LEFT_OUTER, on=(Quote.owner == User.id))
             .where(where).order_by(Quote.number.desc()).limit(limit).tuples())
    return [{"id": qid, "number": f"Q-{number:05d}", "opportunity": opp, "account": account or "",
             "status": state, "total": total, "currency": currency, "owner": login or "",
             "created": created.date(), "opportunity_id": opp_id}
            for qid, number, opp, account, state, total, currency, login, created, opp_id in query]


def _orders(status: str | None, owner_id: int | None, account_id: int | None, limit: int) -> list[dict[str, Any]]:
    where = _filters(SalesOrder, owner_id, account_id)
    if status:
        where &= SalesOrder.status == status
    query = (SalesOrder.select(SalesOrder.id, SalesOrder.number, Account.name, SalesOrder.status, SalesOrder.total,
                               SalesOrder.currency, SalesOrder.promised_on, User.login, SalesOrder.created_at,
                               Quote.opportunity)
             .join(Quote, on=(SalesOrder.quote == Quote.id))
             .join_from(SalesOrder, Account, pw.JOIN.LEFT_OUTER, on=(SalesOrder.account == Account.id))
             .join_from(SalesOrder, User, pw.JOIN.LEFT_OUTER, on=(SalesOrder.owner == User.id))
             .where(where).order_by(SalesOrder.number.desc()).limit(limit).tuples())
    return [{"id": oid, "number": f"O-{number:05d}", "account": account or "", "status": state, "total": total,
             "currency": currency, "promised": promised, "owner": login or "", "created": created.date(),
             "opportunity_id": opp_id}
            for oid, number, account, state, total, currency, promised, login, created, opp_id in query]


def _invoices(status: str | None, owner_id: int | None, account_id: int | None, limit: int) -> list[dict[str, Any]]:
    today = clock.utcnow_naive().date()
    where = _filters(Invoice, owner_id, account_id)
    if status == "overdue":
        where &= (Invoice.status == "open") & (Invoice.due_on < today)
    elif status == "open":
        where &= (Invoice.status == "open") & (Invoice.due_on >= today)
    elif status:
        where &= Invoice.status == status
    query = (Invoice.select(Invoice.id, Invoice.number, Account.name, Invoice.status, Invoice.total, Invoice.paid,
                            Invoice.currency, Invoice.due_on, User.login, Invoice.account)
             .join_from(Invoice, Account, pw.JOIN.LEFT_OUTER, on=(Invoice.account == Account.id))
             .join_from(Invoice, User, pw.JOIN.LEFT_OUTER, on=(Invoice.owner == User.id))
             .where(where).order_by(Invoice.issued_on.desc(), Invoice.id.desc()).limit(limit).tuples())
    return [{"id": iid, "number": number, "account": account or "",
             "status": "overdue" if state == "open" and due < today else state, "total": total,
             "open": total - paid, "currency": currency, "due": due, "owner": login or "", "account_id": account_ref}
            for iid, number, account, state, total, paid, currency, due, login, account_ref in query]
