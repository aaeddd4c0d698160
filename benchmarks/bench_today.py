"""How fast the Today screen's queries are on a large database.

Builds a SQLite file (100k leads, 20 users, 400k activities; the measured
rep has ~1.2k open activities overdue or due today, as in PERF.md), then
prints the median of repeated calls:

- agenda.for_user: what every Today refresh runs (tuples + zoneinfo per row);
- lookup.search: the record picker's query for a few typed letters.

Run: python benchmarks/bench_today.py [--leads 100000] [--keep /tmp/bench.db]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crm_tui import clock, db, schema  # noqa: E402
from crm_tui.config import Config  # noqa: E402
from crm_tui.domain import agenda, lookup, users  # noqa: E402
from crm_tui.models import Activity, Lead  # noqa: E402

NOW = "2026-11-18T09:00:00Z"
TODAY = dt.date(2026, 11, 18)
WORDS = ("Acme", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Hooli", "Vandelay", "Soylent", "Tyrell")
FIRST = ("Kim", "Ada", "Bo", "Lou", "Max", "Ann", "Eve", "Ian", "Mia", "Noa")


def build(path: str, leads: int, activities: int) -> list[int]:
    db.open_database(path)
    schema.ensure_schema()
    people = [users.add_user(f"rep{i}", f"Rep {i}", time_zone="Europe/Berlin").id for i in range(20)]
    rng = random.Random(1)
    now = clock.utcnow_naive()
    conn = db.database.obj
    with conn.atomic():
        cursor = conn.cursor()
        cursor.executemany(
            "INSERT INTO lead (created_at, updated_at, version, owner_id, first_name, last_name, company, title,"
            " email, phone, status, source, original_source) VALUES (?,?,1,?,?,?,?,'','','','new','','')",
            [(now, now, rng.choice(people), rng.choice(FIRST), f"Name{i}", f"{rng.choice(WORDS)} {i}")
             for i in range(leads)],
        )
        rows = []
        for i in range(activities):
            owner = people[0] if i % 330 == 0 else rng.choice(people[1:])  # ~1.2k rows for rep0
            day = TODAY + dt.timedelta(days=rng.randint(-20, 40) if owner != people[0] else rng.randint(-3, 0))
            timed = rng.random() < 0.4
            start = dt.datetime.combine(day, dt.time(rng.randint(7, 17), 0)) if timed else None
            status = "open" if rng.random() < 0.8 else "done"
            rows.append((now, now, "call", f"Call {i}", owner, "lead", rng.randint(1, leads), day, start,
                         15 if timed else None, rng.randint(1, 3), status))
        cursor.executemany(
            "INSERT INTO activity (created_at, updated_at, version, type, subject, owner_id, record_kind,"
            " record_id, planned_date, start_at, duration_min, priority, fixed, status, outcome, notes,"
            " cancel_reason, followup) VALUES (?,?,1,?,?,?,?,?,?,?,?,?,0,?,'','','','')",
            rows,
        )
    return people


def median_ms(fn, repeat: int = 15) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--activities", type=int, default=400_000)  # ~1.2k of them rep0's
    parser.add_argument("--keep", help="build the database here and keep it")
    args = parser.parse_args()
    clock.freeze(NOW)
    path = args.keep or str(Path(tempfile.mkdtemp()) / "bench.db")
    started = time.perf_counter()
    people = build(path, args.leads, args.activities)
    print(f"built {args.leads} leads, {args.activities} activities in {time.perf_counter() - started:.1f} s")
    rep = users.get_user("rep0")
    assert rep.id == people[0]
    config = Config()
    result = agenda.for_user(rep, config)
    print(f"{'what':<40} {'rows':>6} {'median ms':>10}")
    print(f"{'agenda.for_user (Today refresh)':<40} {len(result.rows()):>6} {median_ms(lambda: agenda.for_user(rep, config)):>10.1f}")
    print(f"{'  its query alone (tuples)':<40} {'':>6} {median_ms(lambda: list(Activity.select(Activity.id, Activity.start_at).where((Activity.owner == rep.id) & (Activity.status == 'open') & (Activity.planned_date <= TODAY)).tuples())):>10.1f}")
    for text in ("ac", "acme 4", "name123", "zzz"):
        hits = lookup.search(text)
        print(f"{'lookup.search(' + repr(text) + ')':<40} {len(hits):>6} {median_ms(lambda: lookup.search(text), 5):>10.1f}")
    print(f"{'(count of leads)':<40} {Lead.select().count():>6}")


# --- Registered with the runner (benchmarks/run.py) on its shared database.

from benchmarks.framework import Env, Result, benchmark  # noqa: E402


@benchmark
def today_agenda(env: Env) -> Result:
    """agenda.for_user, what every Today refresh runs, for the demo rep: target < 50 ms."""
    with env.opened():
        rep = users.get_user(env.rep)
        config = Config()
        rows = len(agenda.for_user(rep, config).rows())
        ms = median_ms(lambda: agenda.for_user(rep, config), env.size.repeats * 3)
        cpu = []
        for _ in range(env.size.repeats * 3):
            used = time.process_time()
            agenda.for_user(rep, config)
            cpu.append((time.process_time() - used) * 1000)
        query = median_ms(lambda: list(Activity.select(Activity.id, Activity.start_at).where(
            (Activity.owner == rep.id) & (Activity.status == "open")
            & (Activity.planned_date <= clock.utcnow_naive().date())).tuples()), env.size.repeats * 3)
    return Result(ms, "ms", target=50.0, floor=f"its query alone {query:.1f} ms",
                  note=f"{rows:,} rows for {env.rep}; CPU {statistics.median(cpu):.1f} ms")


if __name__ == "__main__":
    main()
