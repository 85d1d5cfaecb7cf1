"""Pace: whether a member is keeping up with a cycle, and a plan they can act on.

A bare "12 of 30 points" does not tell a member whether to worry; comparing it with how much
of the cycle has gone, and turning the gap into points per month, does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, ROUND_UP, Decimal
from enum import StrEnum

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


@dataclass(frozen=True)
class Pace:
    """A member's pace through one cycle and the plan that closes the gap."""

    status: PaceStatus
    expected_by_now: Decimal
    """Points a steady pace would have counted by the end of today."""
    days_left: int
    """Days after today until the cycle ends; 0 on its last day and after it."""
    months_left: int
    per_month: Decimal | None
    """Points a month that close the gap; ``None`` when nothing more can or need be done."""
    plan: str


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
            plan=(
                "Requirement met: nothing more is needed this cycle."
                if progress.compliant
                else f"This cycle ended {points_phrase(progress.remaining)} short."
            ),
        )

    # On the cycle's last day days_left is 0 but the day is still there to use: plan it as
    # one (part) month rather than dividing by zero.
    months_left = _months_until(today, window.end)
    per_month = (progress.remaining / months_left).quantize(_TENTH, rounding=ROUND_UP)
    gap = points_phrase(progress.remaining)
    if days_left == 0:
        plan = f"{gap} by the end of today."
    elif days_left < _DAYS_FOR_MONTHLY_PLAN:
        plan = f"{gap} in {_days_phrase(days_left)}."
    else:
        plan = f"{gap} in {_months_phrase(months_left)}: about {format_points(per_month)} a month."
    return Pace(
        status=PaceStatus.ON_TRACK if progress.counted >= expected else PaceStatus.BEHIND,
        expected_by_now=expected,
        days_left=days_left,
        months_left=months_left,
        per_month=per_month,
        plan=plan,
    )
