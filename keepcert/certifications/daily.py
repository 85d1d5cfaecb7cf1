"""The day's work for a program (SPEC §6): issue the invoices that are due to be issued,
roll compliant cycles over (and close short ones), and bring every certification's status
to what the lifecycle rules say for the day.

Run by `manage.py keepcert_daily [--date YYYY-MM-DD]`. Each step is idempotent, so a day
run twice changes nothing the second time, and a run after a gap of days catches up
(statuses are worked out for the day from the facts; invoices are issued from their issue
day up to their due date). A day before the latest run is refused.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from keepcert.billing.services import issue_invoices
from keepcert.certifications.models import Certification, DailyRun
from keepcert.certifications.services import refresh_status, roll_over
from keepcert.core.errors import DomainError
from keepcert.program.models import Program

_BATCH = 1000
# Decided by a person, or final until a reactivation: the rules do not move them.
_SETTLED = (
    Certification.Status.REVOKED,
    Certification.Status.RETIRED,
    Certification.Status.LAPSED,
)


@dataclass(frozen=True)
class DayReport:
    day: date
    invoices_issued: int
    cycles_opened: int
    statuses_changed: int


def run_day(*, program: Program, day: date) -> DayReport:
    with transaction.atomic():
        latest = DailyRun.objects.filter(program=program).order_by("-day").first()
        if latest is not None and day < latest.day:
            raise DomainError(
                _("%(day)s is before the last day run (%(last)s): nothing was done.")
                % {"day": day.isoformat(), "last": latest.day.isoformat()}
            )
        run, _created = DailyRun.objects.get_or_create(program=program, day=day)
    issued = issue_invoices(program=program, day=day)
    changed = opened = 0
    ids = Certification.objects.filter(member__program=program).exclude(status__in=_SETTLED)
    last_pk = 0
    while batch := list(
        ids.filter(pk__gt=last_pk).order_by("pk").values_list("pk", flat=True)[:_BATCH]
    ):
        last_pk = batch[-1]
        for pk in batch:
            if roll_over(pk, day=day) is not None:
                opened += 1
            before = Certification.objects.values_list("status", flat=True).get(pk=pk)
            if refresh_status(pk, day=day).status != before:
                changed += 1
    report = DayReport(
        day=day, invoices_issued=len(issued), cycles_opened=opened, statuses_changed=changed
    )
    run.finished_at = timezone.now()
    run.report = {**asdict(report), "day": day.isoformat()}
    run.save(update_fields=["finished_at", "report"])
    return report
