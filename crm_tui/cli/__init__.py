"""The composition root: parse argv, read config, open the database, then start
the app or run one command. Each command lives in its own module here and
registers its sub-parser; errors reach the user as one line, never a traceback.

Exit codes: 0 done, 1 refused or failed (the message says why), 2 usage error.

Start-up cost matters (first paint is measured against a bare Textual app), so
this module imports neither Peewee nor the database layer at import time: on a
SQLite target `main` first tells Python that the PostgreSQL drivers are absent,
because Peewee imports psycopg eagerly when it is installed (+0.15-0.4 s).
"""

from __future__ import annotations

import argparse
import gc
import getpass
import os
import sys
from dataclasses import dataclass, field
from importlib import import_module
from typing import Callable, Sequence

from pathlib import Path

from crm_tui import __version__, clock, config as config_mod
from crm_tui.config import Config, ConfigError
from crm_tui.domain.errors import DomainError

POSTGRES_DRIVERS = ("psycopg", "psycopg2", "psycopg2cffi")

# Each module has `register(subparsers, common)`; add a line to add a command.
COMMAND_MODULES = (
    "crm_tui.cli.users_cmd",
    "crm_tui.cli.backup_cmd",
    "crm_tui.cli.migrate_cmd",
    "crm_tui.cli.templates_cmd",
    "crm_tui.cli.knowledge_cmd",
    "crm_tui.cli.exceptions_cmd",
    "crm_tui.cli.alerts_cmd",
    "crm_tui.cli.intake_cmd",
    "crm_tui.cli.import_cmd",
    "crm_tui.cli.export_cmd",
    "crm_tui.cli.demo_cmd",
    "crm_tui.cli.context_cmd",
    "crm_tui.cli.snooze_cmd",
    "crm_tui.cli.hooks_cmd",
    "crm_tui.cli.process_cmd",
    "crm_tui.cli.today_cmd",
    "crm_tui.cli.add_cmd",
    "crm_tui.cli.done_cmd",
    "crm_tui.cli.products_cmd",
    "crm_tui.cli.quotes_cmd",
    "crm_tui.cli.orders_cmd",
    "crm_tui.cli.review_cmd",
    "crm_tui.cli.insights_cmd",
)

# Which module registers each command, so one command (or the app, which needs
# none) imports only its own module: importing all of them, and the domain
# modules they use, cost ~0.1 s of every start. tests/cli check it matches.
COMMANDS = {
    "users": "users_cmd",
    "backup": "backup_cmd",
    "restore": "backup_cmd",
    "migrate-db": "migrate_cmd",
    "templates": "templates_cmd",
    "knowledge": "knowledge_cmd",
    "exceptions": "exceptions_cmd",
    "alerts": "alerts_cmd",
    "intake": "intake_cmd",
    "import": "import_cmd",
    "export": "export_cmd",
    "ics": "export_cmd",
    "demo": "demo_cmd",
    "context": "context_cmd",
    "snooze": "snooze_cmd",
    "unsnooze": "snooze_cmd",
    "hooks": "hooks_cmd",
    "process": "process_cmd",
    "today": "today_cmd",
    "add": "add_cmd",
    "done": "done_cmd",
    "products": "products_cmd",
    "quotes": "quotes_cmd",
    "orders": "orders_cmd",
    "invoices": "orders_cmd",
    "review": "review_cmd",
    "insights": "insights_cmd",
}

VALUE_OPTIONS = ("--db", "--now", "--user", "--config")
"""The top-level options that take a value: the word after them is no command."""


class UsageError(Exception):
    """Bad flags or values: exit 2 with the usage line."""


class CommandError(Exception):
    """A command that cannot go on: exit 1 with this message."""


@dataclass
class Context:
    """What every command needs: settings, where the database is, who acts."""

    args: argparse.Namespace
    config: Config = field(default_factory=Config)

    @property
    def database(self) -> str:
        return self.args.db or self.config.database or str(config_mod.default_database_path())

    @property
    def login(self) -> str:
        return self.args.user or os.environ.get("CRM_USER") or _os_login()

    def open(self, *, readonly: bool = False, database: str | None = None) -> None:
        """Open the database and make sure its schema is current."""
        from crm_tui import db, schema
        from crm_tui.domain import permissions

        db.open_database(database or self.database, readonly=readonly)
        schema.ensure_schema()
        permissions.configure(self.config.permissions, self.config.roles)
        if self.config.hooks_dir and not readonly:
            from crm_tui.interop import hooks

            hooks.install(self.config)

    def user(self):  # type: ignore[no-untyped-def]
        """The CRM user this process acts as."""
        from crm_tui.domain import users

        return users.resolve_login(self.login, self.config)


def _os_login() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "user"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{self.prog}: {message}\n{self.format_usage().strip()}")


