"""Demo members that show the interesting cases, with dates relative to today.

Current-cycle activities go through `record_activity`, like a member's own entries.
Activities in cycles that have already ended are written directly, as an import of
legacy history would: the recording rules (rightly) refuse entries for closed cycles.
The cycles before a certification came to KeepCert are brought in (`create_certification`);
the cycles that ended here, short (Gina's, in its grace period, and Leo's, lapsed), are
set as the daily sweep would leave them, since nothing in KeepCert closes a cycle yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from allauth.account.models import EmailAddress
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils import timezone

from keepcert import rules
from keepcert.activities.models import Activity, CycleActivity
from keepcert.activities.services import ActivityData, Attestation, record_activity
from keepcert.billing.models import Invoice
from keepcert.certifications import reasons
from keepcert.certifications.models import Certification, Cycle
from keepcert.certifications.services import create_certification
from keepcert.members.models import Member, User
from keepcert.program.models import Category, Credential, Program
from keepcert.program.selectors import rules_of
from keepcert.rules import lifecycle

DEMO_PASSWORD = "keepcert-demo"  # noqa: S105 - printed by `make run`, local demo only
STAFF_EMAIL = "staff@keepcert.localhost"


@dataclass(frozen=True)
class Persona:
    number: str
    first: str
    last: str
    story: str
    account: bool = True

    @property
    def email(self) -> str:
        return f"{self.first.lower()}@keepcert.localhost"


PERSONAS = [
    Persona("900001", "Nora", "Newman", "new RMA certification, first activity"),
    Persona(
        "900002",
        "Dana",
        "Doyle",
        "RMA cycle ends in about two months, 2 points short; its invoice waits",
    ),
    Persona("900003", "Ben", "Baker", "RPT, behind pace; a fee a week overdue to pay"),
    Persona("900004", "Tara", "Torres", "two credentials (RMA and RPT), entries reported once"),
    Persona("900005", "Gary", "Grant", "CMAS certified in 2001: grandfathered, no CE cycles"),
    Persona("900006", "Emma", "Ellis", "MLT; a past cycle spans the 2020 employment limit"),
    Persona("900007", "Carla", "Cruz", "no online account yet: claim it", account=False),
    Persona("900008", "Gina", "Garcia", "RMA cycle ended 4 points short: grace period"),
    Persona("900009", "Leo", "Lane", "RPT lapsed: its cycle ended short"),
]


def _month_start(day: date) -> date:
    return day.replace(day=1)


class Command(BaseCommand):
    help = "Load demo members (idempotent): see the README for their logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--quiet", action="store_true")

    @transaction.atomic
    def handle(self, *args: Any, quiet: bool = False, **options: Any) -> None:
        self.program = Program.objects.get(code="amt-ccp")
        self.today = self.program.today()
        self.rules = rules_of(self.program)
        if not User.objects.filter(email=STAFF_EMAIL).exists():
            staff = User.objects.create_superuser(
                email=STAFF_EMAIL, password=DEMO_PASSWORD, first_name="Sam", last_name="Staff"
            )
            EmailAddress.objects.create(user=staff, email=STAFF_EMAIL, primary=True, verified=True)
        for persona in PERSONAS:
            if not Member.objects.filter(member_number=persona.number).exists():
                getattr(self, f"_build_{persona.first.lower()}")(self._member(persona))
        if not quiet:
            self._print_logins()

    def _print_logins(self) -> None:
        self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD})")
        self.stdout.write(f"  {STAFF_EMAIL:<28} staff: admin at /admin/")
        for p in PERSONAS:
            if p.account:
                self.stdout.write(f"  {p.email:<28} {p.story}")
            else:
                self.stdout.write(
                    f"  (claim at /claim/)           member ID {p.number}, last name {p.last}, "
                    "born 1988-07-04: " + p.story
                )

    # --- builders -------------------------------------------------------------------

    def _member(self, persona: Persona) -> Member:
        member = Member.objects.create(
            program=self.program,
            member_number=persona.number,
            first_name=persona.first,
            last_name=persona.last,
            date_of_birth=date(1988, 7, 4),
            email=persona.email,
            address_line1="10700 West Higgins Road",
            city="Rosemont",
            region="IL",
            postal_code="60018",
        )
        if persona.account:
            user = User.objects.create_user(
                email=persona.email,
                password=DEMO_PASSWORD,
                first_name=persona.first,
                last_name=persona.last,
            )
            EmailAddress.objects.create(user=user, email=persona.email, primary=True, verified=True)
            member.user = user
            member.save(update_fields=["user"])
        return member

    def _certify(self, member: Member, code: str, on: date) -> Certification:
        credential = Credential.objects.get(program=self.program, code=code)
        return create_certification(member=member, credential=credential, certified_on=on)

    def _record(
        self,
        member: Member,
        title: str,
        points: str,
        days_ago: int,
        category: str = "professional-education",
        provider: str = "AMT",
        length_days: int = 0,
    ) -> None:
        end = self.today - timedelta(days=days_ago)
        record_activity(
            member=member,
            data=ActivityData(
                category=Category.objects.get(program=self.program, code=category),
                title=title,
                provider=provider,
                start_date=end - timedelta(days=length_days),
                end_date=end,
                points=Decimal(points),
            ),
            attestation=Attestation(accepted=True, ip_address="127.0.0.1"),
            actor=member.user,
            confirm_duplicate=True,
            confirm_large_points=True,
        )

    def _import(
        self, cycle: Cycle, title: str, points: str, start: date, end: date, category: str
    ) -> None:
        activity = Activity.objects.create(
            member=cycle.certification.member,
            category=Category.objects.get(program=self.program, code=category),
            title=title,
            start_date=start,
            end_date=end,
            points=Decimal(points),
            attestation_text=self.rules.rule_set_on(start).attestation_text,
            attested_at=timezone.now(),
        )
        CycleActivity.objects.create(activity=activity, cycle=cycle)

    def _next_invoice(self, certification: Certification) -> Invoice | None:
        """The latest annual invoice the daily job would have issued by today (its amount
        from the fee table, a closing invoice tied to its cycle), so the demo has something
        to pay before the scheduler exists; the years before it count as paid."""
        rule_set = self.rules.rule_set_on(self.today)
        issued_by_now = lifecycle.invoice_due_dates(
            certification.certified_on, self.today + timedelta(days=rule_set.invoice_lead_days)
        )
        if not issued_by_now:
            return None
        due = issued_by_now[-1]
        fee = rule_set.credential_rules.get(credential=certification.credential).annual_fee
        if fee is None:
            return None  # no fee set: no invoice (and a staff alert, once the console exists)
        return Invoice.objects.create(
            certification=certification,
            due=due,
            issued_on=due - timedelta(days=rule_set.invoice_lead_days),
            amount=fee,
            currency=self.program.currency,
            closing_cycle=certification.cycles.filter(end=due).first(),
        )

    def _build_nora(self, member: Member) -> None:
        self._certify(member, "RMA", self.today - timedelta(days=60))
        self._record(member, "Bloodborne pathogens refresher", "2", days_ago=20)

    def _build_dana(self, member: Member) -> None:
        # Certified three years before the month 40 days from now: the cycle ends then.
        ends = self.today + timedelta(days=40)
        self._certify(member, "RMA", date(ends.year - 3, ends.month, 5))
        topics = [
            ("HIPAA privacy essentials", "4"),
            ("Vital signs in older adults", "3.5"),
            ("Pharmacology for medical assistants", "6"),
            ("Electronic health records workshop", "5"),
            ("Phlebotomy techniques update", "4.5"),
            ("CPR and first aid renewal", "5"),
        ]
        for index, (title, points) in enumerate(topics):
            self._record(member, title, points, days_ago=60 + index * 140)
        # Due at the cycle's end: locked until the day after she reaches 30 points.
        self._next_invoice(member.certifications.get())

    def _build_ben(self, member: Member) -> None:
        rpt = self._certify(member, "RPT", _month_start(self.today) - timedelta(days=365 * 2 + 30))
        self._next_invoice(rpt)  # due last month: he can pay it through the offline gateway
        self._record(member, "Specimen handling webinar", "1.5", days_ago=300)
        self._record(member, "Venipuncture safety", "2.5", days_ago=90)

    def _build_tara(self, member: Member) -> None:
        rma = self._certify(member, "RMA", _month_start(self.today) - timedelta(days=365 * 4 + 200))
        # Her first RMA cycle was completed before KeepCert, with a total AMT had on file.
        rma.cycles.filter(origin=Cycle.Origin.BROUGHT_IN).update(brought_in_points=Decimal(32))
        self._certify(member, "RPT", _month_start(self.today) - timedelta(days=365 + 120))
        self._record(member, "Infection control in outpatient care", "3", days_ago=45)
        self._record(
            member, "Patient communication skills", "2", days_ago=100, provider="State society"
        )
        self._record(
            member,
            "State society annual conference",
            "8",
            days_ago=200,
            length_days=2,
            provider="Texas State Society of AMT",
        )
        self._record(
            member,
            "Committee member, state society",
            "3",
            days_ago=30,
            category="organizational-participation",
            provider="Texas State Society of AMT",
        )

    def _build_gary(self, member: Member) -> None:
        self._certify(member, "CMAS", date(2001, 6, 1))

    def _build_emma(self, member: Member) -> None:
        self._certify(member, "MLT", date(2018, 10, 10))
        first = Cycle.objects.get(certification__member=member, start=date(2018, 10, 10))
        assert first.window == rules.first_cycle(date(2018, 10, 10))
        self._import(
            first,
            "Clinical laboratory employment, 2019",
            "15",
            date(2019, 1, 1),
            date(2019, 12, 31),
            "employment-verification",
        )
        self._import(
            first,
            "Clinical laboratory employment, 2020",
            "15",
            date(2020, 1, 1),
            date(2020, 12, 31),
            "employment-verification",
        )
        self._import(
            first,
            "Hematology case studies",
            "10",
            date(2021, 2, 3),
            date(2021, 2, 5),
            "professional-education",
        )
        self._import(
            first,
            "Molecular methods course",
            "8",
            date(2021, 6, 1),
            date(2021, 8, 20),
            "formal-education",
        )
        self._record(member, "Quality control in the core lab", "6", days_ago=150)
        self._record(member, "Microbiology update", "4", days_ago=40)

    def _build_carla(self, member: Member) -> None:
        self._certify(member, "RMA", self.today - timedelta(days=500))

    def _ended_here(
        self,
        certification: Certification,
        end: date,
        status: str,
        activities: list[tuple[str, str, int]],
    ) -> Cycle:
        """The cycle of `certification` ending on `end`, as if it had run in KeepCert and
        ended with `status` (open: in its grace period), with `activities` (title, points,
        days before the end) imported into it; the cycles after it removed."""
        certification.cycles.filter(start__gt=end).delete()
        cycle = certification.cycles.get(end=end)
        cycle.status = status
        cycle.origin = Cycle.Origin.RECORDED
        cycle.save(update_fields=["status", "origin"])
        for title, points, days_before_end in activities:
            day = end - timedelta(days=days_before_end)
            self._import(cycle, title, points, day, day, "professional-education")
        return cycle

    def _build_gina(self, member: Member) -> None:
        # Her cycle ended on the last day of last month: the grace period runs 30 days on
        # (on the 31st of a month it has just closed). 26 of 30 points.
        ended = self.today.replace(day=1) - timedelta(days=1)
        certification = self._certify(member, "RMA", date(ended.year - 3, ended.month, 5))
        self._ended_here(
            certification,
            ended,
            Cycle.Status.OPEN,
            [
                ("Medical law and ethics", "8", 900),
                ("Patient safety and infection control", "10", 500),
                ("Point-of-care testing", "8", 120),
            ],
        )

    def _build_leo(self, member: Member) -> None:
        # His cycle ended four months ago, 15 of 24 points; it lapsed when the grace ended.
        ended = (self.today.replace(day=1) - timedelta(days=95)).replace(day=1) - timedelta(days=1)
        certification = self._certify(member, "RPT", date(ended.year - 3, ended.month, 12))
        cycle = self._ended_here(
            certification,
            ended,
            Cycle.Status.NONCOMPLIANT,
            [
                ("Venipuncture in pediatric patients", "6", 700),
                ("Order of draw refresher", "4", 400),
                ("Specimen labeling", "5", 200),
            ],
        )
        grace_days = self.rules.rule_set_for_cycle(cycle).recording_grace_days
        certification.status = Certification.Status.LAPSED
        certification.status_reason = reasons.CE_NOT_MET
        certification.status_changed_on = rules.recording_deadline(
            cycle.window, grace_days
        ) + timedelta(days=1)
        certification.save(update_fields=["status", "status_reason", "status_changed_on"])
