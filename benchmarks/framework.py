"""The benchmark framework: sizes, the cached demo database, a real terminal
(tmux) to launch apps in, and the registry every benchmark joins with
`@benchmark`. See README.md beside this file for how to add one."""

from __future__ import annotations

import json
import os
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "benchmarks" / "data"
BENCH_NOW = "2026-11-18T09:00:00+00:00"
"""The instant the benchmark data is built for and the apps run at: a Wednesday
morning, so "today" is a full working day and runs months apart compare."""


@dataclass(frozen=True)
class Size:
    """How big the demo database is. `large` is the size the targets are for."""

    name: str
    leads: int
    accounts: int
    contacts: int
    activities: int
    reps: int
    repeats: int
    """How often each timing is taken (the median is reported)."""
    settle: float
    """Seconds to wait for content that may paint after the first frame (lists, screens)."""


SIZES = {
    "tiny": Size("tiny", 40, 20, 30, 300, 4, 1, 0.3),  # the smoke test: does every benchmark still run
    "small": Size("small", 5_000, 5_000, 5_000, 50_000, 20, 3, 3.0),
    "large": Size("large", 100_000, 100_000, 100_000, 1_000_000, 20, 5, 3.0),
}


@dataclass
class Result:
    """One benchmark's figure. `value <= target` passes; `floor` is the
    yardstick measured in the same run (the machine is noisy: compare to it)."""

    value: float
    unit: str
    target: float | None = None
    floor: str = ""
    note: str = ""

    @property
    def verdict(self) -> str:
        if self.target is None:
            return "-"
        return "pass" if self.value <= self.target else "MISS"

    def shown(self, number: float | None = None) -> str:
        number = self.value if number is None else number
        if self.unit == "x":
            return f"{number:.2f}x"
        if self.unit == "ms":
            return f"{number:.1f} ms"
        if self.unit == "s":
            return f"{number:.2f} s"
        return f"{number:.0f} {self.unit}"


@dataclass(frozen=True)
class Benchmark:
    name: str
    fn: Callable[["Env"], Result]
    doc: str


BENCHMARKS: list[Benchmark] = []


def benchmark(fn: Callable[["Env"], Result]) -> Callable[["Env"], Result]:
    """Register a benchmark: a function taking the Env and returning a Result.
    Its name is the function's; its first docstring line says what it measures."""
    doc = (fn.__doc__ or fn.__name__).strip().splitlines()[0]
    BENCHMARKS.append(Benchmark(fn.__name__, fn, doc))
    return fn


def load_all() -> list[Benchmark]:
    """Import every benchmarks/bench_*.py so their @benchmark functions register."""
    import importlib

    for path in sorted((ROOT / "benchmarks").glob("bench_*.py")):
        importlib.import_module(f"benchmarks.{path.stem}")
    return BENCHMARKS


@dataclass
class Env:
    """What a benchmark gets: the built database and ways to use it."""

    size: Size
    seed: int
    database: Path
    now: str
    """The instant the data was built for; apps and queries run frozen at it."""
    scratch: Path
    build: dict[str, float] = field(default_factory=dict)
    """Figures of the build that made the database (wall_s, cpu_s, load), in
    this run or when the cached one was made; empty when unknown."""
    python: str = sys.executable

    @property
    def rep(self) -> str:
        from crm_tui.domain.demo import DEMO_LOGIN

        return DEMO_LOGIN

    def crm_command(self, *args: str) -> list[str]:
        """`python -m crm_tui` on the benchmark database, as the demo rep, at the data's instant."""
        return [self.python, "-m", "crm_tui", "--db", str(self.database), "--now", self.now,
                "--user", self.rep, *args]

    @contextmanager
    def opened(self) -> Iterator[None]:
        """The database opened read-only in this process, for query benchmarks."""
        from crm_tui import clock, db

        clock.freeze(self.now)
        db.open_database(str(self.database), readonly=True)
        try:
            yield
        finally:
            db.close()


def median_time(fn: Callable[[], object], repeats: int) -> float:
    """Median wall time of fn in seconds, after one warm-up call."""
    fn()
    times = []
    for _ in range(max(1, repeats)):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    # Benchmarks run with the built-in settings: the same figures for everyone.
    for name in ("CRM_DATABASE", "CRM_NOW", "CRM_USER", "CRM_CONFIG"):
        env.pop(name, None)
    env.setdefault("TERM", "xterm-256color")
    return env


