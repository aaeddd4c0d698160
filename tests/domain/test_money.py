"""Money: Decimal only, lines rounded half up to cents, tax once on the subtotal, no mixed currencies."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crm_tui.domain import money
from crm_tui.domain.errors import DomainError
from crm_tui.domain.money import Money

D = Decimal
prices = st.decimals(min_value=D("0"), max_value=D("100000"), places=2)
quantities = st.decimals(min_value=D("0.001"), max_value=D("10000"), places=3)
discounts = st.decimals(min_value=D("0"), max_value=D("100"), places=2)


def test_rounding_is_half_up_like_an_invoice() -> None:
    assert money.cents(D("2.345")) == D("2.35")
    assert money.cents(D("2.344")) == D("2.34")
    assert money.cents(D("-2.345")) == D("-2.35")
    assert money.line_net(D("3"), D("0.335")) == D("1.01")  # 1.005 rounds up
    assert money.line_net(D("1"), D("100.00"), D("12.5")) == D("87.50")
    assert money.tax(D("87.50"), D("19")) == D("16.63")  # 16.625


def test_floats_and_garbage_are_refused() -> None:
    with pytest.raises(DomainError, match="not a float"):
        money.to_decimal(0.1)  # type: ignore[arg-type]
    with pytest.raises(DomainError, match="is not a number"):
        money.to_decimal("12,5x")
    assert money.to_decimal("1,234.50") == D("1234.50")
    with pytest.raises(DomainError, match="between 0 and 100"):
        money.line_net(D(1), D(1), D("101"))


def test_mixed_currencies_are_never_summed() -> None:
    with pytest.raises(DomainError, match="cannot add USD to EUR"):
        money.total([Money(D("1.00"), "EUR"), Money(D("2.00"), "USD")])
    with pytest.raises(DomainError, match="cannot add USD to EUR"):
        money.total([Money(D("1.00"), "USD")], "EUR")
    assert money.balances([Money(D("1.00"), "EUR"), Money(D("2.00"), "USD"), Money(D("3.005"), "EUR")]) == {
        "EUR": D("4.01"), "USD": D("2.00")}


def test_document_totals() -> None:
    totals = money.document_totals([Money(D("10.01"), "EUR"), Money(D("0.99"), "EUR")], D("19"), "EUR")
    assert (totals.subtotal, totals.tax, totals.total) == (D("11.00"), D("2.09"), D("13.09"))


@given(quantities, prices, discounts)
def test_a_line_is_whole_cents_and_never_more_than_undiscounted(q: Decimal, p: Decimal, d: Decimal) -> None:
    net = money.line_net(q, p, d)
    assert net == net.quantize(D("0.01"))
    assert D(0) <= net <= money.cents(q * p)
    assert abs(net - q * p * (100 - d) / 100) <= D("0.005")


@given(st.lists(st.tuples(quantities, prices, discounts), min_size=1, max_size=8),
       st.decimals(min_value=D("0"), max_value=D("30"), places=2))
def test_totals_add_up_exactly(lines: list[tuple[Decimal, Decimal, Decimal]], rate: Decimal) -> None:
    nets = [Money(money.line_net(q, p, d), "EUR") for q, p, d in lines]
    totals = money.document_totals(nets, rate, "EUR")
    assert totals.subtotal == sum((n.amount for n in nets), D(0))
    assert totals.total == totals.subtotal + totals.tax
    assert abs(totals.tax - totals.subtotal * rate / 100) <= D("0.005")


@given(st.lists(st.tuples(prices, st.sampled_from(["EUR", "USD"])), min_size=1, max_size=10))
def test_a_sum_either_has_one_currency_or_is_refused(items: list[tuple[Decimal, str]]) -> None:
    amounts = [Money(a, c) for a, c in items]
    if len({c for _, c in items}) > 1:
        with pytest.raises(DomainError):
            money.total(amounts)
    else:
        assert money.total(amounts) == Money(money.cents(sum((a for a, _ in items), D(0))), items[0][1])
