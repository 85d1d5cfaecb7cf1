"""`manage.py keepcert_daily [--date YYYY-MM-DD]`: the program's daily job (see
keepcert.certifications.daily). Without --date it runs today in the program's time zone."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from keepcert.certifications.daily import run_day
from keepcert.core.errors import DomainError
from keepcert.program.models import Program


class Command(BaseCommand):
    help = (
        "Issue the invoices due to be issued and bring every certification's status up to "
        "the day. Running a day twice changes nothing more; a day before the last run is refused."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="The day to run, YYYY-MM-DD (default: today).")
        parser.add_argument("--program", default=None, help="Program code (default: this site's).")

    def handle(self, *args: Any, **options: Any) -> None:
        code = options["program"] or settings.KEEPCERT_PROGRAM
        program = Program.objects.filter(code=code).first()
        if program is None:
            raise CommandError(
                _("No program %(code)s is loaded: run manage.py load_program first.")
                % {"code": repr(code)}
            )
        day = program.today()
        if options["date"]:
            try:
                day = date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError(
                    _("--date %(value)s is not a date: write it as YYYY-MM-DD.")
                    % {"value": repr(options["date"])}
                ) from None
        try:
            report = run_day(program=program, day=day)
        except DomainError as error:
            raise CommandError(error.message) from None
        issued = ngettext(
            "%(count)d invoice issued", "%(count)d invoices issued", report.invoices_issued
        ) % {"count": report.invoices_issued}
        changed = ngettext(
            "%(count)d status changed", "%(count)d statuses changed", report.statuses_changed
        ) % {"count": report.statuses_changed}
        opened = ngettext(
            "%(count)d cycle opened", "%(count)d cycles opened", report.cycles_opened
        ) % {"count": report.cycles_opened}
        self.stdout.write(f"{report.day.isoformat()}: {issued}, {opened}, {changed}.")
