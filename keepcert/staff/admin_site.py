"""The Django admin, which holds program configuration, behind `staff_required`.

It has no sign-in form of its own: Django's admin login calls `login()` without allauth's
MFA stage, rate limits or lockout, so its login page only sends people to allauth's.
Password changes go to allauth's page too, where they revoke API tokens and notify.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse

from keepcert.staff.access import View, is_staff_session, staff_required


class StaffAdminSite(admin.AdminSite):
    site_header = "KeepCert staff"
    site_title = "KeepCert staff"

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
