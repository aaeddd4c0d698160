"""`crm hooks exceptions`: hand each exception new since the last run to the
`on-exception` hook (run it from cron, like `crm alerts send`)."""

from __future__ import annotations

import argparse

from crm_tui.cli import CommandError, Context


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser("hooks", parents=[common], help="run event hooks (see README: Hooks)")
    actions = parser.add_subparsers(dest="hooks_action", metavar="ACTION", required=True,
                                    parser_class=type(parser))
    fire = actions.add_parser("exceptions", parents=[common],
                              help="call on-exception once for each exception new since the last run")
    fire.set_defaults(func=_exceptions)


def _exceptions(ctx: Context) -> int:
    if not ctx.config.hooks_dir:
        raise CommandError("hooks: set hooks_dir in the config file first")
    ctx.open()
    from crm_tui.interop import hooks

    count = hooks.fire_exceptions(ctx.config)
    print(f"{count} new exception{'s' if count != 1 else ''} handed to on-exception")
    return 0
