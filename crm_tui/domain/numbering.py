"""Gapless document numbers (quotes, orders, invoices) that never repeat or skip.

A PostgreSQL SEQUENCE is not enough: a rolled-back transaction burns its
number, leaving a gap an auditor asks about. Instead each sequence is a row
of `crm_counter`, incremented with `UPDATE ... RETURNING` inside the same
transaction that stores the document: the row lock makes concurrent writers
wait in turn on PostgreSQL, and on SQLite writers are serialized already
(BEGIN IMMEDIATE behind the writer flock, see crm_tui.db). A rollback undoes
the increment together with the document, so numbers stay 1, 2, 3, ...
"""

from __future__ import annotations

from crm_tui.models import Counter


def next_number(name: str) -> int:
    """The next number of sequence `name`; call inside the transaction that uses it."""
    database = Counter._meta.database
    if not database.in_transaction():
        raise RuntimeError("next_number outside a transaction would burn numbers")  # a programming error
    Counter.insert(name=name, value=0).on_conflict_ignore().execute()
    cursor = database.execute_sql(
        f"UPDATE {Counter._meta.table_name} SET value = value + 1 WHERE name = {database.param} RETURNING value",
        (name,),
    )
    return int(cursor.fetchone()[0])


def peek(name: str) -> int:
    """The last number handed out (0 when none)."""
    return Counter.select(Counter.value).where(Counter.name == name).scalar() or 0
