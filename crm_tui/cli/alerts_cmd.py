"""`crm alerts send`: mail managers (and owners, if configured) the new exceptions.

Meant for cron. Exit 0 when every digest went out (or there was nothing new),
1 when a digest could not be sent: those exceptions stay unsent and the next
run tries again.
"""

from __future__ import annotations

import argparse
import sys

from crm_tui import clock
from crm_tui.cli import CommandError, Context


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser("alerts", help="mail digests of new exceptions", parents=[common])
    actions = parser.add_subparsers(dest="alerts_action", metavar="ACTION", required=True,
                                    parser_class=type(parser))
    send = actions.add_parser("send", parents=[common],
                              help="mail each manager the exceptions new since their last digest")
    send.add_argument("--at", metavar="ISO", help="evaluate as of this instant (default: now)")
    send.set_defaults(func=_send)


def _send(ctx: Context) -> int:
    if ctx.args.at:
        clock.freeze(ctx.args.at)
    ctx.open()
    from crm_tui.domain.alerts import AlertsBusy
    from crm_tui.interop.alerts import send_digests

    try:
        report = send_digests(ctx.config)
    except AlertsBusy as exc:
        raise CommandError(str(exc)) from None
    for login, count in report.sent:
        print(f"sent {login} {count} new exception{'s' if count != 1 else ''}")
    if not report.sent and not report.failed:
        print("nothing new to send")
    for login, reason in report.failed:
        print(f"crm: not sent to {login}: {reason}; it will be retried on the next run", file=sys.stderr)
    return 1 if report.failed else 0
