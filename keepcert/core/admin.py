from __future__ import annotations

from django.contrib import admin

from keepcert.core.models import Event
from keepcert.staff.admin_site import ReadOnlyAdmin


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin, admin.ModelAdmin[Event]):
    """Read-only: the log is append-only, even for superusers."""

    list_display = ["created_at", "action", "member", "actor", "subject_type", "subject_id"]
    list_filter = ["action"]
    search_fields = ["member__member_number", "action", "subject_id"]
    date_hierarchy = "created_at"
