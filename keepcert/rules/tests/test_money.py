"""One rounding for money: to the cent, half up; cents for gateways; no floats."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from keepcert.rules.money import Money, money


@pytest.mark.parametrize(
    ("given_amount", "expected"),
    [
        ("10.005", "10.01"),  # half up, not to even
        ("10.015", "10.02"),
        ("10.0049", "10.00"),
        ("-10.005", "-10.01"),  # away from zero, symmetric for refunds
        (50, "50.00"),
        (Decimal("0.1") + Decimal("0.2"), "0.30"),
    ],
)
def test_money_rounds_to_the_cent_half_up(given_amount: object, expected: str) -> None:
    assert money(given_amount) == Decimal(expected)  # type: ignore[arg-type]
    assert str(money(given_amount)) == expected  # type: ignore[arg-type]


def test_money_refuses_floats_and_non_numbers() -> None:
    with pytest.raises(TypeError):
        money(0.1)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        money(True)
    for bad in ("ten", "NaN", "Infinity", ""):
        with pytest.raises(ValueError):
            money(bad)


def test_a_gateway_gets_cents_and_gives_them_back() -> None:
    fee = Money(Decimal("50"), "USD")
    assert fee.minor_units() == 5000
    assert Money.from_minor_units(5000, "USD") == fee
    assert Money(Decimal("90.125"), "USD").minor_units() == 9013


def test_amounts_of_two_currencies_do_not_mix() -> None:
    with pytest.raises(ValueError):
        Money(Decimal(1), "USD") + Money(Decimal(1), "EUR")
    with pytest.raises(ValueError):
        Money(Decimal(1), "usd")
    assert Money(Decimal("30"), "USD") - Money(Decimal("12.5"), "USD") == Money(
        Decimal("17.50"), "USD"
    )


@given(st.integers(-(10**9), 10**9))
def test_cents_round_trip(cents: int) -> None:
    assert Money.from_minor_units(cents, "USD").minor_units() == cents
