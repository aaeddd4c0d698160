"""One timeline of everything that happened to a record and its children.

The record detail view shows it: activities done and planned, notes and
emails, lead touches, methodology steps, and every create, edit, status or
step change from the audit log (old -> new per field, who, when), newest
first. An account's timeline includes its contacts, opportunities and cases
(and the leads its opportunities came from); a contact's, its opportunities
and cases; an opportunity's, its lead.

Built with one query per source (activities, notes, audit, touches, steps,
sales documents), each ordered and limited in SQL, merged here: a long
timeline opens as fast as a short one. `timeline(..., offset=)` pages further
back.

Every entry belongs to a department (`DEPARTMENTS`): support for cases and
what happens on them; delivery for orders and their delivery tasks; billing
for invoices and payments; sales for everything else. `department=` filters
in each source's query, so a filtered page is as full as an unfiltered one.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, replace
from functools import reduce
from operator import or_
from typing import Any

import peewee as pw

from crm_tui.domain import records
from crm_tui.domain.errors import DomainError
from crm_tui.models import (
    Activity, AuditEvent, Case, Contact, Invoice, LeadTouch, Note, Opportunity, Payment, Quote, SalesOrder,
    StepCompletion, User,
)
from crm_tui.schema import SEARCH_TABLES

TABLE_KIND = {table: kind for kind, table in SEARCH_TABLES.items()}
STATE_FIELDS = ("status", "step", "state")
"""Edits of these are status and step changes, titled as such."""
_QUIET_FIELDS = frozenset({"status_changed_at", "converted_at", "closed_at", "escalated_at", "answered_at",
                           "created_at", "updated_at", "version", "last_touch_at", "next_activity_on",
                           "first_step_at"})
DEPARTMENTS = ("sales", "delivery", "billing", "support")
_NOTE_TITLES = {"phone": "Phone note", "voicemail": "Voicemail", "email": "Email", "general": "Note"}


@dataclass(frozen=True)
class Entry:
    """One thing that happened, shown as a line of the timeline."""

    at: dt.datetime
    """Naive UTC; a planned activity without a time is at midnight of its day."""
    kind: str
    """activity, email, note, change, created, deleted, touch or step."""
    title: str
    detail: str
    who: str
    record: tuple[str, int]
    """The record it happened to: the one shown, or one of its children."""
    record_name: str = ""
    """For a child: "Contact Kim Ng"; empty for the record itself."""
    planned: bool = False
    ref: tuple[str, int] | None = None
    """("activity", id) or ("note", id) for entries that can be opened."""
    dated: bool = False
    """A day without a time (a dated activity): `at` is midnight of that local day."""
    department: str = "sales"
    """sales, delivery, billing or support (see DEPARTMENTS)."""


def scope(kind: str, record_id: int) -> dict[str, list[int]]:
    """The record and its children, as ids per kind."""
    found: dict[str, list[int]] = {kind: [record_id]}

    def add(child: str, ids: list[int]) -> None:
        if ids:
            found.setdefault(child, [])
            found[child] += [i for i in ids if i not in found[child]]

    if kind == "account":
        add("contact", [r for (r,) in Contact.select(Contact.id).where(Contact.account == record_id).tuples()])
        opportunities = list(Opportunity.select(Opportunity.id, Opportunity.lead).where(Opportunity.account == record_id).tuples())
        add("opportunity", [r for r, _ in opportunities])
        add("lead", [lead for _, lead in opportunities if lead])
        add("case", [r for (r,) in Case.select(Case.id).where(Case.account == record_id).tuples()])
    elif kind == "contact":
        add("opportunity", [r for (r,) in Opportunity.select(Opportunity.id).where(Opportunity.contact == record_id).tuples()])
        add("case", [r for (r,) in Case.select(Case.id).where(Case.contact == record_id).tuples()])
    elif kind == "opportunity":
        lead = Opportunity.select(Opportunity.lead).where(Opportunity.id == record_id).scalar()
        add("lead", [lead] if lead else [])
    return found


def _in_scope(kind_col: Any, id_col: Any, found: dict[str, list[int]]) -> Any:
    return reduce(or_, [(kind_col == kind) & id_col.in_(ids) for kind, ids in found.items()])


def _as_datetime(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    text = str(value)
    return dt.datetime.fromisoformat(text) if len(text) > 10 else dt.datetime.combine(dt.date.fromisoformat(text), dt.time())


def timeline(kind: str, record_id: int, *, limit: int = 100, offset: int = 0,
             department: str | None = None) -> list[Entry]:
    """Newest first: entries offset .. offset + limit of the record's timeline,
    of one department when `department` is given."""
    records.get(kind, record_id)
    if department is not None and department not in DEPARTMENTS:
        raise DomainError(f"department must be one of: {', '.join(DEPARTMENTS)}", "department")
    found = scope(kind, record_id)
    window = offset + limit
    people = dict(User.select(User.id, User.display_name).tuples())
    child_names = records.names((k, i) for k, ids in found.items() for i in ids if (k, i) != (kind, record_id))
    labels = {link: f"{records.KIND_LABELS[link[0]]} {name}" for link, name in child_names.items()}

    opportunities = found.get("opportunity", [])
    deliveries = _delivery_tasks(opportunities)
    dept = department
    entries = (
        _activities(found, window, people, deliveries, dept) + _notes(found, window, people, dept)
        + _audit(found, window, people, dept)
        + (_touches(found.get("lead", []), window) + _steps(opportunities, window, people) if dept in (None, "sales")
           else [])
        + _documents(kind, record_id, opportunities, window, people, dept)
    )
    entries = [replace(e, record_name=labels.get(e.record, "")) for e in entries]
    entries.sort(key=lambda e: (e.at, e.ref[1] if e.ref else 0), reverse=True)
    return entries[offset:window]


def _delivery_tasks(opportunity_ids: list[int]) -> set[int]:
    """Ids of the delivery tasks of the orders on these opportunities."""
    if not opportunity_ids:
        return set()
    rows = (SalesOrder.select(SalesOrder.delivery_activity).join(Quote, on=(SalesOrder.quote == Quote.id))
            .where(Quote.opportunity.in_(opportunity_ids) & SalesOrder.delivery_activity.is_null(False)).tuples())
    return {activity_id for (activity_id,) in rows}


def _department_of(record_kind: str, activity_id: int | None = None, deliveries: frozenset[int] | set[int] = frozenset()) -> str:
    if record_kind == "case":
        return "support"
    if activity_id is not None and activity_id in deliveries:
        return "delivery"
    return "sales"


def _activities(found: dict[str, list[int]], window: int, people: dict[int, str], deliveries: set[int],
                department: str | None) -> list[Entry]:
    if department == "billing":
        return []
    when = pw.fn.COALESCE(Activity.completed_at, Activity.start_at, Activity.planned_date)
    where = _in_scope(Activity.record_kind, Activity.record_id, found)
    if department == "support":
        where &= Activity.record_kind == "case"
    elif department == "delivery":
        if not deliveries:
            return []
        where &= Activity.id.in_(list(deliveries))
    elif department == "sales":
        where &= Activity.record_kind != "case"
        if deliveries:
            where &= Activity.id.not_in(list(deliveries))
    query = (
        Activity.select(Activity.id, Activity.type, Activity.subject, Activity.status, Activity.outcome,
                        Activity.completed_at, Activity.start_at, Activity.planned_date, Activity.cancel_reason,
                        Activity.owner, Activity.record_kind, Activity.record_id)
        .where(where)
        .order_by(when.desc(), Activity.id.desc())
        .limit(window)
    )
    result = []
    for (aid, type_, subject, status, outcome, completed, start, day, reason, owner, rkind, rid) in query.tuples():
        if status == "done":
            at, detail = completed, f"done: {outcome}" if outcome else "done"
        elif status == "cancelled":
            at, detail = start or _as_datetime(day), f"cancelled: {reason}" if reason else "cancelled"
        else:
            at, detail = start or _as_datetime(day), f"planned for {day:%a %d %b %Y}"
        result.append(Entry(
            _as_datetime(at), "email" if type_ == "email" else "activity", f"{type_.capitalize()}: {subject}",
            detail, people.get(owner, ""), (rkind, rid), planned=status == "open", ref=("activity", aid),
            dated=status != "done" and start is None, department=_department_of(rkind, aid, deliveries),
        ))
    return result


def _notes(found: dict[str, list[int]], window: int, people: dict[int, str], department: str | None) -> list[Entry]:
    if department in ("delivery", "billing"):
        return []
    where = _in_scope(Note.record_kind, Note.record_id, found)
    if department == "support":
        where &= Note.record_kind == "case"
    elif department == "sales":
        where &= Note.record_kind != "case"
    query = (
        Note.select(Note.id, Note.kind, Note.body, Note.author, Note.created_at, Note.record_kind, Note.record_id)
        .where(where)
        .order_by(Note.created_at.desc(), Note.id.desc())
        .limit(window)
    )
    return [
        Entry(created, "email" if note_kind == "email" else "note", _NOTE_TITLES.get(note_kind, "Note"),
              " ".join(body.split())[:300], people.get(author, ""), (rkind, rid), ref=("note", nid),
              department=_department_of(rkind))
        for nid, note_kind, body, author, created, rkind, rid in query.tuples()
    ]


def _audit(found: dict[str, list[int]], window: int, people: dict[int, str], department: str | None) -> list[Entry]:
    if department in ("delivery", "billing"):
        return []
    if department == "support":
        found = {"case": found["case"]} if "case" in found else {}
    elif department == "sales":
        found = {kind: ids for kind, ids in found.items() if kind != "case"}
    if not found:
        return []
    tables = {SEARCH_TABLES[kind]: ids for kind, ids in found.items()}
    query = (
        AuditEvent.select(AuditEvent.id, AuditEvent.at, AuditEvent.user, AuditEvent.table, AuditEvent.row_id,
                          AuditEvent.action, AuditEvent.changes)
        .where(_in_scope(AuditEvent.table, AuditEvent.row_id, tables) & (AuditEvent.undone == False))  # noqa: E712
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(window)
    )
    rows = list(query.tuples())
    linked = _linked_names(rows)
    result = []
    for eid, at, user, table, row_id, action, changed in rows:
        kind = TABLE_KIND[table]
        who = people.get(user, "")
        if action == "create":
            entry = Entry(at, "created", f"{records.KIND_LABELS[kind]} created", "", who, (kind, row_id))
        elif action == "delete":
            entry = Entry(at, "deleted", f"{records.KIND_LABELS[kind]} deleted", "", who, (kind, row_id))
        else:
            pairs = {k: v for k, v in json.loads(changed).items() if k not in _QUIET_FIELDS}
            if not pairs:
                continue
            states = [k for k in pairs if k in STATE_FIELDS]
            if states:
                title = "; ".join(f"{k.capitalize()}: {_show(k, pairs[k][0], people, linked)} → "
                                  f"{_show(k, pairs[k][1], people, linked)}" for k in states)
            else:
                title = "Edited " + ", ".join(k.replace("_", " ") for k in pairs)
            detail = "; ".join(
                f"{k.replace('_', ' ')}: {_show(k, old, people, linked)} → {_show(k, new, people, linked)}"
                for k, (old, new) in pairs.items() if k not in states
            )
            entry = Entry(at, "change", title, detail, who, (kind, row_id))
        result.append(replace(entry, department=_department_of(kind)))
    return result


def _linked_names(rows: list[tuple]) -> dict[tuple[str, int], str]:
    """Names of accounts, contacts and leads that edits point at (account: 3 -> Acme)."""
    links = set()
    for *_, action, changed in rows:
        if action != "update":
            continue
        for name, pair in json.loads(changed).items():
            if name in ("account", "contact", "lead"):
                links.update((name, value) for value in pair if isinstance(value, int))
    return records.names(links) if links else {}


def _show(field: str, value: Any, people: dict[int, str], linked: dict[tuple[str, int], str]) -> str:
    if value in (None, ""):
        return "—"
    if field in ("owner", "escalated_to") and isinstance(value, int):
        return people.get(value, f"user {value}")
    if field in ("account", "contact", "lead") and isinstance(value, int):
        return linked.get((field, value), f"#{value}")
    return str(value)


def _touches(lead_ids: list[int], window: int) -> list[Entry]:
    if not lead_ids:
        return []
    query = (
        LeadTouch.select(LeadTouch.id, LeadTouch.lead, LeadTouch.source, LeadTouch.campaign, LeadTouch.medium,
                         LeadTouch.touched_at)
        .where(LeadTouch.lead.in_(lead_ids))
        .order_by(LeadTouch.touched_at.desc(), LeadTouch.id.desc())
        .limit(window)
    )
    return [
        Entry(at, "touch", f"Came in via {source or 'unknown source'}",
              ", ".join(part for part in (f"campaign {campaign}" if campaign else "", medium) if part), "",
              ("lead", lead))
        for _, lead, source, campaign, medium, at in query.tuples()
    ]


def _steps(opportunity_ids: list[int], window: int, people: dict[int, str]) -> list[Entry]:
    if not opportunity_ids:
        return []
    query = (
        StepCompletion.select(StepCompletion.opportunity, StepCompletion.step, StepCompletion.completed_by,
                              StepCompletion.completed_at)
        .where(StepCompletion.opportunity.in_(opportunity_ids))
        .order_by(StepCompletion.completed_at.desc())
        .limit(window)
    )
    return [
        Entry(at, "step", f"Step done: {step}", "", people.get(by, ""), ("opportunity", opp))
        for opp, step, by, at in query.tuples()
    ]


_QUOTE_EVENTS = (
    ("created_at", "Quote {label} drafted", ""),
    ("submitted_at", "Quote {label} submitted for approval", ""),
    ("approved_at", "Quote {label} approved", "{reason}"),
    ("sent_at", "Quote {label} sent", "{total}"),
)


def _documents(kind: str, record_id: int, opportunity_ids: list[int], window: int, people: dict[int, str],
               department: str | None) -> list[Entry]:
    """Quotes (sales), orders (delivery), invoices and payments (billing) of the record's
    opportunities, and an account's own invoices (imported ones have no order)."""
    # Within a document, later steps are appended first, and later departments' documents
    # come first: entries with the same instant (an acceptance that places the order) then
    # still read newest first after the stable sort.
    result: list[Entry] = []
    if opportunity_ids and department in (None, "sales"):
        quotes = (Quote.select(Quote.id, Quote.number, Quote.opportunity, Quote.owner, Quote.decided_by, Quote.status,
                               Quote.total, Quote.currency, Quote.decision_reason, Quote.created_at,
                               Quote.submitted_at, Quote.approved_at, Quote.sent_at, Quote.closed_at, Quote.updated_at)
                  .where(Quote.opportunity.in_(opportunity_ids)).order_by(Quote.id.desc()).limit(window))
        for quote in quotes:
            label = f"Q-{quote.number:05d}"
            total = f"{quote.total:,.2f} {quote.currency}"
            link = ("opportunity", quote.opportunity_id)
            if quote.closed_at is not None:
                result.append(Entry(quote.closed_at, "document", f"Quote {label} {quote.status} by the customer",
                                    total, people.get(quote.owner_id, ""), link))
            if quote.status == "rejected":
                result.append(Entry(quote.updated_at, "document", f"Quote {label} rejected", quote.decision_reason,
                                    people.get(quote.decided_by_id, ""), link))
            for stamp, title, detail in reversed(_QUOTE_EVENTS):
                at = getattr(quote, stamp)
                if at is None or (stamp == "submitted_at" and quote.approved_at == at):
                    continue
                who = people.get(quote.decided_by_id if stamp == "approved_at" and quote.decided_by_id
                                 else quote.owner_id, "")
                result.append(Entry(at, "document", title.format(label=label),
                                    detail.format(total=total, reason=quote.decision_reason), who, link))
    quote_entries, result = result, []
    if opportunity_ids and department in (None, "delivery"):
        orders = (SalesOrder.select(SalesOrder, Quote.opportunity).join(Quote, on=(SalesOrder.quote == Quote.id))
                  .where(Quote.opportunity.in_(opportunity_ids)).order_by(SalesOrder.id.desc()).limit(window))
        for order in orders:
            label = f"O-{order.number:05d}"
            link = ("opportunity", order.quote.opportunity_id)
            promised = f"promised for {order.promised_on:%a %d %b %Y}" if order.promised_on else ""
            if order.delivered_at is not None:
                result.append(Entry(order.delivered_at, "document", f"Order {label} delivered", "", "", link,
                                    department="delivery"))
            elif order.status in ("in delivery", "cancelled"):
                result.append(Entry(order.updated_at, "document", f"Order {label} {order.status}", "", "", link,
                                    department="delivery"))
            result.append(Entry(order.created_at, "document", f"Order {label} placed",
                                f"{order.total:,.2f} {order.currency}, {promised}".rstrip(", "),
                                people.get(order.owner_id, ""), link, department="delivery"))
    billing = _billing(kind, record_id, opportunity_ids, window, people) if department in (None, "billing") else []
    return billing + result + quote_entries  # later departments first, for the same reason


