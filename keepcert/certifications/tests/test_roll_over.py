"""Roll-over (SPEC §6): met and paid, the next cycle exists as upcoming and opens the day
after the old one ends; short after the grace, the cycle ends short and the status lapses.
One member walked through with the daily job, the clock moved by --date."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from keepcert import testing
from keepcert.billing.models import Invoice
from keepcert.billing.services import Received, apply_payment
from keepcert.certifications.models import Certification, Cycle
from keepcert.certifications.selectors import member_summaries
from keepcert.rules.money import Money

pytestmark = pytest.mark.django_db


def daily(day: str) -> str:
    out = StringIO()
    call_command("keepcert_daily", "--date", day, "--program", testing.PROGRAM_CODE, stdout=out)
    return out.getvalue()


def statuses(certification: Certification) -> list[tuple[date, date, str]]:
    return list(certification.cycles.order_by("start").values_list("start", "end", "status"))


def test_met_and_paid_the_next_cycle_waits_then_opens_the_day_after(program: object) -> None:
    member = testing.make_member()
    certification = testing.make_certification(member)  # cycle May 10, 2023 – May 31, 2026
    testing.make_activity(member, points="30")  # met on November 20, 2025
    daily("2026-04-01")  # the closing invoice, due May 31, 2026, is issued
    invoice = Invoice.objects.get()
    assert invoice.closing_cycle == testing.current_cycle(certification)
    apply_payment(
        invoice.pk, Received("mail", "check 1041", Money(invoice.amount, "USD"), date(2026, 4, 20))
    )

    assert daily("2026-04-20").endswith(", 0 cycles opened, 0 statuses changed.\n")
    assert statuses(certification)[-1] == (date(2026, 6, 1), date(2029, 5, 31), "upcoming")
    # The member still sees the cycle under way, and no "past" upcoming cycle.
    (summary,) = member_summaries(member)
    assert summary.current.cycle.end == date(2026, 5, 31)
    assert all(cycle.status != "upcoming" for cycle in summary.past_cycles)

    assert "1 cycle opened" in daily("2026-06-01")
    assert [status for _start, _end, status in statuses(certification)][-2:] == [
        Cycle.Status.COMPLIANT,
        Cycle.Status.OPEN,
    ]
    certification.refresh_from_db()
    assert certification.status == Certification.Status.ACTIVE
    assert "0 cycles opened" in daily("2026-06-01")  # again: nothing more
    assert certification.cycles.count() == 2


def test_short_after_the_grace_the_cycle_ends_short_and_the_certification_lapses(
    program: object,
) -> None:
    member = testing.make_member()
    certification = testing.make_certification(member)
    testing.make_activity(member, points="26")
    daily("2026-06-30")  # the last day of grace: still open, still active
    assert statuses(certification)[-1][2] == Cycle.Status.OPEN
    daily("2026-07-01")
    assert statuses(certification)[-1][2] == Cycle.Status.NONCOMPLIANT
    certification.refresh_from_db()
    assert (certification.status, certification.status_changed_on) == ("lapsed", date(2026, 7, 1))
    assert certification.cycles.count() == 1  # no next cycle for a lapsed certification