def _common(parser: argparse.ArgumentParser, *, top: bool) -> None:
    default = None if top else argparse.SUPPRESS
    parser.add_argument("--db", metavar="PATH|URL", default=default,
                        help="SQLite path, sqlite:///path or postgresql://… (env CRM_DATABASE)")
    parser.add_argument("--now", metavar="ISO", default=default,
                        help="freeze the clock at this instant (env CRM_NOW)")
    parser.add_argument("--user", metavar="LOGIN", default=default,
                        help="act as this CRM login (env CRM_USER; default: your OS login)")
    parser.add_argument("--config", metavar="FILE", default=default,
                        help="read this config file after the system and user ones (env CRM_CONFIG)")


def command_modules(argv: Sequence[str] | None) -> tuple[str, ...]:
    """The command modules parsing `argv` needs: none to open the app, one for
    a known command, all of them for `--help` or a word crm does not know (so
    argparse lists every command)."""
    if argv is None:
        return COMMAND_MODULES
    words = iter(argv)
    for word in words:
        if word == "--":
            break
        if word in VALUE_OPTIONS:
            next(words, None)
        elif not word.startswith("-"):
            module = COMMANDS.get(word)
            return (f"crm_tui.cli.{module}",) if module else COMMAND_MODULES
    return COMMAND_MODULES if {"-h", "--help"} & set(argv) else ()


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """crm's parser; given `argv`, with only the sub-commands it can name (see command_modules)."""
    parser = _Parser(
        prog="crm",
        description="An activity-centric CRM for the terminal. With no command, opens the app.",
        epilog="Run 'crm COMMAND --help' for a command's options.",
    )
    parser.add_argument("--version", action="version", version=f"crm_tui {__version__}")
    _common(parser, top=True)
    parser.add_argument("--demo", action="store_true",
                        help="open the app on a fresh demo database of its own (never your real one)")
    common = _Parser(add_help=False)
    _common(common, top=False)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in command_modules(argv):
        import_module(name).register(subparsers, common)
    return parser


def _config_option(argv: Sequence[str]) -> str | None:
    for index, arg in enumerate(argv):
        if arg == "--config" and index + 1 < len(argv):
            return argv[index + 1]
        if arg.startswith("--config="):
            return arg.split("=", 1)[1]
    return None


def sqlite_only(argv: Sequence[str]) -> bool:
    """True when this process can only ever open SQLite: nothing on the command
    line, in CRM_DATABASE or in the config files names PostgreSQL. When in
    doubt (an unreadable config), False: the drivers stay importable."""
    if any("postgres" in arg.lower() for arg in argv):
        return False
    if "postgres" in os.environ.get("CRM_DATABASE", "").lower():
        return False
    extra = _config_option(argv)
    paths = [path for path in config_mod.config_paths() if path.is_file()]
    if extra:
        paths.append(Path(extra))
    try:
        return "postgres" not in (config_mod.load(paths).database or "").lower()
    except (ConfigError, OSError, ValueError):
        return False


def skip_postgres_drivers(argv: Sequence[str]) -> bool:
    """Mark the PostgreSQL drivers as absent before Peewee is first imported,
    when the target is SQLite, so `import peewee` does not load psycopg.
    Returns whether it did (never once Peewee is loaded: too late to matter)."""
    if "peewee" in sys.modules or not sqlite_only(argv):
        return False
    for name in POSTGRES_DRIVERS:
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]  # None makes `import name` fail fast
    return True


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    skip_postgres_drivers(args_list)
    from crm_tui import db

    try:
        args = build_parser(args_list).parse_args(args_list)
    except UsageError as exc:
        print(exc, file=sys.stderr)
        return 2
    try:
        if args.config:
            os.environ["CRM_CONFIG"] = args.config
        clock.freeze(args.now or os.environ.get("CRM_NOW") or None)
        ctx = Context(args, config_mod.load())
        handler: Callable[[Context], int | None] | None = getattr(args, "func", None)
        if handler is None:
            # The app starts without the cyclic garbage collector: Textual's
            # start-up allocates a great many objects that all live on, and
            # collecting them cost ~50-90 ms of Today's first paint. The app
            # freezes what start-up built and turns it back on (CrmApp).
            gc.disable()
            handler = import_module("crm_tui.cli.app_cmd").launch
        return handler(ctx) or 0
    except UsageError as exc:
        print(f"crm: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("crm: interrupted", file=sys.stderr)
        return 130
    except (ConfigError, clock.ClockError, db.DatabaseError, CommandError, DomainError) as exc:
        # A domain refusal is one line, exit 1, like a CommandError: commands
        # let DomainError rise instead of wrapping each call.
        print(f"crm: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # noqa: BLE001 - the last line of defence for users
        print(f"crm: unexpected error: {type(exc).__name__}: {exc}", file=sys.stderr)
        if os.environ.get("CRM_DEBUG"):
            raise
        return 1
    finally:
        gc.enable()  # when the app ended before it did so itself
        db.close()
