"""`crm exceptions`: the manager's read-only view, as the app or printed for scripts.

With no --format it opens the app on the Exceptions screen with the database
opened read-only at the connection level. With --format it prints the
exceptions (text, json or csv) and exits; the JSON shape is stable (README).
"""

from __future__ import annotations

import argparse
import json

from crm_tui import clock, db
from crm_tui.cli import Context, UsageError, output
from crm_tui.domain.errors import DomainError

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
    parser.add_argument("--at", metavar="WHEN",
                        help="evaluate as of this moment: ISO (2026-11-10T09:00), -3d, 2 weeks ago, "
                             "yesterday 17:00, fri (default: now)")
    parser.add_argument("--explain", action="store_true",
                        help="with --format: for each hit, what the rule saw (last touch, threshold, events)")
    parser.set_defaults(func=run)


def _freeze_at(ctx: Context) -> None:
    """`--at` in any form domain.moments reads, in the user's zone (default zone if unknown)."""
    from crm_tui.domain import moments
    from crm_tui.models import User

    zone = User.select(User.time_zone).where(User.login == ctx.login).scalar() or ctx.config.default_time_zone
    try:
        instant = moments.parse_moment(ctx.config, zone, ctx.args.at)
    except DomainError as exc:
        raise UsageError(f"exceptions: --at: {exc}") from None
    clock.freeze(instant)


def run(ctx: Context) -> int:
    args = ctx.args
    if args.format is None:
        if args.owner or args.explain:
            flag = "--owner" if args.owner else "--explain"
            raise UsageError(f"exceptions: {flag} works with --format; the app shows what your role may see")
        from crm_tui.cli.app_cmd import launch

        if args.at:
            ctx.open(readonly=True)
            _freeze_at(ctx)
            db.close()
        return launch(ctx, start_mode="exceptions", readonly=True)
    ctx.open(readonly=True)
    if args.at:
        _freeze_at(ctx)
    from crm_tui.domain import exceptions

    owner = exceptions.owner_by_login(args.owner) if args.owner else None
    hits, parked = exceptions.evaluate_with_parked(ctx.config, owner=owner)
    explained = None
    if args.explain:
        from crm_tui.domain import explain

        explained = explain.explain_all(ctx.config, hits)
    write(hits, args.format, explained=explained, parked=parked)
    return 0


def write(hits: list, fmt: str, *, explained: list[dict] | None = None, parked: list | None = None) -> None:
    """Print hits; `explained` (from --explain) adds an `explain` key (json), column (csv) or lines (text)."""
    if explained is not None and fmt in ("json", "csv"):
        rows = explained if fmt == "json" else [{**row, "explain": json.dumps(row["explain"], sort_keys=True)}
                                                for row in explained]
        output.emit(rows, (*CSV_COLUMNS, "explain"), fmt, empty="no exceptions")
    elif fmt != "text" or not hits:
        from crm_tui.domain.bulk import collection_paused
        from crm_tui.domain.exceptions import JSON_KEYS, as_columns

        with collection_paused():  # thousands of hits, no cycles among their texts (exceptions.evaluate)
            output.emit_columns(JSON_KEYS, as_columns(hits), CSV_COLUMNS, fmt, empty="no exceptions")
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
            if explained is not None:
                for line in explain_lines(next(row["explain"] for row in explained
                                               if (row["rule"], row["kind"], row["record_id"])
                                               == (hit.rule, hit.kind, hit.record_id))):
                    print(f"      {line}")
    if fmt == "text" and parked:
        from crm_tui.domain.snooze import parked_for

        now = clock.utcnow_naive()
        print(f"Parked ({len(parked)}): snoozed records, not in the list above")
        for item in parked:
            s = item.snooze
            rules = ", ".join(str(hit.number) for hit in item.hits) or "none"
            print(f"   {s.kind} {s.record_id}  {s.record_name}  [{s.owner_login or '-'}]  parked "
                  f"{parked_for(now, s.parked_at)} until {s.until:%Y-%m-%d}: {s.reason}  (rules now: {rules})")


def explain_lines(facts: dict) -> list[str]:
    """The --explain facts of one hit as short lines for people."""
    lines = []
    threshold = ", ".join(f"{name} = {value:g}" if isinstance(value, float) else f"{name} = {value}"
                          for name, value in facts.get("threshold", {}).items())
    if threshold:
        lines.append(f"threshold: {threshold}")
    touch = facts.get("last_touch")
    lines.append(f"last touch: {touch['what']} at {touch['at']}" if touch else "last touch: never")
    events = facts.get("events")
    if events:
        lines.append("events: " + ", ".join(f"{name} {value}" for name, value in events.items()))
    for name in ("created_at", "due", "sla_due", "escalated_at", "answered_at"):
        if facts.get(name):
            lines.append(f"{name.replace('_', ' ')}: {facts[name]}")
    return lines
