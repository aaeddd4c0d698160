"""Other users' changes reach an open app without a restart: the change token
moves when another process commits, and the app reloads the visible screen."""

from __future__ import annotations

import asyncio
import time

import pytest

from crm_tui import db
from crm_tui.config import Config
from crm_tui.domain import changes
from crm_tui.models import User
from crm_tui.ui.app import make_app
from tests import other_process

ADD_BOB = """
users.add_user("bob", "Bob Brown")
"""


def test_a_commit_in_another_process_moves_the_token(database: str, rep: User) -> None:
    before = changes.latest_change_id()
    assert not db.database.obj.in_transaction()  # polling leaves no read transaction open
    other_process.run(database, ADD_BOB)
    assert changes.latest_change_id() > before  # the first read left no snapshot behind
    conn = db.database.obj.connection()
    if db.is_sqlite():
        assert not conn.in_transaction
    else:
        assert conn.autocommit and conn.info.transaction_status == 0  # IDLE, not "idle in transaction"


def test_polling_costs_one_indexed_lookup(database: str, rep: User) -> None:
    explain = "EXPLAIN QUERY PLAN" if db.is_sqlite() else "EXPLAIN"
    plan = " ".join(str(row) for row in db.database.obj.execute_sql(
        f"{explain} SELECT MAX(id) FROM audit_event").fetchall())
    # One step down the primary key, never a table scan, however long the audit log grows.
    assert ("SEARCH audit_event" in plan) if db.is_sqlite() else ("Index Only Scan Backward" in plan)
    started = time.perf_counter()
    for _ in range(200):
        changes.latest_change_id()
    per_poll = (time.perf_counter() - started) / 200
    assert per_poll < 0.05  # generous: measured ~0.02 ms on SQLite, ~0.1 ms on PostgreSQL


async def test_the_app_reloads_its_screen_when_another_process_writes(
    database: str, rep: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(rep, Config(refresh_seconds=0.1))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        reloads: list[float] = []
        monkeypatch.setattr(app.screen, "reload", lambda: reloads.append(time.perf_counter()))
        await asyncio.sleep(0.3)
        assert reloads == []  # nothing changed: no reload
        written = time.perf_counter()
        await asyncio.to_thread(other_process.run, database, ADD_BOB)
        deadline = time.perf_counter() + 2
        while not reloads and time.perf_counter() < deadline:
            await pilot.pause(0.05)
        assert reloads, "the screen was not reloaded within 2 s of the other process's commit"
        assert reloads[0] >= written
        seen = len(reloads)
        await asyncio.sleep(0.3)
        assert len(reloads) == seen  # one reload per change, not one per poll


async def test_live_refresh_survives_a_dropped_server_connection(database: str, rep: User,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    if db.is_sqlite():
        pytest.skip("PostgreSQL only: a server restart drops client connections")
    psycopg = pytest.importorskip("psycopg")
    app = make_app(rep, Config(refresh_seconds=0.1))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        reloads: list[float] = []
        monkeypatch.setattr(app.screen, "reload", lambda: reloads.append(time.perf_counter()))
        pid = db.database.obj.connection().info.backend_pid
        with psycopg.connect(database, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        await asyncio.sleep(0.3)  # a poll or two fail, quietly
        await asyncio.to_thread(other_process.run, database, ADD_BOB)
        deadline = time.perf_counter() + 3
        while not reloads and time.perf_counter() < deadline:
            await pilot.pause(0.05)
        assert reloads, "live refresh did not reconnect after the server dropped the connection"
        assert db.database.obj.connection().info.backend_pid != pid
