"""Opening databases: targets, pragmas, read-only, and one-line errors."""

import os
from pathlib import Path

import pytest

from crm_tui import db, schema
from crm_tui.domain import users
from crm_tui.models import User


@pytest.mark.parametrize(
    ("value", "kind", "location"),
    [
        ("crm.db", "sqlite", "crm.db"),
        ("/srv/crm/crm.db", "sqlite", "/srv/crm/crm.db"),
        ("sqlite:///relative.db", "sqlite", "relative.db"),
        ("sqlite:////srv/crm/crm.db", "sqlite", "/srv/crm/crm.db"),
        ("postgresql://crm@db.internal/crm", "postgresql", "postgresql://crm@db.internal/crm"),
    ],
)
def test_targets(value: str, kind: str, location: str) -> None:
    target = db.parse_target(value)
    assert (target.kind, target.location) == (kind, location)


def test_unknown_scheme_is_refused() -> None:
    with pytest.raises(db.DatabaseError, match="unsupported database URL"):
        db.parse_target("mysql://x/y")


def test_sqlite_pragmas(tmp_path: Path) -> None:
    database = db.open_database(str(tmp_path / "a.db"))
    assert database.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert database.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1
    assert database.execute_sql("PRAGMA busy_timeout").fetchone()[0] == db.BUSY_TIMEOUT_MS


def test_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_bytes(b"this is a shopping list, not a database\n" * 100)
    with pytest.raises(db.DatabaseError, match="is not a crm database"):
        db.open_database(str(path))


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere")
def test_unwritable_directory(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    with pytest.raises(db.DatabaseError, match="cannot write to"):
        db.open_database(str(locked / "crm.db"))


def test_directory_that_cannot_be_created(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(db.DatabaseError, match="cannot create directory"):
        db.open_database(str(blocker / "sub" / "crm.db"))


def test_unreachable_server() -> None:
    pytest.importorskip("psycopg")
    with pytest.raises(db.DatabaseError, match="cannot reach postgresql://127.0.0.1:1/crm"):
        db.open_database("postgresql://nobody@127.0.0.1:1/crm")


def test_readonly_sqlite_cannot_write(tmp_path: Path) -> None:
    path = tmp_path / "crm.db"
    db.open_database(str(path))
    schema.ensure_schema()
    users.add_user("ann", "Ann")
    db.close()
    db.open_database(str(path), readonly=True)
    assert schema.ensure_schema() == schema.SCHEMA_VERSION
    with pytest.raises(db.ReadOnlyError):
        users.add_user("bob", "Bob")
    with pytest.raises(Exception):
        User.create(login="eve", display_name="Eve")  # even a raw write is refused by SQLite
    assert [u.login for u in User.select()] == ["ann"]


def test_readonly_missing_file_is_clear(tmp_path: Path) -> None:
    with pytest.raises(db.DatabaseError, match="does not exist"):
        db.open_database(str(tmp_path / "nope.db"), readonly=True)
