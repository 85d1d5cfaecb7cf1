"""The Django admin, which holds program configuration, behind `staff_required`.

Two roles use it (SPEC §1). Every staff account may *look*: at the program configuration
and, read-only, at members' records. Only an **administrator** (`is_administrator`: an
active staff account with `is_superuser` set) changes the program configuration (rule set
versions, credentials, categories, the program's name) and staff accounts. Members'
records (members, certifications, cycles, activities, API tokens, members' accounts)
cannot be changed here by anyone: they change through services, which recalculate and
log, from the staff console.

It has no sign-in form of its own: Django's admin login calls `login()` without allauth's
MFA stage, rate limits or lockout, so its login page only sends people to allauth's.
Password changes go to allauth's page too, where they revoke API tokens and notify.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.db.models import Model
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from keepcert.core.models import log_event
from keepcert.staff.access import View, is_staff_session, staff_required


class StaffAdminSite(admin.AdminSite):
    site_header = _("KeepCert staff")
    site_title = _("KeepCert staff")

    def has_permission(self, request: HttpRequest) -> bool:
        return is_staff_session(request)

    def admin_view(self, view: View, cacheable: bool = False) -> View:  # type: ignore[override]
        return staff_required(super().admin_view(view, cacheable))

    def login(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        target = request.GET.get(REDIRECT_FIELD_NAME) or reverse("admin:index")
        response = redirect_to_login(target, reverse("account_login"))
        assert isinstance(response, HttpResponseRedirect)
        return response

    def password_change(  # type: ignore[override]
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponseBase:
        return redirect("account_change_password")


def is_staff(user: Any) -> bool:
    """Any active staff account. The site has already required a staff session passing
    `staff_required` before any admin view runs; this only answers the admin's questions."""
    return bool(user.is_active and user.is_staff)


def is_administrator(user: Any) -> bool:
    """The administrator role: a staff account with `is_superuser`. One flag, no group to
    keep in step; the demo's staff account and `createsuperuser` accounts have it."""
    return is_staff(user) and bool(user.is_superuser)


class ReadOnlyAdmin:
    """Staff may look; no one may add, change or delete here, however privileged.

    For records that change only through services (so that cycles are recalculated and
    the change is logged). Works for `ModelAdmin` and inlines alike.
    """

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_staff(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_staff(request.user)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ProgramConfigurationAdmin(ReadOnlyAdmin):
    """Program configuration: staff may look, the administrator adds and changes.

    Nothing is deleted: certifications, activities and older rule set versions refer to it.
    """

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_administrator(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_administrator(request.user)


def log_admin_save(request: HttpRequest, obj: Model, form: Any, change: bool) -> None:
    """Log an administrator's save of configuration in the event log, with the fields set.

    Call it in `save_model` after saving, inside the admin's transaction.
    """
    log_event(
        action=f"{obj._meta.label_lower}.{'changed' if change else 'added'}",
        subject=obj,
        actor=request.user,
        data={"fields": sorted(form.changed_data)},
    )
