from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from keepcert.certifications.models import Certification
from keepcert.members.models import ApiToken, Member, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin[User]):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_staff", "is_active", "last_login"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Name", {"fields": ("first_name", "last_name")}),
        (
            "Permissions",
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


class CertificationInline(admin.TabularInline[Certification, Member]):
    model = Certification
    extra = 0
    fields = ("credential", "certified_on", "status", "status_reason", "status_changed_on")
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        # Certifications are added through the service so their cycles are created.
        return False


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin[Member]):
    list_display = ["member_number", "last_name", "first_name", "email", "user"]
    search_fields = ["member_number", "last_name", "first_name", "email"]
    raw_id_fields = ["user"]
    inlines = [CertificationInline]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    list_display = ["member", "name", "prefix", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["member", "name", "prefix", "token_hash", "created_at", "last_used_at"]
