"""Account claim and personal API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import date, timedelta

from allauth.account.models import EmailAddress
from allauth.core.context import request_context
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from keepcert.core.errors import DomainError
from keepcert.core.http import client_address
from keepcert.core.models import log_event
from keepcert.members.models import ApiToken, Member, User

CLAIM_ATTEMPTS_PER_HOUR = 10


def _throttle_claims(ip_address: str | None) -> None:
    key = f"claim-attempts:{ip_address or 'unknown'}"
    cache.add(key, 0, timeout=3600)
    if cache.incr(key) > CLAIM_ATTEMPTS_PER_HOUR:
        raise DomainError(
            "Too many attempts from your connection. Wait an hour, or contact us for help.",
            code="throttled",
        )


def claim_account(
    *,
    request: HttpRequest,
    member_number: str,
    last_name: str,
    date_of_birth: date,
    email: str,
    password: str,
) -> Member:
    """Open the online account of a member on the register (SPEC §13).

    The member proves who they are with their member ID, last name and date of
    birth; the email becomes their sign-in once they follow the link sent to it.
    """
    # Counted outside the transaction (the cache is in the database): failed attempts
    # roll back, and must still count.
    _throttle_claims(client_address(request))
    with transaction.atomic():
        return _claim(
            request=request,
            member_number=member_number,
            last_name=last_name,
            date_of_birth=date_of_birth,
            email=email,
            password=password,
        )


def _claim(
    *,
    request: HttpRequest,
    member_number: str,
    last_name: str,
    date_of_birth: date,
    email: str,
    password: str,
) -> Member:
    member = (
        Member.objects.select_for_update()
        .filter(
            member_number__iexact=member_number.strip(),
            last_name__iexact=last_name.strip(),
            date_of_birth=date_of_birth,
        )
        .first()
    )
    if member is None:
        raise DomainError(
            "We found no member with that member ID, last name and date of birth. "
            "Check them against your certificate or renewal notice.",
            code="not_found",
        )
    if member.user_id is not None:
        raise DomainError(
            "This member record already has an online account. Sign in, or reset your password.",
            code="already_claimed",
        )
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise DomainError(
            "That email address is used by another account.",
            field_errors={"email": ["That email address is used by another account."]},
        )
    user = User(email=email, first_name=member.first_name, last_name=member.last_name)
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise DomainError(error.messages[0], field_errors={"password": error.messages}) from error
    user.set_password(password)
    user.save()
    member.user = user
    member.email = email
    member.save(update_fields=["user", "email"])
    address = EmailAddress.objects.create(user=user, email=email, primary=True, verified=False)
    log_event(
        action="members.account.claimed",
        subject=member,
        actor=user,
        member=member,
        data={"email": email},
        ip_address=client_address(request),
    )
    transaction.on_commit(lambda: _send_confirmation(request, address))
    return member


def _send_confirmation(request: HttpRequest, address: EmailAddress) -> None:
    # allauth reads the request from its context variable; set it explicitly so the
    # email goes out the same way whenever the commit callback runs.
    with request_context(request):
        address.send_confirmation(request, signup=True)


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def create_api_token(*, member: Member, name: str, actor: User) -> tuple[ApiToken, str]:
    """Make a personal API token. The raw token is returned once and never stored."""
    name = name.strip()
    if not name:
        raise DomainError(
            "Give the token a name.", field_errors={"name": ["Give the token a name."]}
        )
    if len(name) > 80:
        raise DomainError(
            "Keep the name to 80 characters or fewer.",
            field_errors={"name": ["Keep the name to 80 characters or fewer."]},
        )
    raw = settings.KEEPCERT_API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        member=member, name=name, prefix=raw[:10], token_hash=_hash(raw)
    )
    log_event(
        action="members.api_token.created",
        subject=token,
        actor=actor,
        member=member,
        data={"name": name},
    )
    return token, raw


@transaction.atomic
def revoke_api_token(*, token: ApiToken, actor: User) -> None:
    if token.revoked_at is not None:
        return
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    log_event(
        action="members.api_token.revoked",
        subject=token,
        actor=actor,
        member=token.member,
        data={"name": token.name},
    )


def member_for_api_token(raw: str) -> Member | None:
    """The member a token belongs to, if it is live; notes when it was last used."""
    if not raw.startswith(settings.KEEPCERT_API_TOKEN_PREFIX) or len(raw) > 100:
        return None
    token = (
        ApiToken.objects.active()
        .select_related("member__program", "member__user")
        .filter(token_hash=_hash(raw))
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    # One write a minute at most, so a busy client does not write on every call.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.member
