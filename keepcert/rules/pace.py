"""Pace: whether a member is keeping up with a cycle, and a plan they can act on.

A bare "12 of 30 points" does not tell a member whether to worry; comparing it with how much
of the cycle has gone, and turning the gap into points per month, does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from enum import StrEnum

from keepcert.rules.counting import Progress, compliance
from keepcert.rules.cycles import Window, last_day_of_month
from keepcert.rules.text import explain

__all__ = ["Pace", "PaceClock", "PaceStatus", "assess_pace", "to_half_point"]

_HUNDREDTH = Decimal("0.01")
# With less than three months left a rate says nothing the total does not ("2 more points
# by January 31: 1 point a month"): the plan is a total and a day.
_MONTHS_FOR_A_MONTHLY_PLAN = 3


def to_half_point(value: Decimal) -> Decimal:
    """``value`` rounded up to the next whole or half point: 1.2 → 1.5, 2 → 2, 0.1 → 0.5.

    A plan speaks in amounts a member can earn (courses give whole and half points), and
    rounds up, never to nearest: followed to the letter it must reach the requirement,
    and a small gap must never read as "0 a month".
    """
    return (value * 2).to_integral_value(rounding=ROUND_CEILING) / 2


class PaceStatus(StrEnum):
    """Where a member stands against the calendar; stable codes for the API and notices."""

    COMPLETE = "complete"
    ON_TRACK = "on_track"
    BEHIND = "behind"
    ENDED_SHORT = "ended_short"


@dataclass(frozen=True, slots=True)
class Pace:
    """A member's pace through one cycle and the plan that closes the gap.

    The plan and the points a month are derived when read: a page or a notice reads them
    for one cycle, while the daily sweep judges every open cycle and reads the status.
    """

    status: PaceStatus
    expected_by_now: Decimal
    """Points a steady pace would have counted by the end of today."""
    days_left: int
    """Days after today until the cycle ends; 0 on its last day and after it."""
    months_left: int
    remaining: Decimal
    """Points still to count (``Progress.remaining``)."""
    end: date
    """The cycle's last day: the day the plan's points are due by."""

    @property
    def per_month(self) -> Decimal | None:
        """Points a month that close the gap, in whole or half points (rounded up);
        ``None`` when nothing more can or need be done."""
        if self.status is PaceStatus.COMPLETE or self.status is PaceStatus.ENDED_SHORT:
            return None
        # months_left is at least 1 while the cycle runs, its last day included.
        return to_half_point(self.remaining / self.months_left)

    @property
    def plan(self) -> str:
        """What the member needs to do and by when, in one sentence written by
        :func:`keepcert.rules.text.explain`: whole or half points, never a pace figure
        such as "28.37 by now" that leaves the member to work out what it means."""
        if self.status is PaceStatus.COMPLETE:
            return explain("pace.complete")
        if self.status is PaceStatus.ENDED_SHORT:
            return explain("pace.ended_short", remaining=self.remaining)
        more = to_half_point(self.remaining)
        if self.days_left == 0:
            return explain("pace.due_today", more=more)
        per_month = self.per_month
        assert per_month is not None  # the cycle is still running
        if self.months_left < _MONTHS_FOR_A_MONTHLY_PLAN:
            return explain("pace.due_by", more=more, end=self.end)
        return explain("pace.due_monthly", more=more, end=self.end, per_month=per_month)


def _expected_by_now(window: Window, required: Decimal, today: date) -> Decimal:
    # Today counts as elapsed: by the end of the last day the whole requirement is expected.
    elapsed = min(max((today - window.start).days + 1, 0), window.days)
    return (required * elapsed / window.days).quantize(_HUNDREDTH, rounding=ROUND_HALF_UP)


def _months_until(today: date, end: date) -> int:
    """Whole calendar months from ``today`` to ``end``, rounded up, at least 1.

    A month after January 31 is the last day of February, as a member would count it.
    """
    months = (end.year - today.year) * 12 + end.month - today.month
    same_day = min(today.day, last_day_of_month(end.year, end.month).day)
    if same_day < end.day:
        months += 1  # a part month left still needs planning
    return max(months, 1)


@dataclass(frozen=True, slots=True)
class PaceClock:
    """The part of pace that does not depend on what was counted: one cycle's window and
    points required, as of one day.

    :meth:`at` works out the calendar once; :meth:`assess` then judges any number of
    counted points with a comparison. The daily sweep judges every open cycle while
    cycles share few windows, so it keeps one clock per window and requirement;
    :func:`assess_pace` is the same two steps for one cycle.
    """

    required: Decimal
    expected_by_now: Decimal
    days_left: int
    months_left: int
    """Calendar months left, rounded up; 0 once the cycle has ended."""
    ended: bool
    end: date

    @classmethod
    def at(cls, window: Window, required: Decimal, today: date) -> PaceClock:
        ended = today > window.end
        return cls(
            required=required,
            expected_by_now=_expected_by_now(window, required, today),
            days_left=max((window.end - today).days, 0),
            # On the cycle's last day days_left is 0 but the day is still there to use:
            # it is planned as one (part) month rather than divided by zero.
            months_left=0 if ended else _months_until(today, window.end),
            ended=ended,
            end=window.end,
        )

    def assess(self, counted: Decimal) -> Pace:
        """The pace of a cycle that has counted ``counted`` points."""
        remaining, _, compliant = compliance(self.required, counted)
        if compliant:
            status = PaceStatus.COMPLETE
        elif self.ended:
            status = PaceStatus.ENDED_SHORT
        elif counted >= self.expected_by_now:
            status = PaceStatus.ON_TRACK
        else:
            status = PaceStatus.BEHIND
        return Pace(
            status, self.expected_by_now, self.days_left, self.months_left, remaining, self.end
        )


def assess_pace(progress: Progress, today: date) -> Pace:
    """Judge the pace of ``progress`` as of ``today``; its ``plan`` is the member's plan."""
    return PaceClock.at(progress.window, progress.required, today).assess(progress.counted)
