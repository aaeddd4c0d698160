"""Fast bulk writes: one INSERT statement fed to the driver's executemany.

Peewee's `insert_many` builds a statement per chunk and is ~10x slower than
handing one parameterised INSERT to `executemany` (PERF.md). Two users:
imports (`insert_rows`, `allocate_ids`, `audit_creates`: audited, ids known
up front so each row's audit event names it) and the demo builder
(`BulkWriter` and `indexes_deferred`: not audited, since generated rows are
not user actions). Callers own the transaction.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
from decimal import Decimal
from contextlib import contextmanager
from typing import Any, Iterable, Iterator, Sequence

import peewee as pw

from crm_tui import db, schema
from crm_tui.clock import utcnow_naive
from crm_tui.models import AuditEvent


_PLAIN_FIELDS = (pw.CharField, pw.TextField, pw.IntegerField, pw.AutoField, pw.BigIntegerField)


SEARCH_IN_ONE_PASS_FROM = 100
"""From this many rows on, insert_rows indexes a searched table's rows for
search in one statement after the insert instead of a trigger per row."""


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def allocate_ids(model: type[pw.Model], count: int) -> list[int]:
    """`count` fresh primary keys for `model`; call inside the write transaction."""
    if count <= 0:
        return []
    table = _quote(model._meta.table_name)
    database = db.database.obj
    if db.is_sqlite():
        start = database.execute_sql(f"SELECT COALESCE(MAX(id), 0) FROM {table}").fetchone()[0]
        return list(range(start + 1, start + count + 1))
    cursor = database.execute_sql(
        "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
        (table, count),
    )
    return [row[0] for row in cursor.fetchall()]


def default_value(field: pw.Field) -> Any:
    default = field.default
    return default() if callable(default) else default


def insert_rows(model: type[pw.Model], rows: Sequence[dict[str, Any]], *, with_ids: bool = True) -> None:
    """Insert many rows of python values (field names as keys) in one executemany.

    Fields a row leaves out take the model's default; `with_ids=False` lets
    the database number them.
    """
    if not rows:
        return
    fields = [f for f in model._meta.sorted_fields if with_ids or not isinstance(f, pw.AutoField)]
    columns = ", ".join(_quote(f.column_name) for f in fields)
    param = db.database.obj.param
    sql = f"INSERT INTO {_quote(model._meta.table_name)} ({columns}) VALUES ({', '.join([param] * len(fields))})"
    defaults = [(f.name, default_value(f)) for f in fields]
    # Text and whole numbers go to the driver as they are; other types through the field.
    converters = [None if type(f) in _PLAIN_FIELDS else f.db_value for f in fields]
    params = []
    for row in rows:
        values = []
        for (name, default), convert in zip(defaults, converters):
            value = row.get(name, default)
            if value is not None and convert is not None:
                if isinstance(value, pw.Model):
                    value = value.get_id()
                value = convert(value)
            values.append(value)
        params.append(tuple(values))
    cursor = db.database.obj.cursor()
    if db.is_sqlite():
        database = db.database.obj
        table = model._meta.table_name
        ids = [row["id"] for row in rows] if with_ids and all("id" in row for row in rows) else []
        # A searched table's rows with consecutive ids (an import batch) are
        # indexed in one pass after the insert, not by a trigger per row.
        deferred = None
        if len(ids) >= SEARCH_IN_ONE_PASS_FROM and ids[-1] - ids[0] + 1 == len(ids) and ids == sorted(ids):
            deferred = schema.defer_search_index(database, table, ids[0], ids[-1])
        cursor.executemany(sql, params)  # in-process: no round trips to save
        if deferred is not None:
            schema.finish_search_index(database, deferred)
        return
    # PostgreSQL: COPY streams the rows in one go (psycopg 3), far cheaper than row-by-row INSERTs.
    table = _quote(model._meta.table_name)
    with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in params:
            copy.write_row(row)


def _literal(value: int | str) -> str:
    """A constant as SQL text (ints and strings only: what `BulkWriter.table` takes)."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise TypeError(f"a bulk constant must be an int or a str, not {type(value).__name__}")
    return str(value) if isinstance(value, int) else "'" + value.replace("'", "''") + "'"


def reset_sequence(model: type[pw.Model]) -> None:
    """After rows were inserted with explicit ids, make PostgreSQL's next id follow them."""
    if db.is_sqlite() or not isinstance(model._meta.primary_key, pw.AutoField):
        return
    table = _quote(model._meta.table_name)
    db.database.obj.execute_sql(
        f"SELECT setval(pg_get_serial_sequence(%s, 'id'), COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)",
        (table,),
    )


