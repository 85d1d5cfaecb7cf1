"""How points and dates read in the sentences members see."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from keepcert.rules import format_date, format_points, points_phrase


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("3.00", "3"),
        ("2.50", "2.5"),
        ("1.25", "1.25"),
        ("0.10", "0.1"),
        ("10", "10"),
        ("100.00", "100"),
        ("1E+2", "100"),  # what Decimal.normalize would have printed
        ("0.00", "0"),
        ("-0", "0"),
    ],
)
def test_points_drop_trailing_zeros_but_never_integer_digits(value: str, shown: str) -> None:
    assert format_points(Decimal(value)) == shown


@pytest.mark.parametrize(
    ("value", "shown"),
    [("1", "1 point"), ("1.00", "1 point"), ("0.5", "0.5 points"), ("2.50", "2.5 points")],
)
def test_only_exactly_one_point_is_singular(value: str, shown: str) -> None:
    assert points_phrase(Decimal(value)) == shown


@pytest.mark.parametrize(
    ("day", "shown"),
    [
        (date(2026, 5, 31), "May 31, 2026"),
        (date(2020, 12, 31), "December 31, 2020"),
        (date(2024, 2, 29), "February 29, 2024"),
        (date(2027, 1, 1), "January 1, 2027"),
    ],
)
def test_dates_read_as_in_a_us_letter(day: date, shown: str) -> None:
    assert format_date(day) == shown
