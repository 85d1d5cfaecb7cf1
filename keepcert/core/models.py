"""The append-only event log: every state change and staff action, with who and when."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone


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


class IdempotencyKey(models.Model):
    """A client's `Idempotency-Key` for one credential, and the answer it got.

    The row is inserted (in its own transaction) before the work starts, so a twin of
    the request finds it and does nothing; `status` and `body` are written in the work's
    own transaction, so the answer is kept exactly when the work is. `credential` names
    who sent the key (`token:<ApiToken pk>`; later kinds of credential get their own
    prefix) and `request_hash` is a SHA-256 of method, path and body. Rows older than
    `KEEPCERT_IDEMPOTENCY_TTL_HOURS` count as gone; `manage.py purge_expired`
    deletes them.
    """

    credential = models.CharField(max_length=80)
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    status = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Empty while the first request is in flight."
    )
    body = models.JSONField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["credential", "key"], name="idempotency_key_once_per_credential"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.credential} {self.key}"


class RateCounter(models.Model):
    """How many requests one rate-limit key made in one fixed window (`keepcert.core.ratelimit`).

    `bucket` names the key and the window's start, so each window is its own row, counted
    up by one atomic upsert; rows past `expires_at` are dead weight that
    `manage.py purge_expired` deletes.
    """

    bucket = models.CharField(max_length=120, primary_key=True)
    count = models.PositiveIntegerField()
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.bucket}: {self.count}"
