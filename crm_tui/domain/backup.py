"""The whole database as plain values, and back: what `crm export json` writes.

`snapshot` reads every table in id order as JSON-ready values (Decimals as
strings, dates and times ISO, foreign keys as ids); `restore` writes such a
snapshot into an empty database with the same ids, versions and stamps, so
export -> restore -> export gives the same document. The audit trail comes
along, so undo and "who changed this" keep working after a move.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import peewee as pw

from crm_tui import clock, db
from crm_tui.domain import bulk
from crm_tui.domain.errors import DomainError
from crm_tui.models import ALL_MODELS, MoneyField
from crm_tui.models import Meta as MetaRow
from crm_tui.schema import SCHEMA_VERSION

FORMAT = "crm_tui"
_TABLES = {model._meta.table_name: model for model in ALL_MODELS}


def _plain(field: pw.Field, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _python(field: pw.Field, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(field, pw.DateTimeField):
        return dt.datetime.fromisoformat(value)
    if isinstance(field, pw.DateField):
        return dt.date.fromisoformat(value)
    if isinstance(field, MoneyField):
        return Decimal(value)
    if isinstance(field, pw.BooleanField):
        return bool(value)
    return value


def snapshot() -> dict[str, Any]:
    """Every table's rows, in id order, as JSON-ready values."""
    tables: dict[str, list[dict[str, Any]]] = {}
    for model in ALL_MODELS:
        fields = model._meta.sorted_fields
        order = model._meta.primary_key
        rows = []
        for values in model.select(*fields).order_by(order).tuples().iterator():
            rows.append({f.name: _plain(f, v) for f, v in zip(fields, values)})
        if model is MetaRow:
            rows = [row for row in rows if row["key"] != "schema_version"]
        tables[model._meta.table_name] = rows
    return {
        "format": FORMAT, "schema_version": SCHEMA_VERSION,
        "exported_at": clock.utcnow_naive().isoformat(), "tables": tables,
    }


def is_empty() -> bool:
    """No rows anywhere but the schema version: safe to restore into."""
    for model in ALL_MODELS:
        query = model.select()
        if model is MetaRow:
            query = query.where(MetaRow.key != "schema_version")
        if query.exists():
            return False
    return True


def _check(document: Any) -> dict[str, list[dict[str, Any]]]:
    if not isinstance(document, dict) or document.get("format") != FORMAT or not isinstance(document.get("tables"), dict):
        raise DomainError("not a crm_tui JSON export (no \"format\": \"crm_tui\" and \"tables\")")
    version = document.get("schema_version")
    if version != SCHEMA_VERSION:
        raise DomainError(f"the export has schema version {version}; this program reads version {SCHEMA_VERSION}")
    unknown = set(document["tables"]) - set(_TABLES)
    if unknown:
        raise DomainError(f"the export has tables this program does not know: {', '.join(sorted(unknown))}")
    return document["tables"]


@db.atomic
def restore(document: Any) -> dict[str, int]:
    """Write a snapshot into an empty database; returns rows per table. All or nothing."""
    tables = _check(document)
    if not is_empty():
        raise DomainError("the database is not empty: a JSON export is restored into a new, empty database only")
    counts: dict[str, int] = {}
    for model in ALL_MODELS:
        rows = tables.get(model._meta.table_name) or []
        fields = {f.name: f for f in model._meta.sorted_fields}
        self_refs = [f.name for f in fields.values()
                     if isinstance(f, pw.ForeignKeyField) and f.rel_model is model]
        converted = []
        later: list[tuple[Any, dict[str, Any]]] = []
        for number, row in enumerate(rows, 1):
            unknown = set(row) - set(fields)
            if unknown:
                raise DomainError(f"{model._meta.table_name} row {number}: unknown columns {', '.join(sorted(unknown))}")
            try:
                values = {name: _python(fields[name], value) for name, value in row.items()}
            except (TypeError, ValueError) as exc:
                raise DomainError(f"{model._meta.table_name} row {number}: {exc}") from None
            deferred = {name: values.pop(name) for name in self_refs if values.get(name) is not None}
            if deferred:
                later.append((values[model._meta.primary_key.name], deferred))
            converted.append(values)
        for start in range(0, len(converted), 2000):
            bulk.insert_rows(model, converted[start:start + 2000], with_ids=True)
        pk = model._meta.primary_key
        for row_id, deferred in later:
            model.update(**deferred).where(pk == row_id).execute()
        if converted:
            bulk.reset_sequence(model)
        counts[model._meta.table_name] = len(converted)
    return counts
