"""`crm quotes ...`: quotes from the command line, the same flow as the app.

new OPPORTUNITY_ID, line QUOTE (--product CODE | --text TEXT --price P) [--qty Q] [--discount D],
submit, approve, reject --reason, send [--smtp] [--to ADDR], accept, decline, show, html FILE, list.
QUOTE is the quote number as printed (Q-00042 or 42).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from crm_tui.cli import CommandError, Context
from crm_tui.cli.output import add_format_flags, emit
from crm_tui.domain import documents, sales


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser("quotes", help="quotes: create, price, approve, send, accept", parents=[common])
    actions = parser.add_subparsers(dest="quotes_action", metavar="ACTION", required=True,
                                    parser_class=type(parser))

    def action(name: str, help_text: str, func, *, quote: bool = True) -> argparse.ArgumentParser:  # type: ignore[no-untyped-def]
        sub = actions.add_parser(name, help=help_text, parents=[common])
        if quote:
            sub.add_argument("quote", help="quote number, e.g. Q-00042 or 42")
        sub.set_defaults(func=func)
        return sub

    new = action("new", "a draft quote on an opportunity", _new, quote=False)
    new.add_argument("opportunity", type=int, help="opportunity id")
    new.add_argument("--currency")
    line = action("line", "add a line (a product, or free text with a price)", _line)
    line.add_argument("--product", help="product code")
    line.add_argument("--text", default="", help="description (default: the product's name)")
    line.add_argument("--qty", default="1")
    line.add_argument("--price", help="unit price (default: the product's)")
    line.add_argument("--discount", default="0", help="percent off this line")
    action("submit", "hand in for approval (approved at once within the discount limit)", _submit)
    action("approve", "approve a submitted quote (managers; never your own)", _approve)
    reject = action("reject", "send a submitted quote back", _reject)
    reject.add_argument("--reason", required=True)
    send = action("send", "email the approved quote (log only, unless --smtp)", _send)
    send.add_argument("--smtp", action="store_true", help="send through [smtp], then log it")
    send.add_argument("--to", help="recipient (default: the opportunity's contact)")
    action("accept", "the customer accepted: creates the order", _accept)
    decline = action("decline", "the customer declined", _decline)
    decline.add_argument("--reason", default="")
    action("show", "print the quote as text", _show)
    html = action("html", "write the quote as an HTML file for the customer", _html)
    html.add_argument("file", type=Path)
    listing = action("list", "list quotes", _list, quote=False)
    listing.add_argument("--status", choices=documents.STATUSES["quote"])
    add_format_flags(listing)


def quote_id(text: str) -> int:
    """The id of the quote a user names by its number (Q-00042, q42, 42)."""
    from crm_tui.models import Quote

    digits = text.strip().upper().removeprefix("Q").lstrip("-")
    if not digits.isdigit():
        raise CommandError(f"{text!r} is not a quote number like Q-00042")
    found = Quote.select(Quote.id).where(Quote.number == int(digits)).scalar()
    if found is None:
        raise CommandError(f"no quote {sales.quote_label(int(digits))}")
    return int(found)


def _status(quote) -> str:  # type: ignore[no-untyped-def]
    return f"{sales.quote_label(quote.number)}: {quote.status}, {quote.total} {quote.currency}"


def _new(ctx: Context) -> int:
    ctx.open()
    quote = sales.create_quote(ctx.user(), ctx.config, ctx.args.opportunity, currency=ctx.args.currency)
    print(f"created {_status(quote)}")
    return 0


def _line(ctx: Context) -> int:
    ctx.open()
    a = ctx.args
    qid = quote_id(a.quote)
    sales.add_line(ctx.user(), qid, product=a.product, description=a.text, quantity=a.qty,
         unit_price=a.price, discount=a.discount)
    print(_status(sales.get_quote(qid)))
    return 0


def _submit(ctx: Context) -> int:
    ctx.open()
    quote = sales.submit(ctx.user(), ctx.config, quote_id(ctx.args.quote))
    print(_status(quote) + ("" if quote.status == "approved" else " (waiting for a manager's approval)"))
    return 0


def _approve(ctx: Context) -> int:
    ctx.open()
    print(_status(sales.approve(ctx.user(), quote_id(ctx.args.quote))))
    return 0


def _reject(ctx: Context) -> int:
    ctx.open()
    print(_status(sales.reject(ctx.user(), quote_id(ctx.args.quote), ctx.args.reason)))
    return 0


def _send(ctx: Context) -> int:
    from crm_tui.interop import quotes
    from crm_tui.interop.mail import MailError

    ctx.open()
    qid = quote_id(ctx.args.quote)
    try:
        message = quotes.send_quote(ctx.user(), ctx.config, qid, smtp=ctx.args.smtp, to=ctx.args.to)
    except MailError as exc:
        raise CommandError(str(exc)) from None
    print(f"{'sent' if ctx.args.smtp else 'logged'} to {message.to}: {message.subject}")
    return 0


def _accept(ctx: Context) -> int:
    from crm_tui.models import SalesOrder

    ctx.open()
    quote = sales.accept(ctx.user(), ctx.config, quote_id(ctx.args.quote))
    order = SalesOrder.get(SalesOrder.quote == quote.id)
    print(f"{sales.quote_label(quote.number)} accepted; order O-{order.number:05d} promised for {order.promised_on}")
    return 0


def _decline(ctx: Context) -> int:
    ctx.open()
    print(_status(sales.decline(ctx.user(), quote_id(ctx.args.quote), ctx.args.reason)))
    return 0


def _show(ctx: Context) -> int:
    ctx.open()
    print(sales.render_text(sales.get_quote(quote_id(ctx.args.quote))), end="")
    return 0


def _html(ctx: Context) -> int:
    from crm_tui.interop import quotes

    ctx.open()
    path = quotes.write_html(quote_id(ctx.args.quote), ctx.user(), ctx.args.file)
    print(f"wrote {path}")
    return 0


def _list(ctx: Context) -> int:
    ctx.open()
    rows = documents.listing("quote", status=ctx.args.status)
    emit(rows, documents.COLUMNS["quote"], ctx.args.format, quiet=ctx.args.quiet, id_key="number",
         empty="no quotes")
    return 0
