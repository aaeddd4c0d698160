"""`crm snooze KIND:ID --until DAY --reason TEXT`, `crm snooze --list`, `crm unsnooze KIND:ID`.

A snoozed (parked) record leaves its owner's exceptions until the resume day
and shows in the managers' parked group (domain.snooze).
"""

from __future__ import annotations

import argparse

from crm_tui.cli import Context, UsageError, output

COLUMNS = ("kind", "record_id", "record_name", "owner", "until", "reason", "parked_at", "by")


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "snooze", parents=[common], help="park a record until a day, with a reason (or --list)",
        description="Park a record: its exceptions leave its owner's list until the resume day and "
                    "show in the managers' parked group. DAY: 2027-03-03, fri, +2w, next week, in 10 days.",
    )
    parser.add_argument("record", metavar="KIND:ID", nargs="?", help="the record, e.g. lead:12")
    parser.add_argument("--until", metavar="DAY", help="the resume day (in your time zone)")
    parser.add_argument("--reason", metavar="TEXT", help="why it is parked (the manager sees it)")
    parser.add_argument("--list", action="store_true", help="list the records parked now")
    output.add_format_flags(parser)
    parser.set_defaults(func=_snooze)

    undo = subparsers.add_parser("unsnooze", parents=[common], help="end a record's snooze now")
    undo.add_argument("record", metavar="KIND:ID", help="the record, e.g. lead:12")
    output.add_format_flags(undo)
    undo.set_defaults(func=_unsnooze)


def _emit(ctx: Context, rows: list[dict], empty: str) -> None:
    output.emit(rows, COLUMNS, ctx.args.format, quiet=ctx.args.quiet, id_key="ref", empty=empty)


def _row(item) -> dict:  # type: ignore[no-untyped-def]
    return {"ref": f"{item.kind}:{item.record_id}", **item.as_dict()}


def _snooze(ctx: Context) -> int:
    from crm_tui.domain import importing, snooze

    a = ctx.args
    if a.list:
        if a.record or a.until or a.reason:
            raise UsageError("snooze: --list takes no record, --until or --reason")
        ctx.open(readonly=True)
        _emit(ctx, [_row(item) for item in snooze.active()], "nothing is snoozed")
        return 0
    if not (a.record and a.until and a.reason):
        raise UsageError("snooze: give KIND:ID, --until DAY and --reason TEXT (or --list)")
    ctx.open()
    user = ctx.user()
    kind, record_id = importing.parse_record_ref(a.record)
    snooze.snooze(user, ctx.config, kind, record_id, until=a.until, reason=a.reason)
    item = snooze.get(kind, record_id)
    _emit(ctx, [_row(item)] if item else [], "not snoozed")
    return 0


def _unsnooze(ctx: Context) -> int:
    from crm_tui.domain import importing, snooze

    ctx.open()
    user = ctx.user()
    kind, record_id = importing.parse_record_ref(ctx.args.record)
    snooze.unsnooze(user, kind, record_id)
    row = {"ref": f"{kind}:{record_id}", "kind": kind, "record_id": record_id, "snoozed": False}
    output.emit([row], ("kind", "record_id", "snoozed"), ctx.args.format, quiet=ctx.args.quiet, id_key="ref")
    return 0
