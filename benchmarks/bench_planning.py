"""Rebalance timing: 500 activities over 10 working days, 10,000 over a year.

Standalone: `python benchmarks/bench_planning.py`. Pure data, no database:
the rebalance is a pure function, so this times exactly the algorithm the
Plan screen runs. Every day starts overloaded (the worst case: each day
needs moves and the search for room runs for every candidate).
Targets from issue 4: 10 days / 500 < 20 ms; a year / 10,000 < 200 ms.

The last row times what a drop costs on screen: the domain move, re-reading
ten days of cards (300 activities), and the calendar repainting only the two
columns that changed, in a headless app on a temporary SQLite file
(target < 50 ms).
"""

from __future__ import annotations

import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crm_tui.domain.planning import PlanDay, PlanItem, rebalance  # noqa: E402

START = dt.date(2026, 11, 19)


def working(day: dt.date) -> bool:
    return day.weekday() < 5


def build(count: int, working_days: int, seed: int = 7) -> tuple[list[PlanItem], list[PlanDay]]:
    """`count` activities crowded onto the first 70 % of `working_days` days."""
    rng = random.Random(seed)
    days: list[dt.date] = []
    day = START
    while len(days) < working_days:
        if working(day):
            days.append(day)
        day += dt.timedelta(days=1)
    crowded = days[: max(1, int(len(days) * 0.7))]
    items = []
    for i in range(count):
        on = rng.choice(crowded)
        deadline = None if rng.random() < 0.5 else on + dt.timedelta(days=rng.randint(0, 20))
        items.append(PlanItem(
            i + 1, on, rng.choice((10, 15, 30, 60)), rng.randint(1, 3), rng.random() < 0.1, deadline,
        ))
    all_days = [START + dt.timedelta(days=i) for i in range((days[-1] - START).days + 1)]
    return items, [PlanDay(d, 420 if working(d) else 0) for d in all_days]


def measure(count: int, working_days: int, repeat: int = 15) -> tuple[float, float, int, int]:
    """Median wall and CPU ms (CPU time is steadier on a busy shared machine)."""
    items, days = build(count, working_days)
    wall, cpu = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        proposal = rebalance(items, days, today=START, is_working_day=working)
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return statistics.median(wall), statistics.median(cpu), len(proposal.moves), len(proposal.overloaded)


def measure_repaint(repeat: int = 15) -> float:
    """Median wall ms from a drop to the calendar patched (move, re-read, patch);
    Textual draws the frame right after, batched into one update."""
    import asyncio
    import tempfile

    from crm_tui import clock, db, schema
    from crm_tui.config import Config
    from crm_tui.domain import planning, users
    from crm_tui.models import Activity, Lead
    from crm_tui.ui.app import make_app
    from crm_tui.ui.widgets.calendar import Calendar

    clock.freeze("2026-11-18T09:00:00+00:00")
    folder = tempfile.mkdtemp(prefix="crm-bench-")
    db.open_database(f"{folder}/crm.db")
    schema.ensure_schema()
    config = Config()
    rep = users.add_user("ann", "Ann", time_zone="Europe/Berlin")
    lead = Lead.create(last_name="Lee", owner=rep)
    rng = random.Random(3)
    first, last = planning.view_range("ahead", rep, config, 10)
    days = [plan.day for plan in planning.plan_days(rep, first, last, config)]
    with db.database.atomic():
        for i in range(300):
            Activity.create(type=rng.choice(("call", "email", "task")), subject=f"Activity {i}", owner=rep,
                            record_kind="lead", record_id=lead.id, planned_date=rng.choice(days))
    ids = [a.id for a in Activity.select(Activity.id)]
    timings: list[float] = []

    async def run() -> None:
        app = make_app(rep, start_mode="plan")
        async with app.run_test(size=(200, 50)) as pilot:
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()
            calendar = app.screen.query_one("#calendar", Calendar)
            assert len(calendar.days) == 10
            for n in range(repeat):
                activity = Activity.get_by_id(ids[n])
                target = days[(days.index(activity.planned_date) + 1) % len(days)]
                started = time.perf_counter()
                planning.move_activity(rep, activity.id, target, config)
                plans = planning.plan_days(rep, first, last, config)
                changed = await calendar.show(plans)
                timings.append((time.perf_counter() - started) * 1000)
                assert len(changed) == 2
                await pilot.pause()

    asyncio.run(run())
    db.close()
    return statistics.median(timings)


def main() -> None:
    print(f"{'case':<34}{'wall ms':>9}{'cpu ms':>8}{'target':>8}{'moves':>7}{'still over':>11}  ok")
    for label, count, days, target in (
        ("500 activities, 10 working days", 500, 10, 20.0),
        ("10,000 activities, a year", 10_000, 261, 200.0),
    ):
        wall, cpu, moves, over = measure(count, days)
        print(f"{label:<34}{wall:>9.2f}{cpu:>8.2f}{target:>8.0f}{moves:>7}{over:>11}  {'yes' if wall < target else 'NO'}")
    wall = measure_repaint()
    print(f"{'drop -> calendar repainted':<34}{wall:>9.2f}{'':>8}{50:>8.0f}{'':>7}{'':>11}  {'yes' if wall < 50 else 'NO'}")
    print(f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; compare figures from the same run)")



# --- Registered with the runner (benchmarks/run.py); the functions above do the work.

from benchmarks.framework import Env, Result, benchmark, median_time  # noqa: E402


def _rebalance_result(env: Env, count: int, working_days: int, target: float) -> Result:
    wall, cpu, moves, over = measure(count, working_days, repeat=max(3, env.size.repeats * 3))
    return Result(wall, "ms", target=target, floor=f"CPU {cpu:.1f} ms",
                  note=f"{count:,} activities over {working_days} working days, every day overloaded: "
                       f"{moves} moves, {over} days still over")


@benchmark
def rebalance_500(env: Env) -> Result:
    """Rebalance 500 activities over 10 working days (pure function): target < 20 ms."""
    return _rebalance_result(env, 500, 10, 20.0)


@benchmark
def rebalance_10000(env: Env) -> Result:
    """Rebalance 10,000 activities over a year (pure function): target < 200 ms."""
    return _rebalance_result(env, 10_000, 261, 200.0)


@benchmark
def plan_drop_repaint(env: Env) -> Result:
    """A drop on the Plan calendar: move, re-read ten days, patch two columns, headless: target < 50 ms."""
    return Result(measure_repaint(repeat=max(3, env.size.repeats * 3)), "ms", target=50.0,
                  note="300 activities on a temporary SQLite file; Textual paints the frame right after")


@benchmark
def plan_load_10_days(env: Env) -> Result:
    """The Plan view's ten days for the demo rep: load per day (one GROUP BY) and the cards."""
    from crm_tui.config import Config
    from crm_tui.domain import planning, users

    with env.opened():
        config = Config()
        rep = users.get_user(env.rep)
        first, last = planning.view_range("ahead", rep, config, 10)
        load = median_time(lambda: planning.load_by_day(rep, first, last, config), env.size.repeats * 5)
        full = median_time(lambda: planning.plan_days(rep, first, last, config), env.size.repeats)
        cards = sum(len(day.cards) for day in planning.plan_days(rep, first, last, config))
    return Result(full * 1000, "ms", floor=f"load per day alone {load * 1000:.1f} ms (PERF.md: 0.1 ms)",
                  note=f"{first} to {last}, {cards} cards for {env.rep}")


if __name__ == "__main__":
    main()
