"""`crm add RECORD SUBJECT`: plan an activity on a record, with the day as people say it.

RECORD is `lead:12` (any kind) or a name that matches one record. `--when`
reads every form the app's day fields read (`tomorrow 10:00`, `fri`, `+2wd`,
`next week`, `in 2 weeks`, `2026-12-01`), in the acting user's zone; the day
must be a working day, today or later. `--repeat` makes it the first
occurrence of a series (`weekly`, `every 2 weeks`, `monthly`, `2w after`).
"""

from __future__ import annotations

import argparse

from crm_tui.cli import Context, output
from crm_tui.cli.activity_rows import ACTIVITY_COLUMNS, activity_row


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "add", parents=[common], help="plan an activity on a record",
        description="Plan an activity on a record. RECORD is kind:id (lead:12) or a name matching one record.",
    )
    parser.add_argument("record", metavar="RECORD", help="lead:12, account:3, ... or a record's name")
    parser.add_argument("subject", metavar="SUBJECT", help="what the activity is about")
    parser.add_argument("--type", default=None, help="activity type (default: the first configured, call)")
    parser.add_argument("--when", default="tomorrow", metavar="DAY",
                        help="tomorrow 10:00, fri, +2wd, next week, in 2 weeks, 2026-12-01 (default: tomorrow)")
    parser.add_argument("--minutes", type=int, default=None, help="duration of a timed activity")
    parser.add_argument("--priority", type=int, choices=(1, 2, 3), default=2, help="1 high, 2 normal, 3 low")
    parser.add_argument("--repeat", metavar="RULE", default=None,
                        help="weekly, every 2 weeks, monthly, every working day, 2w after (after each completion)")
    output.add_format_flags(parser)
    parser.set_defaults(func=run)


def run(ctx: Context) -> int:
    args = ctx.args
    ctx.open()
    from crm_tui.domain import activities, dates, lookup, recurrence

    user = ctx.user()
    config = ctx.config
    kind = args.type or config.activity_type_names[0]
    target = lookup.resolve(args.record)
    day, time = dates.parse_when(config, user.time_zone, args.when, field="when")
    minutes = args.minutes
    if time is not None and minutes is None and kind in config.activity_type_names:
        minutes = config.activity_type(kind).minutes
    common = {"type": kind, "subject": args.subject, "record_kind": target.kind, "record_id": target.record_id,
              "day": day, "time": time, "duration_min": minutes if time is not None else None,
              "priority": args.priority}
    if args.repeat:
        _, activity = recurrence.create(user, config, repeat=recurrence.parse(args.repeat), **common)
    else:
        activity = activities.create(user, config, check_day=True, **common)
    output.emit([activity_row(activity, "added")], ACTIVITY_COLUMNS, args.format, quiet=args.quiet)
    return 0
