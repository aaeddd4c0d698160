"""Backup and restore of a SQLite database while other reps keep working.

Both go through SQLite's online backup API, never a file copy: copying a
file that another process is writing (or next to a stale -wal file) yields
a corrupt copy or database (PERF.md). A backup is one consistent snapshot
taken in a single step, which in WAL mode does not block writers; a restore
writes pages into the live database under its write lock, so every open
`crm` sees the restored data on its next read. PostgreSQL has its own tools:
`pg_dump` and `pg_restore`.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path

from crm_tui import db, schema
from crm_tui.domain.errors import DomainError
from crm_tui.models import ALL_MODELS

PG_DUMP_HELP = (
    "this database is PostgreSQL: back it up with pg_dump, for example\n"
    "  pg_dump --format=custom --file=crm-$(date +%F).dump 'postgresql://user@host/db'\n"
    "and restore into an empty database with\n"
    "  pg_restore --dbname='postgresql://user@host/db' crm-YYYY-MM-DD.dump"
)


@dataclass(frozen=True)
class Snapshot:
    """What a backup file holds: its schema version and rows per table."""

    path: Path
    schema_version: int
    counts: dict[str, int]


def _require_sqlite() -> sqlite3.Connection:
    if not db.is_sqlite():
        raise DomainError(PG_DUMP_HELP)
    return db.database.obj.connection()


def _counts(conn: sqlite3.Connection) -> dict[str, int]:
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    return {
        model._meta.table_name: conn.execute(f'SELECT count(*) FROM "{model._meta.table_name}"').fetchone()[0]
        for model in ALL_MODELS
        if model._meta.table_name in tables
    }


def backup(dest: str | Path, *, force: bool = False) -> Snapshot:
    """Copy the open SQLite database to `dest` as one consistent, self-contained file.

    Refuses an existing `dest` unless `force`; even then the old file is only
    replaced once the new copy is complete and checked.
    """
    source = _require_sqlite()
    dest = Path(dest).expanduser()
    if dest.is_dir():
        raise DomainError(f"{dest} is a directory; give a file name, e.g. {dest / 'crm-backup.db'}")
    if dest.exists() and not force:
        raise DomainError(f"{dest} exists already; choose another name or pass --force to replace it")
    if not dest.parent.is_dir():
        raise DomainError(f"directory {dest.parent} does not exist")
    handle, temp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
    os.close(handle)
    temp = Path(temp_name)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(temp, 0o666 & ~umask)  # like any new file (mkstemp's 0600 would lock out the group)
    try:
        target = sqlite3.connect(temp)
        try:
            # pages=-1: one step, so the copy is one snapshot even while others write.
            source.backup(target, pages=-1)
            target.execute("PRAGMA journal_mode=DELETE")  # a single file, no -wal beside it
            if target.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise DomainError("the backup copy failed its check; nothing was replaced")
            counts = _counts(target)
        finally:
            target.close()
        os.replace(temp, dest)
    except sqlite3.Error as exc:
        raise DomainError(f"cannot write the backup to {dest}: {exc}") from None
    except OSError as exc:
        raise DomainError(f"cannot write the backup to {dest}: {exc.strerror}") from None
    finally:
        temp.unlink(missing_ok=True)
    return Snapshot(dest, schema.SCHEMA_VERSION, counts)


def inspect(path: str | Path) -> Snapshot:
    """Check that a file is a crm database this program can use; refuse anything else."""
    path = Path(path).expanduser()
    if not path.is_file():
        raise DomainError(f"{path} does not exist or is not a file")
    try:
        conn = sqlite3.connect(f"file:{path.absolute()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise DomainError(f"cannot open {path}: {exc}") from None
    try:
        try:
            row = conn.execute("SELECT value FROM crm_meta WHERE key = 'schema_version'").fetchone()
        except sqlite3.DatabaseError as exc:
            if "no such table" in str(exc):
                raise DomainError(f"{path} is not a crm database (it has no crm_meta table)") from None
            raise DomainError(f"{path} is not a crm database (not a SQLite file, or damaged)") from None
        if row is None or not str(row[0]).isdigit():
            raise DomainError(f"{path} is not a crm database (no schema version)")
        version = int(row[0])
        if version > schema.SCHEMA_VERSION:
            raise DomainError(
                f"{path} has schema version {version}, newer than this program's "
                f"{schema.SCHEMA_VERSION}: upgrade crm_tui before restoring it"
            )
        if conn.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise DomainError(f"{path} is damaged (quick_check failed)")
        return Snapshot(path, version, _counts(conn))
    finally:
        conn.close()


def restore(path: str | Path) -> Snapshot:
    """Replace the open SQLite database's contents with a checked backup file.

    The pages are written through the backup API into the live database, so
    other open sessions see the restored data instead of a corrupted file.
    An older backup is upgraded to the current schema afterwards.
    """
    live = _require_sqlite()
    snapshot = inspect(path)
    if db.database.obj.in_transaction():
        raise DomainError("cannot restore inside a transaction")
    source = sqlite3.connect(f"file:{snapshot.path.absolute()}?mode=ro", uri=True)
    try:
        source.backup(live, pages=-1)
    except sqlite3.Error as exc:
        raise DomainError(f"restore failed, the database is unchanged: {exc}") from None
    finally:
        source.close()
    live.execute("PRAGMA journal_mode=WAL")
    schema.ensure_schema()
    return Snapshot(snapshot.path, schema.SCHEMA_VERSION, _counts(live))


def live_name() -> str:
    """The name a user types to confirm a restore: the database file's name."""
    target = getattr(db.database.obj, "crm_target", None)
    return Path(target.location).name if target is not None else "database"
