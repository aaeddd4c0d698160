"""Rebalance timing: 500 activities over 10 working days, 10,000 over a year.

Standalone: `python benchmarks/bench_planning.py`. Pure data, no database:
the rebalance is a pure function, so this times exactly the algorithm the
Plan screen runs. Every day starts overloaded (the worst case: each day
needs moves and the search for room runs for every candidate).
Targets from issue 4: 10 days / 500 < 20 ms; a year / 10,000 < 200 ms.
"""

from __future__ import annotations

import datetime as dt
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


def measure(count: int, working_days: int, repeat: int = 15) -> tuple[float, int, int]:
    items, days = build(count, working_days)
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        proposal = rebalance(items, days, today=START, is_working_day=working)
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings), len(proposal.moves), len(proposal.overloaded)


def main() -> None:
    print(f"{'case':<34}{'median ms':>10}{'target ms':>10}{'moves':>7}{'still over':>11}  ok")
    for label, count, days, target in (
        ("500 activities, 10 working days", 500, 10, 20.0),
        ("10,000 activities, a year", 10_000, 261, 200.0),
    ):
        ms, moves, over = measure(count, days)
        print(f"{label:<34}{ms:>10.2f}{target:>10.0f}{moves:>7}{over:>11}  {'yes' if ms < target else 'NO'}")


if __name__ == "__main__":
    main()
