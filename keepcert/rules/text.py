"""Every sentence the rules core writes, and the formatting of the points and dates in them.

The rules core says what it decided as a message key and the values the sentence quotes;
:func:`explain` is the one place those become English. That is the seam translation plugs
into: it can look the key's sentence up in a catalogue instead of :data:`_SENTENCES`, while
the rules core stays free of Django.

The web layer prints the same numbers next to the sentences with :func:`format_points` and
:func:`format_date`, so a member never sees "2.50" in one place and "2.5" in the other.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any, Literal

__all__ = ["MessageKey", "MessageValue", "explain", "format_date", "format_points", "points_phrase"]

type MessageKey = Literal[
    "entry.counted",
    "entry.partly_capped",
    "entry.capped",
    "entry.capped_at_zero",
    "entry.not_claimable",
    "category.claimable_until",
    "entry.outside_cycle",
    "entry.future",
    "entry.unknown_category",
    "pace.complete",
    "pace.ended_short",
    "pace.due_today",
    "pace.due_in_days",
    "pace.due_in_months",
]
type MessageValue = str | int | Decimal | date

_SENTENCES: dict[MessageKey, str] = {
    # How one entry counted (keepcert.rules.counting)
    "entry.counted": "Counted in full: {points}.",
    "entry.partly_capped": (
        "{counted} of {points} counted: {category} counts at most {cap} a cycle."
    ),
    "entry.capped": (
        "Not counted: {category} counts at most {cap} a cycle, "
        "and earlier activities already reached that."
    ),
    # No earlier activity is to blame when the category counts nothing at all.
    "entry.capped_at_zero": "Not counted: {category} counts no points in a cycle.",
    "entry.not_claimable": "Not counted: {limit}",  # the limit is "category.claimable_until"
    "entry.outside_cycle": (
        "Not counted: the dates are outside this cycle ({start} \N{EN DASH} {end})."
    ),
    "entry.future": "Not counted yet: the activity ends after today.",
    "entry.unknown_category": "Not counted: this category is not part of the program.",
    # A category retired on a date (keepcert.rules.counting.is_claimable): the form's
    # guidance, the service's refusal and, quoted, an entry's explanation.
    "category.claimable_until": "{category} can only be claimed for activity up to {until}.",
    # The member's plan for the cycle (keepcert.rules.pace). Pages print the pace's status
    # ("Requirement met.", "On track.") before the plan, so a plan never repeats it.
    "pace.complete": "Nothing more is needed this cycle.",
    "pace.ended_short": "It closed {remaining} below the requirement.",
    "pace.due_today": "{remaining} by the end of today.",
    "pace.due_in_days": "{remaining} in {days}.",
    "pace.due_in_months": "{remaining} in {months}: about {per_month} a month.",
}

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


def _days_phrase(days: int) -> str:
    return "1 day" if days == 1 else f"{days} days"


def _months_phrase(months: int) -> str:
    return "1 month" if months == 1 else f"{months} months"


def _name(name: str) -> str:
    return name


# How each value a sentence quotes reads, by its name: a name means the same in every
# sentence, so "points" is always a number of points with its noun and "counted" a number.
_SHOWN_AS: dict[str, Callable[[Any], str]] = {
    "points": points_phrase,
    "cap": points_phrase,
    "remaining": points_phrase,
    "counted": format_points,
    "per_month": format_points,
    "start": format_date,
    "end": format_date,
    "until": format_date,
    "days": _days_phrase,
    "months": _months_phrase,
    "category": _name,
    "limit": _name,  # a sentence of its own, quoted whole
}


def explain(key: MessageKey, /, **values: MessageValue) -> str:
    """The sentence a member reads for ``key``, quoting ``values``.

    ``explain("entry.counted", points=Decimal("2.50"))`` is "Counted in full: 2.5 points."
    A value the sentence needs and was not given raises ``KeyError``.
    """
    shown = {name: _SHOWN_AS[name](value) for name, value in values.items()}
    return _SENTENCES[key].format_map(shown)