def build_database(size: Size, seed: int, path: Path, now: str) -> dict[str, float]:
    """Build the demo database with the real CLI; returns wall and CPU seconds."""
    from crm_tui.cli.demo_cmd import remove_database_files

    remove_database_files(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "crm_tui", "demo", "--db", str(path), "--now", now,
               "--seed", str(seed), "--leads", str(size.leads), "--accounts", str(size.accounts),
               "--contacts", str(size.contacts), "--activities", str(size.activities), "--reps", str(size.reps)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=child_env(), capture_output=True, text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise RuntimeError(f"demo build failed: {done.stderr.strip() or done.stdout.strip()}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall_s": wall, "cpu_s": cpu, "load": os.getloadavg()[0]}


def prepare(size: Size, seed: int, data_dir: Path = DATA, rebuild: bool = False, now: str = BENCH_NOW) -> Env:
    """The database for this size and seed: reused when one with the same schema
    and generator version exists, else built now (into a temporary name first,
    so an interrupted build is never reused)."""
    from crm_tui.domain.demo import GENERATOR_VERSION
    from crm_tui.schema import SCHEMA_VERSION

    key = f"demo-{size.name}-seed{seed}-schema{SCHEMA_VERSION}-gen{GENERATOR_VERSION}"
    path = data_dir / f"{key}.db"
    sidecar = data_dir / f"{key}.json"
    scratch = data_dir / "scratch"
    scratch.mkdir(parents=True, exist_ok=True)
    meta = json.loads(sidecar.read_text()) if sidecar.exists() else {}
    if path.exists() and meta.get("now") == now and not rebuild:
        figures = {k: float(v) for k, v in meta.items() if k in ("wall_s", "cpu_s", "load")}
        return Env(size, seed, path, meta["now"], scratch, build=figures if "cpu_s" in figures else {})
    building = data_dir / f"{key}.building.db"
    figures = build_database(size, seed, building, now)
    from crm_tui.cli.demo_cmd import remove_database_files

    remove_database_files(path)
    building.rename(path)
    sidecar.write_text(json.dumps({"now": now, **figures}))
    return Env(size, seed, path, now, scratch, build=figures)


class Terminal:
    """A private tmux server (own socket), to launch apps in a real terminal
    and watch what they paint."""

    def __init__(self, width: int = 120, height: int = 40) -> None:
        if shutil.which("tmux") is None:
            raise RuntimeError("tmux is needed for terminal benchmarks")
        self.width, self.height = width, height
        self.socket = f"crm-bench-{os.getpid()}-{time.monotonic_ns()}"
        self._count = 0
        # A holder session keeps the server up, so a launch does not pay for starting it.
        self._tmux("new-session", "-d", "-s", "holder", "-x", str(width), "-y", str(height), "sleep 100000")
        self._socket_path = self._tmux("display-message", "-p", "#{socket_path}").strip()

    def _tmux(self, *args: str) -> str:
        out = subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True)
        return out.stdout

    def launch(self, argv: list[str], env: dict[str, str] | None = None) -> tuple[str, float]:
        """Start a program in a new window; returns its name and the start instant."""
        self._count += 1
        name = f"w{self._count}"
        exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in (env or {}).items())
        command = f"cd {shlex.quote(str(ROOT))} && exec env {exports} {shlex.join(argv)}"
        started = time.perf_counter()
        self._tmux("new-session", "-d", "-s", name, "-x", str(self.width), "-y", str(self.height), command)
        return name, started

    def screen(self, name: str) -> str:
        return self._tmux("capture-pane", "-p", "-t", name)

    def wait_for(self, name: str, found: Callable[[str], bool], timeout: float = 30.0) -> float | None:
        """Poll the pane until `found(text)`; returns the instant, or None on timeout."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if found(self.screen(name)):
                return time.perf_counter()
            time.sleep(0.005)
        return None

    def press(self, name: str, *keys: str) -> None:
        self._tmux("send-keys", "-t", name, *keys)

    def pid(self, name: str) -> int:
        return int(self._tmux("display-message", "-p", "-t", name, "#{pane_pid}").strip())

    def kill(self, name: str) -> None:
        self._tmux("kill-session", "-t", name)

    def close(self) -> None:
        """Stop the private server and remove its socket file."""
        self._tmux("kill-server")
        if self._socket_path:
            Path(self._socket_path).unlink(missing_ok=True)


def peak_rss_mb(pid: int) -> float:
    """The high-water mark of a process's resident memory (Linux /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmHWM for process {pid}")


def machine() -> dict[str, str]:
    import platform
    import sqlite3

    import textual

    load = os.getloadavg()
    return {
        "cpus": str(os.cpu_count()),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "textual": textual.__version__,
        "platform": platform.platform(),
        "load": f"{load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}",
    }
