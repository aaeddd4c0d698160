"""The search and list queries use their indexes: no full table scan, no sort
of the whole table, on a generated table of 20,000 leads (SQLite only)."""

import datetime as dt
import random
from pathlib import Path

import pytest

from crm_tui import db, schema
from crm_tui.domain import records, search, users
from crm_tui.domain.records import Filters

ROWS = 20_000


@pytest.fixture(scope="module")
def big_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Built once: rows loaded without the search triggers, then indexed in one pass."""
    path = tmp_path_factory.mktemp("plans") / "big.db"
    db.open_database(str(path))
    schema.ensure_schema()
    schema.drop_search_index(db.database.obj)
    owner = users.add_user("ann", "Ann")
    rnd = random.Random(5)
    start = dt.datetime(2026, 1, 1)
    rows = [
        (f"First{i}", f"Last{rnd.randrange(5000)}", f"Company {rnd.randrange(3000)}", f"p{i}@example.test",
         f"+49 30 {rnd.randrange(10**7):07d}" if i % 4 == 0 else "", rnd.choice(["new", "working"]), owner.id,
         str(start + dt.timedelta(minutes=i)), str(start + dt.timedelta(hours=i)) if i % 3 else None)
        for i in range(ROWS)
    ]
    connection = db.database.obj.connection()
    with db.database.obj.atomic():
        connection.executemany(
            "INSERT INTO lead (first_name, last_name, company, email, phone, status, owner_id, created_at, "
            "last_touch_at, updated_at, version, title, source, original_source) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?8, 1, '', '', '')", rows)
        schema.install_search_index(db.database.obj)
    db.database.obj.execute_sql("ANALYZE")
    db.close()
    return path


@pytest.fixture
def big(big_file: Path) -> int:
    """The generated database, opened; returns the owner's id."""
    db.open_database(str(big_file))
    return users.get_user("ann").id


def _plans(run) -> list[str]:
    """Run the domain call and EXPLAIN every SELECT it sent to SQLite."""
    connection = db.database.obj.connection()
    sent: list[str] = []
    connection.set_trace_callback(sent.append)
    try:
        run()
    finally:
        connection.set_trace_callback(None)
    plans = []
    for sql in sent:
        # Skip FTS5's own statements on its shadow tables ("main"."record_search_...").
        if sql.lstrip().upper().startswith("SELECT") and "main" not in sql:
            rows = connection.execute("EXPLAIN QUERY PLAN " + sql).fetchall()
            plans.append("\n".join(row[-1] for row in rows))
    assert plans, "no query was sent"
    return plans


def _no_full_scan(plan: str) -> None:
    """The lead table (Peewee calls it t1) is reached through an index; only the
    tiny user table may be scanned for the owner's name."""
    for line in plan.splitlines():
        line = line.strip()
        if line.startswith("SCAN") and "owner_user" not in line:
            assert "USING INDEX" in line or "USING COVERING INDEX" in line, plan
    assert "TEMP B-TREE" not in plan, plan


def test_search_uses_the_fts_index(big: int) -> None:
    for query in ("comp", "last12 first1", "p77@ex", "030 55", "+49 30 12"):
        plans = _plans(lambda: search.search(query))
        assert "VIRTUAL TABLE INDEX" in plans[0], plans[0]
        for plan in plans[1:]:
            assert "SEARCH" in plan and "INTEGER PRIMARY KEY" in plan, plan


@pytest.mark.parametrize("sort", ["name", "-name", "created", "-created", "last_touch", "-last_touch"])
def test_list_pages_walk_an_index(big: int, sort: str) -> None:
    first = records.page("lead", Filters(), sort, None, 100)
    assert len(first.rows) == 100
    for key in (None, first.keys[-1]):
        for plan in _plans(lambda: records.page("lead", Filters(), sort, key, 100)):
            _no_full_scan(plan)


def test_mine_and_status_filters_use_an_index(big: int) -> None:
    for filters in (Filters(owner_id=big), Filters(status="new"), Filters(owner_id=big, status="working")):
        for plan in _plans(lambda: records.count("lead", filters)):
            assert "USING" in plan and "INDEX" in plan, plan
