"""Every sentence the rules core writes, and the formatting of the points and dates in them.

The rules core says what it decided as a message key and the values the sentence quotes;
:func:`explain` is the one place those become words. It writes them in the language of the
installed :class:`Translator`: English as written here until an application installs one
with :func:`use_translator` (KeepCert installs Django's, which follows the member's
language), so the rules core stays free of Django. The English sentences are marked with
``gettext_noop``, ``ngettext`` and ``pgettext``, the names Django's ``makemessages``
extracts, so they reach the same catalog as the rest of the site.

The web layer prints the same numbers next to the sentences with :func:`format_points` and
:func:`format_date`, so a member never sees "2.50" in one place and "2.5" in the other.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any, Literal, Protocol

__all__ = [
    "MessageKey",
    "MessageValue",
    "Translator",
    "explain",
    "format_date",
    "format_points",
    "points_phrase",
    "use_translator",
]


class Translator(Protocol):
    """Looks up a sentence in the current language's catalog (gettext's three calls)."""

    def gettext(self, message: str) -> str: ...
    def ngettext(self, singular: str, plural: str, count: int) -> str: ...
    def pgettext(self, context: str, message: str) -> str: ...


class _AsWritten:
    """The sentences as written here, in English."""

    def gettext(self, message: str) -> str:
        return message

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        return singular if count == 1 else plural

    def pgettext(self, context: str, message: str) -> str:
        return message


_translator: Translator = _AsWritten()


def use_translator(translator: Translator | None) -> None:
    """Write every sentence through ``translator`` from now on (``None``: English again)."""
    global _translator  # one process-wide seam, set once at start-up
    _translator = translator or _AsWritten()


def gettext_noop(message: str) -> str:
    """Marks a sentence for the catalog; it is translated when :func:`explain` uses it."""
    return message


def gettext(message: str) -> str:
    return _translator.gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    return _translator.ngettext(singular, plural, count)


def pgettext(context: str, message: str) -> str:
    return _translator.pgettext(context, message)


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
    "pace.due_by",
    "pace.due_monthly",
]
type MessageValue = str | int | Decimal | date

_SENTENCES: dict[MessageKey, str] = {
    # How one entry counted (keepcert.rules.counting)
    "entry.counted": gettext_noop("Counted in full: {points}."),
    "entry.partly_capped": gettext_noop(
        "{counted} of {points} counted: {category} counts at most {cap} a cycle."
    ),
    "entry.capped": gettext_noop(
        "Not counted: {category} counts at most {cap} a cycle, "
        "and earlier activities already reached that."
    ),
    # No earlier activity is to blame when the category counts nothing at all.
    "entry.capped_at_zero": gettext_noop("Not counted: {category} counts no points in a cycle."),
    # Translators: {limit} is the sentence "… can only be claimed for activity up to …".
    "entry.not_claimable": gettext_noop("Not counted: {limit}"),
    "entry.outside_cycle": gettext_noop(
        "Not counted: the dates are outside this cycle ({start} – {end})."
    ),
    "entry.future": gettext_noop("Not counted yet: the activity ends after today."),
    "entry.unknown_category": gettext_noop(
        "Not counted: this category is not part of the program."
    ),
    # A category retired on a date (keepcert.rules.counting.is_claimable): the form's
    # guidance, the service's refusal and, quoted, an entry's explanation.
    "category.claimable_until": gettext_noop(
        "{category} can only be claimed for activity up to {until}."
    ),
    # The member's plan for the cycle (keepcert.rules.pace): what to do and by when, in
    # whole or half points. Pages print the pace's status ("Requirement met.", "On
    # track.") before the plan, so a plan never repeats it.
    "pace.complete": gettext_noop("Nothing more is needed this cycle."),
    "pace.ended_short": gettext_noop("It closed {remaining} below the requirement."),
    # Translators: {more} is "2 more points"; today is the cycle's last day.
    "pace.due_today": gettext_noop("Record {more} today, the last day of this cycle."),
    "pace.due_by": gettext_noop("Record {more} by {end}."),
    # Translators: {per_month} is "1.5 points"; recording that much each month is enough.
    "pace.due_monthly": gettext_noop("Record {more} by {end}: {per_month} a month will do it."),
}

# Spelled out rather than taken from strftime("%B"), which follows the process locale, not
# the member's language.
_MONTH_NAMES: tuple[Callable[[], str], ...] = (
    lambda: pgettext("month", "January"),
    lambda: pgettext("month", "February"),
    lambda: pgettext("month", "March"),
    lambda: pgettext("month", "April"),
    lambda: pgettext("month", "May"),
    lambda: pgettext("month", "June"),
    lambda: pgettext("month", "July"),
    lambda: pgettext("month", "August"),
    lambda: pgettext("month", "September"),
    lambda: pgettext("month", "October"),
    lambda: pgettext("month", "November"),
    lambda: pgettext("month", "December"),
)


def format_points(value: Decimal) -> str:
    """Show points the way a member writes them: ``3``, ``2.5``, ``1.25`` (``2,5`` in
    Spanish).

    Stored points carry two places ("3.00"); trailing zeros read like false precision.
    Fixed-point formatting is used because ``Decimal.normalize`` would turn 100 into "1E+2".
    """
    if value == 0:
        return "0"  # also hides the sign of Decimal("-0")
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    # Translators: the decimal separator in numbers of points, "," for "2,5 puntos".
    return text.replace(".", pgettext("decimal separator", "."))


def points_phrase(value: Decimal) -> str:
    """Points with their noun, singular only for exactly one: "1 point", "2.5 points"."""
    return ngettext("{points} point", "{points} points", 1 if value == 1 else 2).format(
        points=format_points(value)
    )


def format_date(day: date) -> str:
    """Show a date as in a letter to the member: "May 31, 2026" ("31 de mayo de 2026")."""
    # Translators: a date in a sentence; Spanish "{day} de {month} de {year}".
    return gettext("{month} {day}, {year}").format(
        month=_MONTH_NAMES[day.month - 1](), day=day.day, year=day.year
    )


def more_points_phrase(value: Decimal) -> str:
    """Points still to record, with their noun: "1 more point", "2.5 more points"."""
    return ngettext("{points} more point", "{points} more points", 1 if value == 1 else 2).format(
        points=format_points(value)
    )


def _name(name: str) -> str:
    return name


# How each value a sentence quotes reads, by its name: a name means the same in every
# sentence, so "points" is always a number of points with its noun and "counted" a number.
_SHOWN_AS: dict[str, Callable[[Any], str]] = {
    "points": points_phrase,
    "cap": points_phrase,
    "remaining": points_phrase,
    "more": more_points_phrase,
    "per_month": points_phrase,
    "counted": format_points,
    "start": format_date,
    "end": format_date,
    "until": format_date,
    "category": _name,
    "limit": _name,  # a sentence of its own, quoted whole
}


def explain(key: MessageKey, /, **values: MessageValue) -> str:
    """The sentence a member reads for ``key``, quoting ``values``.

    ``explain("entry.counted", points=Decimal("2.50"))`` is "Counted in full: 2.5 points."
    A value the sentence needs and was not given raises ``KeyError``.
    """
    shown = {name: _SHOWN_AS[name](value) for name, value in values.items()}
    return gettext(_SENTENCES[key]).format_map(shown)
