"""Run a few lines of domain code in another process, as a second rep would.

Each call is a fresh `python` with its own connection to the same database,
so the tests see what really crosses process boundaries: locks, snapshots,
committed rows. The code gets `db`, `changes`, `users`, `models` and `url`.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PRELUDE = """
import sys
sys.path.insert(0, {root!r})
from crm_tui import clock, db, models
from crm_tui.domain import changes, users
clock.freeze_from_env()
url = {url!r}
db.open_database(url)
"""


def script(url: str, code: str) -> str:
    return PRELUDE.format(root=str(ROOT), url=url) + textwrap.dedent(code)


def run(url: str, code: str, *, now: str | None = None, timeout: float = 60) -> str:
    """Run `code` to completion in another process; returns its stdout."""
    env = dict(os.environ)
    env.pop("CRM_NOW", None)
    if now:
        env["CRM_NOW"] = now
    done = subprocess.run([sys.executable, "-c", script(url, code)], capture_output=True, text=True,
                          env=env, timeout=timeout)
    if done.returncode != 0:
        raise AssertionError(f"other process failed:\n{done.stderr}")
    return done.stdout


def start(url: str, code: str) -> subprocess.Popen[str]:
    """Start `code` in another process and return at once (stdout is a pipe)."""
    return subprocess.Popen([sys.executable, "-u", "-c", script(url, code)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
