"""Foundation benchmarks: building the demo data, the app's first paint and
memory in a real terminal, and a rep's agenda query."""

from __future__ import annotations

import datetime as dt
import statistics
import sys
import time
import zoneinfo

from benchmarks.bare_app import READY
from benchmarks.stack_app import READY as STACK_READY
from benchmarks.framework import (
    ROOT, Env, Result, Terminal, benchmark, build_database, child_env, median_time, peak_rss_mb,
)


@benchmark
def demo_build(env: Env) -> Result:
    """Build the demo database (`crm demo`) at this size: CPU seconds on one core, target < 60 s.

    Reuses the figures of the build that made the cached database (`--rebuild` for new ones)."""
    figures = env.build
    if not figures:
        from crm_tui.cli.demo_cmd import remove_database_files

        target = env.scratch / "build.db"
        try:
            figures = build_database(env.size, env.seed, target, env.now)
        finally:
            remove_database_files(target)
    sample = min(110_000, max(1_000, env.size.activities // 10))
    floor = _raw_insert_floor(env, sample) * 1_100_000 / sample
    load = f"{figures['load']:.1f}" if "load" in figures else "?"
    return Result(figures["cpu_s"], "s", target=60.0,
                  floor=f"raw 1.1M-row executemany {floor:.1f} s CPU now (PERF.md: 6.9 s)",
                  note=f"wall {figures['wall_s']:.0f} s at load {load}"
                       f"; {env.size.leads:,} leads, {env.size.activities:,} activities")


def _raw_insert_floor(env: Env, rows: int) -> float:
    """CPU seconds for the cheapest possible load of `rows` activity-like rows
    (pre-made tuples, plain sqlite3, one transaction, no indexes): the floor
    the demo build's time is read against on a busy machine."""
    import sqlite3

    from crm_tui.cli.demo_cmd import remove_database_files

    path = env.scratch / "floor.db"
    remove_database_files(path)
    stamp = dt.datetime(2026, 11, 18, 9, 0)
    data = [(i, "call", f"Call person {i}", 1 + i % 20, "lead", i, stamp.date(), stamp, 30, 2, 0, "open")
            for i in range(rows)]
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("CREATE TABLE a (id INTEGER PRIMARY KEY, type TEXT, subject TEXT, owner INT, "
                           "kind TEXT, rid INT, day DATE, start DATETIME, dur INT, prio INT, fixed INT, status TEXT)")
        started = time.process_time()
        connection.execute("BEGIN")
        connection.executemany("INSERT INTO a VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", data)
        connection.execute("COMMIT")
        return time.process_time() - started
    finally:
        connection.close()
        remove_database_files(path)


def _rep_today(env: Env) -> tuple[str, list[str]]:
    """The demo rep's display name and the subjects of their open work due today or before."""
    from crm_tui import clock
    from crm_tui.models import Activity, User

    with env.opened():
        user = User.get(User.login == env.rep)
        local = clock.now().in_timezone(user.time_zone)
        day = dt.date(local.year, local.month, local.day)
        subjects = [s for (s,) in Activity.select(Activity.subject).where(
            Activity.owner == user, Activity.status == "open", Activity.planned_date <= day,
        ).limit(500).tuples()]
        return user.display_name, sorted({s[:14] for s in subjects})


def _compile_package() -> None:
    """Byte-compile crm_tui as an installed wheel is (pip compiles on install):
    with PYTHONDONTWRITEBYTECODE set, as on this machine, every launch would
    otherwise compile ~100 modules from source (~0.4 s) that the bare app,
    whose Textual is compiled, never pays."""
    import compileall

    compileall.compile_dir(str(ROOT / "crm_tui"), quiet=1)


def _first_paint(term: Terminal, argv: list[str], ready: list[str], then: list[str] | None,
                 settle: float = 3.0) -> tuple[float, bool]:
    """Seconds from launch until every `ready` text shows; then, optionally, one of `then`."""
    name, started = term.launch(argv, child_env())
    try:
        shown = term.wait_for(name, lambda text: all(r in text for r in ready))
        if shown is None:
            raise RuntimeError(f"nothing painted: {term.screen(name)[:400]!r}")
        if then:
            listed = term.wait_for(name, lambda text: any(s in text for s in then), timeout=settle)
            if listed is not None:
                return listed - started, True
        return shown - started, False
    finally:
        term.kill(name)


@benchmark
def today_first_paint(env: Env) -> Result:
    """First paint of Today on this database, over a bare Textual app's, both in tmux: target <= 1.5x.

    The floor column adds a second yardstick, `stack_app.py`: the bare app plus
    Peewee, Pendulum and one row read from this database, i.e. what the stack
    costs before any of crm's own code runs."""
    display_name, subjects = _rep_today(env)
    _compile_package()
    term = Terminal()
    bare, stack, crm = [], [], []
    wait_list = bool(subjects)
    stack_argv = [sys.executable, str(ROOT / "benchmarks" / "stack_app.py"), str(env.database), env.rep]
    try:
        # Nine launches of each at large: one launch moves by ±20 % here, and the
        # median of five still landed either side of the target run to run.
        for _ in range(env.size.repeats * 2 - 1):
            bare.append(_first_paint(term, [sys.executable, str(ROOT / "benchmarks" / "bare_app.py")], [READY], None)[0])
            stack.append(_first_paint(term, stack_argv, [STACK_READY], None)[0])
            seconds, listed = _first_paint(term, env.crm_command(), [display_name], subjects if wait_list else None,
                                           env.size.settle)
            wait_list = wait_list and listed  # when the list shows no subjects, don't wait for them again
            crm.append(seconds)
    finally:
        term.close()
    bare_s, stack_s, crm_s = statistics.median(bare), statistics.median(stack), statistics.median(crm)
    what = "Today list with activities" if wait_list else "header and screen (no activity subject showed)"
    return Result(crm_s / bare_s, "x", target=1.5,
                  floor=f"bare {bare_s:.2f} s; stack {stack_s:.2f} s = {stack_s / bare_s:.2f}x",
                  note=f"crm {crm_s:.2f} s to {what}, {crm_s / stack_s:.2f}x the stack app")


@benchmark
def app_peak_memory(env: Env) -> Result:
    """Peak RSS of the app after visiting all four screens on this database: target < 200 MB."""
    display_name, _ = _rep_today(env)
    term = Terminal()
    try:
        name, _ = term.launch([sys.executable, str(ROOT / "benchmarks" / "bare_app.py")], child_env())
        term.wait_for(name, lambda text: READY in text)
        bare_mb = peak_rss_mb(term.pid(name))
        term.kill(name)
        name, _ = term.launch(env.crm_command(), child_env())
        if term.wait_for(name, lambda text: display_name in text) is None:
            raise RuntimeError("the app did not paint")
        pid = term.pid(name)
        for key in ("2", "3", "4", "1"):
            term.press(name, key)
            time.sleep(env.size.settle / 4)
        peak = peak_rss_mb(pid)
        term.kill(name)
    finally:
        term.close()
    return Result(peak, "MB", target=200.0, floor=f"bare {bare_mb:.0f} MB")


@benchmark
def agenda_query(env: Env) -> Result:
    """A rep's open work due today or before, read through the models as tuples: target < 50 ms."""
    from crm_tui import clock, db
    from crm_tui.models import Activity, User

    with env.opened():
        user = User.get(User.login == env.rep)
        local = clock.now().in_timezone(user.time_zone)
        day = dt.date(local.year, local.month, local.day)
        zone = zoneinfo.ZoneInfo(user.time_zone)
        query = (
            Activity.select(Activity.id, Activity.type, Activity.subject, Activity.planned_date,
                            Activity.start_at, Activity.duration_min, Activity.priority, Activity.fixed,
                            Activity.record_kind, Activity.record_id, Activity.deadline)
            .where(Activity.owner == user, Activity.status == "open", Activity.planned_date <= day)
            .order_by(Activity.planned_date, Activity.start_at)
            .tuples()
        )

        def agenda() -> list[tuple]:
            rows = []
            for row in query.clone():
                start = row[4]
                local_start = start.replace(tzinfo=dt.timezone.utc).astimezone(zone) if start else None
                rows.append((*row, local_start))
            return rows

        rows = len(agenda())
        seconds = median_time(agenda, env.size.repeats * 5)
        sql, params = query.sql()
        cursor = db.database.obj.cursor()
        raw = median_time(lambda: cursor.execute(sql, params).fetchall(), env.size.repeats * 5)
    return Result(seconds * 1000, "ms", target=50.0, floor=f"raw sqlite3 {raw * 1000:.1f} ms",
                  note=f"{rows:,} rows for {env.rep} on {day}")
