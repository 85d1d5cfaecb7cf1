"""CE activities a member records, which cycles each one is claimed against, and the
evidence files kept with it (SPEC §4)."""

from __future__ import annotations

import re
import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from keepcert.activities import limits


class ActivityQuerySet(models.QuerySet["Activity"]):
    def for_member(self, member_id: int) -> ActivityQuerySet:
        return self.filter(member_id=member_id)


class Activity(models.Model):
    """One CE activity, entered once and claimed against one or more cycles.

    The attestation fields keep what the member attested to (the program's sentence in the
    language the member read it in), when, and from which address, as evidence if the
    entry is ever questioned.
    """

    member = models.ForeignKey(
        "members.Member", on_delete=models.CASCADE, related_name="activities"
    )
    category = models.ForeignKey("program.Category", on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=limits.MAX_TITLE_LENGTH)
    provider = models.CharField(max_length=limits.MAX_PROVIDER_LENGTH, blank=True)
    start_date = models.DateField()
    end_date = models.DateField()
    points = models.DecimalField(max_digits=5, decimal_places=2)
    units = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    notes = models.TextField(blank=True)
    attestation_text = models.TextField()
    attestation_language = models.CharField(
        max_length=16,
        default=settings.LANGUAGE_CODE,
        help_text="The language of the attestation text, as the member read it.",
    )
    attested_at = models.DateTimeField()
    attested_from = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    cycles = models.ManyToManyField(
        "certifications.Cycle", through="CycleActivity", related_name="activities"
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


class CycleActivity(models.Model):
    """An activity counted toward one cycle ("report once" fills several)."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="cycle_links")
    # Indexed by the unique constraint below, which leads with the cycle.
    cycle = models.ForeignKey(
        "certifications.Cycle",
        on_delete=models.CASCADE,
        related_name="activity_links",
        db_index=False,
    )

    class Meta:
        constraints = [
            # Cycle first: its index then also lists a cycle's activities without reading
            # the table, which is how the daily sweep reads every open cycle's activities.
            models.UniqueConstraint(fields=["cycle", "activity"], name="activity_once_per_cycle")
        ]

    def __str__(self) -> str:
        return f"{self.activity_id} → cycle {self.cycle_id}"


def evidence_path(instance: Evidence, filename: str) -> str:
    """Where a file is stored: under its member, named by a random id.

    The member's own file name never reaches the disk (it is kept in `original_name`):
    it could collide, leak through a listing, or carry characters a storage refuses.
    """
    extension = PurePath(filename).suffix.lower()
    if not re.fullmatch(r"\.[a-z0-9]{1,8}", extension):
        extension = ""
    return f"evidence/{instance.activity.member_id}/{uuid.uuid4()}{extension}"


class EvidenceQuerySet(models.QuerySet["Evidence"]):
    def for_member(self, member_id: int) -> EvidenceQuerySet:
        return self.filter(activity__member_id=member_id)


class Evidence(models.Model):
    """A file the member keeps with an activity: a certificate, transcript or letter.

    The member's vault: staff look at it only in an audit or a reactivation review.
    `content_type` is the type the service recognised from the file's first bytes, not
    what the browser claimed.
    """

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to=evidence_path, max_length=200)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name_plural = "evidence"
        constraints = [
            models.CheckConstraint(condition=Q(size__gt=0), name="evidence_size_positive"),
        ]

    def __str__(self) -> str:
        return self.original_name
