"""Cycle dates: when a certification's 3-year CE cycles start and end, and when recording closes.

A cycle ends on the last day of the anniversary month, so every cycle after the first runs
from the first of a month to the end of a month, and the anniversary month never drifts,
whatever the certification day or a leap year does.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta

__all__ = [
    "Window",
    "cycles_until",
    "first_cycle",
    "is_recording_open",
    "last_day_of_month",
    "next_cycle",
    "recording_deadline",
    "requires_ce",
]

_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Window:
    """The dates of one cycle, both ends inclusive, as a member reads them on a certificate."""

    start: date
    end: date

    def __post_init__(self) -> None:
        # A datetime is a date subclass; letting one in would tie the bounds to a time of
        # day and a time zone, while cycles are calendar dates in the program's zone.
        if isinstance(self.start, datetime) or isinstance(self.end, datetime):
            raise TypeError("A cycle window takes calendar dates, not datetimes.")
        if self.start > self.end:
            raise ValueError(f"A cycle cannot end ({self.end}) before it starts ({self.start}).")

    def contains(self, day: date) -> bool:
        """Whether ``day`` falls inside the cycle."""
        return self.start <= day <= self.end

    def contains_span(self, start: date, end: date) -> bool:
        """Whether an activity running from ``start`` to ``end`` lies wholly inside the cycle.

        Points must be earned inside the cycle, so an activity that began before it or
        finishes after it does not belong to it, even in part.
        """
        return start >= self.start and end <= self.end

    @property
    def days(self) -> int:
        """Number of calendar days in the cycle, counting both ends."""
        return (self.end - self.start).days + 1


def _check_years(years: int) -> None:
    if years < 1:
        raise ValueError(f"A cycle lasts at least one year, not {years}.")


def last_day_of_month(year: int, month: int) -> date:
    """The last calendar day of a month, leap Februaries included."""
    return date(year, month, calendar.monthrange(year, month)[1])


def first_cycle(certified_on: date, years: int = 3) -> Window:
    """The first cycle: from the certification day to the end of its month ``years`` later.

    Ending at the month's end (not on the anniversary day) is the program's rule; it also
    sidesteps February 29, which has no anniversary in most years.
    """
    _check_years(years)
    return Window(certified_on, last_day_of_month(certified_on.year + years, certified_on.month))


def next_cycle(previous: Window, years: int = 3) -> Window:
    """The cycle after ``previous``: it starts the next day, so no day is lost or counted twice.

    Its end is taken from the previous cycle's end month, which is the anniversary month.
    """
    _check_years(years)
    return Window(
        previous.end + _ONE_DAY,
        last_day_of_month(previous.end.year + years, previous.end.month),
    )


def cycles_until(certified_on: date, until: date, years: int = 3) -> list[Window]:
    """Every cycle from certification through the one containing ``until``.

    Past cycles keep their transcripts, so callers need the whole run, not only the current
    one. The first cycle is always returned, even when ``until`` comes before it.
    """
    windows = [first_cycle(certified_on, years)]
    while windows[-1].end < until:
        windows.append(next_cycle(windows[-1], years))
    return windows


def requires_ce(certified_on: date, ce_required_from: date) -> bool:
    """Whether a certification must earn CE, or is grandfathered.

    Certifications dated on the policy's first day already fall under it.
    """
    return certified_on >= ce_required_from


def recording_deadline(window: Window, grace_days: int) -> date:
    """The last day a member may still record activities for a cycle that has ended.

    The grace period lets members enter activities they finished in time but had not yet
    written down.
    """
    if grace_days < 0:
        raise ValueError(f"A grace period cannot be negative ({grace_days} days).")
    return window.end + timedelta(days=grace_days)


def is_recording_open(window: Window, today: date, grace_days: int) -> bool:
    """Whether a member may record activities against this cycle today."""
    return window.start <= today <= recording_deadline(window, grace_days)
