"""Time `crm import leads` on a generated 100,000-row CSV (target: under 30 s).

Standalone: python benchmarks/bench_import.py [ROWS] [--postgres URL]
Builds the file and a fresh SQLite database in a temporary directory, runs
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


def run(rows: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "leads.csv"
        started = time.perf_counter()
        build(source, rows)
        built = time.perf_counter() - started
        database = str(Path(tmp) / "bench.db")
        main(["--db", database, "--user", "bench", "users", "list"])  # creates the db and its admin
        started, cpu = time.perf_counter(), time.process_time()
        code = main(["--db", database, "--user", "bench", "import", "leads", str(source)])
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu
        print()
        print("| what | value |")
        print("|---|---|")
        print(f"| rows in file | {rows:,} |")
        print(f"| file size | {source.stat().st_size / 1e6:.1f} MB (built in {built:.1f} s) |")
        print(f"| crm import leads, exit code | {code} |")
        print(f"| import time | {elapsed:.2f} s ({rows / elapsed:,.0f} rows/s) |")
        print(f"| CPU time of this process | {cpu:.2f} s |")
        print(f"| load average (1 min) during the run | {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs |")
        print(f"| target | < {TARGET_SECONDS:.0f} s: {'OK' if elapsed < TARGET_SECONDS else 'TOO SLOW'} |")
        return elapsed


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else 100_000
    sys.exit(0 if run(count) < TARGET_SECONDS else 1)
