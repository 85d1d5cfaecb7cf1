from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from keepcert.core.models import Event


@admin.register(Event)
class EventAdmin(admin.ModelAdmin[Event]):
    """Read-only: the log is append-only, even for superusers."""

    list_display = ["created_at", "action", "member", "actor", "subject_type", "subject_id"]
    list_filter = ["action"]
    search_fields = ["member__member_number", "action", "subject_id"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Event | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Event | None = None) -> bool:
        return False
