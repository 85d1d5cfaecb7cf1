from __future__ import annotations

from collections.abc import Callable

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect


class StaffMfaMiddleware:
    """Keep staff out of the admin until they have set up TOTP (SPEC §13).

    A user with TOTP enabled cannot finish signing in without the second factor
    (allauth asks for it), so "has TOTP" is enough to know the session passed it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            settings.KEEPCERT_STAFF_REQUIRE_MFA
            and request.path.startswith("/admin/")
            and user.is_authenticated
            and user.is_staff
            and not is_mfa_enabled(user)
        ):
            messages.warning(
                request, "Staff must set up an authenticator app before using the staff pages."
            )
            return redirect("mfa_activate_totp")
        return self.get_response(request)
