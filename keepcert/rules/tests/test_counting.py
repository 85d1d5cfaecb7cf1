"""Counting entries against a cycle (SPEC §3–§5): every outcome, its sentence, and the totals."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from keepcert.rules import (
    CountingRule,
    Entry,
    Outcome,
    PaceStatus,
    Requirement,
    Window,
    assess_pace,
    compliance,
    evaluate,
    first_cycle,
    is_claimable,
)
from keepcert.rules.tests.factories import CYCLE, make_entry, make_requirement

TODAY = date(2025, 1, 15)


def test_a_entry_inside_the_cycle_counts_in_full() -> None:
    entry = make_entry("3.00")
    result = evaluate(make_requirement(), CYCLE, [entry], TODAY).result_for(entry.id)
    assert result.outcome is Outcome.COUNTED
    assert result.counted == Decimal(3)
    assert result.explanation == "Counted in full: 3 points."


@pytest.mark.parametrize(
    ("points", "sentence"),
    [("1.00", "Counted in full: 1 point."), ("2.50", "Counted in full: 2.5 points.")],
)
def test_counted_sentence_shows_points_as_written(points: str, sentence: str) -> None:
    entry = make_entry(points)
    result = evaluate(make_requirement(), CYCLE, [entry], TODAY).result_for(entry.id)
    assert result.explanation == sentence


def test_the_entry_crossing_a_cap_counts_what_is_left_and_later_ones_nothing() -> None:
    first = make_entry(8, category="FE", start=date(2024, 1, 1))
    crossing = make_entry(5, category="FE", start=date(2024, 2, 1))
    after = make_entry(5, category="FE", start=date(2024, 3, 1))
    progress = evaluate(make_requirement(), CYCLE, [first, crossing, after], TODAY)

    assert progress.result_for(first.id).outcome is Outcome.COUNTED
    partly = progress.result_for(crossing.id)
    assert partly.outcome is Outcome.PARTLY_CAPPED
    assert partly.counted == Decimal(2)
    assert partly.explanation == (
        "2 of 5 points counted: Formal Education counts at most 10 points a cycle."
    )
    capped = progress.result_for(after.id)
    assert capped.outcome is Outcome.CAPPED
    assert capped.counted == 0
    assert capped.explanation == (
        "Not counted: Formal Education counts at most 10 points a cycle, "
        "and earlier activities already reached that."
    )
    formal = progress.categories[1]
    assert (formal.code, formal.entered, formal.counted, formal.cap) == (
        "FE",
        Decimal(18),
        Decimal(10),
        Decimal(10),
    )
    assert formal.cap_reached
    assert progress.counted == Decimal(10)


def test_cap_sentences_use_singular_for_a_one_point_cap() -> None:
    first = make_entry("0.50", category="AU", start=date(2024, 1, 1))
    crossing = make_entry(1, category="AU", start=date(2024, 2, 1))
    progress = evaluate(make_requirement(), CYCLE, [first, crossing], TODAY)
    assert progress.result_for(crossing.id).explanation == (
        "0.5 of 1 point counted: Authorship of Written Works counts at most 1 point a cycle."
    )


def test_a_entry_that_exactly_fills_the_cap_counts_in_full() -> None:
    fills = make_entry(10, category="FE", start=date(2024, 1, 1))
    after = make_entry("0.01", category="FE", start=date(2024, 1, 2))
    progress = evaluate(make_requirement(), CYCLE, [fills, after], TODAY)
    assert progress.result_for(fills.id).outcome is Outcome.COUNTED
    assert progress.result_for(after.id).outcome is Outcome.CAPPED
    assert progress.categories[1].cap_reached


def test_cap_is_filled_by_the_earliest_finished_activity_whatever_the_entry_order() -> None:
    finished_later = make_entry(10, category="FE", start=date(2024, 1, 1), end=date(2024, 6, 30))
    finished_first = make_entry(6, category="FE", start=date(2024, 3, 1), end=date(2024, 3, 2))
    progress = evaluate(make_requirement(), CYCLE, [finished_later, finished_first], TODAY)
    assert progress.result_for(finished_first.id).outcome is Outcome.COUNTED
    assert progress.result_for(finished_later.id).counted == Decimal(4)
    assert [r.entry.id for r in progress.entries] == [finished_first.id, finished_later.id]


def test_ties_on_end_date_go_to_the_earlier_start_then_the_id() -> None:
    end = date(2024, 5, 1)
    b = make_entry(10, category="FE", start=date(2024, 4, 1), end=end, id="b")
    a = make_entry(10, category="FE", start=date(2024, 4, 1), end=end, id="a")
    longer = make_entry(10, category="FE", start=date(2024, 3, 1), end=end, id="z")
    progress = evaluate(make_requirement(), CYCLE, [b, a, longer], TODAY)
    assert [r.entry.id for r in progress.entries] == ["z", "a", "b"]
    assert [r.outcome for r in progress.entries] == [
        Outcome.COUNTED,
        Outcome.CAPPED,
        Outcome.CAPPED,
    ]


def test_a_zero_cap_says_the_category_counts_nothing() -> None:
    closed = CountingRule("OP", "Organizational Participation", max_points=Decimal(0))
    entry = make_entry(2, category="OP")
    progress = evaluate(make_requirement(categories=(closed,)), CYCLE, [entry], TODAY)
    result = progress.result_for(entry.id)
    assert result.outcome is Outcome.CAPPED
    assert result.explanation == (
        "Not counted: Organizational Participation counts no points in a cycle."
    )


def test_employment_counts_only_for_activity_ending_by_its_cutoff() -> None:
    window = first_cycle(date(2019, 3, 4))  # 2019-03-04 .. 2022-03-31
    in_time = make_entry(5, category="EV", start=date(2020, 1, 1), end=date(2020, 12, 31))
    too_late = make_entry(5, category="EV", start=date(2020, 7, 1), end=date(2021, 1, 1))
    progress = evaluate(make_requirement(), window, [in_time, too_late], date(2022, 3, 31))
    assert progress.result_for(in_time.id).outcome is Outcome.COUNTED
    result = progress.result_for(too_late.id)
    assert result.outcome is Outcome.NOT_CLAIMABLE
    assert result.counted == 0
    assert result.explanation == (
        "Not counted: Employment Verification can only be claimed for activity "
        "up to December 31, 2020."
    )


def test_a_later_version_of_a_date_limit_judges_activity_ending_after_it_took_effect() -> None:
    # The cycle began under a limit of 2020-12-31; a version from 2021-07-01 moved it to
    # 2021-12-31 and one from 2022-01-01 lifted it. The limit is dated by activity (SPEC §2).
    employment = CountingRule(
        "EV",
        "Employment Verification",
        claimable_until=date(2020, 12, 31),
        later_limits=((date(2021, 7, 1), date(2021, 12, 31)), (date(2022, 1, 1), None)),
    )
    window = first_cycle(date(2019, 3, 4))  # 2019-03-04 .. 2022-03-31
    before_change = make_entry(1, category="EV", start=date(2021, 6, 1), end=date(2021, 6, 30))
    under_moved_limit = make_entry(1, category="EV", start=date(2021, 8, 1))
    lifted = make_entry(1, category="EV", start=date(2022, 2, 1))
    progress = evaluate(
        make_requirement(categories=(employment,)),
        window,
        [before_change, under_moved_limit, lifted],
        date(2022, 3, 31),
    )
    outcomes = [
        progress.result_for(e.id).outcome for e in (before_change, under_moved_limit, lifted)
    ]
    assert outcomes == [Outcome.NOT_CLAIMABLE, Outcome.COUNTED, Outcome.COUNTED]
    assert progress.result_for(before_change.id).explanation == (
        "Not counted: Employment Verification can only be claimed for activity "
        "up to December 31, 2020."
    )
    assert progress.counted == 2


@pytest.mark.parametrize(
    ("start", "end", "outcome"),
    [
        (date(2023, 5, 10), date(2023, 5, 10), Outcome.COUNTED),  # the cycle's first day
        (date(2023, 5, 9), date(2023, 5, 12), Outcome.OUTSIDE_CYCLE),  # began before it
        (date(2021, 1, 1), date(2021, 1, 2), Outcome.OUTSIDE_CYCLE),  # previous cycle
        (date(2026, 5, 31), date(2026, 5, 31), Outcome.COUNTED),  # the cycle's last day
        (date(2026, 5, 30), date(2026, 6, 1), Outcome.OUTSIDE_CYCLE),  # ends after it
    ],
)
def test_activity_dates_must_lie_inside_the_cycle(start: date, end: date, outcome: Outcome) -> None:
    entry = make_entry(2, start=start, end=end)
    result = evaluate(make_requirement(), CYCLE, [entry], date(2026, 6, 30)).result_for(entry.id)
    assert result.outcome is outcome


def test_outside_cycle_sentence_names_the_cycle_dates() -> None:
    entry = make_entry(2, start=date(2023, 5, 1), end=date(2023, 5, 20))
    result = evaluate(make_requirement(), CYCLE, [entry], TODAY).result_for(entry.id)
    assert result.explanation == (
        "Not counted: the dates are outside this cycle (May 10, 2023 \u2013 May 31, 2026)."
    )


def test_an_activity_ending_today_counts_and_one_ending_tomorrow_not_yet() -> None:
    today_entry = make_entry(2, start=date(2025, 1, 10), end=TODAY)
    tomorrow_entry = make_entry(2, start=date(2025, 1, 10), end=date(2025, 1, 16))
    progress = evaluate(make_requirement(), CYCLE, [today_entry, tomorrow_entry], TODAY)
    assert progress.result_for(today_entry.id).outcome is Outcome.COUNTED
    result = progress.result_for(tomorrow_entry.id)
    assert result.outcome is Outcome.FUTURE
    assert result.counted == 0
    assert result.explanation == "Not counted yet: the activity ends after today."


def test_an_unknown_category_counts_nothing() -> None:
    entry = make_entry(2, category="CME")
    progress = evaluate(make_requirement(), CYCLE, [entry], TODAY)
    result = progress.result_for(entry.id)
    assert result.outcome is Outcome.UNKNOWN_CATEGORY
    assert result.explanation == "Not counted: this category is not part of the program."
    assert progress.entered == Decimal(2)
    assert all(category.entered == 0 for category in progress.categories)


@pytest.mark.parametrize(
    ("entry", "outcome"),
    [
        # unknown category before dates outside the cycle
        (
            make_entry(1, category="CME", start=date(2020, 1, 1)),
            Outcome.UNKNOWN_CATEGORY,
        ),
        # outside the cycle before "in the future"
        (
            make_entry(1, start=date(2026, 5, 1), end=date(2026, 6, 2)),
            Outcome.OUTSIDE_CYCLE,
        ),
        # outside the cycle before the category's cutoff
        (
            make_entry(1, category="EV", start=date(2020, 1, 1)),
            Outcome.OUTSIDE_CYCLE,
        ),
    ],
)
def test_reasons_follow_their_precedence(entry: Entry, outcome: Outcome) -> None:
    progress = evaluate(make_requirement(), CYCLE, [entry], TODAY)
    assert progress.result_for(entry.id).outcome is outcome


def test_future_comes_before_the_category_cutoff() -> None:
    window = first_cycle(date(2019, 3, 4))
    entry = make_entry(1, category="EV", start=date(2021, 6, 1), end=date(2021, 6, 30))
    progress = evaluate(make_requirement(), window, [entry], date(2021, 6, 15))
    assert progress.result_for(entry.id).outcome is Outcome.FUTURE


def test_entries_that_cannot_count_leave_the_cap_for_others() -> None:
    future = make_entry(10, category="FE", start=date(2025, 1, 1), end=date(2025, 2, 1))
    outside = make_entry(10, category="FE", start=date(2023, 1, 1))
    counted = make_entry(10, category="FE", start=date(2024, 1, 1))
    progress = evaluate(make_requirement(), CYCLE, [future, outside, counted], TODAY)
    assert progress.result_for(counted.id).outcome is Outcome.COUNTED


def test_totals_entered_counted_remaining() -> None:
    entries = [
        make_entry(12, category="FE", start=date(2024, 1, 1)),  # 10 counted
        make_entry("4.50", start=date(2024, 2, 1)),
        make_entry(3, start=date(2025, 2, 1)),  # future: entered, inside, not counted
        make_entry(2, start=date(2022, 2, 1)),  # outside: entered, not in any category
        make_entry(1, category="CME"),  # unknown: entered only in the total
    ]
    progress = evaluate(make_requirement(), CYCLE, entries, TODAY)
    assert progress.required == Decimal(30)
    assert progress.entered == Decimal("22.50")
    assert progress.counted == Decimal("14.50")
    assert progress.remaining == Decimal("15.50")
    assert progress.percent == 48
    assert not progress.compliant
    professional = progress.categories[0]
    assert (professional.entered, professional.counted) == (Decimal("7.50"), Decimal("4.50"))
    assert professional.cap is None
    assert not professional.cap_reached


def test_every_category_is_listed_in_program_order_even_without_entries() -> None:
    progress = evaluate(make_requirement(), CYCLE, [], TODAY)
    assert [c.code for c in progress.categories] == ["PE", "FE", "AU", "EV"]
    assert all(c.entered == 0 and c.counted == 0 for c in progress.categories)
    assert progress.entries == ()
    assert (progress.counted, progress.remaining, progress.percent) == (Decimal(0), Decimal(30), 0)


def test_meeting_the_requirement_exactly_is_compliant_and_extra_is_not_remaining() -> None:
    exact = evaluate(make_requirement(30), CYCLE, [make_entry(30)], TODAY)
    assert exact.compliant
    assert (exact.remaining, exact.percent) == (Decimal(0), 100)
    over = evaluate(make_requirement(30), CYCLE, [make_entry(45)], TODAY)
    assert over.compliant
    assert (over.counted, over.remaining, over.percent) == (Decimal(45), Decimal(0), 100)


@pytest.mark.parametrize(
    ("counted", "required", "percent"),
    [
        ("29.99", "30", 99),  # never shows 100% before the requirement is met
        ("20", "30", 66),  # floored, not rounded to 67
        ("10", "30", 33),
        ("15", "30", 50),
        ("0.01", "45", 0),
        ("0.45", "45", 1),
        ("30", "30", 100),
        ("60", "30", 100),
    ],
)
def test_percent_is_floored_and_clamped(counted: str, required: str, percent: int) -> None:
    progress = evaluate(make_requirement(required), CYCLE, [make_entry(counted)], TODAY)
    assert progress.percent == percent


def test_nothing_required_is_complete() -> None:
    progress = evaluate(make_requirement(0), CYCLE, [], TODAY)
    assert (progress.percent, progress.compliant, progress.remaining) == (100, True, Decimal(0))


def test_results_come_in_canonical_order_and_can_be_looked_up() -> None:
    late = make_entry(1, start=date(2024, 9, 1), id="late")
    early = make_entry(1, start=date(2024, 2, 1), id="early")
    progress = evaluate(make_requirement(), CYCLE, iter([late, early]), TODAY)
    assert [r.entry.id for r in progress.entries] == ["early", "late"]
    assert progress.result_for("late").entry is late
    with pytest.raises(KeyError):
        progress.result_for("missing")


def test_entry_ids_must_be_unique() -> None:
    entries = [make_entry(1, id="same"), make_entry(2, id="same")]
    with pytest.raises(ValueError, match="unique"):
        evaluate(make_requirement(), CYCLE, entries, TODAY)


@pytest.mark.parametrize(
    ("points", "start", "end", "message"),
    [
        ("0", date(2024, 1, 1), date(2024, 1, 1), "more than 0"),
        ("-1", date(2024, 1, 1), date(2024, 1, 1), "more than 0"),
        ("NaN", date(2024, 1, 1), date(2024, 1, 1), "more than 0"),
        ("1.005", date(2024, 1, 1), date(2024, 1, 1), "two decimal places"),
        ("1", date(2024, 1, 2), date(2024, 1, 1), "before it starts"),
    ],
)
def test_impossible_entries_are_rejected(points: str, start: date, end: date, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Entry("x", "PE", "Course", start, end, Decimal(points))


def test_trailing_zeros_beyond_two_places_are_fine() -> None:
    assert Entry("x", "PE", "Course", date(2024, 1, 1), date(2024, 1, 1), Decimal("1.500"))


def test_requirement_lookup_and_validation() -> None:
    requirement = make_requirement()
    formal = requirement.category("FE")
    assert formal is not None
    assert formal.name == "Formal Education"
    assert requirement.category("CME") is None
    with pytest.raises(ValueError, match="unique"):
        Requirement(Decimal(30), (CountingRule("PE", "A"), CountingRule("PE", "B")))
    with pytest.raises(ValueError, match="zero or more"):
        Requirement(Decimal(-1), ())
    with pytest.raises(ValueError, match="invalid cap"):
        CountingRule("FE", "Formal Education", max_points=Decimal(-5))


def test_progress_belongs_to_the_cycle_it_was_counted_against() -> None:
    # One activity counted against two consecutive cycles: each progress keeps its own
    # cycle, which its totals, its sentences and the pace judged from it all follow.
    entry = make_entry("3.00", start=date(2024, 1, 10))
    today = date(2026, 7, 1)
    earlier = evaluate(make_requirement(), CYCLE, [entry], today)
    later = evaluate(
        make_requirement(), Window(date(2026, 6, 1), date(2029, 5, 31)), [entry], today
    )

    assert earlier.window == Window(date(2023, 5, 10), date(2026, 5, 31))
    assert later.window == Window(date(2026, 6, 1), date(2029, 5, 31))
    assert (earlier.counted, later.counted) == (Decimal(3), Decimal(0))
    assert later.result_for(entry.id).explanation == (
        "Not counted: the dates are outside this cycle (June 1, 2026 \u2013 May 31, 2029)."
    )
    assert assess_pace(earlier, today).status is PaceStatus.ENDED_SHORT
    assert assess_pace(later, today).days_left == 1065


def test_a_category_retired_on_a_date_counts_activity_ending_that_day_not_after() -> None:
    assert is_claimable(date(2020, 12, 31), until=date(2020, 12, 31))
    assert not is_claimable(date(2021, 1, 1), until=date(2020, 12, 31))
    assert is_claimable(date(2031, 1, 1), until=None)


@pytest.mark.parametrize(
    ("required", "counted", "expected"),
    [
        ("30", "29.99", (Decimal("0.01"), 99, False)),
        ("30", "0", (Decimal(30), 0, False)),
        ("30", "30", (Decimal(0), 100, True)),
        ("30", "45", (Decimal(0), 100, True)),  # extra points are not "remaining" below 0
        ("0", "0", (Decimal(0), 100, True)),
    ],
)
def test_compliance_from_totals_alone(
    required: str, counted: str, expected: tuple[Decimal, int, bool]
) -> None:
    assert tuple(compliance(Decimal(required), Decimal(counted))) == expected


def test_evaluate_reports_what_compliance_says_of_its_totals() -> None:
    entries = [make_entry(12, category="FE", start=date(2024, 1, 1)), make_entry("7.25")]
    progress = evaluate(make_requirement(), CYCLE, entries, TODAY)
    assert compliance(progress.required, progress.counted) == (
        progress.remaining,
        progress.percent,
        progress.compliant,
    )
    assert progress.percent == 57
