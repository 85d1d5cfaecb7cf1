"""Who may use a staff page: the one check every staff view goes through (SPEC §13).

A staff page needs an active staff account whose *session* passed the second factor.
Having TOTP set up is not enough on its own: a session that signed in some other way
(a password form that skips allauth's MFA stage) must not count. allauth records each
authentication step of the session ("password", "code", "mfa"); this module reads that
record. `KEEPCERT_STAFF_REQUIRE_MFA=0` (the local demo only) drops the MFA part.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from allauth.account.authentication import get_authentication_records
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

View = Callable[..., HttpResponseBase]


def session_passed_mfa(request: HttpRequest) -> bool:
    """Whether this session (not merely the account) completed a second factor."""
    records = get_authentication_records(request, request.user)
    return any(record.get("method") == "mfa" for record in records)


def staff_refusal(request: HttpRequest) -> HttpResponseBase | None:
    """Why this request may not use a staff page, as the response to give; None if it may.

    Raises PermissionDenied (403) for a signed-in account that is not staff.
    """
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path(), reverse("account_login"))
    if not (user.is_active and user.is_staff):
        raise PermissionDenied(_("This page is for staff."))
    if not settings.KEEPCERT_STAFF_REQUIRE_MFA:
        return None
    if not is_mfa_enabled(user):
        messages.warning(
            request, _("Staff must set up an authenticator app before using the staff pages.")
        )
        return redirect("mfa_activate_totp")
    if not session_passed_mfa(request):
        messages.info(
            request, _("Enter the code from your authenticator app to open the staff pages.")
        )
        return redirect(
            f"{reverse('mfa_reauthenticate')}?{urlencode({'next': request.get_full_path()})}"
        )
    return None


def is_staff_session(request: HttpRequest) -> bool:
    """The same rule as a yes/no, for code that may only ask (the admin's has_permission)."""
    try:
        return staff_refusal(request) is None
    except PermissionDenied:
        return False


def staff_required(view: View) -> View:
    """Guard a staff view: signed in, active staff, and this session passed MFA."""

    @wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        refusal = staff_refusal(request)
        if refusal is not None:
            return refusal
        return view(request, *args, **kwargs)

    guarded.staff_required = True  # type: ignore[attr-defined]
    return guarded
