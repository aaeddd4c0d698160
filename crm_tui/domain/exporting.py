"""Read-only queries the exporters need: rows per kind, a user's calendar, contacts.

Everything is read as tuples (no model instances) so exporting 100k rows
stays cheap; the interop layer turns the rows into CSV, iCalendar or vCard.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any, Iterator

import peewee as pw

from crm_tui import db
from crm_tui.domain.errors import DomainError
from crm_tui.models import RECORD_MODELS, Account, Activity, Contact, Meta, User

CSV_KINDS = ("lead", "contact", "account", "opportunity", "case", "activity")


def _model(kind: str) -> type[pw.Model]:
    if kind == "activity":
        return Activity
    if kind not in RECORD_MODELS:
        raise DomainError(f"cannot export {kind!r}; use one of: {', '.join(CSV_KINDS)}")
    return RECORD_MODELS[kind]


def table_for_csv(kind: str) -> tuple[list[str], Iterator[tuple[Any, ...]]]:
    """Column names and rows of one kind; users appear as logins, accounts also by name."""
    model = _model(kind)
    fields = list(model._meta.sorted_fields)
    logins = dict(User.select(User.id, User.login).tuples())
    accounts = dict(Account.select(Account.id, Account.name).tuples()) if "account" in model._meta.fields else {}
    columns = []
    for f in fields:
        if isinstance(f, pw.ForeignKeyField) and f.rel_model is User:
            columns.append(f.name)
        elif isinstance(f, pw.ForeignKeyField):
            columns.append(f"{f.name}_id")
        else:
            columns.append(f.name)
    if "account" in model._meta.fields:
        columns.append("account_name")

    def rows() -> Iterator[tuple[Any, ...]]:
        for values in model.select(*fields).order_by(model.id).tuples().iterator():
            out = []
            for f, value in zip(fields, values):
                if isinstance(f, pw.ForeignKeyField) and f.rel_model is User:
                    value = logins.get(value, "")
                elif isinstance(value, bool):
                    value = "yes" if value else "no"
                out.append(value)
            if "account" in model._meta.fields:
                index = [f.name for f in fields].index("account")
                out.append(accounts.get(values[index], ""))
            yield tuple(out)

    return columns, rows()


@dataclass(frozen=True)
class CalendarItem:
    """One activity as a calendar needs it."""

    id: int
    type: str
    subject: str
    status: str
    planned_date: dt.date
    start_at: dt.datetime | None  # naive UTC
    duration_min: int | None
    notes: str
    record: str
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int


def calendar_items(user: User) -> list[CalendarItem]:
    """A user's activities, oldest day first, with the name of the record each is about."""
    from crm_tui.domain import records

    rows = list(
        Activity.select(Activity.id, Activity.type, Activity.subject, Activity.status, Activity.planned_date,
                        Activity.start_at, Activity.duration_min, Activity.notes, Activity.record_kind,
                        Activity.record_id, Activity.created_at, Activity.updated_at, Activity.version)
        .where(Activity.owner == user.id)
        .order_by(Activity.planned_date, Activity.id)
        .tuples()
    )
    names = records.names((row[8], row[9]) for row in rows)
    return [
        CalendarItem(row[0], row[1], row[2], row[3], _date(row[4]), row[5], row[6], row[7],
                     names.get((row[8], row[9]), f"{row[8]} {row[9]}"), row[10], row[11], row[12])
        for row in rows
    ]


def _date(value: Any) -> dt.date:
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


@db.atomic
def database_id() -> str:
    """A random id made once per database: the stable host part of calendar UIDs."""
    row = Meta.get_or_none(Meta.key == "database_id")
    if row is None:
        value = uuid.uuid4().hex[:12]
        Meta.insert(key="database_id", value=value).execute()
        return value
    return row.value


@dataclass(frozen=True)
class ContactCard:
    id: int
    first_name: str
    last_name: str
    title: str
    email: str
    phone: str
    account: str
    updated_at: dt.datetime


def contact_cards() -> list[ContactCard]:
    """Every contact with its account's name, for a vCard export."""
    query = (
        Contact.select(Contact.id, Contact.first_name, Contact.last_name, Contact.title, Contact.email,
                       Contact.phone, Account.name, Contact.updated_at)
        .join(Account, pw.JOIN.LEFT_OUTER, on=(Contact.account == Account.id))
        .order_by(Contact.id)
        .tuples()
    )
    return [ContactCard(row[0], row[1], row[2], row[3], row[4], row[5], row[6] or "", row[7]) for row in query]
