"""`crm import leads|contacts|accounts|activities|json|ics|vcf FILE`: bring data in.

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

CSV_KINDS = {"leads": "lead", "contacts": "contact", "accounts": "account", "activities": "activity"}
SHOWN_REJECTS = 20


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "import", parents=[common], help="import CSV, vCard, iCalendar or a JSON export",
        description="Import records from a file. CSV: leads, contacts, accounts, activities. "
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
    from crm_tui.domain.errors import DomainError
    from crm_tui.interop.textfile import FileProblem

    a = ctx.args
    ctx.open()
    try:
        if a.what == "json":
            return _json(a.file)
        actor = ctx.user()
        owner = None
        if a.owner:
            from crm_tui.domain import users

            owner = users.get_user(a.owner)
        if a.what in CSV_KINDS:
            return _csv(ctx, actor, owner)
        if a.what == "vcf":
            return _vcf(ctx, actor, owner)
        return _ics(ctx, actor)
    except FileProblem as exc:
        raise CommandError(str(exc)) from None
    except DomainError as exc:
        raise CommandError(str(exc)) from None


def _json(path: Path) -> int:
    from crm_tui.interop import json_io

    counts = json_io.import_json(path)
    total = sum(counts.values())
    detail = ", ".join(f"{name} {count}" for name, count in counts.items() if count)
    print(f"restored {total} rows from {path}: {detail}")
    return 0


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _csv(ctx: Context, actor, owner) -> int:  # type: ignore[no-untyped-def]
    from crm_tui.interop import csv_io

    a = ctx.args
    kind = CSV_KINDS[a.what]
    progress = csv_io.progress_printer(sys.stderr)
    result = csv_io.import_csv(a.file, kind, actor=actor, config=ctx.config, owner=owner,
                               overrides=_overrides(a.map), dry_run=a.dry_run, progress=progress)
    if progress is not None:
        sys.stderr.write("\n")
    for warning in result.file.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if result.mapping.unknown:
        print(f"ignored columns: {', '.join(result.mapping.unknown)} (use --map COLUMN=FIELD to read one)",
              file=sys.stderr)
    report = result.report
    verb = "would import" if a.dry_run else "imported"
    extra = f" (and {_plural(report.accounts_created, 'new account')})" if report.accounts_created else ""
    print(f"{verb} {_plural(report.imported, kind)}{extra}, skipped {_plural(report.skipped, 'duplicate')}, "
          f"rejected {len(report.rejected)}, from {report.read} rows of {a.file}"
          + (" (dry run: nothing written)" if a.dry_run else ""))
    for line, reason in report.duplicates[:SHOWN_REJECTS]:
        print(f"  line {line}: skipped, {reason}")
    if len(report.duplicates) > SHOWN_REJECTS:
        print(f"  ... and {len(report.duplicates) - SHOWN_REJECTS} more duplicates")
    for line, reason, _raw in report.rejected[:SHOWN_REJECTS]:
        print(f"  line {line}: rejected, {reason}")
    if len(report.rejected) > SHOWN_REJECTS:
        print(f"  ... and {len(report.rejected) - SHOWN_REJECTS} more rejected rows")
    if report.rejected and not a.dry_run:
        target = a.rejects or csv_io.rejects_path(a.file)
        try:
            csv_io.write_rejects(result, target)
        except OSError as exc:
            print(f"crm: cannot write the rejects file {target}: {exc.strerror}", file=sys.stderr)
        else:
            print(f"rejected rows are in {target}: fix them and import that file again")
    return 0


def _vcf(ctx: Context, actor, owner) -> int:  # type: ignore[no-untyped-def]
    from crm_tui.interop import vcard

    a = ctx.args
    result = vcard.import_vcf(a.file, actor=actor, config=ctx.config, owner=owner, dry_run=a.dry_run)
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    report = result.report
    verb = "would import" if a.dry_run else "imported"
    extra = f" (and {_plural(report.accounts_created, 'new account')})" if report.accounts_created else ""
    print(f"{verb} {_plural(report.imported, 'contact')}{extra}, skipped {_plural(report.skipped, 'duplicate')}, "
          f"rejected {len(report.rejected)}, from {_plural(report.read, 'card')} in {a.file}")
    for line, reason in report.duplicates:
        print(f"  card at line {line}: skipped, {reason}")
    for line, reason, _raw in report.rejected:
        print(f"  card at line {line}: rejected, {reason}")
    return 0


def _ics(ctx: Context, actor) -> int:  # type: ignore[no-untyped-def]
    from crm_tui.domain import importing
    from crm_tui.interop import ical

    a = ctx.args
    record = importing.parse_record_ref(a.record) if a.record else None
    result = ical.import_ics(a.file, actor=actor, config=ctx.config, record=record,
                             days=a.days if a.days is not None else ical.DEFAULT_DAYS, dry_run=a.dry_run)
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    report = result.report
    verb = "would import" if a.dry_run else "imported"
    print(f"{verb} {_plural(report.imported, 'activity').replace('activitys', 'activities')}, "
          f"skipped {_plural(report.skipped + len(result.skipped), 'item')}, rejected {len(report.rejected)}, "
          f"from {a.file}")
    for line, reason in result.skipped:
        print(f"  line {line}: skipped, {reason}")
    for line, reason in report.duplicates:
        print(f"  line {line}: skipped, {reason}")
    for line, reason, _raw in report.rejected:
        print(f"  line {line}: rejected, {reason}")
    return 0
