"""`crm knowledge add|search|show|set`: the short how-tos and policies staff look up from cases."""

from __future__ import annotations

import argparse

from crm_tui.cli import Context
from crm_tui.cli.templates_cmd import read_text
from crm_tui.domain import knowledge


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser("knowledge", help="add, search and read knowledge articles", parents=[common])
    actions = parser.add_subparsers(dest="knowledge_action", metavar="ACTION", required=True,
                                    parser_class=type(parser))
    add = actions.add_parser("add", help="add an article", parents=[common])
    add.add_argument("title")
    add.add_argument("--body-file", required=True, metavar="FILE", help="the article text ('-' reads stdin)")
    add.add_argument("--tags", default="", help="comma-separated, e.g. 'refunds, policy'")
    add.set_defaults(func=_add)

    search = actions.add_parser("search", help="articles containing every word", parents=[common])
    search.add_argument("words", nargs="*")
    search.set_defaults(func=_search)

    show = actions.add_parser("show", help="print one article", parents=[common])
    show.add_argument("id", type=int)
    show.set_defaults(func=_show)

    change = actions.add_parser("set", help="change an article (its version goes up)", parents=[common])
    change.add_argument("id", type=int)
    change.add_argument("--title")
    change.add_argument("--body-file", metavar="FILE")
    change.add_argument("--tags")
    change.set_defaults(func=_set)


def _add(ctx: Context) -> int:
    ctx.open()
    article = knowledge.create_article(ctx.user(), ctx.args.title, read_text(ctx.args.body_file), ctx.args.tags)
    print(f"added article {article.id}: {article.title}")
    return 0


def _search(ctx: Context) -> int:
    ctx.open()
    for article in knowledge.search(" ".join(ctx.args.words), limit=200):
        print(f"{article.id}\t{article.title}\t{article.tags}")
    return 0


def _show(ctx: Context) -> int:
    ctx.open()
    article = knowledge.get_article(ctx.args.id)
    print(f"{article.title} (version {article.version}; tags: {article.tags or '-'})\n\n{article.body}")
    return 0


def _set(ctx: Context) -> int:
    ctx.open()
    a = ctx.args
    article = knowledge.get_article(a.id)
    article = knowledge.update_article(
        ctx.user(), a.id, title=a.title if a.title is not None else article.title,
        body=read_text(a.body_file) if a.body_file else article.body,
        tags=a.tags if a.tags is not None else article.tags,
    )
    print(f"updated article {article.id} to version {article.version}")
    return 0
