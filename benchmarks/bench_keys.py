"""Keystroke to screen, headless: the time from a key event reaching the app
to the next composed frame, moving the cursor down the Today list and the
Records table on the shared database, next to a bare Textual app with the
same stock widget measured in the same run.

Not wall-clock around `pilot.press`, which adds ~50 ms of waiting per press
(PERF.md): the key is sent to the app as the driver would send it, and the
frame is stamped where Textual hands the composed update to the driver
(`App._display`, which headless apps also reach)."""

from __future__ import annotations

import asyncio
import statistics
import time
from typing import Callable

from benchmarks.framework import Env, Result, benchmark

TERMINAL = (120, 40)


async def key_to_frame(app, pilot, widget, position: Callable[[], int], presses: int) -> list[float]:  # type: ignore[no-untyped-def]
    """ms from each `down` key event to the frame that shows the moved cursor."""
    from textual import events

    widget.focus()
    await pilot.pause()
    frames: list[float] = []
    frame = asyncio.Event()
    original = app._display

    def display(screen, renderable):  # type: ignore[no-untyped-def]
        if renderable is not None:
            frames.append(time.perf_counter())
            frame.set()
        return original(screen, renderable)

    app._display = display
    timings = []
    try:
        for _ in range(presses):
            await pilot.pause(0.05)  # let the previous frame and any timers settle
            before = position()
            frame.clear()
            key = events.Key("down", None)
            key.set_sender(app)
            started = time.perf_counter()
            app._driver.send_message(key)
            while True:  # the first frame after the cursor moved
                await asyncio.wait_for(frame.wait(), 5)
                frame.clear()
                if position() != before:
                    break
            timings.append((frames[-1] - started) * 1000)
    finally:
        app._display = original
    return timings


def _floor_app(kind: str):  # type: ignore[no-untyped-def]
    """A bare app with one stock widget of 50 rows: the yardstick."""
    from textual.app import App
    from textual.widgets import DataTable, OptionList

    class Bare(App[None]):
        def compose(self):  # type: ignore[no-untyped-def]
            if kind == "table":
                table = DataTable(id="w", cursor_type="row")
                table.add_columns("name", "company", "when")
                table.add_rows([(f"Row {i}", f"Company {i}", "2026-11-18") for i in range(50)])
                yield table
            else:
                yield OptionList(*[f"Activity {i}" for i in range(50)], id="w")

    return Bare()


async def _floor(kind: str, presses: int) -> list[float]:
    app = _floor_app(kind)
    async with app.run_test(size=TERMINAL) as pilot:
        widget = app.query_one("#w")
        if kind == "list":
            widget.highlighted = 0
        position = (lambda: widget.cursor_row) if kind == "table" else (lambda: widget.highlighted)
        return await key_to_frame(app, pilot, widget, position, presses)


async def _crm(env: Env, mode: str, presses: int) -> tuple[list[float], int]:
    from crm_tui.config import Config
    from crm_tui.domain import users
    from crm_tui.ui.app import make_app

    app = make_app(users.get_user(env.rep), Config(), readonly=True, start_mode=mode)
    async with app.run_test(size=TERMINAL) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause(env.size.settle / 3)
        if mode == "today":
            widget = app.screen.query_one("#today-list")
            rows = widget.option_count
            if widget.highlighted is None and rows:
                widget.highlighted = 0
            position = lambda: widget.highlighted  # noqa: E731
        else:
            widget = app.screen.query_one("#records-table")
            rows = widget.row_count
            position = lambda: widget.cursor_row  # noqa: E731
        if rows < 2:
            raise RuntimeError(f"the {mode} list has {rows} rows: nothing to move down")
        presses = min(presses, rows - 1)
        return await key_to_frame(app, pilot, widget, position, presses), rows


def _result(env: Env, mode: str, kind: str) -> Result:
    presses = max(3, env.size.repeats * 4)
    with env.opened():
        crm, rows = asyncio.run(_crm(env, mode, presses))
    floor = asyncio.run(_floor(kind, presses))
    return Result(statistics.median(crm), "ms", target=50.0,
                  floor=f"bare {'DataTable' if kind == 'table' else 'OptionList'} {statistics.median(floor):.1f} ms"
                        " (PERF.md: 14.5 ms)",
                  note=f"{len(crm)} presses of down over {rows:,} rows shown; max {max(crm):.1f} ms")


@benchmark
def keystroke_today_list(env: Env) -> Result:
    """Key `down` on the Today list to the composed frame, headless: target < 50 ms (one frame plus work)."""
    return _result(env, "today", "list")


@benchmark
def keystroke_records_table(env: Env) -> Result:
    """Key `down` on the Records table to the composed frame, headless: target < 50 ms."""
    return _result(env, "records", "table")
