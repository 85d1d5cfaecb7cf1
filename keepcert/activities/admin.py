from __future__ import annotations

from django.contrib import admin

from keepcert.activities.models import Activity


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin[Activity]):
    """Read-only for staff for now: corrections with a reason come with the staff console."""

    list_display = ["member", "title", "category", "start_date", "end_date", "points"]
    list_filter = ["category"]
    search_fields = ["member__member_number", "title"]
    readonly_fields = [f.name for f in Activity._meta.fields]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False
