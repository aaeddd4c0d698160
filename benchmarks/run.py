"""Run the benchmarks and print one table; also written to benchmarks/RESULTS.md.

    python benchmarks/run.py [--size small|large] [--only NAME] [--seed N] [--rebuild]

The demo database for the size and seed is built once into benchmarks/data/
(gitignored) and reused while the schema and the demo generator stay the same.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import sys
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.framework import DATA, ROOT, SIZES, Benchmark, Env, Result, load_all, machine, prepare  # noqa: E402


def _cpu_seconds() -> float:
    """CPU time of this process and its finished children (apps launched in tmux are not counted)."""
    mine, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return mine.ru_utime + mine.ru_stime + children.ru_utime + children.ru_stime


def run(env: Env, chosen: list[Benchmark]) -> list[tuple[Benchmark, Result | None, str]]:
    """Run each benchmark; its note gets the whole benchmark's wall and CPU
    seconds and the 1-minute load average when it started (a loaded, shared
    machine stretches wall time; CPU time much less)."""
    results = []
    for bench in chosen:
        print(f"running {bench.name} ...", file=sys.stderr, flush=True)
        load, started, cpu = os.getloadavg()[0], time.perf_counter(), _cpu_seconds()
        try:
            result: Result | None = bench.fn(env)
            error = ""
        except Exception as exc:  # one broken benchmark must not hide the others
            traceback.print_exc()
            result, error = None, f"{type(exc).__name__}: {exc}"
        spent = (f"run: wall {time.perf_counter() - started:.1f} s, CPU {_cpu_seconds() - cpu:.1f} s, "
                 f"load {load:.1f}")
        if result is not None:
            result.note = f"{result.note}; {spent}" if result.note else spent
        else:
            error = f"{error}; {spent}"
        results.append((bench, result, error))
    return results


def table(results: list[tuple[Benchmark, Result | None, str]]) -> list[str]:
    rows = [("benchmark", "result", "target", "verdict", "floor (same run)", "note")]
    for bench, result, error in results:
        if result is None:
            rows.append((bench.name, "error", "", "ERROR", "", error))
        else:
            target = f"<= {result.shown(result.target)}" if result.target is not None else ""
            rows.append((bench.name, result.shown(), target, result.verdict, result.floor, result.note))
    lines = ["| " + " | ".join(row) + " |" for row in rows]
    lines.insert(1, "|" + "|".join("---" for _ in rows[0]) + "|")
    return lines


def markdown(results: list[tuple[Benchmark, Result | None, str]], env: Env, load_start: str = "?") -> str:
    body = table(results)
    info = machine()
    size = env.size
    return "\n".join([
        "# Benchmark results",
        "",
        f"Run {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC with `benchmarks/run.py --size {size.name}` "
        f"(seed {env.seed}; {size.leads:,} leads, {size.accounts:,} accounts, {size.contacts:,} contacts, "
        f"{size.activities:,} activities, {size.reps} reps; data as of {env.now}).",
        "",
        f"Machine: {info['cpus']} CPUs, Python {info['python']}, SQLite {info['sqlite']}, "
        f"Textual {info['textual']}, {info['platform']}; load average (1/5/15 min) "
        f"{load_start} at the start, {info['load']} at the end.",
        "",
        *body,
        "",
        "Figures are medians. The machine is shared and noisy: read a result next to its floor,",
        "measured in the same run. Benchmarks and how to add one: benchmarks/README.md.",
        "",
    ])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run crm_tui's benchmarks and print one table.")
    parser.add_argument("--size", choices=sorted(SIZES), default="large")
    parser.add_argument("--only", action="append", metavar="NAME", help="run only this benchmark (repeatable)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rebuild", action="store_true", help="build the database again even if cached")
    parser.add_argument("--output", type=Path, default=ROOT / "benchmarks" / "RESULTS.md")
    args = parser.parse_args(argv)
    benchmarks = load_all()
    chosen = [b for b in benchmarks if not args.only or b.name in args.only]
    unknown = set(args.only or ()) - {b.name for b in benchmarks}
    if unknown:
        parser.error(f"unknown benchmark {', '.join(sorted(unknown))}; known: {', '.join(b.name for b in benchmarks)}")
    print(f"preparing the {args.size} database in {DATA} ...", file=sys.stderr, flush=True)
    env = prepare(SIZES[args.size], args.seed, rebuild=args.rebuild)
    load_start = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    results = run(env, chosen)
    text = markdown(results, env, load_start)
    print(text)
    args.output.write_text(text)
    return 0 if all(r is not None and r.verdict != "MISS" for _, r, _ in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
