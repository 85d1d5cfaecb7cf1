"""Plain-English formatting shared by the rules core and the screens that show its results.

The explanations built by :mod:`keepcert.rules.counting` and :mod:`keepcert.rules.pace`
quote points and dates; the web layer prints the same numbers next to them. Keeping the
formatting here means a member never sees "2.50" in one place and "2.5" in the other.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

__all__ = ["format_date", "format_points", "points_phrase"]

# Spelled out rather than taken from strftime("%B"), which follows the process locale and
# would change the rules' sentences whenever a worker runs under another language.
_MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def format_points(value: Decimal) -> str:
    """Show points the way a member writes them: ``3``, ``2.5``, ``1.25``.

    Stored points carry two places ("3.00"); trailing zeros read like false precision.
    Fixed-point formatting is used because ``Decimal.normalize`` would turn 100 into "1E+2".
    """
    if value == 0:
        return "0"  # also hides the sign of Decimal("-0")
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def points_phrase(value: Decimal) -> str:
    """Points with their noun, singular only for exactly one: "1 point", "2.5 points"."""
    noun = "point" if value == 1 else "points"
    return f"{format_points(value)} {noun}"


def format_date(day: date) -> str:
    """Show a date as in a letter to a US member: "May 31, 2026"."""
    return f"{_MONTH_NAMES[day.month - 1]} {day.day}, {day.year}"
