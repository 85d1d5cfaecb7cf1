"""The annual invoices are issued on the right day, once, for the fee in force then."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection

from keepcert import testing
from keepcert.billing.models import Invoice
from keepcert.billing.services import issue_invoices
from keepcert.certifications.models import Certification
from keepcert.core.models import Event

pytestmark = pytest.mark.django_db

# Certified May 10, 2023: due the last day of May each year; the first cycle ends
# May 31, 2026, so that year's invoice is the closing one.


def certified(**kwargs: object) -> Certification:
    return testing.make_certification(testing.make_member(**kwargs))  # type: ignore[arg-type]


def test_issued_sixty_days_before_it_is_due_once_for_the_fee_then(program: object) -> None:
    certification = certified()
    assert issue_invoices(program=program, day=date(2026, 3, 31)) == []  # 61 days ahead
    (invoice,) = issue_invoices(program=program, day=date(2026, 4, 1))
    assert (invoice.due, invoice.issued_on, invoice.amount, invoice.currency) == (
        date(2026, 5, 31),
        date(2026, 4, 1),
        Decimal("50.00"),
        "USD",
    )
    assert invoice.closing_cycle == testing.current_cycle(certification)
    assert issue_invoices(program=program, day=date(2026, 4, 1)) == []  # run again
    assert issue_invoices(program=program, day=date(2026, 4, 2)) == []  # the next day
    assert Invoice.objects.count() == 1
    assert Event.objects.filter(action="billing.invoice.issued").count() == 1


def test_after_a_gap_of_days_the_missed_issue_day_is_caught_up(program: object) -> None:
    certified()
    (invoice,) = issue_invoices(program=program, day=date(2026, 4, 11))  # ten days late
    assert invoice.due == date(2026, 5, 31)


def test_a_year_already_past_is_not_invoiced(program: object) -> None:
    certified()
    # May 31, 2025 has passed: a record brought in is not billed for it.
    assert issue_invoices(program=program, day=date(2025, 11, 20)) == []


def test_no_fee_set_means_no_invoice_and_lapsed_ones_are_not_billed(program: object) -> None:
    testing.make_certification(testing.make_member(), code="PCT")  # the program sets no fee
    assert issue_invoices(program=program, day=date(2026, 4, 1)) == []
    other = testing.make_certification(testing.make_member(first_name="Bo"), code="RPT")
    Certification.objects.filter(pk=other.pk).update(status=Certification.Status.LAPSED)
    assert issue_invoices(program=program, day=date(2026, 4, 1)) == []
    assert not Invoice.objects.exists()


@pytest.mark.races
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real concurrency")
def test_two_workers_issuing_the_same_day_issue_each_invoice_once(program: object) -> None:
    from keepcert.activities.tests.test_races import racers

    for _ in range(6):
        certified()
    with racers(4) as group:
        results = group.burst(
            [lambda: len(issue_invoices(program=program, day=date(2026, 4, 1)))] * 4
        )
    assert sum(results) == 6
    assert Invoice.objects.count() == 6
    assert Event.objects.filter(action="billing.invoice.issued").count() == 6
