"""Fast loading of many generated rows: the demo builder's (and later an
importer's) write path.

Peewee writes each table's INSERT statement once; rows then go to the DB-API
`cursor.executemany` in batches, inside the caller's one transaction. That is
about ten times faster than `insert_many` with model conversion (PERF.md).
Rows are tuples in the order of the fields named to `BulkWriter.table`;
columns left out get their model default, computed once per table.
Nothing here is audited: bulk rows are not user actions.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator, Sequence

import peewee as pw

from crm_tui import db


class BulkWriter:
    """Buffers rows per table and writes them, parents first, with executemany."""

    def __init__(self, batch_size: int = 20000) -> None:
        self.batch_size = batch_size
        self._order: list[type[pw.Model]] = []
        self._sql: dict[type[pw.Model], str] = {}
        self._tail: dict[type[pw.Model], tuple[Any, ...]] = {}
        self._rows: dict[type[pw.Model], list[tuple[Any, ...]]] = {}
        self.counts: dict[str, int] = {}

    def table(self, model: type[pw.Model], fields: Sequence[str]) -> None:
        """Declare a table and the field order of its rows. Declare parents first:
        a flush writes tables in declaration order, so foreign keys hold."""
        chosen = [model._meta.fields[name] for name in fields]
        query = model.insert_many([tuple(None for _ in chosen)], fields=chosen).returning()
        sql, params = query.sql()
        if sql.count("?") + sql.count("%s") != len(params):  # pragma: no cover - a Peewee change
            raise RuntimeError(f"unexpected INSERT for {model.__name__}: {sql}")
        self._order.append(model)
        self._sql[model] = sql
        self._tail[model] = tuple(params[len(chosen):])  # defaults of the fields left out
        self._rows[model] = []
        self.counts[model._meta.table_name] = 0

    def add(self, model: type[pw.Model], row: tuple[Any, ...]) -> None:
        self._rows[model].append(row)

    def rows(self, model: type[pw.Model]) -> list[tuple[Any, ...]]:
        """The buffer itself, for hot loops that append rows directly."""
        return self._rows[model]

    def checkpoint(self) -> None:
        """Flush when enough rows wait. Call it where every parent row buffered
        so far is complete (between records), never in the middle of one."""
        if sum(len(rows) for rows in self._rows.values()) >= self.batch_size:
            self.flush()

    def flush(self) -> None:
        cursor = db.database.obj.cursor()
        for model in self._order:
            rows = self._rows[model]
            if not rows:
                continue
            tail = self._tail[model]
            cursor.executemany(self._sql[model], [row + tail for row in rows] if tail else rows)
            self.counts[model._meta.table_name] += len(rows)
            rows.clear()


@contextmanager
def indexes_deferred(models: Sequence[type[pw.Model]]) -> Iterator[None]:
    """Drop the non-unique indexes of these tables, and create them again after
    the load: building an index once over all rows is far cheaper than keeping
    it sorted row by row. Unique indexes stay, so the load is still checked."""
    database = db.database.obj
    saved = []
    for model in models:
        for index in database.get_indexes(model._meta.table_name):
            if not index.unique and index.sql:
                saved.append(index)
                database.execute_sql(f'DROP INDEX "{index.name}"')
    try:
        yield
    finally:
        for index in saved:
            database.execute_sql(index.sql)


def reset_sequences(models: Sequence[type[pw.Model]]) -> None:
    """After rows with explicit ids, PostgreSQL's id sequences must start past them."""
    if db.is_sqlite():
        return
    database = db.database.obj
    for model in models:
        pk = model._meta.primary_key
        if not isinstance(pk, pw.AutoField):
            continue
        table = model._meta.table_name
        database.execute_sql(
            f"SELECT setval(pg_get_serial_sequence('\"{table}\"', '{pk.column_name}'), "
            f"COALESCE((SELECT MAX(\"{pk.column_name}\") FROM \"{table}\"), 0) + 1, false)"
        )
