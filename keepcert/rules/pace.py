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
from keepcert.rules.text import explain

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


@dataclass(frozen=True, slots=True)
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
    """What the member needs to do, in one sentence written by
    :func:`keepcert.rules.text.explain`."""


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
                explain("pace.complete")
                if progress.compliant
                else explain("pace.ended_short", remaining=progress.remaining)
            ),
        )

    # On the cycle's last day days_left is 0 but the day is still there to use: plan it as
    # one (part) month rather than dividing by zero.
    months_left = _months_until(today, window.end)
    per_month = (progress.remaining / months_left).quantize(_TENTH, rounding=ROUND_UP)
    if days_left == 0:
        plan = explain("pace.due_today", remaining=progress.remaining)
    elif days_left < _DAYS_FOR_MONTHLY_PLAN:
        plan = explain("pace.due_in_days", remaining=progress.remaining, days=days_left)
    else:
        plan = explain(
            "pace.due_in_months",
            remaining=progress.remaining,
            months=months_left,
            per_month=per_month,
        )
    return Pace(
        status=PaceStatus.ON_TRACK if progress.counted >= expected else PaceStatus.BEHIND,
        expected_by_now=expected,
        days_left=days_left,
        months_left=months_left,
        per_month=per_month,
        plan=plan,
    )
