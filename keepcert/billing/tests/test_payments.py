"""A payment is applied exactly once; paid in full settles the invoice; excess is credit."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection

from keepcert import testing
from keepcert.billing.models import Credit, Invoice, Payment
from keepcert.billing.services import Received, apply_payment, paid_amount
from keepcert.core.errors import DomainError
from keepcert.core.models import Event
from keepcert.rules.money import Money

pytestmark = pytest.mark.django_db


def usd(amount: str) -> Money:
    return Money(Decimal(amount), "USD")


def make_invoice(amount: str = "50.00") -> Invoice:
    member = testing.make_member()
    certification = testing.make_certification(member)
    return Invoice.objects.create(
        certification=certification,
        due=date(2026, 5, 31),
        issued_on=date(2026, 4, 1),
        amount=Decimal(amount),
        currency="USD",
    )


def received(payment_id: str, amount: str, on: date = date(2026, 4, 10)) -> Received:
    return Received("offline", payment_id, usd(amount), on)


def test_paying_in_full_settles_the_invoice_on_the_day_received(program: object) -> None:
    invoice = make_invoice()
    applied = apply_payment(invoice.pk, received("pay_1", "50"))
    invoice.refresh_from_db()
    assert applied.created
    assert (invoice.status, invoice.paid_on) == (Invoice.Status.PAID, date(2026, 4, 10))
    assert Event.objects.filter(action="billing.payment.applied").count() == 1


def test_a_short_payment_leaves_it_part_paid_and_the_rest_settles_it(program: object) -> None:
    invoice = make_invoice()
    apply_payment(invoice.pk, received("pay_1", "20", date(2026, 4, 10)))
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.OPEN
    assert paid_amount(invoice) == Decimal("20.00")
    apply_payment(invoice.pk, received("pay_2", "30", date(2026, 5, 2)))
    invoice.refresh_from_db()
    assert (invoice.status, invoice.paid_on) == (Invoice.Status.PAID, date(2026, 5, 2))


def test_the_same_payment_reported_twice_is_recorded_once(program: object) -> None:
    invoice = make_invoice()
    first = apply_payment(invoice.pk, received("pay_1", "50"))
    again = apply_payment(invoice.pk, received("pay_1", "50"))
    assert not again.created and again.payment == first.payment
    assert Payment.objects.count() == 1
    assert Credit.objects.count() == 0
    assert Event.objects.filter(action="billing.payment.applied").count() == 1


def test_paying_more_than_owed_or_paying_twice_becomes_credit(program: object) -> None:
    invoice = make_invoice()
    apply_payment(invoice.pk, received("pay_1", "60"))
    apply_payment(invoice.pk, received("pay_2", "50"))  # a second tab paid too
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PAID
    assert paid_amount(invoice) == Decimal("50.00")
    assert sorted(Credit.objects.values_list("amount", flat=True)) == [
        Decimal("10.00"),
        Decimal("50.00"),
    ]


def test_a_payment_in_another_currency_is_refused_and_changes_nothing(program: object) -> None:
    invoice = make_invoice()
    with pytest.raises(DomainError, match="EUR"):
        apply_payment(
            invoice.pk, Received("offline", "pay_1", Money(Decimal(50), "EUR"), date(2026, 4, 10))
        )
    assert Payment.objects.count() == 0


@pytest.mark.races
@pytest.mark.security
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs real row locks: run on PostgreSQL"
)
def test_concurrent_deliveries_of_one_payment_record_it_once(program: object) -> None:
    from keepcert.activities.tests.test_races import racers

    for burst in range(5):
        invoice = make_invoice()
        report = received(f"pay_{burst}", "50")
        with racers(8) as group:
            results = group.burst(
                [lambda pk=invoice.pk, report=report: apply_payment(pk, report)] * 8
            )
        assert sum(1 for result in results if result.created) == 1
        assert Payment.objects.filter(invoice=invoice).count() == 1
        assert not Credit.objects.filter(payment__invoice=invoice).exists()
        invoice.refresh_from_db()
        assert invoice.status == Invoice.Status.PAID
