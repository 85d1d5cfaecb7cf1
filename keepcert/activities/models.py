"""CE activities a member records, and which cycles each one is claimed against (SPEC §4)."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q


class ActivityQuerySet(models.QuerySet["Activity"]):
    def for_member(self, member_id: int) -> ActivityQuerySet:
        return self.filter(member_id=member_id)


class Activity(models.Model):
    """One CE activity, entered once and claimed against one or more cycles.

    The attestation fields keep what the member attested to, when, and from which
    address, as evidence if the entry is ever questioned.
    """

    member = models.ForeignKey(
        "members.Member", on_delete=models.CASCADE, related_name="activities"
    )
    category = models.ForeignKey("program.Category", on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=200)
    provider = models.CharField(max_length=200, blank=True)
    start_date = models.DateField()
    end_date = models.DateField()
    points = models.DecimalField(max_digits=5, decimal_places=2)
    units = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    notes = models.TextField(blank=True)
    attestation_text = models.TextField()
    attested_at = models.DateTimeField()
    attested_from = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    cycles = models.ManyToManyField(
        "certifications.Cycle", through="ActivityClaim", related_name="activities"
    )

    objects = ActivityQuerySet.as_manager()

    class Meta:
        ordering = ["-end_date", "-start_date", "-id"]
        verbose_name_plural = "activities"
        indexes = [
            models.Index(fields=["member", "category", "start_date"], name="activity_dup_idx")
        ]
        constraints = [
            models.CheckConstraint(condition=Q(points__gt=0), name="activity_points_positive"),
            models.CheckConstraint(
                condition=Q(start_date__lte=F("end_date")), name="activity_start_before_end"
            ),
            models.CheckConstraint(condition=~Q(title=""), name="activity_title_required"),
        ]

    def __str__(self) -> str:
        return self.title


class ActivityClaim(models.Model):
    """An activity counted toward one cycle ("report once" fills several)."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="claims")
    cycle = models.ForeignKey(
        "certifications.Cycle", on_delete=models.CASCADE, related_name="claims"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["activity", "cycle"], name="claim_once_per_cycle")
        ]

    def __str__(self) -> str:
        return f"{self.activity_id} → cycle {self.cycle_id}"
