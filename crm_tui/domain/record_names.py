"""What records are called: their kinds' labels and their display names.

A module of its own, apart from `records` (listing, validation, create and
update, and the search and validation modules behind them), because the
Today agenda and every list that names records needs only this: Today's
first paint imports it without the rest.
"""

from __future__ import annotations

from collections import defaultdict
from itertools import repeat
from typing import Any, Iterable

import peewee as pw

from crm_tui import db
from crm_tui.domain.errors import DomainError
from crm_tui.models import RECORD_KINDS, RECORD_MODELS, Account, Case, Contact, Lead, Opportunity, Record

KIND_LABELS = {
    "lead": "Lead", "account": "Account", "contact": "Contact", "opportunity": "Opportunity", "case": "Case",
}


def model_for(kind: str) -> type[Record]:
    try:
        return RECORD_MODELS[kind]
    except KeyError:
        raise DomainError(f"unknown record kind {kind!r}; use one of {', '.join(RECORD_KINDS)}") from None


def display_name(record: Record) -> str:
    """How a record is named in lists: a person's name with company, or its title."""
    if isinstance(record, Lead):
        name = f"{record.first_name} {record.last_name}".strip()
        return f"{name} ({record.company})" if record.company else name
    if isinstance(record, Contact):
        return f"{record.first_name} {record.last_name}".strip()
    if isinstance(record, (Account, Opportunity)):
        return record.name
    if isinstance(record, Case):
        return record.subject
    return str(record.id)


_IN_CHUNK = 5000
"""Ids per IN list (SQLite allows 32,766 parameters, PostgreSQL 65,535)."""

_NAME_COLUMNS = {
    "lead": (Lead.first_name, Lead.last_name, Lead.company),
    "account": (Account.name,),
    "contact": (Contact.first_name, Contact.last_name),
    "opportunity": (Opportunity.name,),
    "case": (Case.subject,),
}


def name_parts(kind: pw.Field, record_id: pw.Field) -> list[pw.Node]:
    """The name columns (as `names` reads them) of the record a row's (kind, id)
    columns link to, as three expressions for that row's SELECT: a kind with
    fewer name columns leaves the rest NULL, and a record that is gone leaves
    the first NULL (every kind's first name column is NOT NULL). One index
    probe per row in the query that finds the rows, where `names` would bind
    thousands of ids and fetch every name again (exception rule 7)."""
    parts = []
    for position in range(3):
        whens = [(link_kind, columns[position].model.select(columns[position])
                  .where(columns[position].model.id == record_id))
                 for link_kind, columns in _NAME_COLUMNS.items() if position < len(columns)]
        parts.append(pw.Case(kind, whens))
    return parts


def text(kind: str, first: Any, second: Any = None, third: Any = None) -> str:
    """A record's display name from its name columns, as `names` and
    `name_parts` read them; "" when the record is gone."""
    if first is None:
        return ""
    if kind == "lead":
        person = f"{first} {second}".strip()
        return f"{person} ({third})" if third else person
    if kind == "contact":
        return (f"{first} {second}" if first and second else first or second or "").strip()
    return first.strip() if first else ""


def names(links: Iterable[tuple[str, int]]) -> dict[tuple[str, int], str]:
    """Display names for many (kind, id) links: one query per kind, no instances."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for kind, record_id in links:
        wanted[kind].add(record_id)
    result: dict[tuple[str, int], str] = {}
    param = db.database.obj.param
    for kind, ids in wanted.items():
        model = model_for(kind)
        columns = ", ".join(f'"{field.column_name}"' for field in (model.id, *_NAME_COLUMNS[kind]))
        ordered = sorted(ids)
        # Plain SQL and the driver's rows: for a Today backlog's thousands of ids,
        # Peewee's building of the IN list and its per-row processing cost more
        # than the query itself.
        for start in range(0, len(ordered), _IN_CHUNK):
            chunk = ordered[start:start + _IN_CHUNK]
            sql = (f'SELECT {columns} FROM "{model._meta.table_name}" '
                   f'WHERE "id" IN ({", ".join([param] * len(chunk))})')
            rows = db.database.execute_sql(sql, chunk).fetchall()
            if not rows:
                continue
            found, *parts = zip(*rows)
            texts = map(text, repeat(kind), *parts)
            result.update(zip(zip(repeat(kind), found), texts))
    return result
