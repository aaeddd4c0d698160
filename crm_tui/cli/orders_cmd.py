"""`crm orders` and `crm invoices`: delivery and billing from the command line.

orders list|start|deliver|cancel|invoice ORDER; invoices list|pay INVOICE AMOUNT.
ORDER is the order number (O-00007 or 7), INVOICE the invoice number (INV-00003).
"""

from __future__ import annotations

import argparse

from crm_tui.cli import Context
from crm_tui.cli.output import add_format_flags, emit
from crm_tui.domain import billing, delivery, documents


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    orders = subparsers.add_parser("orders", help="orders: list, deliver, cancel, invoice", parents=[common])
    actions = orders.add_subparsers(dest="orders_action", metavar="ACTION", required=True,
                                    parser_class=type(orders))
    listing = actions.add_parser("list", help="list orders", parents=[common])
    listing.add_argument("--status", choices=documents.STATUSES["order"])
    add_format_flags(listing)
    listing.set_defaults(func=_listing, document="order")
    for name, help_text in (("start", "delivery has started"), ("deliver", "the order was delivered"),
                            ("cancel", "cancel the order"), ("invoice", "bill the order")):
        sub = actions.add_parser(name, help=help_text, parents=[common])
        sub.add_argument("order", help="order number, e.g. O-00007 or 7")
        if name == "cancel":
            sub.add_argument("--reason", required=True)
        sub.set_defaults(func=_order_action, order_action=name)

    invoices = subparsers.add_parser("invoices", help="invoices: list, record payments", parents=[common])
    bills = invoices.add_subparsers(dest="invoices_action", metavar="ACTION", required=True,
                                    parser_class=type(invoices))
    listing = bills.add_parser("list", help="list invoices", parents=[common])
    listing.add_argument("--status", choices=documents.STATUSES["invoice"])
    add_format_flags(listing)
    listing.set_defaults(func=_listing, document="invoice")
    pay = bills.add_parser("pay", help="record a payment", parents=[common])
    pay.add_argument("invoice", help="invoice number, e.g. INV-00003")
    pay.add_argument("amount")
    pay.add_argument("--reference", default="")
    pay.set_defaults(func=_pay)


def _listing(ctx: Context) -> int:
    """`crm orders list` and `crm invoices list`: the Records tab's list, printed."""
    ctx.open()
    kind = ctx.args.document
    emit(documents.listing(kind, status=ctx.args.status), documents.COLUMNS[kind], ctx.args.format,
         quiet=ctx.args.quiet, id_key="number", empty=f"no {kind}s")
    return 0


def _order_action(ctx: Context) -> int:
    ctx.open()
    user, order_id, what = ctx.user(), delivery.order_by_number(ctx.args.order), ctx.args.order_action
    if what == "start":
        order = delivery.start_delivery(user, order_id)
    elif what == "deliver":
        order = delivery.mark_delivered(user, ctx.config, order_id)
    elif what == "cancel":
        order = delivery.cancel_order(user, ctx.config, order_id, ctx.args.reason)
    else:
        invoice = billing.invoice_order(user, ctx.config, order_id)
        print(f"{invoice.number}: {invoice.total} {invoice.currency}, due {invoice.due_on}")
        return 0
    print(f"{delivery.order_label(order.number)}: {order.status}")
    return 0


def _pay(ctx: Context) -> int:
    ctx.open()
    invoice_id = billing.invoice_by_number(ctx.args.invoice)
    billing.record_payment(ctx.user(), invoice_id, ctx.args.amount, reference=ctx.args.reference)
    invoice = billing.get_invoice(invoice_id)
    print(f"{invoice.number}: {billing.status_of(invoice)}, {billing.open_amount(invoice)} {invoice.currency} open")
    return 0
