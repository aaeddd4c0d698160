"""The start path stays light: on SQLite, `crm` never loads the PostgreSQL
driver (Peewee imports psycopg eagerly when installed, +0.15-0.4 s of first
paint), while PostgreSQL targets still open."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from crm_tui.cli import sqlite_only

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import sys
from crm_tui.cli import main
code = main(sys.argv[1:])
loaded = sorted(name for name, module in sys.modules.items() if name.startswith('psycopg') and module is not None)
print('CODE', code, 'PEEWEE', 'peewee' in sys.modules, 'PSYCOPG', ','.join(loaded) or '-')
"""

APP_PROBE = """
import sys
from crm_tui.cli import skip_postgres_drivers
skip_postgres_drivers(sys.argv[1:])
from crm_tui.ui.app import make_app  # everything the app imports before its first paint
loaded = sorted(name for name, module in sys.modules.items() if name.startswith('psycopg') and module is not None)
print('PEEWEE', 'peewee' in sys.modules, 'PSYCOPG', ','.join(loaded) or '-')
"""


def _run(code: str, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("CRM_DATABASE", "CRM_CONFIG")}
    env["PYTHONPATH"] = str(ROOT)
    done = subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def test_sqlite_command_does_not_import_psycopg(tmp_path: Path) -> None:
    line = _run(PROBE, "--db", str(tmp_path / "crm.db"), "--user", "ann", "users", "list")
    assert line == "CODE 0 PEEWEE True PSYCOPG -"


def test_app_start_path_on_sqlite_does_not_import_psycopg(tmp_path: Path) -> None:
    line = _run(APP_PROBE, "--db", str(tmp_path / "crm.db"))
    assert line == "PEEWEE True PSYCOPG -"


def test_a_postgres_target_keeps_the_drivers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CRM_CONFIG", raising=False)
    monkeypatch.delenv("CRM_DATABASE", raising=False)
    assert sqlite_only(["--db", "/tmp/x.db"]) is True
    assert sqlite_only(["--db", "postgresql://u@h/db"]) is False
    assert sqlite_only(["migrate-db", "--to", "postgresql://u@h/db"]) is False
    monkeypatch.setenv("CRM_DATABASE", "postgresql://u@h/db")
    assert sqlite_only([]) is False


def test_a_config_naming_postgres_keeps_the_drivers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CRM_CONFIG", raising=False)
    monkeypatch.delenv("CRM_DATABASE", raising=False)
    config = tmp_path / "crm.toml"
    config.write_text('database = "postgresql://u@h/db"\n')
    assert sqlite_only(["--config", str(config)]) is False
    assert sqlite_only([f"--config={config}"]) is False


@pytest.mark.skipif(not os.environ.get("CRM_TEST_POSTGRES_URL"), reason="CRM_TEST_POSTGRES_URL is not set")
def test_postgres_url_still_opens() -> None:
    line = _run(PROBE, "--db", os.environ["CRM_TEST_POSTGRES_URL"], "--user", "ann", "users", "list")
    assert line.startswith("CODE 0 PEEWEE True PSYCOPG ") and "psycopg" in line.split("PSYCOPG ")[1]


def test_demo_login_matches_the_generator() -> None:
    """`crm_tui.cli.demo_cmd` keeps the demo login as a constant so the generator stays off the start path."""
    from crm_tui.cli import demo_cmd
    from crm_tui.domain.demo import DEMO_LOGIN

    assert demo_cmd.DEMO_LOGIN == DEMO_LOGIN


def test_command_map_names_every_command_and_its_module() -> None:
    """COMMANDS lets one command import only its own module; it must name
    exactly what each module registers."""
    import argparse
    from importlib import import_module

    from crm_tui.cli import COMMAND_MODULES, COMMANDS

    registered: dict[str, str] = {}
    for name in COMMAND_MODULES:
        parser = argparse.ArgumentParser()
        subparsers = parser.add_subparsers()
        import_module(name).register(subparsers, argparse.ArgumentParser(add_help=False))
        registered.update({command: name.rsplit(".", 1)[1] for command in subparsers.choices})
    assert registered == COMMANDS


def test_parsing_imports_only_the_named_command() -> None:
    from crm_tui.cli import COMMAND_MODULES, command_modules

    assert command_modules([]) == ()
    assert command_modules(["--db", "today", "--user", "ann"]) == ()  # "today" is the --db value here
    assert command_modules(["--db=x.db", "today", "--format", "json"]) == ("crm_tui.cli.today_cmd",)
    assert command_modules(["--help"]) == COMMAND_MODULES
    assert command_modules(["nonsense"]) == COMMAND_MODULES  # argparse lists every command


def test_app_launch_parses_without_command_modules(tmp_path: Path) -> None:
    code = ("import sys\nfrom crm_tui.cli import build_parser\nbuild_parser(sys.argv[1:]).parse_args(sys.argv[1:])\n"
            "print('CMD', sorted(n for n in sys.modules if n.startswith('crm_tui.cli.') and n.endswith('_cmd')))")
    assert _run(code, "--db", str(tmp_path / "crm.db"), "--user", "ann") == "CMD []"


def test_unknown_command_lists_them_all(tmp_path: Path) -> None:
    from crm_tui.cli import main

    assert main(["--db", str(tmp_path / "crm.db"), "frobnicate"]) == 2


def test_app_start_path_leaves_pendulum_and_the_review_workflow_for_later(tmp_path: Path) -> None:
    """Pendulum (+45 ms with the dateutil parser it loads), the review
    workflow (+15 ms) and the records module with search and validation
    behind it (~10 ms) are imported when first used, not before Today paints."""
    later = ("pendulum", "crm_tui.domain.review", "crm_tui.domain.records", "crm_tui.domain.search",
             "crm_tui.domain.activities")
    code = ("import sys\nfrom crm_tui import clock\nfrom crm_tui.cli import build_parser\n"
            "import crm_tui.ui.app, crm_tui.ui.screens.today, crm_tui.ui.widgets.activity_list\n"
            "import crm_tui.domain.review_status, crm_tui.domain.agenda\n"
            "clock.freeze('2026-11-18T09:00:00Z'); clock.today('Europe/Berlin'); clock.utcnow_naive()\n"
            f"print('LOADED', [name for name in {later!r} if name in sys.modules])")
    assert _run(code) == "LOADED []"


def test_a_launch_that_fails_turns_garbage_collection_back_on(tmp_path: Path) -> None:
    import gc

    from crm_tui.cli import main

    assert main(["--db", str(tmp_path), "--user", "ann"]) == 1  # a directory: the launch stops at opening it
    assert gc.isenabled()
