"""Many `crm` processes writing to one database at the same moment.

Each worker is its own process with its own connection, acting as its own
CRM user, and makes tiny audited writes through real domain functions:
it renames itself (users.set_user, a versioned, permission-checked update)
and adds a user (users.add_user, an insert), alternately. All workers wait
at a barrier and start together. Afterwards the database is counted: every
committed write must have left exactly one audit event, and no write that a
worker saw succeed may be missing.

    python benchmarks/stress_writers.py                 # 50 processes x 40 writes, SQLite in a temp dir
    python benchmarks/stress_writers.py --processes 8 --writes 20 --db /tmp/s.db
    python benchmarks/stress_writers.py --db postgresql://user@host/emptydb

tests/test_concurrency.py runs a small version of the same function.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import random
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crm_tui import db, schema  # noqa: E402
from crm_tui.domain import users  # noqa: E402
from crm_tui.models import AuditEvent, User  # noqa: E402


@dataclass
class Result:
    processes: int
    attempted: int = 0
    committed: int = 0
    errors: list[str] = field(default_factory=list)
    latencies_ms: list[float] = field(default_factory=list)
    audit_events: int = 0
    expected_audit_events: int = 0
    lost: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def locked(self) -> int:
        return sum("locked" in error.lower() or "busy" in error.lower() for error in self.errors)

    def percentile(self, p: float) -> float:
        if not self.latencies_ms:
            return 0.0
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def _worker(url: str, index: int, writes: int, think_ms: float, queue: bool, barrier, out) -> None:  # type: ignore[no-untyped-def]
    """One rep's process: open its own connection, wait for the others, write."""
    db.open_database(url)
    if not queue:  # compare with SQLite's own busy handler alone
        db.database.obj.crm_lock_path = None
    me = users.get_user(f"w{index}")
    attempted = committed = 0
    errors: list[str] = []
    latencies: list[float] = []
    renamed = added = 0
    barrier.wait()
    for k in range(writes):
        if think_ms:
            time.sleep(random.uniform(0, 2 * think_ms) / 1000)
        attempted += 1
        started = time.perf_counter()
        try:
            if k % 2 == 0:
                me = users.set_user(me.login, actor=me, display_name=f"worker {index} write {k}")
                renamed += 1
            else:
                users.add_user(f"w{index}x{k}", f"added by {index}")
                added += 1
            committed += 1
        except Exception as exc:  # noqa: BLE001 - a benchmark counts every failure
            errors.append(f"{type(exc).__name__}: {exc}")
        latencies.append((time.perf_counter() - started) * 1000)
    db.close()
    out.put((index, attempted, committed, errors, latencies, renamed, added))


def run_stress(url: str, processes: int, writes: int, think_ms: float = 0.0, queue: bool = True) -> Result:
    """Start `processes` writers on an empty database at `url`, then count what landed."""
    db.open_database(url)
    schema.ensure_schema()
    for index in range(processes):
        users.add_user(f"w{index}", f"worker {index}")
    before = AuditEvent.select().count()
    db.close()  # children open their own connections
    ctx = mp.get_context("fork")
    barrier = ctx.Barrier(processes)
    out = ctx.Queue()
    workers = [ctx.Process(target=_worker, args=(url, i, writes, think_ms, queue, barrier, out)) for i in range(processes)]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    reports = [out.get(timeout=600) for _ in workers]
    for worker in workers:
        worker.join()
    result = Result(processes, seconds=time.perf_counter() - started)
    db.open_database(url)
    for index, attempted, committed, errors, latencies, renamed, added in reports:
        result.attempted += attempted
        result.committed += committed
        result.errors.extend(errors)
        result.latencies_ms.extend(latencies)
        me = User.get(User.login == f"w{index}")
        if me.version != 1 + renamed:
            result.lost.append(f"w{index}: {renamed} renames committed, version is {me.version}")
        present = User.select().where(User.login.startswith(f"w{index}x")).count()
        if present != added:
            result.lost.append(f"w{index}: {added} users added, {present} present")
    result.audit_events = AuditEvent.select().count() - before
    result.expected_audit_events = result.committed
    if result.audit_events != result.committed:
        result.lost.append(f"{result.committed} writes committed, {result.audit_events} audit events")
    db.close()
    return result


def report(result: Result) -> str:
    rate = result.committed / result.seconds if result.seconds else 0.0
    rows = [
        ("processes", f"{result.processes}"),
        ("writes attempted", f"{result.attempted}"),
        ("writes committed", f"{result.committed}"),
        ("errors", f"{len(result.errors)}"),
        ("'database is locked' reaching the caller", f"{result.locked}"),
        ("writes lost (counted afterwards)", f"{len(result.lost)}"),
        ("latency p50", f"{statistics.median(result.latencies_ms) if result.latencies_ms else 0:.1f} ms"),
        ("latency p99", f"{result.percentile(99):.1f} ms"),
        ("latency max", f"{max(result.latencies_ms, default=0):.1f} ms"),
        ("wall time", f"{result.seconds:.1f} s ({rate:.0f} commits/s)"),
    ]
    width = max(len(name) for name, _ in rows)
    lines = [f"{name.ljust(width)}  {value}" for name, value in rows]
    lines += [f"error: {error}" for error in result.errors[:5]]
    lines += [f"lost: {lost}" for lost in result.lost[:5]]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=50)
    parser.add_argument("--writes", type=int, default=40, help="writes per process")
    parser.add_argument("--think-ms", type=float, default=0.0,
                        help="mean pause between one worker's writes (0: write back to back, the worst case)")
    parser.add_argument("--no-writer-queue", action="store_true",
                        help="SQLite: skip the flock writer queue, leaving only SQLite's busy handler")
    parser.add_argument("--db", help="an EMPTY database (default: a new SQLite file in a temp dir)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or str(Path(tmp) / "stress.db")
        result = run_stress(url, args.processes, args.writes, args.think_ms, not args.no_writer_queue)
    print(report(result))
    ok = result.committed == result.attempted and not result.errors and not result.lost
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