def _billing(kind: str, record_id: int, opportunity_ids: list[int], window: int,
             people: dict[int, str]) -> list[Entry]:
    where = None
    if kind == "account":
        where = Invoice.account == record_id
    if opportunity_ids:
        on_orders = Invoice.order.in_(
            SalesOrder.select(SalesOrder.id).join(Quote, on=(SalesOrder.quote == Quote.id))
            .where(Quote.opportunity.in_(opportunity_ids)))
        where = on_orders if where is None else (where | on_orders)
    if where is None:
        return []
    invoices = list(Invoice.select().where(where).order_by(Invoice.id.desc()).limit(window))
    link = (kind, record_id)
    result = []
    for invoice in invoices:
        result.append(Entry(dt.datetime.combine(invoice.issued_on, dt.time()), "document",
                            f"Invoice {invoice.number} issued",
                            f"{invoice.total:,.2f} {invoice.currency}, due {invoice.due_on:%a %d %b %Y}",
                            people.get(invoice.owner_id, ""), link, dated=True, department="billing"))
    if invoices:
        numbers = {invoice.id: invoice for invoice in invoices}
        payments = (Payment.select().where(Payment.invoice.in_(list(numbers)))
                    .order_by(Payment.id.desc()).limit(window))
        for payment in payments:
            invoice = numbers[payment.invoice_id]
            result.append(Entry(payment.created_at, "document", f"Payment on {invoice.number}",
                                f"{payment.amount:,.2f} {invoice.currency}"
                                + (f" ({payment.reference})" if payment.reference else ""),
                                people.get(payment.recorded_by_id, ""), link, department="billing"))
    return result


