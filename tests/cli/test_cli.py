"""The CLI as a user meets it: usage errors, one-line failures, users."""

import subprocess
import sys
from pathlib import Path

import pytest

from crm_tui import __version__
from crm_tui.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert __version__ in capsys.readouterr().out


def test_python_m_has_help() -> None:
    out = subprocess.run([sys.executable, "-m", "crm_tui", "--help"], capture_output=True, text=True,
                         cwd=Path(__file__).parents[2])
    assert out.returncode == 0
    assert "--demo" in out.stdout and "users" in out.stdout


@pytest.mark.parametrize("argv", [["--frobnicate"], ["users"], ["users", "add"], ["users", "add", "x", "--role", "king"]])
def test_usage_errors_exit_2_without_traceback(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    code, _, err = run(capsys, *argv)
    assert code == 2
    assert "usage:" in err and "Traceback" not in err


def test_bad_now_is_one_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "--now", "someday", "users", "list", "--db", str(tmp_path / "c.db"))
    assert code == 1
    assert err.strip() == "crm: not an ISO-8601 date and time: 'someday'"


def test_not_a_database_is_one_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "junk.db"
    path.write_bytes(b"\x00junk" * 1000)
    code, _, err = run(capsys, "users", "list", "--db", str(path))
    assert code == 1
    assert err.count("\n") == 1 and "is not a crm database" in err


def test_bad_config_is_one_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bad = tmp_path / "c.toml"
    bad.write_text("[thresholds]\nactivity_overdue_days = 'x'\n")
    code, _, err = run(capsys, "--config", str(bad), "users", "list", "--db", str(tmp_path / "c.db"))
    assert code == 1
    assert "thresholds.activity_overdue_days: expected a number" in err


def test_users_add_list_set(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    dbp = str(tmp_path / "c.db")
    assert run(capsys, "users", "add", "root", "--name", "Rita Root", "--role", "admin", "--db", dbp)[0] == 0
    assert run(capsys, "--user", "root", "users", "add", "dana", "--name", "Dana Diaz", "--tz", "Europe/Berlin", "--db", dbp)[0] == 0
    code, out, _ = run(capsys, "--db", dbp, "users", "list")
    assert code == 0 and "dana" in out and "Dana Diaz" in out and "Europe/Berlin" in out
    code, out, _ = run(capsys, "--db", dbp, "--user", "root", "users", "set", "dana", "--capacity", "300", "--role", "manager")
    assert code == 0 and "300,300,300,300,300,0,0" in out


def test_only_admins_manage_users(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    dbp = str(tmp_path / "c.db")
    run(capsys, "users", "add", "root", "--role", "admin", "--db", dbp)
    run(capsys, "users", "add", "dana", "--user", "root", "--db", dbp)
    code, _, err = run(capsys, "users", "add", "eve", "--user", "dana", "--db", dbp)
    assert code == 1 and "only an admin" in err


def test_bad_values_are_named(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    dbp = str(tmp_path / "c.db")
    code, _, err = run(capsys, "users", "add", "dana", "--tz", "Mars/Olympus", "--db", dbp)
    assert code == 1 and "unknown time zone 'Mars/Olympus'" in err


def test_unknown_login_is_told_how_to_be_added(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    from crm_tui.cli import Context, build_parser
    from crm_tui.domain.errors import NotFound

    dbp = str(tmp_path / "c.db")
    run(capsys, "users", "add", "root", "--role", "admin", "--db", dbp)
    ctx = Context(build_parser().parse_args(["--db", dbp, "--user", "stranger"]))
    ctx.open()
    with pytest.raises(NotFound, match="crm users add stranger"):
        ctx.user()


def test_anyone_changes_their_own_profile_but_not_their_role(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    dbp = str(tmp_path / "c.db")
    run(capsys, "users", "add", "root", "--role", "admin", "--db", dbp)
    run(capsys, "users", "add", "dana", "--user", "root", "--db", dbp)
    code, out, _ = run(capsys, "--db", dbp, "--user", "dana", "users", "set", "dana", "--tz", "Europe/Paris")
    assert code == 0 and "Europe/Paris" in out
    code, _, err = run(capsys, "--db", dbp, "--user", "dana", "users", "set", "dana", "--role", "admin")
    assert code == 1 and "only an admin can manage users; dana is a rep" in err
    code, _, err = run(capsys, "--db", dbp, "--user", "dana", "users", "set", "root", "--name", "Mallory")
    assert code == 1 and "only an admin" in err
