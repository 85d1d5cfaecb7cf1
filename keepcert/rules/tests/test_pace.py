"""Pace and the member's plan (SPEC §5)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from keepcert.rules import (
    Pace,
    PaceClock,
    PaceStatus,
    Progress,
    Window,
    assess_pace,
    evaluate,
)
from keepcert.rules.tests.factories import CYCLE, make_entry, make_requirement

# CYCLE runs 2023-05-10 .. 2026-05-31.


def progress_with(
    counted: str | int, *, today: date, required: str | int = 30, window: Window = CYCLE
) -> Progress:
    """A cycle in which ``counted`` points were earned on its first day."""
    entries = [make_entry(counted, start=window.start)] if Decimal(counted) else []
    return evaluate(make_requirement(required), window, entries, today)


def pace_at(
    counted: str | int, today: date, *, required: str | int = 30, window: Window = CYCLE
) -> Pace:
    return assess_pace(progress_with(counted, today=today, required=required, window=window), today)


def test_spec_example_plan() -> None:
    pace = pace_at(24, date(2025, 12, 31))
    assert (pace.days_left, pace.months_left, pace.per_month) == (151, 5, Decimal("1.5"))
    assert pace.plan == "Record 6 more points by May 31, 2026: 1.5 points a month will do it."


@pytest.mark.parametrize(
    ("today", "window_end", "months_left"),
    [
        (date(2025, 12, 31), date(2026, 5, 31), 5),  # exactly five months
        (date(2026, 1, 1), date(2026, 5, 31), 5),  # four months and 30 days: rounded up
        (date(2026, 4, 30), date(2026, 5, 31), 2),  # one month and a day
        (date(2026, 5, 19), date(2026, 5, 31), 1),  # part of a month is still one
        # A month after August 31 ends on the last day of February.
        (date(2025, 8, 31), date(2026, 2, 28), 6),
        (date(2025, 8, 28), date(2026, 2, 28), 6),
        (date(2025, 8, 27), date(2026, 2, 28), 7),
        (date(2023, 8, 31), date(2024, 2, 29), 6),
    ],
)
def test_months_left_counts_calendar_months_rounded_up(
    today: date, window_end: date, months_left: int
) -> None:
    window = Window(date(2023, 3, 1), window_end)
    assert pace_at(1, today, window=window).months_left == months_left


@pytest.mark.parametrize(
    ("today", "plan"),
    [
        (date(2026, 4, 30), "Record 6 more points by May 31, 2026."),  # two months
        (date(2026, 4, 1), "Record 6 more points by May 31, 2026."),
        (date(2026, 3, 30), "Record 6 more points by May 31, 2026: 2 points a month will do it."),
    ],
)
def test_a_monthly_rate_only_from_three_months_left(today: date, plan: str) -> None:
    assert pace_at(24, today).plan == plan


@pytest.mark.parametrize(
    ("today", "plan"),
    [
        (date(2026, 5, 1), "Record 6 more points by May 31, 2026."),
        (date(2026, 5, 19), "Record 6 more points by May 31, 2026."),
        (date(2026, 5, 30), "Record 6 more points by May 31, 2026."),
        (date(2026, 5, 31), "Record 6 more points today, the last day of this cycle."),
    ],
)
def test_under_a_month_left_the_plan_is_a_total_and_a_day(today: date, plan: str) -> None:
    pace = pace_at(24, today)
    assert pace.plan == plan
    assert pace.status is PaceStatus.BEHIND
    assert pace.months_left == 1
    assert pace.per_month == Decimal(6)


def test_the_last_day_is_still_open() -> None:
    pace = pace_at(24, date(2026, 5, 31))
    assert (pace.days_left, pace.months_left) == (0, 1)


@pytest.mark.parametrize(
    ("counted", "plan"),
    [
        (26, "It closed 4 points below the requirement."),
        (29, "It closed 1 point below the requirement."),
    ],
)
def test_a_cycle_that_ended_without_the_points_ended_short(counted: int, plan: str) -> None:
    pace = pace_at(counted, date(2026, 6, 1))
    assert pace.status is PaceStatus.ENDED_SHORT
    assert (pace.days_left, pace.months_left, pace.per_month) == (0, 0, None)
    assert pace.expected_by_now == Decimal(30)
    assert pace.plan == plan


@pytest.mark.parametrize("today", [date(2024, 1, 1), date(2026, 5, 31), date(2027, 1, 1)])
def test_met_requirement_is_complete_during_and_after_the_cycle(today: date) -> None:
    pace = pace_at(30, today)
    assert pace.status is PaceStatus.COMPLETE
    assert pace.per_month is None
    assert pace.plan == "Nothing more is needed this cycle."


def test_nothing_required_is_complete() -> None:
    assert pace_at(0, date(2024, 1, 1), required=0).status is PaceStatus.COMPLETE


YEAR_2025 = Window(date(2025, 1, 1), date(2025, 12, 31))


@pytest.mark.parametrize(
    ("counted", "status"),
    [("15.04", PaceStatus.ON_TRACK), ("15.03", PaceStatus.BEHIND), ("20", PaceStatus.ON_TRACK)],
)
def test_on_track_means_counted_keeps_up_with_elapsed_time(
    counted: str, status: PaceStatus
) -> None:
    # 2 July is day 183 of 365 (today counts as elapsed): 30 * 183 / 365 = 15.041...
    pace = pace_at(counted, date(2025, 7, 2), window=YEAR_2025)
    assert pace.expected_by_now == Decimal("15.04")
    assert pace.status is status


def test_expected_by_now_rounds_half_up() -> None:
    window = Window(date(2025, 1, 1), date(2025, 1, 1) + timedelta(days=399))
    # One day of 400 elapsed, 10 required: exactly 0.025.
    assert pace_at(0, window.start, required=10, window=window).expected_by_now == Decimal("0.03")


def test_expected_by_now_counts_today_and_is_clamped() -> None:
    assert pace_at(0, date(2025, 1, 1), window=YEAR_2025, required=365).expected_by_now == 1
    before = pace_at(0, date(2024, 12, 1), window=YEAR_2025)
    assert before.expected_by_now == 0
    assert before.status is PaceStatus.ON_TRACK
    assert pace_at(0, date(2026, 3, 1), window=YEAR_2025).expected_by_now == 30


def test_points_a_month_round_up_to_a_half_point_so_the_plan_reaches_the_requirement() -> None:
    pace = pace_at(20, date(2026, 3, 1))  # 10 points in 3 months: 3.33...
    assert pace.per_month == Decimal("3.5")
    assert pace.plan == "Record 10 more points by May 31, 2026: 3.5 points a month will do it."


def test_a_small_gap_never_reads_as_zero_a_month() -> None:
    pace = pace_at("29.75", date(2023, 6, 1))
    assert pace.plan == ("Record 0.5 more points by May 31, 2026: 0.5 points a month will do it.")


@pytest.mark.parametrize(
    ("counted", "more"), [("27.9", "2.5"), ("27.5", "2.5"), ("27.25", "3"), ("28", "2")]
)
def test_the_points_to_record_are_whole_or_half_rounded_up(counted: str, more: str) -> None:
    # Two months before the end, as the member who was told "by now about 28.37 points
    # would be on pace" had: what to do and by when, no pace figure.
    pace = pace_at(counted, date(2026, 4, 1))
    assert pace.days_left == 60
    assert pace.plan == f"Record {more} more points by May 31, 2026."


def test_one_point_and_one_month_are_singular_and_not_repeated_as_a_rate() -> None:
    window = Window(date(2025, 1, 1), date(2025, 4, 1))
    pace = pace_at(29, date(2025, 3, 1), window=window)
    assert (pace.days_left, pace.months_left) == (31, 1)
    assert pace.plan == "Record 1 more point by April 1, 2025."


@pytest.mark.parametrize(
    "today",
    [date(2023, 5, 10), date(2024, 8, 1), date(2026, 1, 1), date(2026, 5, 31), date(2026, 7, 1)],
)
@pytest.mark.parametrize("counted", ["0", "0.01", "12", "29.99", "30", "31.5"])
def test_a_clock_judges_totals_as_assess_pace_judges_a_progress(today: date, counted: str) -> None:
    clock = PaceClock.at(CYCLE, Decimal(30), today)
    from_totals = clock.assess(Decimal(counted))
    from_progress = pace_at(counted, today)
    assert from_totals == from_progress
    assert (from_totals.per_month, from_totals.plan) == (
        from_progress.per_month,
        from_progress.plan,
    )


def test_one_clock_judges_any_number_of_counted_points() -> None:
    clock = PaceClock.at(CYCLE, Decimal(30), date(2025, 12, 31))
    met, over = clock.assess(Decimal(30)), clock.assess(Decimal(44))
    assert met == over
    assert (met.status, met.remaining, met.per_month) == (PaceStatus.COMPLETE, 0, None)
    assert met.plan == "Nothing more is needed this cycle."
    behind = clock.assess(Decimal(24))
    assert (behind.status, behind.remaining, behind.per_month) == (
        PaceStatus.BEHIND,
        Decimal(6),
        Decimal("1.5"),
    )
    assert behind.plan == "Record 6 more points by May 31, 2026: 1.5 points a month will do it."
