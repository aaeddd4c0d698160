"""`crm demo`: fill a database with demo data; and `build_demo`, which
`crm --demo` uses to make its own throw-away demo file."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import TYPE_CHECKING

from crm_tui import db, schema
from crm_tui.cli import CommandError, Context

if TYPE_CHECKING:
    from crm_tui.domain import demo

DEMO_LOGIN = "alex"
"""The demo rep's login (crm_tui.domain.demo.DEMO_LOGIN, checked by a test); the
generator itself is imported only when used, to keep it off the app's start path."""


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "demo", parents=[common], help="fill a database with realistic demo data",
        description="Build a deterministic demo data set (reps, accounts, contacts, leads, opportunities, "
                    "cases, notes and activities around today) into an empty database.",
    )
    parser.add_argument("--seed", type=_count, default=1, help="random seed: the same seed gives the same data")
    parser.add_argument("--leads", type=_count, default=300, help="number of leads (default 300)")
    parser.add_argument("--accounts", type=_count, help="number of accounts (default: leads / 3)")
    parser.add_argument("--contacts", type=_count, help="number of contacts (default: 2.5 per account)")
    parser.add_argument("--activities", type=_count, help="number of activities (default: 10 per lead)")
    parser.add_argument("--reps", type=_positive, help="number of sales reps (default: one per 60 leads, 4 to 20)")
    parser.add_argument("--force", action="store_true",
                        help="replace whatever the database holds (everything in it is lost)")
    parser.set_defaults(func=_run)


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must not be negative, got {value}")
    return value


def _positive(text: str) -> int:
    value = _count(text)
    if value == 0:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _run(ctx: Context) -> int:
    from crm_tui.domain import demo

    a = ctx.args
    target = db.parse_target(ctx.database)
    db.open_database(target)
    if demo.has_data():
        if not a.force:
            raise CommandError(
                f"{target.label} already holds data; a demo needs an empty database. "
                "Use --force to replace everything in it, or --db to name another one"
            )
        demo.clear()
    schema.ensure_schema()
    stats = demo.build(seed=a.seed, leads=a.leads, accounts=a.accounts, contacts=a.contacts,
                       activities=a.activities, reps=a.reps, config=ctx.config)
    summary = ", ".join(f"{count:,} {table.replace('_', ' ')}" for table, count in stats.counts.items() if count)
    print(f"demo data in {target.label} ({stats.seconds:.1f} s): {summary}")
    print(f"open it with: crm --db {ctx.database} --user {stats.demo_login}")
    return 0


def remove_database_files(path: Path) -> None:
    """Remove a SQLite file with its -wal and -shm companions, so no stale
    journal is ever applied to a new file of the same name, and its -writer
    lock file (db.py), so none is left behind."""
    for suffix in ("", "-wal", "-shm", "-journal", "-writer"):
        try:
            os.remove(f"{path}{suffix}")
        except FileNotFoundError:
            pass


def build_demo(path: str, *, seed: int = 1, leads: int = 300, activities: int | None = None,
               config=None) -> demo.DemoStats:  # type: ignore[no-untyped-def]
    """Make a fresh demo database file at `path` (for `crm --demo`), replacing
    the previous demo file. The caller opens it afterwards."""
    from crm_tui.domain import demo

    file = Path(path)
    db.close()
    remove_database_files(file)
    db.open_database(str(file))
    try:
        schema.ensure_schema()
        return demo.build(seed=seed, leads=leads, activities=activities, config=config)
    finally:
        db.close()
