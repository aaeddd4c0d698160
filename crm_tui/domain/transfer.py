"""Copy a SQLite crm database into an empty PostgreSQL database.

Used by `crm migrate-db --to postgresql://...` when a team outgrows one
SQLite file. The schema is created on the target by `schema.ensure_schema`,
rows are copied table by table in foreign-key order, in batches, keeping
their ids (so audit events, undo and links keep pointing at the same rows),
then PostgreSQL's id sequences are moved past the copied ids and the row
counts of both sides are compared.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import peewee as pw

from crm_tui import db, schema
from crm_tui.domain.errors import DomainError
from crm_tui.models import ALL_MODELS, Meta

BATCH = 1000


@dataclass(frozen=True)
class TableCount:
    table: str
    source: int
    target: int

    @property
    def ok(self) -> bool:
        return self.source == self.target


def _models_in_order() -> list[type[pw.Model]]:
    """Parents before children, so every foreign key finds its row."""
    return pw.sort_models(list(ALL_MODELS))


def _refuse_unless_empty(target: pw.Database) -> None:
    try:
        version = schema.current_version()
    except schema.SchemaError as exc:
        raise DomainError(f"the target is not empty: {exc}") from None
    if version is None:
        return
    for model in ALL_MODELS:
        if model is Meta or not target.table_exists(model._meta.table_name):
            continue
        if model.select().limit(1).count():
            raise DomainError(
                f"the target already holds data (table {model._meta.table_name}); "
                "migrate-db only copies into an empty database"
            )


def copy_sqlite_to_postgresql(
    source_path: str | Path,
    url: str,
    *,
    batch: int = BATCH,
    progress: Callable[[str, int], None] | None = None,
) -> list[TableCount]:
    """Copy every row of the SQLite file at `source_path` into the PostgreSQL at `url`.

    The source must already be at the current schema version (open it with
    ensure_schema first). Leaves the PostgreSQL database open as the current one.
    Returns the per-table counts; the caller reports any mismatch.
    """
    source = sqlite3.connect(f"file:{Path(source_path).absolute()}?mode=ro", uri=True)
    try:
        target = db.open_database(url)
        if db.is_sqlite():
            raise DomainError("--to must be a postgresql:// URL")
        _refuse_unless_empty(target)
        schema.ensure_schema()
        models = _models_in_order()
        try:
            with target.atomic():  # all or nothing: a failed copy leaves the target empty
                Meta.delete().execute()  # the source's meta rows replace the fresh ones
                for model in models:
                    copied = _copy_table(source, target, model, batch)
                    if progress is not None:
                        progress(model._meta.table_name, copied)
                _reset_sequences(target, models)
        except pw.DatabaseError as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise DomainError(f"the copy failed and nothing was kept on the target: {first}") from None
        return [
            TableCount(
                model._meta.table_name,
                source.execute(f'SELECT count(*) FROM "{model._meta.table_name}"').fetchone()[0],
                model.select().count(),
            )
            for model in models
        ]
    finally:
        source.close()


def _copy_table(source: sqlite3.Connection, target: pw.Database, model: type[pw.Model], batch: int) -> int:
    fields = list(model._meta.sorted_fields)
    # A link to a row of the same table may point forward: insert it empty, fill it in after.
    self_links = [f for f in fields if isinstance(f, pw.ForeignKeyField) and f.rel_model is model]
    table = model._meta.table_name
    columns = ", ".join(f'"{f.column_name}"' for f in fields)
    pk = model._meta.primary_key
    order = f' ORDER BY "{pk.column_name}"' if pk is not None and not isinstance(pk, pw.CompositeKey) else ""
    insert = f'INSERT INTO "{table}" ({columns}) VALUES ({", ".join(["%s"] * len(fields))})'
    link_updates: dict[str, list[tuple[object, object]]] = {link.name: [] for link in self_links}
    # Positions by name: Field.__eq__ builds an SQL expression, so list.index() cannot be used.
    names = [f.name for f in fields]
    pk_at = names.index(pk.name)
    link_at = {link.name: names.index(link.name) for link in self_links}
    rows = source.execute(f'SELECT {columns} FROM "{table}"{order}')
    copied = 0
    cursor = target.cursor()
    while True:
        chunk = rows.fetchmany(batch)
        if not chunk:
            break
        values = []
        for raw in chunk:
            row = [f.db_value(f.python_value(value)) for f, value in zip(fields, raw)]
            for link in self_links:
                index = link_at[link.name]
                if row[index] is not None:
                    link_updates[link.name].append((row[index], row[pk_at]))
                    row[index] = None
            values.append(row)
        cursor.executemany(insert, values)
        copied += len(values)
    for link in self_links:
        if link_updates[link.name]:
            cursor.executemany(
                f'UPDATE "{table}" SET "{link.column_name}" = %s WHERE "{pk.column_name}" = %s',
                link_updates[link.name],
            )
    return copied


def _reset_sequences(target: pw.Database, models: list[type[pw.Model]]) -> None:
    """Move each id sequence past the copied ids, so the next insert gets a new one."""
    for model in models:
        pk = model._meta.primary_key
        if not isinstance(pk, pw.AutoField):
            continue
        table = model._meta.table_name
        target.execute_sql(
            f"SELECT setval(pg_get_serial_sequence('\"{table}\"', '{pk.column_name}'), "
            f'COALESCE(MAX("{pk.column_name}"), 1), MAX("{pk.column_name}") IS NOT NULL) FROM "{table}"'
        )
