"""`crm import leads|contacts|accounts|activities|invoices|json|ics|vcf FILE`: bring data in.

CSV imports print a summary (imported, skipped as duplicates, rejected with
line and reason) and write rejected rows to a rejects file to fix and import
again. Exit 0 when the file was processed, even with rejects; 1 when nothing
could be read (missing file, empty, unreadable, required columns missing).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from crm_tui.cli import CommandError, Context, UsageError

CSV_KINDS = {"leads": "lead", "contacts": "contact", "accounts": "account", "activities": "activity",
             "invoices": "invoice"}


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "import", parents=[common], help="import CSV, vCard, iCalendar or a JSON export",
        description="Import records from a file. CSV: leads, contacts, accounts, activities, invoices "
                    "(from an accounting system). "
                    "vcf: contacts from vCards. ics: meetings from a calendar. json: a crm export, "
                    "into an empty database.",
    )
    parser.add_argument("what", choices=(*CSV_KINDS, "json", "ics", "vcf"), help="what the file holds")
    parser.add_argument("file", type=Path, help="the file to read")
    parser.add_argument("--map", action="append", default=[], metavar="COLUMN=FIELD",
                        help="CSV: read COLUMN as FIELD (FIELD empty: ignore the column); repeatable")
    parser.add_argument("--dry-run", action="store_true", help="check and report, write nothing")
    parser.add_argument("--owner", metavar="LOGIN", help="owner of the imported records (default: you)")
    parser.add_argument("--rejects", type=Path, metavar="FILE",
                        help="CSV: where rejected rows go (default: FILE.rejects.csv beside the input)")
    parser.add_argument("--record", metavar="KIND:ID",
                        help="ics: link every meeting to this record, e.g. contact:12")
    parser.add_argument("--days", type=int, default=None, metavar="N",
                        help="ics: import occurrences of repeating events in the next N days (default 30)")
    parser.set_defaults(func=run)


def _overrides(items: list[str]) -> dict[str, str]:
    result = {}
    for item in items:
        column, sep, target = item.partition("=")
        if not sep or not column.strip():
            raise UsageError(f"--map {item!r}: write it as COLUMN=FIELD")
        result[column.strip()] = target.strip()
    return result


def run(ctx: Context) -> int:
    from crm_tui.interop.textfile import FileProblem

    a = ctx.args
    ctx.open()
    try:
        if a.what == "json":
            return _json(a.file)
        return _file(ctx)
    except FileProblem as exc:
        raise CommandError(str(exc)) from None


def _json(path: Path) -> int:
    from crm_tui.interop import json_io

    counts = json_io.import_json(path)
    total = sum(counts.values())
    detail = ", ".join(f"{name} {count}" for name, count in counts.items() if count)
    print(f"restored {total} rows from {path}: {detail}")
    return 0


def _file(ctx: Context) -> int:
    from crm_tui.domain import importing, users
    from crm_tui.interop import csv_io, ical, imports

    a = ctx.args
    actor = ctx.user()
    owner = users.get_user(a.owner) if a.owner else None
    record = importing.parse_record_ref(a.record) if a.record else None
    progress = csv_io.progress_printer(sys.stderr) if a.what in CSV_KINDS else None
    outcome = imports.run(
        a.what, a.file, actor=actor, config=ctx.config, owner=owner, overrides=_overrides(a.map),
        dry_run=a.dry_run, rejects=a.rejects, record=record,
        days=a.days if a.days is not None else ical.DEFAULT_DAYS, progress=progress,
    )
    if progress is not None:
        sys.stderr.write("\n")
    for warning in outcome.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(outcome.headline)
    for line in outcome.details:
        print(line)
    return 0
