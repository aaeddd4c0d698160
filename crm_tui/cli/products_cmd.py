"""`crm products add|list|set`: the price list quote lines are made from."""

from __future__ import annotations

import argparse

from crm_tui.cli import Context, UsageError
from crm_tui.cli.output import add_format_flags, emit
from crm_tui.domain import sales


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser("products", help="the price list: add, list and change products", parents=[common])
    actions = parser.add_subparsers(dest="products_action", metavar="ACTION", required=True,
                                    parser_class=type(parser))
    add = actions.add_parser("add", help="add a product", parents=[common])
    add.add_argument("code", help="a short unique code, e.g. LIC-100")
    add.add_argument("--name", required=True)
    add.add_argument("--price", required=True, help="unit price, e.g. 1250.00")
    add.add_argument("--currency", help="three-letter code (default: [sales] currency)")
    add.set_defaults(func=_add)
    listing = actions.add_parser("list", help="list products", parents=[common])
    listing.add_argument("--all", action="store_true", help="include products no longer sold")
    add_format_flags(listing)
    listing.set_defaults(func=_list)
    change = actions.add_parser("set", help="change a product", parents=[common])
    change.add_argument("code")
    change.add_argument("--name")
    change.add_argument("--price")
    change.add_argument("--active", choices=("yes", "no"))
    change.set_defaults(func=_set)


def _add(ctx: Context) -> int:
    ctx.open()
    a = ctx.args
    product = sales.add_product(ctx.user(), ctx.config, code=a.code, name=a.name, unit_price=a.price,
                                currency=a.currency)
    print(f"added {product.code} {product.name}: {product.unit_price} {product.currency}")
    return 0


def _list(ctx: Context) -> int:
    ctx.open()
    rows = [{"id": p.id, "code": p.code, "name": p.name, "unit_price": p.unit_price, "currency": p.currency,
             "active": p.active} for p in sales.list_products(active_only=not ctx.args.all)]
    emit(rows, ("code", "name", "unit_price", "currency", "active"), ctx.args.format, quiet=ctx.args.quiet,
         id_key="code", empty="no products")
    return 0


def _set(ctx: Context) -> int:
    ctx.open()
    a = ctx.args
    if a.name is None and a.price is None and a.active is None:
        raise UsageError("products set: nothing to change; give --name, --price or --active")
    product = sales.set_product(ctx.user(), a.code, name=a.name, unit_price=a.price,
                                active=None if a.active is None else a.active == "yes")
    print(f"updated {product.code} {product.name}: {product.unit_price} {product.currency}, "
          f"{'active' if product.active else 'no longer sold'}")
    return 0
