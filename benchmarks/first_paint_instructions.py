"""Instructions to the first frame: the bare Textual app against crm's Today.

    python benchmarks/first_paint_instructions.py [--db PATH]   # needs valgrind and tmux

Wall time to first paint moves by ±20 % between launches on a shared
machine; the number of instructions executed (valgrind's callgrind) is the
same on every run, so a start-up change can be judged by itself, in ~20 s,
before today_first_paint confirms it in seconds. Both apps run in a real
terminal (tmux) and exit at the frame today_first_paint waits for
(exit_at_first_frame.py). Defaults to the newest large benchmark database.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.bare_app import READY  # noqa: E402
from benchmarks.bench_core import _compile_package  # noqa: E402
from benchmarks.framework import BENCH_NOW, ROOT, Terminal, child_env  # noqa: E402
from crm_tui.cli.demo_cmd import DEMO_LOGIN  # noqa: E402

HOOK = ROOT / "benchmarks" / "exit_at_first_frame.py"


def count(term: Terminal, argv: list[str], texts: list[str], out: Path) -> int:
    """Instructions `argv` executes until its first frame shows every text."""
    env = child_env() | {"CRM_FIRST_FRAME_TEXTS": ",".join(texts)}
    name, _ = term.launch(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}",
                           sys.executable, str(HOOK), *argv], env)
    deadline = time.monotonic() + 300
    while term.screen(name) and time.monotonic() < deadline:  # the window closes when the app exits
        time.sleep(0.2)
    match = re.search(r"^summary: (\d+)$", out.read_text(), re.M) if out.exists() else None
    if match is None:
        raise SystemExit(f"no count for {argv[0]}: did it paint {texts}?")
    return int(match.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, help="the database (default: the newest benchmarks/data/demo-large-*.db)")
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is needed (apt install valgrind)")
    database = args.db or max((ROOT / "benchmarks" / "data").glob("demo-large-*.db"), key=lambda p: p.stat().st_mtime)
    _compile_package()
    term = Terminal()
    try:
        with tempfile.TemporaryDirectory() as scratch:
            bare = count(term, [str(ROOT / "benchmarks" / "bare_app.py")], [READY], Path(scratch) / "bare.out")
            # What today_first_paint waits for on the large database: the rep's name and an overdue row.
            crm = count(term, ["-m", "crm_tui", "--db", str(database), "--now", BENCH_NOW, "--user", DEMO_LOGIN],
                        ["Alex Morgan", "late"], Path(scratch) / "crm.out")
    finally:
        term.close()
    print(f"{'app':<6}{'instructions':>16}")
    print(f"{'bare':<6}{bare:>16,}")
    print(f"{'crm':<6}{crm:>16,}  {crm / bare:.2f}x the bare app ({database.name})")


if __name__ == "__main__":
    main()
