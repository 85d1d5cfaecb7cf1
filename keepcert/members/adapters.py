from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest


class AccountAdapter(DefaultAccountAdapter):  # type: ignore[misc]
    """Accounts are claimed against a member record (SPEC §13), never opened freely."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False


def axes_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    """The email tried, whichever form sent it (allauth: "email"/"login", admin: "username")."""
    source: Any = credentials or request.POST
    for key in ("email", "login", "username"):
        value = source.get(key)
        if value:
            return str(value).strip().lower()
    return ""
