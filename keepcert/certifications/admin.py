from __future__ import annotations

from django.contrib import admin

from keepcert.certifications.models import Certification, Cycle


class CycleInline(admin.TabularInline[Cycle, Certification]):
    model = Cycle
    extra = 0
    fields = ("start", "end", "status")
    readonly_fields = ("start", "end", "status")
    can_delete = False


@admin.register(Certification)
class CertificationAdmin(admin.ModelAdmin[Certification]):
    list_display = ["member", "credential", "certified_on", "status"]
    list_filter = ["status", "credential"]
    search_fields = ["member__member_number", "member__last_name"]
    raw_id_fields = ["member"]
    inlines = [CycleInline]
