"""Hooks: executables in `config.hooks_dir` told about events, as JSON on stdin.

- `on-create`: a record or an activity was created;
- `on-complete`: an activity was marked done;
- `on-exception`: an exception is new since the last `crm hooks exceptions` run.

`install(config)` subscribes to `domain.changes.COMMITTED`, so every write
path (TUI, CLI, imports) fires the same hooks, and only after its
transaction committed. A hook runs in a background thread with a time limit
(`config.hook_timeout`): the user's action never waits for it, and a hook
that fails, cannot start or hangs (killed at the limit) is only logged, one
line in `config.hooks_log` (default: hooks.log in the user log directory).
A short-lived `crm` command waits for its running hooks at exit, at most
the time limit, so a cron job's hooks are not cut off.
"""

from __future__ import annotations

import atexit
import datetime as dt
import json
import os
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
_threads: list[threading.Thread] = []
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

    def path(self, name: str) -> Path | None:
        """The executable for a hook name, or None when there is none."""
        candidate = self.directory / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
        return None

    def on_event(self, event: changes.Event) -> None:
        """A committed change: start its hook (if any) in the background."""
        self.fire(f"on-{event.name}", event.as_dict())

    def fire(self, name: str, payload: dict[str, Any]) -> threading.Thread | None:
        """Start hook `name` with `payload` on stdin; returns its thread (None: no such hook)."""
        path = self.path(name)
        if path is None:
            return None
        data = json.dumps(payload, ensure_ascii=False, default=str).encode()
        thread = threading.Thread(target=self._run, args=(path, data), name=f"hook {name}", daemon=True)
        _threads[:] = [t for t in _threads if t.is_alive()]
        _threads.append(thread)
        thread.start()
        return thread

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
    """Let running hooks finish (each stops by its own time limit anyway)."""
    deadline = None if timeout is None else time.monotonic() + timeout
    for thread in list(_threads):
        remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
        thread.join(remaining)


def _wait_at_exit() -> None:
    if _runner is not None:
        wait(_runner.timeout + 1)


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
