"""`manage.py keepcert_daily`: the day's invoices and statuses, once, in date order."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from keepcert import testing
from keepcert.billing.models import Invoice
from keepcert.certifications.models import Certification, DailyRun
from keepcert.core.models import Event

pytestmark = pytest.mark.django_db


def daily(day: str) -> str:
    out = StringIO()
    call_command("keepcert_daily", "--date", day, "--program", testing.PROGRAM_CODE, stdout=out)
    return out.getvalue()


def test_a_day_issues_its_invoices_and_moves_statuses_once(program: object) -> None:
    member = testing.make_member()
    certification = testing.make_certification(member)
    assert (
        daily("2026-04-01")
        == "2026-04-01: 1 invoice issued, 0 cycles opened, 0 statuses changed.\n"
    )
    assert (
        daily("2026-04-01")
        == "2026-04-01: 0 invoices issued, 0 cycles opened, 0 statuses changed.\n"
    )
    # Unpaid past its grace (May 31 + 30 days), after a gap of days: caught up.
    assert (
        daily("2026-07-05") == "2026-07-05: 0 invoices issued, 0 cycles opened, 1 status changed.\n"
    )
    certification.refresh_from_db()
    assert (certification.status, certification.status_changed_on) == (
        Certification.Status.LAPSED,  # its cycle also closed 30 points short on June 30
        date(2026, 7, 1),
    )
    assert Invoice.objects.count() == 1
    assert Event.objects.filter(action="certifications.status.changed").count() == 1
    assert DailyRun.objects.count() == 2


def test_a_day_before_the_last_run_or_not_a_date_is_refused_and_changes_nothing(
    program: object,
) -> None:
    testing.make_certification(testing.make_member())
    daily("2026-04-02")
    with pytest.raises(CommandError, match="before the last day run"):
        daily("2026-04-01")
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        daily("04/01/2026")
    assert DailyRun.objects.count() == 1 and Invoice.objects.count() == 1
