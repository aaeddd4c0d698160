"""Hooks: executables in `config.hooks_dir` told about events, as JSON on stdin.

- `on-create`: a record or an activity was created;
- `on-complete`: an activity was marked done;
- `on-exception`: an exception is new since the last `crm hooks exceptions` run.

`install(config)` subscribes to `domain.changes.COMMITTED`, so every write
path (TUI, CLI, imports) fires the same hooks, and only after its
transaction committed. Hooks run one at a time, in order, in a background
thread, each with a time limit (`config.hook_timeout`): the user's action
never waits for them, and a hook
that fails, cannot start or hangs (killed at the limit) is only logged, one
line in `config.hooks_log` (default: hooks.log in the user log directory).
A short-lived `crm` command waits at exit for its queued hooks, at most one
time limit (plus a second), and logs how many it had to leave unfinished.
"""

from __future__ import annotations

import atexit
import datetime as dt
import json
import os
import queue
import signal
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import platformdirs

from crm_tui.config import APP_NAME, Config
from crm_tui.domain import changes

HOOK_NAMES = ("on-create", "on-complete", "on-exception")
_log_lock = threading.Lock()
_runner: "HookRunner | None" = None


def log_path(config: Config) -> Path:
    """Where hook failures are logged."""
    if config.hooks_log:
        return Path(config.hooks_log).expanduser()
    return Path(platformdirs.user_log_dir(APP_NAME)) / "hooks.log"


class HookRunner:
    """Runs the hooks of one hooks directory."""

    def __init__(self, config: Config) -> None:
        self.directory = Path(config.hooks_dir).expanduser()
        self.timeout = config.hook_timeout
        self.log = log_path(config)
        # One background thread runs queued hooks one at a time: an import of
        # 10,000 leads must not start 10,000 processes at once.
        self._queue: queue.SimpleQueue[tuple[Path, bytes] | None] = queue.SimpleQueue()
        self._pending = 0
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._thread: threading.Thread | None = None

    def path(self, name: str) -> Path | None:
        """The executable for a hook name, or None when there is none."""
        candidate = self.directory / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
        return None

    def on_event(self, event: changes.Event) -> None:
        """A committed change: start its hook (if any) in the background."""
        self.fire(f"on-{event.name}", event.as_dict())

    def fire(self, name: str, payload: dict[str, Any]) -> bool:
        """Queue hook `name` with `payload` for the background thread; False: no such hook."""
        path = self.path(name)
        if path is None:
            return False
        data = json.dumps(payload, ensure_ascii=False, default=str).encode()
        with self._lock:
            self._pending += 1
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._drain, name="crm hooks", daemon=True)
                self._thread.start()
        self._queue.put((path, data))
        return True

    def _drain(self) -> None:
        while True:
            path, data = self._queue.get()
            try:
                self._run(path, data)
            except Exception as exc:  # noqa: BLE001 - a hook problem is logged, never raised
                self._log(path, f"failed: {exc}")
            with self._lock:
                self._pending -= 1
                if self._pending == 0:
                    self._idle.notify_all()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until every queued hook ran; False when `timeout` passed first."""
        with self._lock:
            return self._idle.wait_for(lambda: self._pending == 0, timeout)

    def run(self, name: str, payload: dict[str, Any]) -> None:
        """Run hook `name` now and wait for it (a cron job's loop, not a user's action)."""
        path = self.path(name)
        if path is not None:
            self._run(path, json.dumps(payload, ensure_ascii=False, default=str).encode())

    def _run(self, path: Path, data: bytes) -> None:
        started = time.monotonic()
        try:
            process = subprocess.Popen(
                [str(path)], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                cwd=str(self.directory), start_new_session=True,
            )
        except OSError as exc:
            self._log(path, f"could not start: {exc.strerror or exc}")
            return
        try:
            _, err = process.communicate(data, timeout=self.timeout)
        except subprocess.TimeoutExpired:
            _kill(process)
            self._log(path, f"killed after {self.timeout:g} s (time limit, hook_timeout)")
            return
        except OSError as exc:  # the hook closed stdin early and died
            _kill(process)
            self._log(path, f"failed: {exc}")
            return
        if process.returncode != 0:
            detail = err.decode(errors="replace").strip().splitlines()
            tail = f": {detail[-1]}" if detail else ""
            self._log(path, f"exit status {process.returncode} after {time.monotonic() - started:.1f} s{tail}")

    def _log(self, path: Path, message: str) -> None:
        stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        line = f"{stamp} {path.name}: {message}\n"
        with _log_lock:
            try:
                self.log.parent.mkdir(parents=True, exist_ok=True)
                with self.log.open("a", encoding="utf-8") as handle:
                    handle.write(line)
            except OSError:
                pass  # nowhere to log: a hook must still never break the user's action


def _kill(process: subprocess.Popen) -> None:
    """Kill the hook and everything it started (its own session), so no child
    keeps its pipes open; then reap it."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except OSError:
        process.kill()
    try:
        process.communicate(timeout=2)
    except (subprocess.TimeoutExpired, OSError, ValueError):
        pass


def install(config: Config) -> HookRunner | None:
    """Subscribe this process to committed changes, when a hooks directory is set."""
    global _runner
    uninstall()
    if not config.hooks_dir:
        return None
    _runner = HookRunner(config)
    changes.COMMITTED.append(_runner.on_event)
    return _runner


def uninstall() -> None:
    global _runner
    if _runner is not None and _runner.on_event in changes.COMMITTED:
        changes.COMMITTED.remove(_runner.on_event)
    _runner = None


def wait(timeout: float | None = None) -> None:
    """Let the installed runner's queued hooks finish (each stops by its own time limit)."""
    if _runner is not None:
        _runner.wait(timeout)


def _wait_at_exit() -> None:
    """A short-lived command waits for its hooks, at most one time limit plus a second."""
    if _runner is not None and not _runner.wait(_runner.timeout + 1):
        with _runner._lock:
            left = _runner._pending
        _runner._log(Path("crm"), f"exited with {left} hook call(s) not finished")


atexit.register(_wait_at_exit)


def fire_exceptions(config: Config, *, at: dt.datetime | None = None) -> int:
    """`crm hooks exceptions`: hand each new exception to `on-exception`, once.

    Returns how many were new. With no `on-exception` hook nothing is marked,
    so adding the hook later still reports what is open then.
    """
    from crm_tui.domain import exception_events

    runner = HookRunner(config) if config.hooks_dir else None
    if runner is None or runner.path("on-exception") is None:
        return 0
    hits = exception_events.new_hits(config, at=at)
    for hit in hits:  # one at a time: a burst of new exceptions must not start hundreds of processes
        runner.run("on-exception", {"event": "exception", **hit.as_dict()})
    exception_events.mark_fired(hits)
    return len(hits)
