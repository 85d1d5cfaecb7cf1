"""Nothing personal is kept by a browser's or a proxy's cache.

A page served to a signed-in member (dashboard, cycle, activity, profile, the page
showing a new API token once) and every API answer carry `Cache-Control: private,
no-store`: the back button on a shared computer after signing out, or a caching proxy,
must not show one member's record to the next person.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase

NO_STORE = "private, no-store"


class NoStoreMiddleware:
    """Place after AuthenticationMiddleware (it reads `request.user`)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if request.path.startswith("/api/") or _signed_in(request):
            # Replaces any other policy a view set: personal content is never stored.
            response["Cache-Control"] = NO_STORE
        return response


def _signed_in(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)
