"""Every registered benchmark still runs, at a tiny size (no timing asserted):
benchmarks are not part of the suite, but they must not rot."""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import pytest

from benchmarks.framework import SIZES, Env, load_all, prepare

BENCHMARKS = load_all()


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Env:
    return prepare(SIZES["tiny"], 1, data_dir=tmp_path_factory.mktemp("bench-data"))


def test_the_core_benchmarks_are_registered() -> None:
    names = {bench.name for bench in BENCHMARKS}
    assert {"demo_build", "today_first_paint", "app_peak_memory", "agenda_query", "today_agenda",
            "plan_load_10_days", "exceptions_all_rules", "search_per_keystroke", "open_long_timeline",
            "records_page_fetch", "rebalance_500", "rebalance_10000", "plan_drop_repaint", "csv_import_100k",
            "keystroke_today_list", "keystroke_records_table", "concurrent_writers", "refresh_poll"} <= names
    assert all(bench.doc for bench in BENCHMARKS)


@pytest.mark.parametrize("bench", BENCHMARKS, ids=[bench.name for bench in BENCHMARKS])
def test_benchmark_runs_at_tiny_size(bench, tiny: Env) -> None:  # type: ignore[no-untyped-def]
    if bench.name in ("today_first_paint", "app_peak_memory") and shutil.which("tmux") is None:
        pytest.skip("tmux is not installed")
    result = bench.fn(tiny)
    assert math.isfinite(result.value) and result.value > 0
    assert result.unit and result.verdict in ("pass", "MISS", "-")


def test_cached_database_is_reused(tiny: Env) -> None:
    again = prepare(SIZES["tiny"], 1, data_dir=tiny.database.parent)
    assert again.database == tiny.database and again.now == tiny.now
    assert again.build == tiny.build  # the figures of the build that made it
    assert Path(again.database).exists()


def test_the_first_frame_hook_ends_the_app_at_its_first_frame() -> None:
    """first_paint_instructions.py counts up to the frame that shows the texts
    it names; without valgrind, the hook alone must end the bare app there,
    and only there."""
    import sys
    import time

    from benchmarks.bare_app import READY
    from benchmarks.framework import ROOT, Terminal, child_env

    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed")

    def launch(texts: str) -> str:
        return term.launch([sys.executable, str(ROOT / "benchmarks" / "exit_at_first_frame.py"),
                            str(ROOT / "benchmarks" / "bare_app.py")],
                           child_env() | {"CRM_FIRST_FRAME_TEXTS": texts})[0]

    def ended(name: str, within: float) -> bool:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            if term._tmux("display-message", "-p", "-t", name, "#{pane_dead}").strip() == "1":
                return True
            time.sleep(0.1)
        return False

    term = Terminal()
    try:
        term._tmux("set-option", "-gw", "remain-on-exit", "on")  # keep an ended pane, to read what it left
        waiting = launch(READY + ", and a text it never shows")
        assert term.wait_for(waiting, lambda text: READY in text) is not None and not ended(waiting, 1.0)
        done = launch(READY)
        assert ended(done, 30.0) and "Traceback" not in term.screen(done)
    finally:
        term.close()
