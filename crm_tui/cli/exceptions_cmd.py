"""`crm exceptions`: the manager's read-only view, as the app or printed for scripts.

With no --format it opens the app on the Exceptions screen with the database
opened read-only at the connection level. With --format it prints the
exceptions (text, json or csv) and exits; the JSON shape is stable (README).
"""

from __future__ import annotations

import argparse

from crm_tui import clock
from crm_tui.cli import Context, UsageError, output

CSV_COLUMNS = ("rule", "rule_text", "kind", "record_id", "record_name", "owner", "since", "detail")


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "exceptions", parents=[common],
        help="where the process broke: open the read-only Exceptions screen, or print them",
        description="With no --format, open the app read-only on the Exceptions screen. "
                    "With --format, print the current exceptions and exit.",
    )
    output.add_format_flags(parser, quiet=False, default=None)
    parser.add_argument("--owner", metavar="LOGIN", help="only this owner's records (with --format)")
    parser.add_argument("--at", metavar="ISO", help="evaluate as of this instant (default: now)")
    parser.set_defaults(func=run)


def run(ctx: Context) -> int:
    args = ctx.args
    if args.at:
        clock.freeze(args.at)
    if args.format is None:
        if args.owner:
            raise UsageError("exceptions: --owner works with --format; the app shows what your role may see")
        from crm_tui.cli.app_cmd import launch

        return launch(ctx, start_mode="exceptions", readonly=True)
    ctx.open(readonly=True)
    from crm_tui.domain import exceptions

    owner = exceptions.owner_by_login(args.owner) if args.owner else None
    hits = exceptions.evaluate(ctx.config, owner=owner)
    write(hits, args.format)
    return 0


def write(hits: list, fmt: str) -> None:
    if fmt != "text" or not hits:
        output.emit([hit.as_dict() for hit in hits], CSV_COLUMNS, fmt, empty="no exceptions")
    else:
        current = None
        for hit in hits:
            if hit.rule != current:
                current = hit.rule
                count = sum(1 for other in hits if other.rule == hit.rule)
                print(f"{hit.number}. {hit.rule_text} ({count})")
            owner = hit.owner_login or "-"
            detail = f"  {hit.detail}" if hit.detail else ""
            print(f"   {hit.kind} {hit.record_id}  {hit.record_name}  [{owner}]  since {hit.as_dict()['since']}{detail}")
