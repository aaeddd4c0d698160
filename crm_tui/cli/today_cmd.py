"""`crm today`: the Today list (overdue, then today) of the acting user, printed.

The same `domain.agenda.for_user` the Today screen shows; escalated cases stay
in the app (their ids are case ids, not activity ids).
"""

from __future__ import annotations

import argparse

from crm_tui.cli import Context, output
from crm_tui.cli.activity_rows import TODAY_COLUMNS, today_row


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "today", parents=[common], help="print my overdue and today's activities",
        description="Print the acting user's overdue and today's open activities, overdue first.",
    )
    output.add_format_flags(parser)
    parser.set_defaults(func=run)


def run(ctx: Context) -> int:
    ctx.open(readonly=True)
    from crm_tui.domain import agenda

    result = agenda.for_user(ctx.user(), ctx.config)
    output.emit([today_row(row) for row in result.rows()], TODAY_COLUMNS, ctx.args.format,
                quiet=ctx.args.quiet, empty="nothing due today")
    return 0
