"""Launching the TUI: `crm`, `crm --demo`."""

from __future__ import annotations

import tempfile
from pathlib import Path

import platformdirs

from crm_tui.cli import Context
from crm_tui.config import APP_NAME


def demo_database_path() -> Path:
    """The demo's own file, in the user cache dir: never the real database."""
    base = Path(platformdirs.user_cache_dir(APP_NAME))
    try:
        base.mkdir(parents=True, exist_ok=True)
    except OSError:
        base = Path(tempfile.gettempdir())
    return base / "demo.db"


def launch(ctx: Context, *, start_mode: str = "today", readonly: bool = False) -> int:
    """Open the database, resolve the user, and run the app until it quits."""
    if ctx.args.demo:
        from crm_tui.cli.demo_cmd import DEMO_LOGIN, build_demo

        path = demo_database_path()
        build_demo(str(path), seed=1)
        ctx.open(database=str(path))
        if not ctx.args.user:
            ctx.args.user = DEMO_LOGIN
    else:
        ctx.open(readonly=readonly)
    user = ctx.user()
    from crm_tui.ui.app import make_app

    make_app(user, ctx.config, readonly=readonly, start_mode=start_mode).run()
    return 0
