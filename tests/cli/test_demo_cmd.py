"""`crm demo` and `crm --demo` as a user meets them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from crm_tui import db
from crm_tui.cli import main
from crm_tui.cli.app_cmd import demo_database_path
from crm_tui.cli.demo_cmd import DEMO_LOGIN, build_demo
from crm_tui.models import Activity, Lead, User


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_demo_fills_an_empty_database(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = str(tmp_path / "demo.db")
    code, out, err = run(capsys, "demo", "--db", path, "--leads", "30", "--activities", "200", "--seed", "4")
    assert code == 0, err
    assert "30 lead" in out and f"--user {DEMO_LOGIN}" in out
    db.open_database(path)
    assert Lead.select().count() == 30
    assert User.get(User.login == DEMO_LOGIN).role == "rep"
    assert Activity.select().count() >= 190


def test_demo_refuses_a_database_with_data_unless_forced(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = str(tmp_path / "real.db")
    assert run(capsys, "users", "add", "root", "--role", "admin", "--db", path)[0] == 0
    code, _, err = run(capsys, "demo", "--db", path, "--leads", "20")
    assert code == 1
    assert err.count("\n") == 1 and "already holds data" in err and "--force" in err
    db.open_database(path)
    assert [u.login for u in User.select()] == ["root"]  # nothing was changed
    db.close()
    code, out, err = run(capsys, "demo", "--db", path, "--leads", "20", "--force")
    assert code == 0, err
    db.open_database(path)
    assert not User.select().where(User.login == "root").exists()
    assert Lead.select().count() == 20


@pytest.mark.parametrize("argv", [["--leads", "-3"], ["--leads", "many"], ["--reps", "0"], ["--bogus"]])
def test_demo_usage_errors(capsys: pytest.CaptureFixture[str], tmp_path: Path, argv: list[str]) -> None:
    code, _, err = run(capsys, "demo", "--db", str(tmp_path / "x.db"), *argv)
    assert code == 2 and "usage:" in err and "Traceback" not in err
    assert not (tmp_path / "x.db").exists()


class FakeApp:
    launched: list[str] = []

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        self.user = user

    def run(self) -> None:
        FakeApp.launched.append(self.user.login)


def test_crm_demo_never_touches_the_real_database(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    real = tmp_path / "real.db"
    assert run(capsys, "users", "add", "root", "--role", "admin", "--db", str(real))[0] == 0
    before = {p.name: p.read_bytes() for p in tmp_path.glob("real.db*")}
    monkeypatch.setenv("CRM_DATABASE", str(real))
    monkeypatch.setattr("crm_tui.ui.app.make_app", FakeApp)
    FakeApp.launched = []
    assert run(capsys, "--demo")[0] == 0
    assert run(capsys, "--demo")[0] == 0  # rebuilt on each launch
    assert FakeApp.launched == [DEMO_LOGIN, DEMO_LOGIN]
    assert {p.name: p.read_bytes() for p in tmp_path.glob("real.db*")} == before
    demo_file = demo_database_path()
    assert demo_file.exists() and demo_file.resolve() != real.resolve()
    assert str(tmp_path / "xdg-cache") in str(demo_file)


def test_build_demo_replaces_the_old_file_and_its_journal(tmp_path: Path) -> None:
    path = tmp_path / "demo.db"
    build_demo(str(path), seed=1, leads=20, activities=100)
    # A stale write-ahead log next to a new file would corrupt it: it must go too.
    (tmp_path / "demo.db-wal").write_bytes(b"stale wal" * 100)
    (tmp_path / "demo.db-shm").write_bytes(b"stale shm" * 100)
    stats = build_demo(str(path), seed=1, leads=20, activities=100)
    assert stats.counts["lead"] == 20
    db.open_database(str(path))
    assert Lead.select().count() == 20
    assert db.database.obj.execute_sql("PRAGMA integrity_check").fetchone()[0] == "ok"
