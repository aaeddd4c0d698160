from decimal import Decimal

import pytest

from crm_tui.domain import validation
from crm_tui.domain.errors import DomainError


@pytest.mark.parametrize("good", ["kim@acme.test", "Kim.Ng+crm@mail.acme.co.uk"])
def test_emails_accepted_and_lowered(good: str) -> None:
    assert validation.email(good) == good.lower()


@pytest.mark.parametrize("bad", ["kim", "kim@", "kim@acme", "a b@c.de", "kim@@acme.test"])
def test_bad_emails_name_the_field(bad: str) -> None:
    with pytest.raises(DomainError) as info:
        validation.email(bad, "email")
    assert info.value.field == "email"


@pytest.mark.parametrize("good", ["+49 30 1234567", "(555) 123-4567", "030/123 456 x12"])
def test_phones(good: str) -> None:
    assert validation.phone(good)


@pytest.mark.parametrize("bad", ["call me", "12", "+49 30 12a4567"])
def test_bad_phones(bad: str) -> None:
    with pytest.raises(DomainError, match="not a phone number"):
        validation.phone(bad)


@pytest.mark.parametrize(("text", "amount"), [("1,234.50", "1234.50"), ("1234,5", "1234.50"), ("9,000", "9000.00"), ("1,250,000", "1250000.00"), ("12,50", "12.50"), ("0.005", "0.01"), ("99", "99.00")])
def test_money_parses_and_rounds_half_up(text: str, amount: str) -> None:
    assert validation.money(text) == Decimal(amount)


@pytest.mark.parametrize("bad", ["-5", "ten", "NaN", "1e20"])
def test_bad_money(bad: str) -> None:
    with pytest.raises(DomainError):
        validation.money(bad)


def test_today_is_a_plain_date_drivers_accept() -> None:
    import datetime as dt

    from crm_tui import clock

    assert type(clock.today("Europe/Berlin")) is dt.date


def test_dates_and_required() -> None:
    assert str(validation.iso_date("2026-12-31")) == "2026-12-31"
    with pytest.raises(DomainError, match="not a date like"):
        validation.iso_date("31/12/2026")
    with pytest.raises(DomainError, match="last name is required"):
        validation.required("  ", "last_name")
