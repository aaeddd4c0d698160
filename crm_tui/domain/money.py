"""Money arithmetic for quotes, orders and invoices: Decimal only, cents, one currency per sum.

The rules an invoice follows, in one place so a quote, its order and its
invoice always agree to the cent:

- amounts are `Decimal` (a float is refused: 0.1 + 0.2 is not 0.3);
- each line is rounded to cents, half up: net = round(qty x price x (1 - discount%));
- tax is computed once on the sum of the rounded line nets, and rounded;
- a sum of amounts in different currencies is refused (DomainError), never converted.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Iterable

from crm_tui.domain.errors import DomainError

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
ZERO = Decimal("0.00")


def to_decimal(value: Decimal | int | str, field: str = "amount") -> Decimal:
    """A Decimal from a Decimal, an int or text like "1,234.50"; floats are refused."""
    if isinstance(value, bool) or isinstance(value, float):
        raise DomainError(f"{field}: use an exact number (Decimal or text), not a float", field)
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    else:
        text = str(value).strip().replace(",", "").replace("_", "")
        if not text:
            raise DomainError(f"{field}: a number is needed", field)
        try:
            result = Decimal(text)
        except InvalidOperation:
            raise DomainError(f"{field}: {value!r} is not a number", field) from None
    if not result.is_finite():
        raise DomainError(f"{field}: {value!r} is not a number", field)
    return result


def cents(value: Decimal) -> Decimal:
    """Round to cents, half up (2.345 -> 2.35, -2.345 -> -2.35), as invoices do."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def check_currency(code: str) -> str:
    code = (code or "").strip().upper()
    if len(code) != 3 or not code.isalpha():
        raise DomainError(f"currency: {code!r} is not a three-letter code like EUR", "currency")
    return code


@dataclass(frozen=True)
class Money:
    """An amount in one currency."""

    amount: Decimal
    currency: str

    def __str__(self) -> str:
        return f"{format_amount(self.amount)} {self.currency}"


def format_amount(amount: Decimal) -> str:
    """1234.5 -> "1,234.50" (always two places)."""
    return f"{cents(amount):,.2f}"


def line_net(quantity: Decimal, unit_price: Decimal, discount_percent: Decimal = ZERO) -> Decimal:
    """One line's net amount: quantity x unit price less the discount, rounded to cents."""
    if quantity <= 0:
        raise DomainError("quantity: must be more than 0", "quantity")
    if unit_price < 0:
        raise DomainError("unit price: must not be negative", "unit_price")
    if not ZERO <= discount_percent <= HUNDRED:
        raise DomainError("discount: must be between 0 and 100 percent", "discount")
    gross = quantity * unit_price
    return cents(gross - gross * discount_percent / HUNDRED)


def tax(net: Decimal, rate_percent: Decimal) -> Decimal:
    """Tax on a (summed) net amount, rounded once."""
    if rate_percent < 0:
        raise DomainError("tax rate: must not be negative", "tax_rate")
    return cents(net * rate_percent / HUNDRED)


def total(amounts: Iterable[Money], currency: str | None = None) -> Money:
    """The sum of amounts in one currency; mixing currencies is refused.

    `currency` names the currency of an empty sum (and must match the others).
    """
    result = ZERO
    seen = currency
    for money in amounts:
        if seen is not None and money.currency != seen:
            raise DomainError(f"cannot add {money.currency} to {seen}: currencies are never mixed in one sum",
                              "currency")
        seen = money.currency
        result += money.amount
    if seen is None:
        raise DomainError("an empty sum needs a currency", "currency")
    return Money(cents(result), seen)


@dataclass(frozen=True)
class Totals:
    """A document's subtotal (sum of rounded line nets), tax and total."""

    subtotal: Decimal
    tax: Decimal
    total: Decimal
    currency: str


def document_totals(line_nets: Iterable[Money], rate_percent: Decimal, currency: str) -> Totals:
    """Subtotal of the lines, tax on the subtotal, and their sum, all in `currency`."""
    subtotal = total(line_nets, currency).amount
    amount = tax(subtotal, rate_percent)
    return Totals(subtotal, amount, subtotal + amount, currency)


def balances(amounts: Iterable[Money]) -> dict[str, Decimal]:
    """Sums per currency: how an account's unpaid balance is shown without mixing."""
    result: dict[str, Decimal] = {}
    for money in amounts:
        result[money.currency] = result.get(money.currency, ZERO) + money.amount
    return {code: cents(value) for code, value in sorted(result.items())}
