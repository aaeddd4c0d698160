"""`crm backup` and `crm restore`: online, checked, and confirmed."""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path

import pytest

from crm_tui import db, schema
from crm_tui.cli import main
from crm_tui.domain import users
from crm_tui.models import User
from tests import other_process


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["--user", "ann", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def make_db(path: Path, *logins: str) -> None:
    db.open_database(str(path))
    schema.ensure_schema()
    for login in logins:
        users.add_user(login, role="admin" if login == "ann" else "rep")
    db.close()


def logins(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [row[0] for row in conn.execute("SELECT login FROM user ORDER BY login")]
    finally:
        conn.close()


def test_backup_writes_a_checked_single_file_and_refuses_to_overwrite(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    live = tmp_path / "crm.db"
    make_db(live, "ann", "bob")
    target = tmp_path / "backup.db"
    code, out, _ = run(capsys, "--db", str(live), "backup", str(target))
    assert code == 0
    assert "backed up" in out and "user" in out
    assert logins(target) == ["ann", "bob"]
    assert not Path(f"{target}-wal").exists()  # self-contained: no -wal beside it
    assert sqlite3.connect(target).execute("PRAGMA journal_mode").fetchone()[0] == "delete"

    make_db(live, "carl")
    code, _, err = run(capsys, "--db", str(live), "backup", str(target))
    assert code == 1 and "exists already" in err and "--force" in err
    assert logins(target) == ["ann", "bob"]  # untouched
    code, _, _ = run(capsys, "--db", str(live), "backup", str(target), "--force")
    assert code == 0 and logins(target) == ["ann", "bob", "carl"]
    assert not list(tmp_path.glob(".backup.db.*.part"))  # no temp files left


def test_backup_while_another_process_writes_is_consistent(tmp_path: Path) -> None:
    live = tmp_path / "crm.db"
    make_db(live)
    writer = other_process.start(str(live), """
        k = 0
        while True:
            users.add_user(f"u{k}")
            print(k, flush=True)
            k += 1
    """)
    assert writer.stdout is not None
    try:
        for _ in range(20):
            writer.stdout.readline()  # it is writing now
        from crm_tui.domain import backups

        db.open_database(str(live))
        taken = [backups.backup(tmp_path / f"b{i}.db") for i in range(5)]
    finally:
        writer.kill()
        writer.wait(timeout=10)
    for snapshot in taken:
        conn = sqlite3.connect(snapshot.path)
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        users_n = conn.execute("SELECT count(*) FROM user").fetchone()[0]
        events = conn.execute("SELECT count(*) FROM audit_event").fetchone()[0]
        assert users_n == events >= 20  # one snapshot: every user has its audit row, no more, no less
        conn.close()
    assert len({s.counts["user"] for s in taken}) > 1  # the writer kept going between backups


def test_restore_refuses_files_that_are_not_crm_databases(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    live = tmp_path / "crm.db"
    make_db(live, "ann")  # the first user: admin
    text = tmp_path / "notes.txt"
    text.write_text("not a database\n" * 200)
    code, _, err = run(capsys, "--db", str(live), "restore", str(text), "--yes")
    assert code == 1 and "is not a crm database" in err
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    code, _, err = run(capsys, "--db", str(live), "restore", str(other), "--yes")
    assert code == 1 and "no crm_meta table" in err
    newer = tmp_path / "newer.db"
    make_db(newer, "zed")
    conn = sqlite3.connect(newer)
    conn.execute("UPDATE crm_meta SET value = ? WHERE key = 'schema_version'", (str(schema.SCHEMA_VERSION + 1),))
    conn.commit()
    conn.close()
    code, _, err = run(capsys, "--db", str(live), "restore", str(newer), "--yes")
    assert code == 1 and "newer than this program's" in err
    code, _, err = run(capsys, "--db", str(live), "restore", str(tmp_path / "missing.db"), "--yes")
    assert code == 1 and "does not exist" in err
    assert logins(live) == ["ann"]


def test_restore_needs_confirmation(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    live = tmp_path / "crm.db"
    make_db(live, "ann")
    backup = tmp_path / "b.db"
    assert run(capsys, "--db", str(live), "backup", str(backup))[0] == 0
    make_db(live, "bob")

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # a script, no terminal
    code, _, err = run(capsys, "--db", str(live), "restore", str(backup))
    assert code == 1 and "pass --yes" in err
    monkeypatch.setattr("sys.stdin", Terminal("yes\n"))  # the wrong answer
    code, out, err = run(capsys, "--db", str(live), "restore", str(backup))
    assert code == 1 and "not confirmed; nothing was changed" in err
    assert "Type the database name (crm.db)" in out
    assert logins(live) == ["ann", "bob"]
    monkeypatch.setattr("sys.stdin", Terminal("crm.db\n"))
    code, out, _ = run(capsys, "--db", str(live), "restore", str(backup))
    assert code == 0 and "restored" in out
    assert logins(live) == ["ann"]


def test_restore_into_a_database_others_have_open(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    live = tmp_path / "crm.db"
    make_db(live, "ann")
    backup = tmp_path / "b.db"
    assert run(capsys, "--db", str(live), "backup", str(backup))[0] == 0
    make_db(live, "bob")
    colleague = sqlite3.connect(live)  # another rep's open session
    assert colleague.execute("SELECT count(*) FROM user").fetchone()[0] == 2
    code, out, _ = run(capsys, "--db", str(live), "restore", str(backup), "--yes")
    assert code == 0 and "user" in out
    assert colleague.execute("SELECT count(*) FROM user").fetchone()[0] == 1  # sees the restored data
    assert colleague.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    colleague.close()
    db.open_database(str(live))
    assert [u.login for u in User.select()] == ["ann"]
    assert users.add_user("carl").login == "carl"  # and it keeps working


def test_postgresql_backup_explains_pg_dump(capsys: pytest.CaptureFixture[str], database: str) -> None:
    if db.is_sqlite():
        pytest.skip("PostgreSQL only")
    db.close()
    code, _, err = run(capsys, "--db", database, "backup", "/tmp/never-written.db")
    assert code == 1 and "pg_dump --format=custom" in err and "pg_restore" in err
    assert not Path("/tmp/never-written.db").exists()
    code, _, err = run(capsys, "--db", database, "restore", "/tmp/never-written.db", "--yes")
    assert code == 1 and "pg_restore --dbname" in err


def test_only_an_admin_restores(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    live = tmp_path / "crm.db"
    make_db(live, "ann", "bob")
    backup = tmp_path / "b.db"
    assert run(capsys, "--db", str(live), "backup", str(backup))[0] == 0
    code = main(["--user", "bob", "--db", str(live), "restore", str(backup), "--yes"])
    assert code == 1
    assert "only an admin can restore the database; bob is a rep" in capsys.readouterr().err


def test_a_mistyped_database_path_is_refused_not_created(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    missing = tmp_path / "typo.db"
    for argv in (["backup", str(tmp_path / "b.db")], ["restore", str(tmp_path / "b.db"), "--yes"],
                 ["migrate-db", "--to", "postgresql://nobody@127.0.0.1:1/x"]):
        code, _, err = run(capsys, "--db", str(missing), *argv)
        assert code == 1 and f"database {missing} does not exist" in err
    assert not missing.exists()
