"""`crm export json|csv|vcf` and `crm ics`: data out, for backups and other programs."""

from __future__ import annotations

import argparse
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, TextIO

from crm_tui.cli import CommandError, Context, UsageError

KIND_NAMES = {"lead": "leads", "contact": "contacts", "account": "accounts", "opportunity": "opportunities",
              "case": "cases", "activity": "activities"}


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "export", parents=[common], help="export everything as JSON, records as CSV, contacts as vCard",
        description="json: the whole database, lossless (crm import json restores it into an empty one). "
                    "csv: one table per kind. vcf: contacts as vCard 4.0.",
    )
    parser.add_argument("format", choices=("json", "csv", "vcf"))
    parser.add_argument("--kind", action="append", default=[], choices=sorted(KIND_NAMES) + sorted(KIND_NAMES.values()),
                        help="csv: which kind (repeatable; default all, which needs --output DIR)")
    parser.add_argument("--output", "-o", type=Path, metavar="FILE",
                        help="write here instead of standard output (csv with several kinds: a directory)")
    parser.set_defaults(func=export)

    ics = subparsers.add_parser(
        "ics", parents=[common], help="your activities as an iCalendar (.ics) file",
        description="Write the activities of the acting user (--user LOGIN) as an RFC 5545 calendar.",
    )
    ics.add_argument("--output", "-o", type=Path, metavar="FILE", help="write here instead of standard output")
    ics.set_defaults(func=calendar)


@contextmanager
def _target(path: Path | None, *, binary_newlines: bool = False) -> Iterator[TextIO]:
    if path is None:
        yield sys.stdout
        return
    try:
        with path.open("w", encoding="utf-8", newline="" if binary_newlines else None) as out:
            yield out
    except OSError as exc:
        raise CommandError(f"cannot write {path}: {exc.strerror}") from None


def export(ctx: Context) -> int:
    a = ctx.args
    ctx.open()
    if a.format == "json":
        from crm_tui.interop import json_io

        with _target(a.output) as out:
            counts = json_io.export_json(out)
        if a.output:
            print(f"exported {sum(counts.values())} rows to {a.output}")
        return 0
    if a.format == "vcf":
        from crm_tui.interop import vcard

        with _target(a.output, binary_newlines=True) as out:
            count = vcard.export_vcf(out)
        if a.output:
            print(f"exported {count} contacts to {a.output}")
        return 0
    return _csv(ctx)


def _csv(ctx: Context) -> int:
    from crm_tui.interop import csv_io

    a = ctx.args
    singular = {plural: kind for kind, plural in KIND_NAMES.items()}
    kinds = [singular.get(k, k) for k in a.kind] or list(KIND_NAMES)
    kinds = list(dict.fromkeys(kinds))
    if len(kinds) == 1 and (a.output is None or not a.output.is_dir()):
        with _target(a.output, binary_newlines=True) as out:
            count = csv_io.export_csv(kinds[0], out)
        if a.output:
            print(f"exported {count} {KIND_NAMES[kinds[0]]} to {a.output}")
        return 0
    if a.output is None:
        raise UsageError("export csv: several kinds need --output DIR (one file per kind), or give one --kind")
    try:
        a.output.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CommandError(f"cannot create {a.output}: {exc.strerror}") from None
    for kind in kinds:
        path = a.output / f"{KIND_NAMES[kind]}.csv"
        with _target(path, binary_newlines=True) as out:
            count = csv_io.export_csv(kind, out)
        print(f"exported {count} {KIND_NAMES[kind]} to {path}")
    return 0


def calendar(ctx: Context) -> int:
    from crm_tui.interop import ical

    a = ctx.args
    ctx.open()
    user = ctx.user()
    data = ical.export_ics(user)
    if a.output is None:
        sys.stdout.write(data.decode("utf-8"))
        return 0
    try:
        a.output.write_bytes(data)
    except OSError as exc:
        raise CommandError(f"cannot write {a.output}: {exc.strerror}") from None
    print(f"wrote the calendar of {user.login} to {a.output}")
    return 0
