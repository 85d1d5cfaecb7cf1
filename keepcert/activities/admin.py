from __future__ import annotations

from django.contrib import admin

from keepcert.activities.models import Activity
from keepcert.staff.admin_site import ReadOnlyAdmin


@admin.register(Activity)
class ActivityAdmin(ReadOnlyAdmin, admin.ModelAdmin[Activity]):
    """Read-only: an activity changes through the activity services, which recount the
    cycles and log; staff corrections with a reason come with the staff console."""

    list_display = ["member", "title", "category", "start_date", "end_date", "points"]
    list_filter = ["category"]
    search_fields = ["member__member_number", "title"]
