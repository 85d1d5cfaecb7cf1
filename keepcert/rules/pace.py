"""Pace: whether a member is keeping up with a cycle, and a plan they can act on.

A bare "12 of 30 points" does not tell a member whether to worry; comparing it with how much
of the cycle has gone, and turning the gap into points per month, does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, ROUND_UP, Decimal
from enum import StrEnum

from keepcert.rules._slots import slot_setters
from keepcert.rules.counting import Progress
from keepcert.rules.cycles import Window, last_day_of_month
from keepcert.rules.text import format_points, points_phrase

__all__ = ["Pace", "PaceStatus", "assess_pace"]

_HUNDREDTH = Decimal("0.01")
_TENTH = Decimal("0.1")
# Below a month left, "points a month" stops being useful and days are what a member counts.
_DAYS_FOR_MONTHLY_PLAN = 31


class PaceStatus(StrEnum):
    """Where a member stands against the calendar; stable codes for the API and notices."""

    COMPLETE = "complete"
    ON_TRACK = "on_track"
    BEHIND = "behind"
    ENDED_SHORT = "ended_short"


@dataclass(frozen=True, slots=True, init=False, repr=False)
class Pace:
    """A member's pace through one cycle and the plan that closes the gap.

    The plan is written when :attr:`plan` is read, from the other figures and the points
    still to earn: a sweep over every member reads only the status.
    """

    status: PaceStatus
    expected_by_now: Decimal
    """Points a steady pace would have counted by the end of today."""
    days_left: int
    """Days after today until the cycle ends; 0 on its last day and after it."""
    months_left: int
    per_month: Decimal | None
    """Points a month that close the gap; ``None`` when nothing more can or need be done."""
    _remaining: Decimal
    """The progress's remaining points, which the plan quotes."""

    def __init__(
        self,
        status: PaceStatus,
        expected_by_now: Decimal,
        days_left: int,
        months_left: int,
        per_month: Decimal | None,
        remaining: Decimal,
    ) -> None:
        (
            set_status,
            set_expected_by_now,
            set_days_left,
            set_months_left,
            set_per_month,
            set_remaining,
        ) = _PACE_SETTERS
        set_status(self, status)
        set_expected_by_now(self, expected_by_now)
        set_days_left(self, days_left)
        set_months_left(self, months_left)
        set_per_month(self, per_month)
        set_remaining(self, remaining)

    @property
    def plan(self) -> str:
        """What the member needs to do, in one sentence."""
        if self.status is PaceStatus.COMPLETE:
            return "Requirement met: nothing more is needed this cycle."
        gap = points_phrase(self._remaining)
        if self.status is PaceStatus.ENDED_SHORT:
            return f"This cycle ended {gap} short."
        if self.days_left == 0:
            return f"{gap} by the end of today."
        if self.days_left < _DAYS_FOR_MONTHLY_PLAN:
            return f"{gap} in {_days_phrase(self.days_left)}."
        assert self.per_month is not None  # a running cycle short of points has a rate
        return (
            f"{gap} in {_months_phrase(self.months_left)}: "
            f"about {format_points(self.per_month)} a month."
        )

    def __repr__(self) -> str:
        return (
            f"Pace(status={self.status!r}, expected_by_now={self.expected_by_now!r}, "
            f"days_left={self.days_left!r}, months_left={self.months_left!r}, "
            f"per_month={self.per_month!r}, plan={self.plan!r})"
        )


_PACE_SETTERS = slot_setters(Pace)


def _expected_by_now(window: Window, required: Decimal, today: date) -> Decimal:
    # Today counts as elapsed: by the end of the last day the whole requirement is expected.
    days = window.days
    elapsed = min(max((today - window.start).days + 1, 0), days)
    return (required * elapsed / days).quantize(_HUNDREDTH, rounding=ROUND_HALF_UP)


def _months_until(today: date, end: date) -> int:
    """Whole calendar months from ``today`` to ``end``, rounded up, at least 1.

    A month after January 31 is the last day of February, as a member would count it.
    """
    months = (end.year - today.year) * 12 + end.month - today.month
    same_day = min(today.day, last_day_of_month(end.year, end.month).day)
    if same_day < end.day:
        months += 1  # a part month left still needs planning
    return max(months, 1)


def _months_phrase(months: int) -> str:
    return "1 month" if months == 1 else f"{months} months"


def _days_phrase(days: int) -> str:
    return "1 day" if days == 1 else f"{days} days"


def assess_pace(progress: Progress, today: date) -> Pace:
    """Judge the pace of ``progress`` as of ``today`` and write the member's plan.

    Points per month are rounded up, not to nearest: a plan followed to the letter must
    reach the requirement, and a small gap must never read as "about 0 a month".
    """
    window = progress.window
    expected = _expected_by_now(window, progress.required, today)
    days_left = max((window.end - today).days, 0)
    ended = today > window.end

    if progress.compliant or ended:
        return Pace(
            status=PaceStatus.COMPLETE if progress.compliant else PaceStatus.ENDED_SHORT,
            expected_by_now=expected,
            days_left=days_left,
            months_left=0 if ended else _months_until(today, window.end),
            per_month=None,
            remaining=progress.remaining,
        )

    # On the cycle's last day days_left is 0 but the day is still there to use: plan it as
    # one (part) month rather than dividing by zero.
    months_left = _months_until(today, window.end)
    return Pace(
        status=PaceStatus.ON_TRACK if progress.counted >= expected else PaceStatus.BEHIND,
        expected_by_now=expected,
        days_left=days_left,
        months_left=months_left,
        per_month=(progress.remaining / months_left).quantize(_TENTH, rounding=ROUND_UP),
        remaining=progress.remaining,
    )
