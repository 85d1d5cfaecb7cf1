"""Who is calling: a member's personal API token, sent as a bearer token.

The API accepts nothing else. A browser's session cookie is ignored, so a page on
another site cannot make a signed-in member's browser call the API (and the API
needs no CSRF token).
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer

from keepcert.members.models import Member
from keepcert.members.services import member_for_api_token


class MemberToken(HttpBearer):
    """`Authorization: Bearer kc_…`: a live personal API token of a member."""

    def authenticate(self, request: HttpRequest, token: str) -> Member | None:
        return member_for_api_token(token)


def member_of(request: HttpRequest) -> Member:
    """The member whose token authenticated this request."""
    member = getattr(request, "auth", None)
    assert isinstance(member, Member), "every operation requires MemberToken"
    return member
