"""Checks for what users type, shared by forms, imports and the CLI.

Each check returns the cleaned value or raises DomainError naming the field,
so the UI can show the message at that field and an import at that line.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from crm_tui.domain.errors import DomainError

_EMAIL = re.compile(r"^[^@\s<>(),;:\"\[\]]+@[^@\s<>(),;:\"\[\]]+\.[^@\s<>(),;:\"\[\]]{2,}$")
_PHONE_CHARS = re.compile(r"^\+?[0-9 ()./\-]+(\s*(x|ext\.?)\s*[0-9]+)?$", re.IGNORECASE)
CURRENCIES = ("EUR", "USD", "GBP", "CHF", "JPY", "CAD", "AUD", "SEK", "NOK", "DKK", "PLN", "CZK")


def required(value: str | None, field: str, label: str | None = None, max_length: int = 200) -> str:
    text = (value or "").strip()
    if not text:
        raise DomainError(f"{label or field.replace('_', ' ')} is required", field)
    return optional(text, field, label, max_length)


def optional(value: str | None, field: str, label: str | None = None, max_length: int = 200) -> str:
    text = (value or "").strip()
    if len(text) > max_length:
        raise DomainError(f"{label or field.replace('_', ' ')} is longer than {max_length} characters", field)
    return text


def email(value: str | None, field: str = "email") -> str:
    text = (value or "").strip()
    if text and not _EMAIL.match(text):
        raise DomainError(f"{text!r} is not an email address", field)
    return text.lower() if text else ""


def phone(value: str | None, field: str = "phone") -> str:
    text = " ".join((value or "").split())
    if not text:
        return ""
    digits = sum(ch.isdigit() for ch in text)
    if not _PHONE_CHARS.match(text) or not 5 <= digits <= 20:
        raise DomainError(f"{text!r} is not a phone number", field)
    return text


def phone_key(value: str) -> str:
    """The digits of a phone number, for finding duplicates (last 9 digits)."""
    digits = "".join(ch for ch in value if ch.isdigit())
    return digits[-9:]


def money(value: str | Decimal | None, field: str = "amount", *, required_value: bool = False) -> Decimal | None:
    """A non-negative amount with at most 2 decimals; '1,234.50' and '1234,5' are accepted."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required_value:
            raise DomainError(f"{field} is required", field)
        return None
    text = str(value).strip().replace(" ", "").replace("_", "")
    if "," in text and "." in text:
        text = text.replace(",", "")
    elif re.fullmatch(r"\d{1,3}(,\d{3})+", text):
        text = text.replace(",", "")  # 9,000 and 1,250,000: thousands separators
    elif "," in text:
        text = text.replace(",", ".")  # 1234,5: a decimal comma
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise DomainError(f"{value!r} is not an amount", field) from None
    if not amount.is_finite() or amount < 0:
        raise DomainError("an amount must be zero or more", field)
    if amount >= Decimal("1e12"):
        raise DomainError("that amount is too large", field)
    return amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def currency(value: str | None, field: str = "currency") -> str:
    text = (value or "").strip().upper() or "EUR"
    if not re.fullmatch(r"[A-Z]{3}", text):
        raise DomainError(f"{value!r} is not a currency code like EUR", field)
    return text


def iso_date(value: str | dt.date | None, field: str = "date", *, required_value: bool = False) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = (value or "").strip()
    if not text:
        if required_value:
            raise DomainError(f"{field.replace('_', ' ')} is required", field)
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise DomainError(f"{text!r} is not a date like 2026-12-31", field) from None


def integer(value: str | int | None, field: str, *, low: int | None = None, high: int | None = None) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = int(str(value).strip())
    except ValueError:
        raise DomainError(f"{value!r} is not a whole number", field) from None
    if (low is not None and number < low) or (high is not None and number > high):
        raise DomainError(f"{field.replace('_', ' ')} must be between {low} and {high}", field)
    return number


def choice(value: str | None, field: str, choices: tuple[str, ...] | list[str]) -> str:
    text = (value or "").strip()
    if text not in choices:
        raise DomainError(f"{field.replace('_', ' ')} must be one of: {', '.join(choices)}", field)
    return text
