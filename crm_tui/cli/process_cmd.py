"""`crm process`: the business process as steps against job roles and their people.

A team's own cross-functional chart: for each step (sell, approve, deliver,
bill, support, escalate; `[[roles.process]]` in config) the job role that does
it, who holds that role, and the role (and people) it escalates to.
"""

from __future__ import annotations

import argparse

from crm_tui.cli import Context
from crm_tui.cli.output import add_format_flags, emit
from crm_tui.domain import roles


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser("process", help="who does what: process steps, job roles and their people",
                                   parents=[common])
    add_format_flags(parser, quiet=False)
    parser.set_defaults(func=_process)


def _process(ctx: Context) -> int:
    ctx.open()
    rows = [
        {"step": row.step, "name": row.name, "role": row.role,
         "people": ", ".join(row.people) if ctx.args.format != "json" else list(row.people),
         "manager_role": row.manager_role,
         "managers": ", ".join(row.managers) if ctx.args.format != "json" else list(row.managers)}
        for row in roles.process_chart(ctx.config)
    ]
    if ctx.args.format == "text":
        for row in rows:
            row["people"] = row["people"] or "(nobody holds this role)"
    emit(rows, ("step", "name", "role", "people", "manager_role", "managers"), ctx.args.format,
         id_key="step", empty="no process steps configured")
    return 0

