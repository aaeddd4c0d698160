"""`crm insights`: "what wins", learnt from closed deals and decided leads.

Team figures by default; `--mine` adds the acting user's own figures beside
them. There is no option to see another person's figures: the domain refuses
it (domain.insights.report), and nothing ranks people.
"""

from __future__ import annotations

import argparse

from crm_tui.cli import Context, output

COLUMNS = ("scope", "section", "group", "bucket", "hits", "n", "rate", "low", "high", "median_days", "enough")
TEXT_COLUMNS = ("section", "group", "bucket", "scope", "text")


def _days(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError("expected a whole number of days, 1 or more")
    return int(text)


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "insights", parents=[common],
        help="what wins: win rates and conversion learnt from closed deals, with sample sizes and intervals",
        description="Win rate per activity type by how many were done before close (0, 1, 2, 3+) and by "
                    "whether one was done within [insights] early_days of creation; days from first touch "
                    "to close; days per methodology step; lead conversion by original source and by touches "
                    "before first contact. Every rate has its sample size and a Wilson interval; buckets "
                    "under [insights] min_sample say 'not enough data'.",
    )
    output.add_format_flags(parser, quiet=False)
    parser.add_argument("--mine", action="store_true", help="add your own figures beside the team's")
    parser.add_argument("--days", type=_days, metavar="N", help="only deals closed (leads decided) in the last N days")
    parser.set_defaults(func=run)


def run(ctx: Context) -> int:
    ctx.open(readonly=True)
    from crm_tui.domain import insights

    viewer = ctx.user()
    found = insights.report(viewer, ctx.config, owner=viewer if ctx.args.mine else None,
                            since=insights.clock_since(ctx.args.days))
    fmt = ctx.args.format
    if fmt == "text" and not found.deals and not found.leads:
        print("no closed deals or decided leads yet: nothing to learn from")
        return 0
    output.emit(insights.as_rows(found), TEXT_COLUMNS if fmt == "text" else COLUMNS, fmt)
    return 0