def related(kind: str, record_id: int) -> list[tuple[str, int, str, str]]:
    """Records linked to this one, for the detail view: (kind, id, name, what it is to this one)."""
    rows: list[tuple[str, int, str, str]] = []
    record = records.get(kind, record_id)
    if kind == "account":
        for cid, first, last, title in Contact.select(Contact.id, Contact.first_name, Contact.last_name, Contact.title).where(Contact.account == record_id).order_by(Contact.last_name).limit(200).tuples():
            rows.append(("contact", cid, f"{first} {last}".strip(), title or "contact"))
        for oid, name, state, step in Opportunity.select(Opportunity.id, Opportunity.name, Opportunity.state, Opportunity.step).where(Opportunity.account == record_id).order_by(Opportunity.id.desc()).limit(200).tuples():
            rows.append(("opportunity", oid, name, f"opportunity · {state}{' · ' + step if step else ''}"))
        for cid, subject, status in Case.select(Case.id, Case.subject, Case.status).where(Case.account == record_id).order_by(Case.id.desc()).limit(200).tuples():
            rows.append(("case", cid, subject, f"case · {status}"))
        return rows
    links: list[tuple[str, int | None, str]] = []
    if kind in ("contact", "opportunity", "case"):
        links.append(("account", getattr(record, "account_id", None), "account"))
    if kind in ("opportunity", "case"):
        links.append(("contact", getattr(record, "contact_id", None), "contact"))
    if kind == "opportunity":
        links.append(("lead", record.lead_id, "came from lead"))
    if kind == "lead":
        for (oid,) in Opportunity.select(Opportunity.id).where(Opportunity.lead == record_id).tuples():
            links.append(("opportunity", oid, "converted to"))
    if kind == "contact":
        for (oid,) in Opportunity.select(Opportunity.id).where(Opportunity.contact == record_id).limit(200).tuples():
            links.append(("opportunity", oid, "opportunity"))
        for (cid,) in Case.select(Case.id).where(Case.contact == record_id).limit(200).tuples():
            links.append(("case", cid, "case"))
    present = [(k, i, what) for k, i, what in links if i]
    names = records.names((k, i) for k, i, _ in present)
    return [(k, i, names.get((k, i), f"#{i}"), what) for k, i, what in present if (k, i) in names]

