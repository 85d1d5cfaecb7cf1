"""Cycle dates (SPEC §3) and the recording window (SPEC §4)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from keepcert.rules import (
    Window,
    cycles_until,
    first_cycle,
    is_recording_open,
    last_day_of_month,
    next_cycle,
    recording_deadline,
    requires_ce,
)


def test_spec_example_first_and_second_cycle() -> None:
    first = first_cycle(date(2023, 5, 10))
    assert first == Window(date(2023, 5, 10), date(2026, 5, 31))
    assert next_cycle(first) == Window(date(2026, 6, 1), date(2029, 5, 31))


@pytest.mark.parametrize(
    ("certified_on", "first_end", "second"),
    [
        # Month ends: the certification day is already the end of its month.
        (date(2023, 1, 31), date(2026, 1, 31), Window(date(2026, 2, 1), date(2029, 1, 31))),
        (date(2023, 4, 30), date(2026, 4, 30), Window(date(2026, 5, 1), date(2029, 4, 30))),
        (date(2023, 12, 31), date(2026, 12, 31), Window(date(2027, 1, 1), date(2029, 12, 31))),
        # First of the month: the cycle still runs to the month's end.
        (date(2023, 12, 1), date(2026, 12, 31), Window(date(2027, 1, 1), date(2029, 12, 31))),
        # Certified on a leap day: three years later February has 28 days.
        (date(2024, 2, 29), date(2027, 2, 28), Window(date(2027, 3, 1), date(2030, 2, 28))),
        # Cycles ending in a leap February end on the 29th.
        (date(2021, 2, 10), date(2024, 2, 29), Window(date(2024, 3, 1), date(2027, 2, 28))),
        (date(2025, 2, 28), date(2028, 2, 29), Window(date(2028, 3, 1), date(2031, 2, 28))),
    ],
)
def test_cycles_end_on_the_last_day_of_the_anniversary_month(
    certified_on: date, first_end: date, second: Window
) -> None:
    first = first_cycle(certified_on)
    assert first == Window(certified_on, first_end)
    assert next_cycle(first) == second


def test_a_later_cycle_can_end_on_a_leap_day() -> None:
    windows = cycles_until(date(2018, 2, 5), date(2024, 2, 29))
    assert windows == [
        Window(date(2018, 2, 5), date(2021, 2, 28)),
        Window(date(2021, 3, 1), date(2024, 2, 29)),
    ]


def test_cycle_length_is_configurable() -> None:
    first = first_cycle(date(2023, 5, 10), years=1)
    assert first == Window(date(2023, 5, 10), date(2024, 5, 31))
    assert next_cycle(first, years=2) == Window(date(2024, 6, 1), date(2026, 5, 31))


@pytest.mark.parametrize("years", [0, -3])
def test_a_cycle_lasts_at_least_a_year(years: int) -> None:
    with pytest.raises(ValueError, match="at least one year"):
        first_cycle(date(2023, 5, 10), years=years)
    with pytest.raises(ValueError, match="at least one year"):
        next_cycle(Window(date(2023, 5, 10), date(2026, 5, 31)), years=years)
    with pytest.raises(ValueError, match="at least one year"):
        cycles_until(date(2023, 5, 10), date(2030, 1, 1), years=years)


@pytest.mark.parametrize(
    ("year", "month", "last"),
    [
        (2024, 2, date(2024, 2, 29)),
        (2023, 2, date(2023, 2, 28)),
        (1900, 2, date(1900, 2, 28)),  # divisible by 100: not a leap year
        (2000, 2, date(2000, 2, 29)),  # divisible by 400: a leap year
        (2026, 4, date(2026, 4, 30)),
        (2026, 12, date(2026, 12, 31)),
        (2026, 1, date(2026, 1, 31)),
    ],
)
def test_last_day_of_month(year: int, month: int, last: date) -> None:
    assert last_day_of_month(year, month) == last


def test_window_includes_both_ends() -> None:
    window = Window(date(2023, 5, 10), date(2026, 5, 31))
    assert window.contains(date(2023, 5, 10))
    assert window.contains(date(2026, 5, 31))
    assert not window.contains(date(2023, 5, 9))
    assert not window.contains(date(2026, 6, 1))
    assert window.days == 1118
    assert Window(date(2024, 2, 29), date(2024, 2, 29)).days == 1


def test_a_span_must_lie_wholly_inside_the_window() -> None:
    window = Window(date(2023, 5, 10), date(2026, 5, 31))
    assert window.contains_span(date(2023, 5, 10), date(2026, 5, 31))
    assert not window.contains_span(date(2023, 5, 9), date(2023, 6, 1))
    assert not window.contains_span(date(2026, 5, 1), date(2026, 6, 1))


def test_a_window_cannot_end_before_it_starts() -> None:
    with pytest.raises(ValueError, match="before it starts"):
        Window(date(2026, 5, 31), date(2026, 5, 30))


def test_a_window_takes_calendar_dates_not_datetimes() -> None:
    with pytest.raises(TypeError):
        Window(datetime(2023, 5, 10, 9, 30), date(2026, 5, 31))  # noqa: DTZ001


def test_cycles_until_runs_through_the_cycle_containing_the_day() -> None:
    certified = date(2023, 5, 10)
    assert cycles_until(certified, date(2026, 5, 31)) == [first_cycle(certified)]
    assert cycles_until(certified, date(2026, 6, 1))[-1] == Window(
        date(2026, 6, 1), date(2029, 5, 31)
    )
    assert len(cycles_until(certified, date(2035, 7, 4))) == 5


def test_cycles_until_always_returns_the_first_cycle() -> None:
    certified = date(2023, 5, 10)
    assert cycles_until(certified, date(2020, 1, 1)) == [first_cycle(certified)]


@pytest.mark.parametrize(
    ("certified_on", "required"),
    [
        (date(2005, 12, 31), False),  # grandfathered
        (date(2006, 1, 1), True),  # the policy's first day is under it
        (date(2006, 1, 2), True),
    ],
)
def test_ce_is_required_from_the_policy_date_on(certified_on: date, required: bool) -> None:
    assert requires_ce(certified_on, ce_required_from=date(2006, 1, 1)) is required


def test_recording_deadline_adds_the_grace_period() -> None:
    window = Window(date(2023, 5, 10), date(2026, 5, 31))
    assert recording_deadline(window, grace_days=30) == date(2026, 6, 30)
    assert recording_deadline(window, grace_days=0) == date(2026, 5, 31)
    with pytest.raises(ValueError, match="negative"):
        recording_deadline(window, grace_days=-1)


@pytest.mark.parametrize(
    ("today", "grace_days", "is_open"),
    [
        (date(2023, 5, 9), 30, False),  # before the cycle starts
        (date(2023, 5, 10), 30, True),
        (date(2026, 5, 31), 30, True),
        (date(2026, 6, 1), 30, True),  # ended, but in its grace period
        (date(2026, 6, 30), 30, True),  # the grace period's last day
        (date(2026, 7, 1), 30, False),
        (date(2026, 5, 31), 0, True),
        (date(2026, 6, 1), 0, False),
    ],
)
def test_recording_stays_open_through_the_grace_period(
    today: date, grace_days: int, is_open: bool
) -> None:
    window = Window(date(2023, 5, 10), date(2026, 5, 31))
    assert is_recording_open(window, today, grace_days) is is_open
