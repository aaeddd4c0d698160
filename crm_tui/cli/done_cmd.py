"""`crm done ID --outcome ...`: complete an activity and decide what comes next.

The same rule as `c` in the app, through the same domain functions
(`domain.chains.complete` -> `activities.complete`): without `--next` the
next activity is what the app's prompt would prefill (the configured chain
for the type and outcome, else "Follow up: <subject>" the next working day,
or nothing for an occurrence of a repeating series, which plans its own next
occurrence). `--next "+2wd call"` names the day (and optionally the type);
`--next none` is the explicit "no follow-up".
"""

from __future__ import annotations

import argparse

from crm_tui.cli import Context, output
from crm_tui.cli.activity_rows import ACTIVITY_COLUMNS, activity_row


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "done", parents=[common], help="complete an activity with an outcome and its next step",
        description="Complete an activity with an outcome; the next activity follows the configured chain "
                    "unless --next says otherwise.",
    )
    parser.add_argument("id", type=int, metavar="ID", help="the activity's id (crm today -q lists them)")
    parser.add_argument("--outcome", required=True, help="one of the outcomes configured for its type")
    parser.add_argument("--next", default=None, metavar="WHEN [TYPE]",
                        help='"+2wd call", "fri 10:00", "next week meeting", or "none" for no follow-up')
    parser.add_argument("--next-subject", default="", metavar="TEXT", help="subject of the next activity")
    parser.add_argument("--note", default="", help="a note that lands on the record")
    output.add_format_flags(parser)
    parser.set_defaults(func=run)


def run(ctx: Context) -> int:
    args = ctx.args
    ctx.open()
    from crm_tui.domain import chains, recurrence

    user = ctx.user()
    done, nxt = chains.complete(user, ctx.config, args.id, outcome=args.outcome, note=args.note,
                                next=args.next, next_subject=args.next_subject)
    rows = [activity_row(done, "done")]
    if nxt is not None:
        rows.append(activity_row(nxt, "next"))
    if done.series_id is not None:
        occurrence = recurrence.open_occurrence(done.series_id)
        if occurrence is not None:
            rows.append(activity_row(occurrence, "repeat"))
    output.emit(rows, ACTIVITY_COLUMNS, args.format, quiet=args.quiet)
    return 0
