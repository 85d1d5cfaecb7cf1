"""The append-only event log: every state change and staff action, with who and when."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models


class EventQuerySet(models.QuerySet["Event"]):
    def for_subject(self, obj: models.Model) -> EventQuerySet:
        return self.filter(subject_type=obj._meta.label_lower, subject_id=str(obj.pk))


class Event(models.Model):
    """One thing that happened. Rows are only ever inserted.

    `actor` is who did it (a member, staff, or nobody for the system); `member` is
    whose record it affected, so a member's history is one indexed query. `data`
    holds what changed, e.g. {"before": {...}, "after": {...}} for an edit.
    """

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    member = models.ForeignKey(
        "members.Member", null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    action = models.CharField(max_length=80)
    subject_type = models.CharField(max_length=80)
    subject_id = models.CharField(max_length=40)
    data = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["subject_type", "subject_id"], name="event_subject_idx")]

    def __str__(self) -> str:
        return f"{self.action} {self.subject_type}#{self.subject_id}"


def log_event(
    *,
    action: str,
    subject: models.Model,
    actor: Any = None,
    member: Any = None,
    data: dict[str, Any] | None = None,
    ip_address: str | None = None,
) -> Event:
    """Record `action` on `subject`. Call it inside the service's transaction."""
    return Event.objects.create(
        action=action,
        subject_type=subject._meta.label_lower,
        subject_id=str(subject.pk),
        actor=actor if getattr(actor, "pk", None) else None,
        member=member,
        data=data or {},
        ip_address=ip_address,
    )
