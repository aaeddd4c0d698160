"""Concurrency benchmarks for the runner: many writer processes on one SQLite
file (benchmarks/stress_writers.py does the work) and what live refresh's poll
costs on the shared database (benchmarks/poll_cost.py)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from benchmarks.framework import Env, Result, benchmark
from benchmarks.poll_cost import measure_polls
from benchmarks.stress_writers import run_stress


@benchmark
def concurrent_writers(env: Env) -> Result:
    """50 processes writing back to back to one SQLite file (audited domain writes): p99 latency, 0 errors, 0 lost."""
    processes, writes = (50, 40) if env.size.name == "large" else (4, 4)
    folder = Path(tempfile.mkdtemp(prefix="stress-", dir=env.scratch))
    try:
        result = run_stress(str(folder / "stress.db"), processes, writes)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if result.errors or result.lost or result.committed != result.attempted:
        raise RuntimeError(f"{len(result.errors)} errors, {len(result.lost)} lost: "
                           f"{(result.errors + result.lost)[:2]}")
    return Result(result.percentile(99), "ms", floor="PERF.md: p99 80 ms, 0 errors",
                  note=f"{processes} processes x {writes} writes: {result.committed} committed, 0 errors, "
                       f"0 lost, {result.committed / result.seconds:.0f} commits/s")


@benchmark
def refresh_poll(env: Env) -> Result:
    """Live refresh's poll (MAX audit id) on the shared database: median µs per poll."""
    from crm_tui.models import AuditEvent

    with env.opened():
        rows = AuditEvent.select().count()
        median, p99, cpu = measure_polls(200 * env.size.repeats)
    return Result(median, "µs", floor=f"p99 {p99:.0f} µs",
                  note=f"{rows:,} audit rows; 50 users polling once a second use {50 * cpu * 100:.2f} % of a core")