def _plain(value: Any) -> Any:
    """json.dumps fallback: stamps and amounts as text, as changes.create records them."""
    if isinstance(value, (dt.datetime, dt.date, Decimal)):
        return str(value)
    if isinstance(value, pw.Model):
        return value.get_id()
    raise TypeError(f"cannot audit a {type(value).__name__}")


def audit_creates(model: type[pw.Model], rows: Iterable[dict[str, Any]], *, change: str, user_id: int | None) -> None:
    """One "create" audit event per inserted row, in the shape changes.create writes."""
    at = utcnow_naive()
    table = model._meta.table_name
    events = [
        {
            "at": at, "user": user_id, "change": change, "table": table, "row_id": row["id"],
            "action": "create", "undone": False,
            "changes": json.dumps({k: v for k, v in row.items() if k != "updated_at"}, sort_keys=True, default=_plain),
        }
        for row in rows
    ]
    insert_rows(AuditEvent, events, with_ids=False)


class BulkWriter:
    """Buffers rows per table and writes them, parents first, with executemany.

    The sqlite3 module binds each value of each row, and what it binds costs
    (measured per value, a 1M-row table pays it a million times): an int
    ~0.1 us, a text ~0.2 us, and a None, bool, date or datetime ~0.3-0.4 us,
    since those first go through the adapter lookup. So on SQLite rows carry
    ints for booleans (`yes`, `no`), text for dates and times, and `null`
    (the int 0, written as `nullif(?, 0)`) where a column declared `nullable`
    is empty; columns that hold one value in every row are `constants`,
    written into the statement, not bound at all. On PostgreSQL `null`,
    `yes` and `no` are None, True and False, and placeholders are plain.
    """

    def __init__(self, batch_size: int = 20000) -> None:
        self.batch_size = batch_size
        self._order: list[type[pw.Model]] = []
        self._sql: dict[type[pw.Model], str] = {}
        self._tail: dict[type[pw.Model], tuple[Any, ...]] = {}
        self._rows: dict[type[pw.Model], list[tuple[Any, ...]]] = {}
        self.counts: dict[str, int] = {}
        self._sqlite = db.is_sqlite()
        self.null: Any = 0 if self._sqlite else None
        """What a row holds for "no value" in a `nullable` column."""
        self.no: Any = 0 if self._sqlite else False
        self.yes: Any = 1 if self._sqlite else True

    def table(self, model: type[pw.Model], fields: Sequence[str], *,
              constants: dict[str, int | str] | None = None, nullable: Iterable[str] = ()) -> None:
        """Declare a table and the field order of its rows. Declare parents first:
        a flush writes tables in declaration order, so foreign keys hold.

        `constants`: fields with the same value in every row, left out of the
        rows. `nullable`: fields whose rows hold `null` for no value (on SQLite
        0 must never be a real value of such a field: ids start at 1, and
        durations and stamps are never 0)."""
        constants = constants or {}
        empty = set(nullable)
        if not empty <= set(fields) or set(constants) & set(fields):  # pragma: no cover - a caller's mistake
            raise ValueError(f"{model.__name__}: nullable fields must be row fields, constants must not be")
        chosen = [model._meta.fields[name] for name in fields]
        # Fields left out that have a default take it (computed once, as Peewee's insert_many would).
        left_out = [field for field in model._meta.sorted_fields
                    if field.name not in fields and field.name not in constants and field.default is not None]
        param = db.database.obj.param
        wrap = "nullif(" + param + ", 0)" if self._sqlite else param
        columns = [*chosen, *left_out, *(model._meta.fields[name] for name in constants)]
        values = [wrap if field.name in empty else param for field in chosen] + [param] * len(left_out)
        values += [_literal(value) for value in constants.values()]
        self._order.append(model)
        self._sql[model] = (f"INSERT INTO {_quote(model._meta.table_name)} "
                            f"({', '.join(_quote(field.column_name) for field in columns)}) "
                            f"VALUES ({', '.join(values)})")
        self._tail[model] = tuple(field.db_value(default_value(field)) for field in left_out)
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
        if sum(map(len, self._rows.values())) >= self.batch_size:
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


@contextmanager
def collection_paused() -> Iterator[None]:
    """No cyclic garbage collection during a load. Every few hundred new
    tuples start a collection, and the older generations' ones walk every
    object alive (a large demo build's rows and caches): ~2 s of a large
    build, for rows that hold no cycles to collect."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def reset_sequences(models: Sequence[type[pw.Model]]) -> None:
    """`reset_sequence` for each table of a load."""
    for model in models:
        reset_sequence(model)
