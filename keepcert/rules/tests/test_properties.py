"""Properties the counting and the cycle dates must keep for any input (hypothesis)."""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from keepcert.rules import (
    CountingRule,
    Entry,
    PaceClock,
    Progress,
    Requirement,
    Window,
    assess_pace,
    compliance,
    cycles_until,
    evaluate,
    to_half_point,
)

# Enough examples to reach caps, cut-offs and window edges while the suite stays fast.
FAST = settings(max_examples=60, deadline=None)

EPOCH = date(2020, 1, 1)
SPAN_DAYS = 1500  # about four years: entries fall before, inside and after the windows

days = st.integers(0, SPAN_DAYS).map(lambda n: EPOCH + timedelta(days=n))


def hundredths(low: int, high: int) -> st.SearchStrategy[Decimal]:
    """Two-place decimals, as points are entered and stored."""
    return st.integers(low, high).map(lambda cents: Decimal(cents).scaleb(-2))


points = hundredths(1, 2500)
CODES = ("PE", "FE", "AU")


@st.composite
def windows(draw: st.DrawFn) -> Window:
    start = draw(days)
    return Window(start, start + timedelta(days=draw(st.integers(0, 1200))))


@st.composite
def requirements(draw: st.DrawFn) -> Requirement:
    rules = tuple(
        CountingRule(
            code,
            f"Category {code}",
            max_points=draw(st.none() | hundredths(0, 4000)),
            claimable_until=draw(st.none() | days),
        )
        for code in CODES
    )
    return Requirement(draw(hundredths(0, 6000)), rules)


def entry_lists(max_size: int = 12) -> st.SearchStrategy[list[Entry]]:
    # "XX" is not in the program: those entries must count nothing.
    fields = st.tuples(st.sampled_from((*CODES, "XX")), days, st.integers(0, 120), points)
    return st.lists(fields, max_size=max_size).map(
        lambda rows: [
            Entry(f"c{index}", code, f"Activity {index}", start, start + timedelta(length), pts)
            for index, (code, start, length, pts) in enumerate(rows)
        ]
    )


def counted_by_entry(progress: Progress) -> dict[str, Decimal]:
    return {result.entry.id: result.counted for result in progress.entries}


@FAST
@given(requirements(), windows(), entry_lists(), days)
def test_counted_never_exceeds_entered(
    requirement: Requirement, window: Window, entries: list[Entry], today: date
) -> None:
    progress = evaluate(requirement, window, entries, today)
    assert 0 <= progress.counted <= progress.entered
    for result in progress.entries:
        assert 0 <= result.counted <= result.entry.points
    for category in progress.categories:
        assert 0 <= category.counted <= category.entered
    # The totals a member sees add up, line by line and category by category.
    assert progress.counted == sum(r.counted for r in progress.entries)
    assert progress.counted == sum(c.counted for c in progress.categories)


@FAST
@given(requirements(), windows(), entry_lists(), days)
def test_totals_alone_give_the_same_compliance_and_pace(
    requirement: Requirement, window: Window, entries: list[Entry], today: date
) -> None:
    """What the daily sweep computes from SQL totals equals what the dashboard computes
    from the entries, for any cycle and any day."""
    progress = evaluate(requirement, window, entries, today)
    assert compliance(progress.required, progress.counted) == (
        progress.remaining,
        progress.percent,
        progress.compliant,
    )
    from_totals = PaceClock.at(window, requirement.required, today).assess(progress.counted)
    from_progress = assess_pace(progress, today)
    assert from_totals == from_progress
    assert from_totals.plan == from_progress.plan


@FAST
@given(hundredths(0, 5000), windows(), days)
def test_a_plan_asks_for_whole_or_half_points_that_reach_the_requirement(
    counted: Decimal, window: Window, today: date
) -> None:
    """Followed to the letter, a plan meets the requirement, in amounts a member can earn."""
    pace = PaceClock.at(window, Decimal(30), today).assess(counted)
    more = to_half_point(pace.remaining)
    assert more >= pace.remaining and more - pace.remaining < Decimal("0.5")
    assert (more * 2) % 1 == 0
    if pace.per_month is not None:
        assert (pace.per_month * 2) % 1 == 0
        assert pace.per_month * pace.months_left >= pace.remaining
        assert pace.plan.startswith("Record ")


@FAST
@given(requirements(), windows(), entry_lists(), days)
def test_no_category_counts_past_its_cap(
    requirement: Requirement, window: Window, entries: list[Entry], today: date
) -> None:
    progress = evaluate(requirement, window, entries, today)
    for category in progress.categories:
        if category.cap is not None:
            assert category.counted <= category.cap


@FAST
@given(requirements(), windows(), entry_lists(max_size=10), entry_lists(max_size=1), days)
def test_adding_a_entry_never_lowers_the_counted_total(
    requirement: Requirement,
    window: Window,
    entries: list[Entry],
    extra: list[Entry],
    today: date,
) -> None:
    before = evaluate(requirement, window, entries, today)
    added = [Entry("added", c.category, c.title, c.start, c.end, c.points) for c in extra]
    after = evaluate(requirement, window, [*entries, *added], today)
    assert after.counted >= before.counted
    assert after.entered >= before.entered


@FAST
@given(requirements(), windows(), entry_lists(), days, st.data())
def test_the_result_does_not_depend_on_entry_order(
    requirement: Requirement,
    window: Window,
    entries: list[Entry],
    today: date,
    data: st.DataObject,
) -> None:
    shuffled = data.draw(st.permutations(entries))
    original = evaluate(requirement, window, entries, today)
    reordered = evaluate(requirement, window, shuffled, today)
    assert counted_by_entry(reordered) == counted_by_entry(original)
    assert reordered == original  # outcomes, sentences, order and totals alike


@FAST
@given(
    st.dates(min_value=date(1990, 1, 1), max_value=date(2060, 12, 31)),
    st.integers(1, 5),
    st.integers(0, 20 * 366),
)
def test_consecutive_cycles_tile_the_calendar(
    certified_on: date, years: int, horizon_days: int
) -> None:
    horizon = certified_on + timedelta(days=horizon_days)
    windows = cycles_until(certified_on, horizon, years)

    assert windows[0].start == certified_on
    assert windows[-1].contains(horizon)
    # Every cycle ends on the last day of the certification's month, ``years`` years on.
    for number, window in enumerate(windows, start=1):
        assert window.end.month == certified_on.month
        assert (window.end + timedelta(days=1)).day == 1
        assert window.end.year == certified_on.year + number * years
    for previous, current in itertools.pairwise(windows):
        assert current.start == previous.end + timedelta(days=1)
    assert all(window.start <= window.end for window in windows)

    covering: Counter[date] = Counter()
    for window in windows:
        for offset in range(window.days):
            covering[window.start + timedelta(days=offset)] += 1
    every_day = (certified_on + timedelta(days=n) for n in range(horizon_days + 1))
    assert all(covering[day] == 1 for day in every_day)
    assert max(covering.values()) == 1  # no day belongs to two cycles, even past the horizon
