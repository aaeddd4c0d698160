"""`crm templates add|list|show|set|delete`: the email templates reps compose from.

Bodies come from a file (`--body-file`, `-` for stdin) because they span
lines; unknown merge fields are refused with their names.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from crm_tui.cli import CommandError, Context
from crm_tui.domain import templates


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser("templates", help="add, list and change email templates", parents=[common])
    actions = parser.add_subparsers(dest="templates_action", metavar="ACTION", required=True,
                                    parser_class=type(parser))
    add = actions.add_parser("add", help="add a template", parents=[common])
    add.add_argument("name")
    add.add_argument("--subject", required=True, help="subject line; may use merge fields")
    add.add_argument("--body-file", required=True, metavar="FILE", help="the body text ('-' reads stdin)")
    add.set_defaults(func=_add)

    listing = actions.add_parser("list", help="list templates and the merge fields they may use", parents=[common])
    listing.set_defaults(func=_list)

    show = actions.add_parser("show", help="print one template", parents=[common])
    show.add_argument("name")
    show.set_defaults(func=_show)

    change = actions.add_parser("set", help="change a template's subject or body", parents=[common])
    change.add_argument("name")
    change.add_argument("--subject")
    change.add_argument("--body-file", metavar="FILE")
    change.set_defaults(func=_set)

    delete = actions.add_parser("delete", help="delete a template", parents=[common])
    delete.add_argument("name")
    delete.set_defaults(func=_delete)


def read_text(name: str) -> str:
    """A file's text, or stdin for '-', as one line of error when unreadable."""
    if name == "-":
        return sys.stdin.read()
    try:
        return Path(name).read_text(encoding="utf-8")
    except OSError as exc:
        raise CommandError(f"cannot read {name}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise CommandError(f"{name} is not UTF-8 text") from None


def _by_name(name: str):  # type: ignore[no-untyped-def]
    for template in templates.list_templates():
        if template.name == name:
            return template
    raise CommandError(f"no template named {name!r} (see: crm templates list)")


def _add(ctx: Context) -> int:
    ctx.open()
    body = read_text(ctx.args.body_file)
    template = templates.create_template(ctx.user(), ctx.args.name, ctx.args.subject, body)
    print(f"added template {template.name!r}")
    return 0


def _list(ctx: Context) -> int:
    ctx.open()
    for template in templates.list_templates():
        print(f"{template.name}\t{template.subject}")
    print("merge fields: " + " ".join(templates.merge_field_names()), file=sys.stderr)
    return 0


def _show(ctx: Context) -> int:
    ctx.open()
    template = _by_name(ctx.args.name)
    print(f"Subject: {template.subject}\n\n{template.body}")
    return 0


def _set(ctx: Context) -> int:
    ctx.open()
    template = _by_name(ctx.args.name)
    subject = ctx.args.subject if ctx.args.subject is not None else template.subject
    body = read_text(ctx.args.body_file) if ctx.args.body_file else template.body
    templates.update_template(ctx.user(), template.id, name=template.name, subject=subject, body=body)
    print(f"updated template {template.name!r}")
    return 0


def _delete(ctx: Context) -> int:
    ctx.open()
    template = _by_name(ctx.args.name)
    templates.delete_template(ctx.user(), template.id)
    print(f"deleted template {template.name!r}")
    return 0
