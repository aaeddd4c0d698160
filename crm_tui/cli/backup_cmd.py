"""`crm backup PATH` and `crm restore PATH`: safe while others keep working.

Both use SQLite's online backup API (see domain.backups). A restore replaces
everyone's data, so it asks the user to type the database's name; scripts
pass --yes. Without a terminal and without --yes it refuses.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from crm_tui import db
from crm_tui.cli import CommandError, Context
from crm_tui.domain import backups


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    backup = subparsers.add_parser(
        "backup", parents=[common], help="copy the database to a file, safely while others write",
        description="Copy the SQLite database to PATH with the online backup API. "
        "For PostgreSQL it explains how to use pg_dump.",
    )
    backup.add_argument("path", metavar="PATH", help="the backup file to write")
    backup.add_argument("--force", action="store_true", help="replace PATH if it exists")
    backup.set_defaults(func=_backup)

    restore = subparsers.add_parser(
        "restore", parents=[common], help="replace the database with a backup file",
        description="Check that PATH is a crm database, ask for confirmation, then write it "
        "into the live database with the online backup API.",
    )
    restore.add_argument("path", metavar="PATH", help="a file written by crm backup")
    restore.add_argument("--yes", action="store_true", help="do not ask (for scripts)")
    restore.set_defaults(func=_restore)


def open_existing(ctx: Context) -> None:
    """Open the database, refusing to create one: a typo must not back up an empty file."""
    target = db.parse_target(ctx.database)
    if target.kind == "sqlite" and not Path(target.location).expanduser().exists():
        raise CommandError(f"database {target.location} does not exist")
    ctx.open()


def print_counts(counts: dict[str, int]) -> None:
    width = max(len(table) for table in counts)
    for table, count in counts.items():
        print(f"  {table.ljust(width)}  {count:>9}")


def _backup(ctx: Context) -> int:
    open_existing(ctx)
    snapshot = backups.backup(ctx.args.path, force=ctx.args.force)
    print(f"backed up {ctx.database} to {snapshot.path} (schema version {snapshot.schema_version})")
    print_counts(snapshot.counts)
    return 0


def _restore(ctx: Context) -> int:
    open_existing(ctx)
    if not db.is_sqlite():
        raise CommandError(backups.PG_DUMP_HELP)
    _require_admin(ctx)
    snapshot = backups.inspect(ctx.args.path)
    name = backups.live_name()
    if not ctx.args.yes:
        _confirm(name, snapshot)
    restored = backups.restore(snapshot.path)
    print(f"restored {restored.path} into {ctx.database}")
    print_counts(restored.counts)
    return 0


def _require_admin(ctx: Context) -> None:
    """A restore replaces everyone's work: only an admin may (or anyone, on a database with no users yet)."""
    from crm_tui.domain import users

    if not users.list_users():
        return
    actor = ctx.user()
    if actor.role != "admin":
        raise CommandError(f"only an admin can restore the database; {actor.login} is a {actor.role}")


def _confirm(name: str, snapshot: backups.Snapshot) -> None:
    if not sys.stdin.isatty():
        raise CommandError("restore replaces everyone's data: run it in a terminal, or pass --yes")
    total = sum(count for table, count in snapshot.counts.items() if table != "crm_meta")
    print(f"{snapshot.path} is a crm database (schema version {snapshot.schema_version}, {total} rows).")
    print(f"Restoring it REPLACES everything in {name} for every user.")
    try:
        answer = input(f"Type the database name ({name}) to go on: ")
    except EOFError:
        answer = ""
    if answer.strip() != name:
        raise CommandError("not confirmed; nothing was changed")
