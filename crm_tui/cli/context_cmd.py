"""`crm context KIND:ID`: a record's one-screen context (the one queue mode
on Today shows), printed as text, json or csv (domain.context)."""

from __future__ import annotations

import argparse
import json
import sys

from crm_tui.cli import Context, output

COLUMNS = ("section", "label", "value")


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "context", parents=[common], help="print a record's one-screen context",
        description="Key fields, open activities, recent timeline, missing qualification answers "
                    "and snooze of one record, e.g. crm context lead:12",
    )
    parser.add_argument("record", metavar="KIND:ID", help="the record, e.g. lead:12 or case:3")
    output.add_format_flags(parser, quiet=False)
    parser.set_defaults(func=run)


def run(ctx: Context) -> int:
    ctx.open(readonly=True)
    from crm_tui.domain import context, importing

    user = ctx.user()
    kind, record_id = importing.parse_record_ref(ctx.args.record)
    found = context.record_context(ctx.config, kind, record_id, user.time_zone)
    if ctx.args.format == "json":
        json.dump(found.as_dict(), sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        output.emit(found.rows(), COLUMNS, ctx.args.format)
    return 0
