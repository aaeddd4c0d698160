"""One entry point for every import, and the report users read afterwards.

The CLI (`crm import ...`) and the TUI's import dialog both call `run`, so
they accept the same files and print the same summary: what was imported,
what was skipped as a duplicate, and what was rejected, each with its line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from crm_tui.config import Config
from crm_tui.domain.importing import ImportReport
from crm_tui.interop import csv_io, ical, vcard
from crm_tui.models import User

CSV_KINDS = {"leads": "lead", "contacts": "contact", "accounts": "account", "activities": "activity",
             "invoices": "invoice"}
FILE_KINDS = (*CSV_KINDS, "vcf", "ics")
LABELS = {
    "leads": "Leads (CSV)", "contacts": "Contacts (CSV)", "accounts": "Accounts (CSV)",
    "activities": "Activities (CSV)", "invoices": "Invoices (CSV, from accounting)", "vcf": "Contacts (vCard .vcf)", "ics": "Meetings (iCalendar .ics)",
}
SHOWN = 20
NOUNS = {"lead": ("lead", "leads"), "contact": ("contact", "contacts"), "account": ("account", "accounts"),
         "activity": ("activity", "activities"), "invoice": ("invoice", "invoices")}


@dataclass
class Outcome:
    """What an import did, worded for people."""

    headline: str
    details: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    rejects_file: Path | None = None


def _count(number: int, singular: str, plural: str | None = None) -> str:
    return f"{number} {singular if number == 1 else (plural or singular + 's')}"


def _listed(items: list[str], what: str) -> list[str]:
    shown = items[:SHOWN]
    if len(items) > SHOWN:
        shown.append(f"  ... and {len(items) - SHOWN} more {what}")
    return shown


def _outcome(report: ImportReport, *, source: str, where: str, warnings: list[str],
             skipped: list[tuple[int, str]] | None = None, skip_word: str = "duplicate") -> Outcome:
    noun = NOUNS[report.kind]
    verb = "would import" if report.dry_run else "imported"
    extra = f" (and {_count(report.accounts_created, 'new account')})" if report.accounts_created else ""
    skipped = skipped or []
    skipped_count = report.skipped + len(skipped)
    headline = (f"{verb} {_count(report.imported, *noun)}{extra}, skipped {_count(skipped_count, skip_word)}, "
                f"rejected {len(report.rejected)}, from {source}" + (" (dry run: nothing written)" if report.dry_run else ""))
    details = _listed([f"  {where} {line}: skipped, {reason}" for line, reason in sorted(skipped + report.duplicates)],
                      "skipped")
    details += _listed([f"  {where} {line}: imported, but {note}" for line, note in report.notes], "notes")
    details += _listed([f"  {where} {line}: rejected, {reason}" for line, reason, _ in report.rejected], "rejected")
    return Outcome(headline, details, warnings)


def run(
    what: str,
    path: Path,
    *,
    actor: User,
    config: Config,
    owner: User | None = None,
    overrides: dict[str, str] | None = None,
    dry_run: bool = False,
    rejects: Path | None = None,
    record: tuple[str, int] | None = None,
    days: int = ical.DEFAULT_DAYS,
    progress: Callable[[int, int], None] | None = None,
) -> Outcome:
    """Import one file; FileProblem or DomainError when it cannot be read at all."""
    if what in CSV_KINDS:
        return _csv(what, path, actor=actor, config=config, owner=owner, overrides=overrides,
                    dry_run=dry_run, rejects=rejects, progress=progress)
    if what == "vcf":
        result = vcard.import_vcf(path, actor=actor, config=config, owner=owner, dry_run=dry_run)
        source = f"{_count(result.report.read, 'card')} in {path}"
        return _outcome(result.report, source=source, where="card at line", warnings=result.warnings)
    if what == "ics":
        found = ical.import_ics(path, actor=actor, config=config, record=record, days=days, dry_run=dry_run,
                                owner=owner)
        return _outcome(found.report, source=str(path), where="line", warnings=found.warnings, skipped=found.skipped,
                        skip_word="item")
    raise ValueError(f"unknown import {what!r}")


def _csv(what: str, path: Path, *, actor: User, config: Config, owner: User | None,
         overrides: dict[str, str] | None, dry_run: bool, rejects: Path | None,
         progress: Callable[[int, int], None] | None) -> Outcome:
    result = csv_io.import_csv(path, CSV_KINDS[what], actor=actor, config=config, owner=owner,
                               overrides=overrides, dry_run=dry_run, progress=progress)
    warnings = list(result.file.warnings)
    if result.mapping.unknown:
        warnings.append(f"ignored columns: {', '.join(result.mapping.unknown)} (use --map COLUMN=FIELD to read one)")
    outcome = _outcome(result.report, source=f"{result.report.read} rows of {path}", where="line", warnings=warnings)
    if result.report.rejected and not dry_run:
        target = rejects or csv_io.rejects_path(path)
        try:
            csv_io.write_rejects(result, target)
        except OSError as exc:
            outcome.warnings.append(f"cannot write the rejects file {target}: {exc.strerror}")
        else:
            outcome.rejects_file = target
            outcome.details.append(f"rejected rows are in {target}: fix them and import that file again")
    return outcome
