"""`crm migrate-db --to postgresql://...`: move a SQLite database to PostgreSQL.

Copies every row (keeping ids) into an empty PostgreSQL database and prints
the row counts of both sides; exit 1 when any table differs.
"""

from __future__ import annotations

import argparse

from crm_tui import db
from crm_tui.cli import CommandError, Context, UsageError
from crm_tui.cli.backup_cmd import open_existing
from crm_tui.domain import transfer


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "migrate-db", parents=[common], help="copy this SQLite database into an empty PostgreSQL one",
        description="Copy the current SQLite database (--db) into an empty PostgreSQL database, "
        "keeping ids, then compare the row counts of every table.",
    )
    parser.add_argument("--to", required=True, metavar="URL", help="postgresql://user@host/db (must be empty)")
    parser.add_argument("--batch", type=int, default=transfer.BATCH, help="rows per insert batch")
    parser.set_defaults(func=_migrate)


def _migrate(ctx: Context) -> int:
    if db.parse_target(ctx.args.to).kind != "postgresql":
        raise UsageError("migrate-db: --to must be a postgresql:// URL")
    if ctx.args.batch < 1:
        raise UsageError("migrate-db: --batch must be at least 1")
    open_existing(ctx)  # and brings the source to the current schema first
    if not db.is_sqlite():
        raise CommandError("migrate-db copies from a SQLite database; --db is not one")
    source = db.database.obj.crm_target.location
    db.close()
    counts = transfer.copy_sqlite_to_postgresql(source, ctx.args.to, batch=ctx.args.batch)
    width = max(len(row.table) for row in counts)
    print(f"{'TABLE'.ljust(width)}  {'SQLITE':>9}  {'POSTGRESQL':>10}")
    for row in counts:
        mark = "" if row.ok else "  MISMATCH"
        print(f"{row.table.ljust(width)}  {row.source:>9}  {row.target:>10}{mark}")
    if not all(row.ok for row in counts):
        raise CommandError("row counts differ: the copy is incomplete; do not switch to it")
    print(f"copied {sum(row.source for row in counts)} rows to {db.Target('postgresql', ctx.args.to).label}")
    print("point crm at it with CRM_DATABASE or database = \"postgresql://...\" in the config")
    return 0
