"""How points and dates read in the sentences members see."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import get_args

import pytest

from keepcert.rules import format_date, format_points, points_phrase
from keepcert.rules.text import MessageKey, explain


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


EVERY_VALUE = {
    "points": Decimal("2.50"),
    "counted": Decimal("1.50"),
    "cap": Decimal(1),
    "category": "Authorship",
    "until": date(2020, 12, 31),
    "start": date(2023, 5, 10),
    "end": date(2026, 5, 31),
    "remaining": Decimal("12.00"),
    "more": Decimal("12.00"),
    "per_month": Decimal("1.5"),
    "limit": "Authorship can only be claimed for activity up to December 31, 2020.",
}


@pytest.mark.parametrize("key", get_args(MessageKey.__value__))
def test_every_message_key_has_a_sentence(key: MessageKey) -> None:
    sentence = explain(key, **EVERY_VALUE)
    assert sentence.endswith(".")
    assert "{" not in sentence


def test_sentences_show_points_counts_and_dates_as_members_read_them() -> None:
    assert explain("entry.partly_capped", **EVERY_VALUE) == (
        "1.5 of 2.5 points counted: Authorship counts at most 1 point a cycle."
    )
    limit = explain("category.claimable_until", category="Employment", until=date(2020, 12, 31))
    assert limit == "Employment can only be claimed for activity up to December 31, 2020."
    assert explain("entry.not_claimable", limit=limit) == (
        "Not counted: Employment can only be claimed for activity up to December 31, 2020."
    )
    assert explain("pace.due_by", more=Decimal(1), end=date(2026, 5, 31)) == (
        "Record 1 more point by May 31, 2026."
    )
    assert explain(
        "pace.due_monthly", more=Decimal("12.00"), end=date(2026, 5, 31), per_month=Decimal(2)
    ) == ("Record 12 more points by May 31, 2026: 2 points a month will do it.")


def test_a_sentence_missing_a_value_is_an_error_not_a_gap() -> None:
    with pytest.raises(KeyError, match="points"):
        explain("entry.counted")
