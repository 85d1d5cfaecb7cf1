"""Who is calling: a member's personal API token, sent as a bearer token.

The API accepts nothing else. A browser's session cookie is ignored, so a page on
another site cannot make a signed-in member's browser call the API (and the API
needs no CSRF token).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import ngettext
from ninja.security import HttpBearer

from keepcert.core import ratelimit
from keepcert.members.models import ApiToken, Member
from keepcert.members.services import api_token_for


class MemberToken(HttpBearer):
    """`Authorization: Bearer kc_…`: a live personal API token of an active member.

    Each token may make `KEEPCERT_RATE_TOKEN_PER_MINUTE` requests a minute; beyond
    that the API answers 429 with Retry-After (`ratelimit.RateLimited`).
    """

    def authenticate(self, request: HttpRequest, token: str) -> Member | None:
        api_token = api_token_for(token)
        if api_token is None:
            return None
        ratelimit.enforce(
            ("token", api_token.pk),
            limit=settings.KEEPCERT_RATE_TOKEN_PER_MINUTE,
            window=60,
            message=ngettext(
                "This token has made more than %(limit)s request in a minute. "
                "Wait a moment, then send the request again.",
                "This token has made more than %(limit)s requests in a minute. "
                "Wait a moment, then send the request again.",
                settings.KEEPCERT_RATE_TOKEN_PER_MINUTE,
            )
            % {"limit": settings.KEEPCERT_RATE_TOKEN_PER_MINUTE},
        )
        request.api_token = api_token  # type: ignore[attr-defined]  # the credential, for keys
        return api_token.member


def credential_of(request: HttpRequest) -> ApiToken:
    """The token that authenticated this request: what rate limits and idempotency keys
    are kept per."""
    token = getattr(request, "api_token", None)
    assert isinstance(token, ApiToken), "every operation requires MemberToken"
    return token


def member_of(request: HttpRequest) -> Member:
    """The member whose token authenticated this request."""
    member = getattr(request, "auth", None)
    assert isinstance(member, Member), "every operation requires MemberToken"
    return member
