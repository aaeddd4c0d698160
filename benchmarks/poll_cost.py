"""What live refresh costs: every open app runs changes.latest_change_id()
(one MAX(audit_event.id), a single step down the primary key) once per
`refresh_seconds`. This fills the audit log with N rows and times the poll,
then says what 50 users polling once a second cost the server.

    python benchmarks/poll_cost.py                       # SQLite, 1,000,000 audit rows
    python benchmarks/poll_cost.py --rows 200000 --db postgresql://user@host/emptydb
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crm_tui import db, schema  # noqa: E402
from crm_tui.domain import changes  # noqa: E402
from crm_tui.models import AuditEvent  # noqa: E402


def fill(rows: int) -> None:
    """Bulk-load audit rows the fast way: one INSERT, fed to executemany."""
    database = db.database.obj
    mark = "?" if db.is_sqlite() else "%s"
    sql = (f'INSERT INTO audit_event ("at", "change", "table", "row_id", "action", "changes", "undone") '
           f"VALUES ({', '.join([mark] * 7)})")
    batch = [("2026-11-18 09:00:00", f"{i:032x}", "lead", i, "update", "{}", False) for i in range(10_000)]
    with database.atomic():
        cursor = database.cursor()
        for _ in range(rows // len(batch)):
            cursor.executemany(sql, batch)


def measure_polls(polls: int) -> tuple[float, float, float]:
    """Median and p99 µs of changes.latest_change_id() on the open database,
    and client CPU seconds per poll."""
    samples = []
    cpu_started = time.process_time()
    for _ in range(polls):
        started = time.perf_counter()
        changes.latest_change_id()
        samples.append((time.perf_counter() - started) * 1e6)
    cpu_per_poll = (time.process_time() - cpu_started) / polls
    return statistics.median(samples), sorted(samples)[int(0.99 * (len(samples) - 1))], cpu_per_poll


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--polls", type=int, default=2000)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--db", help="an EMPTY database (default: a new SQLite file in a temp dir)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db.open_database(args.db or str(Path(tmp) / "poll.db"))
        schema.ensure_schema()
        fill(args.rows)
        count = AuditEvent.select().count()
        median, p99, cpu_per_poll = measure_polls(args.polls)
        db.close()
    share = args.users * cpu_per_poll * 100  # % of one core, one poll per user per second
    print(f"audit rows                 {count:,}")
    print(f"poll latency p50 / p99     {median:.0f} / {p99:.0f} µs")
    print(f"client CPU per poll        {cpu_per_poll * 1e6:.0f} µs")
    print(f"{args.users} users, 1 poll/s each   {share:.2f} % of one core")
    return 0


if __name__ == "__main__":
    sys.exit(main())
