from __future__ import annotations

from typing import Any

from allauth.account.admin import EmailAddressAdmin
from allauth.account.models import EmailAddress
from allauth.mfa.admin import AuthenticatorAdmin
from allauth.mfa.models import Authenticator
from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from keepcert.certifications.models import Certification
from keepcert.core.errors import DomainError
from keepcert.members.models import ApiToken, Member, NameChangeRequest, User
from keepcert.members.services import check_name_change_decision, decide_name_change
from keepcert.staff.admin_site import ReadOnlyAdmin, is_administrator, is_staff, log_admin_save


@admin.register(User)
class UserAdmin(DjangoUserAdmin[User]):
    """Staff accounts, which the administrator maintains. Members' accounts are read-only
    here: their email, password and tokens change through allauth and the member services,
    which revoke tokens and notify the member."""

    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_staff", "is_active", "last_login"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Name"), {"fields": ("first_name", "last_name")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_staff(request.user)

    def has_view_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        return is_staff(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return is_administrator(request.user)  # an account added here is a staff account

    def has_change_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        return is_administrator(request.user) and (obj is None or obj.is_staff)

    def has_delete_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        return False  # deactivate instead: events and records keep pointing at the account

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        if not change:
            obj.is_staff = True
        super().save_model(request, obj, form, change)
        log_admin_save(request, obj, form, change)


class CertificationInline(ReadOnlyAdmin, admin.TabularInline[Certification, Member]):
    model = Certification
    extra = 0
    fields = ("credential", "certified_on", "status", "status_reason", "status_changed_on")
    show_change_link = True


@admin.register(Member)
class MemberAdmin(ReadOnlyAdmin, admin.ModelAdmin[Member]):
    """Read-only: members' records change through the member services, from the staff
    console, so that every change is checked and logged."""

    list_display = ["member_number", "last_name", "first_name", "email", "user"]
    search_fields = ["member_number", "last_name", "first_name", "email"]
    inlines = [CertificationInline]


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin, admin.ModelAdmin[ApiToken]):
    """Read-only: a revoked token stays revoked. Tokens are revoked through the member
    services (by the member, or on deactivation and password change)."""

    list_display = ["member", "name", "prefix", "created_at", "last_used_at", "revoked_at"]
    exclude = ["token_hash"]


class NameChangeDecisionForm(forms.ModelForm[NameChangeRequest]):
    """Staff's decision on a waiting request: the service applies it (and checks it again,
    under a lock, in case another member of staff decided first)."""

    decision = forms.ChoiceField(
        choices=[
            ("approve", _("Approve: the member's name becomes the requested one")),
            ("decline", _("Decline: the name stays as it is")),
        ],
        widget=forms.RadioSelect,
    )

    class Meta:
        model = NameChangeRequest
        fields = ["staff_reason"]
        labels = {"staff_reason": _("Reason (the member reads it; required to decline)")}

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        if "decision" in cleaned:
            try:
                cleaned["staff_reason"] = check_name_change_decision(
                    approve=cleaned["decision"] == "approve",
                    staff_reason=cleaned.get("staff_reason") or "",
                )
            except DomainError as error:
                self.add_error("staff_reason", error.message)
        return cleaned


@admin.register(NameChangeRequest)
class NameChangeRequestAdmin(admin.ModelAdmin[NameChangeRequest]):
    """Members' legal name change requests. Staff decide a waiting one here, through
    `decide_name_change`; nothing else about it (or the member) can be changed."""

    form = NameChangeDecisionForm
    list_display = ["member", "current_name", "requested_name", "created_at", "status"]
    list_filter = ["status"]
    search_fields = ["member__member_number", "member__last_name", "requested_last_name"]
    readonly_fields = [
        "member",
        "current_first_name",
        "current_last_name",
        "requested_first_name",
        "requested_last_name",
        "reason",
        "will_send_document",
        "created_at",
        "status",
        "decided_by",
        "decided_at",
    ]

    def get_fields(self, request: HttpRequest, obj: NameChangeRequest | None = None) -> Any:
        fields = [*self.readonly_fields, "staff_reason"]
        if obj is not None and obj.status == NameChangeRequest.Status.PENDING:
            fields.insert(fields.index("staff_reason"), "decision")
        return fields

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_staff(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_staff(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # members ask, from their profile

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_staff(request.user) and (
            obj is None or obj.status == NameChangeRequest.Status.PENDING
        )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(
        self, request: HttpRequest, obj: NameChangeRequest, form: Any, change: bool
    ) -> None:
        try:
            decide_name_change(
                request=request,
                change=obj,
                approve=form.cleaned_data["decision"] == "approve",
                staff_reason=form.cleaned_data.get("staff_reason") or "",
                actor=request.user,  # type: ignore[arg-type]
            )
        except DomainError as error:
            self.message_user(request, error.message, messages.ERROR)


# allauth's own records of a member's sign-in: an email address changed here would hand
# the account to whoever owns the new one, and an authenticator is a second factor.
# They change only through allauth's pages, by the account holder.
for _model, _admin in (
    (EmailAddress, EmailAddressAdmin),
    (Authenticator, AuthenticatorAdmin),
):
    admin.site.unregister(_model)
    admin.site.register(_model, type(f"ReadOnly{_admin.__name__}", (ReadOnlyAdmin, _admin), {}))
