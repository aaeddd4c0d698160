"""`crm review`: the records that need a look in your weekly review, for scripts.

Prints `domain.review.items` for the acting user (`--user`, CRM_USER or the
OS login): the same items, in the same order, as the review screen starts
with. Read-only: printing the list does not start or change a review.
"""

from __future__ import annotations

import argparse

from crm_tui.cli import Context, output

COLUMNS = ("kind", "id", "name", "why", "status", "last_touch_at", "next_activity_on", "forecast_close")
TEXT_COLUMNS = ("kind", "id", "name", "why")


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "review", parents=[common],
        help="list the records your weekly review will walk through (and why each needs a look)",
        description="Print your open opportunities, accounts, leads and cases that need a look: no next "
                    "activity, no touch in [thresholds] stale_record_days, a forecast close date in the "
                    "past, a case waiting on you. The review screen (w on Today) walks the same list.",
    )
    output.add_format_flags(parser)
    parser.set_defaults(func=run)


def run(ctx: Context) -> int:
    ctx.open(readonly=True)
    from crm_tui.domain import review

    user = ctx.user()
    found = review.items(user, ctx.config)
    fmt = ctx.args.format
    columns = TEXT_COLUMNS if fmt == "text" else COLUMNS
    output.emit(review.as_rows(found), columns, fmt, quiet=ctx.args.quiet, empty="nothing needs a look")
    if fmt == "text" and not ctx.args.quiet and found:
        current = review.progress(user)
        if current is not None:
            print(f"review in progress: {current.text}")
    return 0
