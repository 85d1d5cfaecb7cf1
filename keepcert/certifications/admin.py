from __future__ import annotations

from django.contrib import admin

from keepcert.certifications.models import Certification, Cycle
from keepcert.staff.admin_site import ReadOnlyAdmin


class CycleInline(ReadOnlyAdmin, admin.TabularInline[Cycle, Certification]):
    model = Cycle
    extra = 0
    fields = ("start", "end", "status")


@admin.register(Certification)
class CertificationAdmin(ReadOnlyAdmin, admin.ModelAdmin[Certification]):
    """Read-only: a certification's dates and status decide its cycles, so they change
    only through the certification services, which recalculate the cycles and log."""

    list_display = ["member", "credential", "certified_on", "status"]
    list_filter = ["status", "credential"]
    search_fields = ["member__member_number", "member__last_name"]
    inlines = [CycleInline]
