"""Time `crm import leads` on a generated 100,000-row CSV (target: under 30 s).

Standalone: python benchmarks/bench_import.py [ROWS] [--db URL]
Builds the file and a fresh SQLite database in a temporary directory (or
uses --db, e.g. a throwaway PostgreSQL database: its tables are dropped and
made again), runs
the import through the real CLI entry point, and prints a results table.
One row in 50 is invalid and one in 100 a duplicate, so the reject and
duplicate paths are timed too.
"""

from __future__ import annotations

import csv
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crm_tui.cli import main  # noqa: E402

TARGET_SECONDS = 30.0


def build(path: Path, rows: int) -> None:
    rng = random.Random(1)
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["First Name", "Last Name", "Company", "Email", "Business Phone", "Lead Source", "Title"])
        for i in range(rows):
            email = f"lead{i}@example{i % 97}.test"
            if i % 100 == 99:
                email = f"lead{i - 1}@example{(i - 1) % 97}.test"  # a duplicate
            if i % 50 == 49:
                email = "not-an-email"  # rejected
            writer.writerow([f"First{i}", f"Last{i}", f"Company {i % 5000}", email,
                             f"+49 30 {rng.randrange(10**7, 10**8)}", rng.choice(["web", "fair", "referral"]),
                             "Buyer"])


def _fresh(url: str) -> None:
    """Empty a throwaway PostgreSQL database so every run starts alike."""
    from crm_tui import db

    db.open_database(url)
    db.database.obj.execute_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    db.close()


def import_csv(folder: Path, rows: int, url: str | None = None) -> dict[str, float]:
    """Build the CSV in `folder`, then run `crm import leads` on it into a fresh
    database (there, or `url`); returns the figures (seconds, exit code, size)."""
    source = folder / "leads.csv"
    started = time.perf_counter()
    build(source, rows)
    built = time.perf_counter() - started
    database = url or str(folder / "bench.db")
    if url and url.startswith("postgres"):
        _fresh(url)
    main(["--db", database, "--user", "bench", "users", "list"])  # creates the db and its admin
    started, cpu = time.perf_counter(), time.process_time()
    code = main(["--db", database, "--user", "bench", "import", "leads", str(source)])
    return {"elapsed": time.perf_counter() - started, "cpu": time.process_time() - cpu, "code": code,
            "built": built, "mb": source.stat().st_size / 1e6, "postgres": database.startswith("postgres")}


def run(rows: int, url: str | None = None) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        figures = import_csv(Path(tmp), rows, url)
        elapsed, cpu, code, built = figures["elapsed"], figures["cpu"], figures["code"], figures["built"]
        database = "postgres" if figures["postgres"] else "sqlite"
        print()
        print("| what | value |")
        print("|---|---|")
        print(f"| database | {'PostgreSQL' if database.startswith('postgres') else 'SQLite file'} |")
        print(f"| rows in file | {rows:,} |")
        print(f"| file size | {figures['mb']:.1f} MB (built in {built:.1f} s) |")
        print(f"| crm import leads, exit code | {code} |")
        print(f"| import time | {elapsed:.2f} s ({rows / elapsed:,.0f} rows/s) |")
        print(f"| CPU time of this process | {cpu:.2f} s |")
        print(f"| load average (1 min) during the run | {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs |")
        print(f"| target | < {TARGET_SECONDS:.0f} s: {'OK' if elapsed < TARGET_SECONDS else 'TOO SLOW'} |")
        return elapsed


# --- Registered with the runner (benchmarks/run.py); a fresh database of its own.

from benchmarks.framework import Env, Result, benchmark  # noqa: E402


@benchmark
def csv_import_100k(env: Env) -> Result:
    """`crm import leads` of a 100,000-row CSV (1 in 50 invalid, 1 in 100 duplicate) into a fresh SQLite: target < 30 s."""
    rows = 100_000 if env.size.name == "large" else max(200, env.size.leads // 10)
    folder = Path(tempfile.mkdtemp(prefix="import-", dir=env.scratch))
    try:
        figures = import_csv(folder, rows)
    finally:
        import shutil

        shutil.rmtree(folder, ignore_errors=True)
    if figures["code"] != 0:
        raise RuntimeError(f"crm import leads exited {figures['code']:.0f}")
    return Result(figures["elapsed"], "s", target=TARGET_SECONDS if rows == 100_000 else None,
                  floor=f"CPU {figures['cpu']:.1f} s",
                  note=f"{rows:,} rows, {figures['mb']:.1f} MB, {rows / figures['elapsed']:,.0f} rows/s")


if __name__ == "__main__":
    args = sys.argv[1:]
    target_db = None
    if "--db" in args:
        at = args.index("--db")
        target_db = args[at + 1]
        del args[at:at + 2]
    count = int(args[0]) if args and args[0].isdigit() else 100_000
    sys.exit(0 if run(count, target_db) < TARGET_SECONDS else 1)
