"""Many writers on one database: nothing locked reaches a caller, nothing is lost,
and a process killed mid-transaction leaves a consistent file."""

from __future__ import annotations

import fcntl
import os
import signal
import sqlite3
from pathlib import Path

import pytest

from benchmarks.stress_writers import run_stress
from crm_tui import db, schema
from crm_tui.domain import changes, users
from crm_tui.models import AuditEvent, User
from tests import other_process


def test_eight_processes_writing_at_once_lose_nothing(database: str) -> None:
    db.close()
    result = run_stress(database, processes=8, writes=20)
    assert result.attempted == 160
    assert result.errors == []
    assert result.committed == result.attempted
    assert result.lost == []  # per-worker versions and row counts match what each saw committed
    assert result.audit_events == result.committed


def test_the_writer_lock_is_released_after_commit_and_rollback(tmp_path: Path) -> None:
    path = tmp_path / "crm.db"
    db.open_database(str(path))
    schema.ensure_schema()
    lock_file = tmp_path / "crm.db-writer"

    def free() -> bool:
        fd = os.open(lock_file, os.O_RDONLY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            return False
        finally:
            os.close(fd)

    users.add_user("ann")
    assert lock_file.exists() and free()

    @db.atomic
    def fails_midway() -> None:
        with changes.action(None):
            changes.create(User, login="bob", display_name="Bob")
            assert not free()  # held for the whole write transaction
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        fails_midway()
    assert free()
    assert [u.login for u in User.select()] == ["ann"]


def test_a_busy_database_is_one_clear_error_not_a_lock_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "crm.db"
    db.open_database(str(path))
    schema.ensure_schema()
    monkeypatch.setattr(db, "LOCK_RETRIES", 1)
    db.database.obj.execute_sql("PRAGMA busy_timeout = 50")
    monkeypatch.setattr(db, "BUSY_TIMEOUT_MS", 50)
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # a foreign program holding the write lock
    try:
        with pytest.raises(db.DatabaseError, match="stayed busy; nothing was changed"):
            users.add_user("ann")
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert users.add_user("ann").login == "ann"


WRITER = """
import time
from crm_tui.models import User

@db.atomic
def batch(k):
    # Three rows per transaction, with a pause inside: a kill lands mid-transaction.
    with changes.action(None):
        for part in range(3):
            changes.create(User, login=f"u{k}-{part}", display_name=f"user {k} {part}")
            print(f"writing {k} {part}", flush=True)
            time.sleep(0.02)

k = 0
while True:
    batch(k)
    print(f"committed {k}", flush=True)
    k += 1
"""


def test_a_writer_killed_mid_transaction_loses_nothing_committed(tmp_path: Path) -> None:
    path = tmp_path / "crm.db"
    db.open_database(str(path))
    schema.ensure_schema()
    db.close()
    writer = other_process.start(str(path), WRITER)
    committed: list[int] = []
    assert writer.stdout is not None
    try:
        for line in writer.stdout:
            word, k, *rest = line.split()
            if word == "committed":
                committed.append(int(k))
            elif len(committed) >= 5 and rest == ["1"]:
                break  # it is inside transaction k, between its second and third row
        os.kill(writer.pid, signal.SIGKILL)
    finally:
        writer.wait(timeout=10)
    assert writer.returncode == -signal.SIGKILL
    interrupted = int(k)
    assert interrupted == committed[-1] + 1

    check = sqlite3.connect(path)
    assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    check.close()
    db.open_database(str(path))
    logins = {u.login for u in User.select()}
    for done in committed:
        assert {f"u{done}-0", f"u{done}-1", f"u{done}-2"} <= logins
    assert not any(login.startswith(f"u{interrupted}-") for login in logins)  # all or nothing
    assert AuditEvent.select().count() == 3 * len(committed)
    assert users.add_user("after").login == "after"  # the lock died with the process


def test_shared_server_files_are_group_writable_with_umask_007(tmp_path: Path) -> None:
    shared = tmp_path / "srv"
    shared.mkdir()
    old = os.umask(0o007)
    try:
        db.open_database(str(shared / "crm.db"))
        schema.ensure_schema()
        users.add_user("ann")  # a write: creates the -writer lock file, and -wal/-shm
        modes = {p.name: p.stat().st_mode & 0o777 for p in shared.iterdir()}
    finally:
        os.umask(old)
    # SQLite alone would create crm.db 0644 whatever the umask: the group could not write.
    assert modes["crm.db"] == 0o660
    assert modes["crm.db-writer"] == 0o660
    assert modes["crm.db-wal"] == 0o660 and modes["crm.db-shm"] == 0o660
