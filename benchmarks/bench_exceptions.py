"""Time every exception rule over a large database (target: all rules < 250 ms on
SQLite over 100,000 leads and 1,000,000 activities).

    python benchmarks/bench_exceptions.py                 # build /tmp/bench_exceptions.db, then time
    python benchmarks/bench_exceptions.py --leads 20000 --activities 200000
    python benchmarks/bench_exceptions.py --db crm.db     # time an existing database as is

The build writes rows with `cursor.executemany` in one transaction and creates
the secondary indexes afterwards (PERF.md: 7 s instead of 75 s through Peewee's
insert_many). The data is shaped like a working team's: most leads touched and
decided, most activities done, a few per cent slipping, so the rules return a
realistic number of hits rather than all or nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Iterable

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crm_tui import clock, db, schema  # noqa: E402
from crm_tui.config import Config  # noqa: E402
from crm_tui.domain import exceptions  # noqa: E402
from crm_tui.models import (  # noqa: E402
    Activity, Case, Lead, Note, Opportunity, QualificationAnswer, StepCompletion, User,
)

NOW = dt.datetime(2026, 11, 18, 9, 0)
DAY = dt.timedelta(days=1)


def _columns(model: type) -> tuple[list[str], list[Any]]:
    """Column names and per-column defaults, so each row only sets what differs."""
    names, defaults = [], []
    for field in model._meta.sorted_fields:
        if field.name == "id":
            continue
        names.append(field.column_name)
        default = field.default() if callable(field.default) else field.default
        defaults.append(field.db_value(default) if default is not None else None)
    return names, defaults


def _insert(conn: Any, model: type, rows: Iterable[dict[str, Any]]) -> int:
    names, defaults = _columns(model)
    index = {name: i for i, name in enumerate(names)}
    sql = f'INSERT INTO "{model._meta.table_name}" ({", ".join(chr(34) + n + chr(34) for n in names)}) ' \
          f'VALUES ({", ".join("?" for _ in names)})'

    def tuples() -> Iterable[tuple[Any, ...]]:
        for row in rows:
            values = list(defaults)
            for key, value in row.items():
                values[index[key]] = value
            yield tuple(values)

    cursor = conn.cursor()
    cursor.executemany(sql, tuples())
    return cursor.rowcount


def build(path: Path, leads: int, activities: int, users: int, seed: int, stuck: float = 1.0) -> None:
    rng = random.Random(seed)
    if path.exists():
        path.unlink()
    for suffix in ("-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    db.open_database(str(path))
    schema.ensure_schema()
    conn = db.database.obj.connection()
    indexes = [row for row in conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND sql NOT LIKE '%UNIQUE%'")]
    for name, _ in indexes:
        conn.execute(f'DROP INDEX "{name}"')
    started = time.perf_counter()
    conn.execute("BEGIN")
    _insert(conn, User, ({"login": f"user{i}", "display_name": f"User {i}", "role": "manager" if i == 0 else "rep",
                          "created_at": NOW - 800 * DAY} for i in range(users)))
    user_ids = list(range(1, users + 1))

    lead_rows, lead_info = [], []
    for i in range(leads):
        created = NOW - dt.timedelta(minutes=rng.randrange(0, 730 * 24 * 60))
        age = (NOW - created).days
        if age > 30:
            # A team that mostly follows its process: a few per cent of old leads
            # still undecided (--stuck raises it to see how hit counts weigh).
            status = rng.choices(("unqualified", "converted", "qualified", "working"),
                                 (55, 45 - stuck, stuck / 4, stuck * 3 / 4))[0]
        else:
            status = rng.choices(("new", "working", "qualified"), (30, 60, 10))[0]
        touched = rng.random() < 0.97
        lead_rows.append({
            "first_name": f"F{i}", "last_name": f"L{i}", "company": f"Company {i % 5000}", "status": status,
            "owner_id": rng.choice(user_ids), "created_at": created, "updated_at": created,
            "last_touch_at": created + dt.timedelta(hours=rng.randrange(1, 20)) if touched else None,
            "status_changed_at": created + dt.timedelta(days=rng.randrange(1, 10)) if status != "new" else None,
        })
        lead_info.append((created, status))
    _insert(conn, Lead, lead_rows)

    opp_rows, opp_leads = [], []
    for lead_id, (created, status) in enumerate(lead_info, start=1):
        if status == "converted":
            opened = created + dt.timedelta(days=rng.randrange(2, 20))
            state = "open" if (NOW - opened).days < 60 else rng.choice(("won", "lost"))
            opp_rows.append({"name": f"Deal {lead_id}", "lead_id": lead_id, "owner_id": rng.choice(user_ids),
                             "created_at": min(opened, NOW - DAY), "state": state,
                             "forecast_close": (opened + 60 * DAY).date() if rng.random() < 0.95 else None,
                             "amount": rng.randrange(1000, 100000) * 100 if rng.random() < 0.95 else None})
            opp_leads.append(lead_id)
    steps = []
    for opp_id, row in enumerate(opp_rows, start=1):
        if rng.random() < 0.9:
            steps.append({"opportunity_id": opp_id, "step": "discovery", "completed_at": row["created_at"] + DAY})
            row["first_step_at"] = row["created_at"] + DAY  # the stamp methodology.complete_step keeps
    _insert(conn, Opportunity, opp_rows)
    _insert(conn, StepCompletion, steps)

    case_count = max(1, leads // 10)
    cases = []
    for i in range(case_count):
        created = NOW - dt.timedelta(minutes=rng.randrange(0, 365 * 24 * 60))
        open_ = (NOW - created).days < 14
        cases.append({"subject": f"Case {i}", "owner_id": rng.choice(user_ids), "created_at": created,
                      "status": rng.choice(("open", "waiting")) if open_ else "closed",
                      "sla_due": created + dt.timedelta(hours=rng.choice((8, 24, 72))),
                      "answered_at": created + dt.timedelta(hours=2) if rng.random() < 0.8 else None})
    _insert(conn, Case, cases)

    answers = []
    for lead_id, (_, status) in enumerate(lead_info, start=1):
        if status in ("qualified", "converted"):
            for key in ("budget", "authority", "need", "timeline")[: 4 if rng.random() < 0.9 else 3]:
                answers.append({"lead_id": lead_id, "question": key, "answer": "x"})
    _insert(conn, QualificationAnswer, answers)

    records = ([("lead", i + 1, info[0]) for i, info in enumerate(lead_info)]
               + [("opportunity", i + 1, row["created_at"]) for i, row in enumerate(opp_rows)]
               + [("case", i + 1, row["created_at"]) for i, row in enumerate(cases)])
    next_on: dict[tuple[str, int], dt.date] = {}

    def activity_rows() -> Iterable[dict[str, Any]]:
        for n in range(activities):
            kind, record_id, created = records[rng.randrange(len(records))]
            span = max(1, (NOW - created).days)
            planned = created + dt.timedelta(days=rng.randrange(0, span + 10))
            if planned > NOW + 10 * DAY:
                planned = NOW + dt.timedelta(days=rng.randrange(0, 10))
            future = planned.date() >= NOW.date()
            status = "open" if future or rng.random() < 0.002 else rng.choices(("done", "cancelled"), (95, 5))[0]
            if status == "open":
                key = (kind, record_id)
                next_on[key] = min(next_on.get(key, planned.date()), planned.date())
            yield {"type": rng.choice(("call", "call", "email", "meeting", "task")), "subject": f"A{n}",
                   "owner_id": rng.choice(user_ids), "record_kind": kind, "record_id": record_id,
                   "planned_date": planned.date(), "status": status, "created_at": created,
                   "completed_at": planned if status == "done" else None, "first_planned_date": planned.date()}

    def follow_ups() -> Iterable[dict[str, Any]]:
        open_states = {"new", "working", "qualified", "open", "waiting"}
        states = ([info[1] for info in lead_info] + [row["state"] for row in opp_rows]
                  + [row["status"] for row in cases])
        for (kind, record_id, created), state in zip(records, states):
            if state in open_states and rng.random() < 0.97:
                planned = (NOW + dt.timedelta(days=rng.randrange(0, 10))).date()
                key = (kind, record_id)
                next_on[key] = min(next_on.get(key, planned), planned)
                yield {"type": "call", "subject": "follow-up", "owner_id": rng.choice(user_ids),
                       "record_kind": kind, "record_id": record_id, "planned_date": planned, "status": "open",
                       "created_at": created, "first_planned_date": planned}

    follow = list(follow_ups())
    _insert(conn, Activity, follow)
    activities -= len(follow)
    _insert(conn, Activity, activity_rows())
    for model, kind in ((Lead, "lead"), (Opportunity, "opportunity"), (Case, "case")):
        conn.executemany(f'UPDATE "{model._meta.table_name}" SET next_activity_on = ? WHERE id = ?',
                         [(day, record_id) for (k, record_id), day in next_on.items() if k == kind])

    def note_rows() -> Iterable[dict[str, Any]]:
        for _ in range(leads * 2):
            lead_id = rng.randrange(1, leads + 1)
            created = lead_info[lead_id - 1][0] + dt.timedelta(hours=rng.randrange(1, 400))
            yield {"record_kind": "lead", "record_id": lead_id, "kind": rng.choice(("phone", "general", "voicemail")),
                   "body": "note", "created_at": min(created, NOW)}

    _insert(conn, Note, note_rows())
    conn.execute("COMMIT")
    for _, sql in indexes:
        conn.execute(sql)
    conn.execute("ANALYZE")
    print(f"built {path}: {leads:,} leads, {activities:,} activities, {len(opp_rows):,} opportunities, "
          f"{case_count:,} cases in {time.perf_counter() - started:.1f} s")
    db.close()


def time_all_rules(cfg: Config, at: dt.datetime, repeat: int) -> tuple[list[float], list[float], list[Any]]:
    """Wall and CPU ms of `repeat` full exception runs, and the hits of the last."""
    total_times, total_cpu, hits = [], [], []
    for _ in range(repeat):
        started, cpu = time.perf_counter(), time.process_time()
        hits = exceptions.evaluate(cfg, at=at)
        total_times.append((time.perf_counter() - started) * 1000)
        total_cpu.append((time.process_time() - cpu) * 1000)
    return total_times, total_cpu, list(hits)


def time_rules(path: str, repeat: int) -> None:
    db.open_database(path, readonly=True)
    schema.ensure_schema()
    clock.freeze(NOW.isoformat())
    cfg = Config()
    counts = {row[0]: row[1] for row in ((m.__name__, m.select().count()) for m in (Lead, Activity))}
    print(f"database: {path} ({counts['Lead']:,} leads, {counts['Activity']:,} activities)")
    print(f"{'rule':<22}{'hits':>8}{'median ms':>12}{'min ms':>10}")
    total_times, total_cpu, hits = time_all_rules(cfg, NOW, repeat)
    for rule in exceptions.RULES:
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            found = exceptions.evaluate(cfg, at=NOW, rules=[rule.id])
            times.append((time.perf_counter() - started) * 1000)
        print(f"{rule.number} {rule.id:<20}{len(found):>8}{statistics.median(times):>12.1f}{min(times):>10.1f}")
    verdict = "ok" if statistics.median(total_times) < 250 else "OVER the 250 ms target"
    print(f"{'all rules':<22}{len(hits):>8}{statistics.median(total_times):>12.1f}{min(total_times):>10.1f}  {verdict}")
    print(f"{'all rules, CPU time':<22}{'':>8}{statistics.median(total_cpu):>12.1f}{min(total_cpu):>10.1f}"
          "  (wall time minus waiting for a busy machine's cores)")
    db.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="time this existing SQLite database instead of building one")
    parser.add_argument("--out", default="/tmp/bench_exceptions.db", help="where to build the database")
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--activities", type=int, default=1_000_000)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--stuck", type=float, default=1.0,
                        help="per cent of leads older than a month still undecided (default 1)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--reuse", action="store_true", help="reuse --out if it exists already")
    args = parser.parse_args(argv)
    path = args.db
    if path is None:
        path = args.out
        if not (args.reuse and Path(path).exists()):
            build(Path(path), args.leads, args.activities, args.users, args.seed, args.stuck)
    time_rules(path, args.repeat)
    return 0


# --- Registered with the runner (benchmarks/run.py) on its shared database.

from benchmarks.framework import Env, Result, benchmark  # noqa: E402


def _cli_json(cfg: Config, at: dt.datetime) -> int:
    """What `crm exceptions --format json` runs after opening the database:
    every rule over all owners, printed as JSON (here into memory)."""
    import contextlib
    import io

    from crm_tui.cli import exceptions_cmd

    out = io.StringIO()
    hits = exceptions.evaluate(cfg, at=at)
    with contextlib.redirect_stdout(out):
        exceptions_cmd.write(hits, "json")
    return len(hits)


@benchmark
def exceptions_all_rules(env: Env) -> Result:
    """Every exception rule over all owners, as the Exceptions screen runs them: target < 250 ms (issue 6).

    The value is the screen's run (a manager's `for_viewer`: every rule, the
    owners' names, snoozed records parked, sorted); `crm exceptions --format
    json`, which then prints every hit (4.4 MB of JSON for 13,155 hits), is in
    the note with its own time. CPU ms as floor."""
    with env.opened():
        at = clock.utcnow_naive()
        cfg = Config()
        manager = User.select().where(User.role == "manager").first()
        exceptions.evaluate(cfg, at=at)  # warm the page cache
        times, cpu, hits = time_all_rules(cfg, at, env.size.repeats)  # the screen: for_viewer -> evaluate
        screen = statistics.median(times)
        assert manager is None or len(exceptions.for_viewer(manager, cfg, at=at)) == len(hits)
        cli, cli_cpu = [], []
        for _ in range(env.size.repeats):
            started, used = time.perf_counter(), time.process_time()
            _cli_json(cfg, at)
            cli.append((time.perf_counter() - started) * 1000)
            cli_cpu.append((time.process_time() - used) * 1000)
    counts = exceptions.counts_by_rule(hits)
    per_rule = ", ".join(f"{rule.number}: {counts[rule.id]:,}" for rule in exceptions.RULES)
    return Result(screen, "ms", target=250.0,
                  floor=f"CPU {statistics.median(cpu):.0f} ms",
                  note=f"{len(hits):,} hits ({per_rule}); `crm exceptions --format json` (the rules, then "
                       f"printing every hit) {statistics.median(cli):.0f} ms, CPU {statistics.median(cli_cpu):.0f} ms")


if __name__ == "__main__":
    raise SystemExit(main())
