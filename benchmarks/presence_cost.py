"""What presence costs: 50 apps with a record's detail view open, each beating
every `presence_seconds` (one UPDATE of its own row) and reading who else has
that record open (one index range), plus a Records list reading the marks of
its kind. Times each call and says what 50 users cost per second; also checks
that beats never move the change token (MAX(audit_event.id)).

    python benchmarks/presence_cost.py                   # SQLite in a temp dir
    python benchmarks/presence_cost.py --db postgresql://user@host/emptydb
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crm_tui import db, schema  # noqa: E402
from crm_tui.domain import changes, presence, users  # noqa: E402
from crm_tui.models import Lead  # noqa: E402


def timed(fn, samples: list[float]) -> None:  # noqa: ANN001
    started = time.perf_counter()
    fn()
    samples.append((time.perf_counter() - started) * 1e6)


def summary(name: str, samples: list[float]) -> str:
    ordered = sorted(samples)
    return (f"{name:<28} median {statistics.median(ordered):7.0f} µs   "
            f"p99 {ordered[int(0.99 * (len(ordered) - 1))]:7.0f} µs")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--interval", type=float, default=5.0, help="presence_seconds")
    parser.add_argument("--db", help="an EMPTY database (default: a new SQLite file in a temp dir)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db.open_database(args.db or str(Path(tmp) / "presence.db"))
        schema.ensure_schema()
        people = [users.add_user(f"rep{i}", f"Rep {i}") for i in range(args.users)]
        leads = [Lead.create(last_name=f"Lead {i}", owner=people[i]) for i in range(args.users)]
        token = changes.latest_change_id()
        now = dt.datetime(2026, 11, 18, 9, 0)
        beats: list[float] = []
        reads: list[float] = []
        lists: list[float] = []
        for round_no in range(args.rounds):
            at = now + dt.timedelta(seconds=args.interval * round_no)
            for i, person in enumerate(people):
                lead = leads[(i + round_no // 10) % len(leads)]  # now and then someone opens another record
                timed(lambda: presence.beat(f"app-{i}", person, "lead", lead.id, now=at), beats)
                timed(lambda: presence.viewers("lead", lead.id, interval=args.interval, exclude_user=person.id,
                                               now=at), reads)
            timed(lambda: presence.open_records("lead", interval=args.interval, now=at), lists)
        assert changes.latest_change_id() == token, "a beat moved the change token"
        per_second = args.users / args.interval
        print(f"{'SQLite' if db.is_sqlite() else 'PostgreSQL'}, {args.users} apps, a beat every {args.interval:g} s")
        print(summary("beat (write own row)", beats))
        print(summary("viewers of one record", reads))
        print(summary("marks of a Records list", lists))
        cost = per_second * (statistics.median(beats) + statistics.median(reads)) / 1e6
        print(f"{args.users} users: {per_second:.0f} beats/s, ~{cost * 1000:.1f} ms of database time per second; "
              f"change token unchanged ({token})")
        db.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
