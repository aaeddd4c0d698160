"""Run a Textual app (a script, or `-m module`) and exit the moment it writes a
frame that shows every text in $CRM_FIRST_FRAME_TEXTS (comma-separated).

Used by first_paint_instructions.py under valgrind: the process ends at the
first frame that shows what the benchmark waits for, so the count covers
start-up and nothing after it."""

from __future__ import annotations

import os
import runpy
import sys

import textual.drivers.linux_driver as linux_driver

TEXTS = os.environ["CRM_FIRST_FRAME_TEXTS"].split(",")
_seen: set[str] = set()
_write = linux_driver.LinuxDriver.write


def _write_then_exit(self: linux_driver.LinuxDriver, data: str) -> None:
    _seen.update(text for text in TEXTS if text in data)
    if len(_seen) == len(TEXTS):
        os._exit(0)
    _write(self, data)


linux_driver.LinuxDriver.write = _write_then_exit  # type: ignore[method-assign]

if __name__ == "__main__":
    if sys.argv[1] == "-m":
        sys.argv = sys.argv[2:]
        runpy.run_module(sys.argv[0], run_name="__main__", alter_sys=True)
    else:
        sys.argv = sys.argv[1:]
        runpy.run_path(sys.argv[0], run_name="__main__")
