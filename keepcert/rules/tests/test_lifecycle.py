"""A certification's life as pure rules: status and since, invoices, roll-over, next event."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from keepcert.rules.cycles import Window, first_cycle, next_cycle
from keepcert.rules.lifecycle import (
    CycleFacts,
    Decision,
    Event,
    EventKind,
    Facts,
    InvoiceFacts,
    LifecyclePolicy,
    Reason,
    Status,
    StatusOn,
    closing_invoice_payable_from,
    compliant_on,
    invoice_due_dates,
    next_event,
    next_window,
    rank,
    status_on,
    upcoming_events,
)

POLICY = LifecyclePolicy(
    recording_grace_days=30, fee_grace_days=30, invoice_lead_days=60, reminder_days=(30, 7)
)
CERTIFIED = date(2023, 5, 10)
FIRST = first_cycle(CERTIFIED)  # 2023-05-10 .. 2026-05-31
DUES = [date(2024, 5, 31), date(2025, 5, 31), date(2026, 5, 31)]


def paid(due: date, days_early: int = 10) -> InvoiceFacts:
    return InvoiceFacts(due, due - timedelta(days=days_early))


def member(*, met_on: date | None = date(2026, 3, 1), invoices=None, **more) -> Facts:
    return Facts(
        certified_on=CERTIFIED,
        cycles=(CycleFacts(FIRST, met_on),),
        invoices=tuple(paid(due) for due in DUES) if invoices is None else tuple(invoices),
        **more,
    )


# ------------------------------------------------------------------------- invoices


def test_one_invoice_a_year_due_the_last_day_of_the_anniversary_month() -> None:
    assert invoice_due_dates(CERTIFIED, date(2027, 5, 31)) == [*DUES, date(2027, 5, 31)]
    assert invoice_due_dates(CERTIFIED, date(2024, 5, 30)) == []
    # A certification on February 29 is due at the end of every February.
    assert invoice_due_dates(date(2024, 2, 29), date(2026, 3, 1)) == [
        date(2025, 2, 28),
        date(2026, 2, 28),
    ]


def test_the_closing_invoice_is_payable_the_day_after_the_requirement_is_met() -> None:
    assert closing_invoice_payable_from(CycleFacts(FIRST, None)) is None
    assert closing_invoice_payable_from(CycleFacts(FIRST, date(2026, 4, 2))) == date(2026, 4, 3)


# ------------------------------------------------------------------------- statuses


def test_paid_and_met_is_active_since_certification() -> None:
    assert status_on(member(), POLICY, date(2026, 5, 1)) == StatusOn(
        Status.ACTIVE, Reason.IN_GOOD_STANDING, CERTIFIED
    )


def test_an_unpaid_invoice_makes_it_inactive_after_the_fee_grace_and_paying_restores_it() -> None:
    unpaid = member(invoices=[paid(DUES[0]), InvoiceFacts(DUES[1])])
    # Due May 31, 2025; 30 days of grace: June 30 is the last day still active.
    assert status_on(unpaid, POLICY, date(2025, 6, 30)).status == Status.ACTIVE
    assert status_on(unpaid, POLICY, date(2025, 7, 1)) == StatusOn(
        Status.INACTIVE, Reason.FEE_OVERDUE, date(2025, 7, 1)
    )
    late = member(invoices=[paid(DUES[0]), InvoiceFacts(DUES[1], date(2025, 8, 15))])
    assert status_on(late, POLICY, date(2025, 8, 14)).status == Status.INACTIVE
    assert status_on(late, POLICY, date(2025, 8, 15)) == StatusOn(
        Status.ACTIVE, Reason.IN_GOOD_STANDING, date(2025, 8, 15)
    )


def test_inactive_since_the_first_overdue_day_while_it_stays_inactive() -> None:
    # Two invoices overdue in turn, the first paid after the second fell due: inactive
    # without a break, so "since" is the first one's day.
    facts = member(
        invoices=[InvoiceFacts(DUES[0], date(2025, 7, 15)), InvoiceFacts(DUES[1])],
    )
    assert status_on(facts, POLICY, date(2025, 9, 1)) == StatusOn(
        Status.INACTIVE, Reason.FEE_OVERDUE, date(2024, 7, 1)
    )


def test_a_cycle_short_at_its_end_plus_the_recording_grace_lapses() -> None:
    short = member(met_on=None)
    assert status_on(short, POLICY, date(2026, 6, 30)).status == Status.ACTIVE  # grace
    assert status_on(short, POLICY, date(2026, 7, 1)) == StatusOn(
        Status.LAPSED, Reason.CE_SHORT, date(2026, 7, 1)
    )
    # Met on the grace period's last day: no lapse.
    assert status_on(member(met_on=date(2026, 6, 30)), POLICY, date(2027, 1, 1)).status == (
        Status.ACTIVE
    )
    # Met the day after: too late, and the lapse stays.
    assert status_on(member(met_on=date(2026, 7, 1)), POLICY, date(2027, 1, 1)).status == (
        Status.LAPSED
    )


def test_a_cycle_without_a_requirement_set_never_lapses() -> None:
    facts = Facts(CERTIFIED, cycles=(CycleFacts(FIRST, None, judged=False),))
    assert status_on(facts, POLICY, date(2030, 1, 1)).status == Status.ACTIVE


def test_a_failed_audit_lapses_from_its_day() -> None:
    facts = member(audit_failures=(date(2026, 2, 1),))
    assert status_on(facts, POLICY, date(2026, 2, 1)) == StatusOn(
        Status.LAPSED, Reason.AUDIT_FAILED, date(2026, 2, 1)
    )
    assert status_on(facts, POLICY, date(2026, 1, 31)).status == Status.ACTIVE


def test_grandfathered_is_exempt_then_inactive_then_lapsed_after_three_unpaid_years() -> None:
    old = date(2001, 3, 15)
    dues = invoice_due_dates(old, date(2027, 12, 31))[-3:]  # 2025, 2026, 2027
    facts = Facts(old, grandfathered=True, invoices=tuple(InvoiceFacts(due) for due in dues))
    assert status_on(facts, POLICY, date(2025, 4, 30)).status == Status.EXEMPT
    assert status_on(facts, POLICY, date(2025, 5, 1)) == StatusOn(
        Status.INACTIVE, Reason.FEE_OVERDUE, date(2025, 5, 1)
    )
    assert status_on(facts, POLICY, date(2027, 4, 30)).status == Status.INACTIVE
    assert status_on(facts, POLICY, date(2027, 5, 1)) == StatusOn(
        Status.LAPSED, Reason.FEES_UNPAID_YEARS, date(2027, 5, 1)
    )
    # Paying the middle year breaks the run: inactive, not lapsed.
    middle_paid = replace(
        facts,
        invoices=(
            InvoiceFacts(dues[0]),
            InvoiceFacts(dues[1], date(2026, 6, 1)),
            InvoiceFacts(dues[2]),
        ),
    )
    assert status_on(middle_paid, POLICY, date(2027, 6, 1)).status == Status.INACTIVE


def test_revoked_and_retired_are_decisions_and_the_latest_wins() -> None:
    facts = member(
        met_on=None,
        decisions=(
            Decision(Status.RETIRED, date(2025, 1, 1)),
            Decision(Status.REVOKED, date(2025, 6, 1)),
        ),
    )
    assert status_on(facts, POLICY, date(2025, 3, 1)) == StatusOn(
        Status.RETIRED, Reason.RETIRED, date(2025, 1, 1)
    )
    assert status_on(facts, POLICY, date(2027, 1, 1)) == StatusOn(
        Status.REVOKED, Reason.REVOKED, date(2025, 6, 1)
    )
    with pytest.raises(ValueError):
        Decision(Status.LAPSED, date(2025, 1, 1))


# ------------------------------------------------------------------------ roll-over


def test_compliant_on_the_later_of_points_met_and_the_last_invoice_paid() -> None:
    cycle = CycleFacts(FIRST, date(2026, 3, 1))
    invoices = [paid(DUES[0]), paid(DUES[1]), InvoiceFacts(DUES[2], date(2026, 3, 20))]
    assert compliant_on(cycle, invoices, POLICY) == date(2026, 3, 20)
    assert next_window(cycle, invoices, POLICY, date(2026, 3, 19)) is None
    assert next_window(cycle, invoices, POLICY, date(2026, 3, 20)) == Window(
        date(2026, 6, 1), date(2029, 5, 31)
    )
    # The closing invoice unpaid: not compliant, whatever the points.
    assert compliant_on(cycle, [*invoices[:2], InvoiceFacts(DUES[2])], POLICY) is None
    # An invoice due after the cycle's end does not hold it back.
    later = [*invoices, InvoiceFacts(date(2027, 5, 31))]
    assert compliant_on(cycle, later, POLICY) == date(2026, 3, 20)


def test_points_met_in_the_grace_period_and_then_paid_still_roll_over() -> None:
    cycle = CycleFacts(FIRST, date(2026, 6, 20))
    invoices = [paid(DUES[0]), paid(DUES[1]), InvoiceFacts(DUES[2], date(2026, 6, 21))]
    assert compliant_on(cycle, invoices, POLICY) == date(2026, 6, 21)


# ------------------------------------------------------------------------ next event


def test_next_event_walks_through_a_year() -> None:
    facts = member(invoices=[paid(DUES[0]), paid(DUES[1])], met_on=None)
    day = date(2026, 1, 1)
    seen = []
    while (event := next_event(facts, POLICY, day)) is not None and event.day < date(2026, 8, 1):
        seen.append(event)
        day = event.day
    assert seen == [
        Event(date(2026, 4, 1), EventKind.INVOICE_ISSUED, DUES[2]),
        Event(date(2026, 7, 1), EventKind.LAPSE, date(2026, 7, 1)),
    ]
    # Once the invoice exists: reminders, then the fee grace, with the lapse.
    issued = replace(facts, invoices=(*facts.invoices, InvoiceFacts(DUES[2])))
    assert [
        (event.day, event.kind) for event in upcoming_events(issued, POLICY, date(2026, 4, 1))
    ] == [
        (date(2026, 5, 1), EventKind.INVOICE_REMINDER),
        (date(2026, 5, 24), EventKind.INVOICE_REMINDER),
        (date(2026, 7, 1), EventKind.FEE_GRACE_ENDS),
        (date(2026, 7, 1), EventKind.LAPSE),
        (date(2027, 4, 1), EventKind.INVOICE_ISSUED),  # the year after, should it not lapse
    ]


def test_next_event_includes_the_closing_invoice_unlocking() -> None:
    facts = member(
        met_on=date(2026, 4, 2), invoices=[paid(DUES[0]), paid(DUES[1]), InvoiceFacts(DUES[2])]
    )
    assert next_event(facts, POLICY, date(2026, 4, 1)) == Event(
        date(2026, 4, 3), EventKind.CLOSING_INVOICE_UNLOCKED, DUES[2]
    )


def test_nothing_is_scheduled_once_lapsed() -> None:
    assert next_event(member(met_on=None), POLICY, date(2026, 7, 1)) is None


# ------------------------------------------------------------------------ properties

FAST = settings(max_examples=80, deadline=None)
EPOCH = date(2018, 1, 1)
days = st.integers(0, 4000).map(lambda n: EPOCH + timedelta(days=n))
maybe_days = st.one_of(st.none(), days)


@st.composite
def facts_strategy(draw: st.DrawFn) -> Facts:
    certified = draw(st.integers(0, 800).map(lambda n: EPOCH + timedelta(days=n)))
    windows = [first_cycle(certified)]
    for _ in range(draw(st.integers(0, 2))):
        windows.append(next_cycle(windows[-1]))
    cycles = tuple(CycleFacts(window, draw(maybe_days), draw(st.booleans())) for window in windows)
    dues = invoice_due_dates(certified, windows[-1].end)
    invoices = tuple(InvoiceFacts(due, draw(maybe_days)) for due in dues)
    return Facts(
        certified_on=certified,
        grandfathered=draw(st.booleans()),
        cycles=cycles,
        invoices=invoices,
        audit_failures=tuple(draw(st.lists(days, max_size=1))),
        decisions=tuple(
            Decision(status, day)
            for status, day in draw(
                st.lists(
                    st.tuples(st.sampled_from([Status.REVOKED, Status.RETIRED]), days), max_size=1
                )
            )
        ),
    )


@FAST
@given(facts_strategy(), days, st.randoms())
def test_the_status_never_depends_on_the_order_of_the_facts(
    facts: Facts, day: date, rnd: random.Random
) -> None:
    def shuffled(items: tuple) -> tuple:
        items = list(items)
        rnd.shuffle(items)
        return tuple(items)

    reordered = replace(
        facts,
        cycles=shuffled(facts.cycles),
        invoices=shuffled(facts.invoices),
        audit_failures=shuffled(facts.audit_failures),
        decisions=shuffled(facts.decisions),
    )
    assert status_on(reordered, POLICY, day) == status_on(facts, POLICY, day)
    assert next_event(reordered, POLICY, day) == next_event(facts, POLICY, day)


@FAST
@given(facts_strategy(), days, st.data())
def test_paying_never_makes_a_status_worse(facts: Facts, day: date, data: st.DataObject) -> None:
    unpaid = [i for i, invoice in enumerate(facts.invoices) if invoice.paid_on is None]
    if not unpaid:
        return
    which = data.draw(st.sampled_from(unpaid))
    paid_on = data.draw(days)
    invoices = list(facts.invoices)
    invoices[which] = InvoiceFacts(invoices[which].due, paid_on)
    before = rank(status_on(facts, POLICY, day).status)
    after = rank(status_on(replace(facts, invoices=tuple(invoices)), POLICY, day).status)
    if before is not None:
        assert after is not None and after <= before


@FAST
@given(facts_strategy(), st.data())
def test_a_compliant_cycle_with_every_invoice_paid_always_rolls_over(
    facts: Facts, data: st.DataObject
) -> None:
    cycle = facts.cycles[0]
    met = data.draw(st.integers(0, cycle.window.days + POLICY.recording_grace_days - 1))
    cycle = CycleFacts(cycle.window, cycle.window.start + timedelta(days=met))
    invoices = [
        InvoiceFacts(invoice.due, invoice.due - timedelta(days=5)) for invoice in facts.invoices
    ]
    became = compliant_on(cycle, invoices, POLICY)
    assert became is not None
    assert next_window(cycle, invoices, POLICY, became) == next_cycle(cycle.window)
    assert next_window(cycle, invoices, POLICY, became - timedelta(days=1)) is None


@FAST
@given(facts_strategy(), days)
def test_since_is_the_first_day_of_an_unbroken_run_of_the_same_status(
    facts: Facts, day: date
) -> None:
    now = status_on(facts, POLICY, day)
    assert now.since <= max(day, facts.certified_on)
    if now.since <= day:
        for probe in (now.since, now.since + (day - now.since) // 2, day):
            current = status_on(facts, POLICY, probe)
            assert (current.status, current.reason) == (now.status, now.reason)
    if now.since > facts.certified_on:
        before = status_on(facts, POLICY, now.since - timedelta(days=1))
        assert (before.status, before.reason) != (now.status, now.reason)
