"""Certifications a member holds and the CE cycles of each (SPEC §3, §6)."""

from __future__ import annotations

from datetime import date

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from keepcert import rules


class Certification(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", pgettext_lazy("certification status", "Active")
        INACTIVE = "inactive", pgettext_lazy("certification status", "Inactive")
        LAPSED = "lapsed", pgettext_lazy("certification status", "Lapsed")
        EXEMPT = "exempt", pgettext_lazy("certification status", "Exempt (grandfathered)")
        REVOKED = "revoked", pgettext_lazy("certification status", "Revoked")
        RETIRED = "retired", pgettext_lazy("certification status", "Retired")

    member = models.ForeignKey(
        "members.Member", on_delete=models.CASCADE, related_name="certifications"
    )
    credential = models.ForeignKey(
        "program.Credential", on_delete=models.PROTECT, related_name="certifications"
    )
    certified_on = models.DateField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    status_reason = models.CharField(max_length=300, blank=True)
    status_changed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["credential__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "credential"], name="certification_once_per_credential"
            )
        ]

    def __str__(self) -> str:
        return f"{self.credential.code} for {self.member_id}"

    @property
    def is_exempt(self) -> bool:
        return self.status == self.Status.EXEMPT


class CycleQuerySet(models.QuerySet["Cycle"]):
    def for_member(self, member_id: int) -> CycleQuerySet:
        return self.filter(certification__member_id=member_id)

    def open(self) -> CycleQuerySet:
        return self.filter(status=Cycle.Status.OPEN)

    def begun(self) -> CycleQuerySet:
        """Every cycle but an upcoming one: what a member's past and current cycles are."""
        return self.exclude(status=Cycle.Status.UPCOMING)

    def containing(self, day: date) -> CycleQuerySet:
        return self.filter(start__lte=day, end__gte=day)


class Cycle(models.Model):
    """One CE cycle of a certification: its dates are inclusive calendar dates."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("cycle status", "Open")
        COMPLIANT = "compliant", _("Requirement met")
        NONCOMPLIANT = "noncompliant", _("Ended short")
        # The next cycle of a compliant one, from compliance until the day it opens.
        UPCOMING = "upcoming", pgettext_lazy("cycle status", "Upcoming")

    certification = models.ForeignKey(
        Certification, on_delete=models.CASCADE, related_name="cycles"
    )
    start = models.DateField()
    end = models.DateField()

    class Origin(models.TextChoices):
        RECORDED = "recorded", pgettext_lazy("cycle origin", "Recorded in KeepCert")
        BROUGHT_IN = "brought_in", pgettext_lazy("cycle origin", "Brought in")

    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    origin = models.CharField(
        max_length=16,
        choices=Origin.choices,
        default=Origin.RECORDED,
        help_text="Brought in: completed before the member's record came to KeepCert.",
    )
    met_on = models.DateField(
        null=True,
        blank=True,
        help_text=(
            "The day its counted points reached the requirement (empty while they do not): "
            "the closing invoice is payable from the day after."
        ),
    )
    brought_in_points = models.DecimalField(
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="The points the cycle counted where it was kept before, if known.",
    )

    objects = CycleQuerySet.as_manager()

    class Meta:
        ordering = ["certification", "-start"]
        constraints = [
            models.CheckConstraint(condition=Q(start__lte=F("end")), name="cycle_start_before_end"),
            models.UniqueConstraint(fields=["certification", "start"], name="cycle_start_unique"),
            models.UniqueConstraint(
                fields=["certification"],
                condition=Q(status="open"),
                name="cycle_one_open_per_certification",
            ),
            models.CheckConstraint(
                condition=Q(brought_in_points__isnull=True)
                | Q(origin="brought_in", brought_in_points__gte=0),
                name="cycle_brought_in_points_only_when_brought_in",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.start:%Y-%m-%d} – {self.end:%Y-%m-%d}"

    @property
    def window(self) -> rules.Window:
        return rules.Window(self.start, self.end)

    @property
    def is_closed(self) -> bool:
        """Ended with an outcome (requirement met or ended short): no more to do in it."""
        return self.status != self.Status.OPEN

    @property
    def is_brought_in(self) -> bool:
        return self.origin == self.Origin.BROUGHT_IN


class DailyRun(models.Model):
    """One run of the daily job for a program's calendar day (`manage.py keepcert_daily`).

    A day may be run again (every step is idempotent); a day before the latest run is
    refused, so the clock never runs backwards over statuses already recorded.
    """

    program = models.ForeignKey("program.Program", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    report = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["program", "-day"]
        constraints = [
            models.UniqueConstraint(fields=["program", "day"], name="daily_run_once_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.program_id} {self.day:%Y-%m-%d}"
