"""The stored status follows the lifecycle rules: Inactive after an unpaid fee's grace,
Active again once paid, Lapsed after a short cycle's grace; logged once, with its day."""

from __future__ import annotations

from datetime import date

import pytest

from keepcert import testing
from keepcert.billing.models import Invoice
from keepcert.certifications.models import Certification
from keepcert.certifications.services import refresh_status
from keepcert.core.models import Event

pytestmark = pytest.mark.django_db


def test_an_unpaid_fee_makes_it_inactive_after_the_grace_and_paying_restores_it(
    program: object,
) -> None:
    certification = testing.make_certification(testing.make_member())
    invoice = testing.make_invoice(certification.member, due=date(2025, 5, 31))
    assert refresh_status(certification.pk, day=date(2025, 6, 30)).status == "active"
    inactive = refresh_status(certification.pk, day=date(2025, 7, 1))
    assert (inactive.status, inactive.status_changed_on) == ("inactive", date(2025, 7, 1))
    assert inactive.status_reason == "An annual fee is unpaid past its grace period."
    refresh_status(certification.pk, day=date(2025, 7, 2))  # again: nothing new
    Invoice.objects.filter(pk=invoice.pk).update(status="paid", paid_on=date(2025, 7, 10))
    active = refresh_status(certification.pk, day=date(2025, 7, 10))
    assert (active.status, active.status_changed_on) == ("active", date(2025, 7, 10))
    assert active.status_reason == "The overdue annual fee was paid."
    changes = Event.objects.filter(action="certifications.status.changed").order_by("pk")
    assert [(e.data["before"], e.data["after"]) for e in changes] == [
        ("active", "inactive"),
        ("inactive", "active"),
    ]


def test_a_cycle_short_after_its_grace_lapses_and_stays_lapsed(program: object) -> None:
    certification = testing.make_certification(testing.make_member())
    testing.make_activity(certification.member, points="10")
    # The cycle ends May 31, 2026; 30 days of grace.
    assert refresh_status(certification.pk, day=date(2026, 6, 30)).status == "active"
    lapsed = refresh_status(certification.pk, day=date(2026, 7, 1))
    assert (lapsed.status, lapsed.status_changed_on) == ("lapsed", date(2026, 7, 1))
    assert lapsed.status_reason == "The CE requirement was not met by the end of the grace period."


def test_revoked_is_a_decision_the_rules_do_not_undo(program: object) -> None:
    certification = testing.make_certification(testing.make_member())
    Certification.objects.filter(pk=certification.pk).update(
        status="revoked", status_changed_on=date(2025, 1, 5), status_reason="Conduct."
    )
    assert refresh_status(certification.pk, day=date(2027, 1, 1)).status == "revoked"
    assert not Event.objects.filter(action="certifications.status.changed").exists()
