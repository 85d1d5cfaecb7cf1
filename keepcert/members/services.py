"""Account claim and personal API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import date, timedelta
from typing import Any

from allauth.account.adapter import get_adapter
from allauth.account.models import EmailAddress
from allauth.core.context import request_context
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from keepcert.core import ratelimit
from keepcert.core.errors import DomainError
from keepcert.core.http import client_address
from keepcert.core.models import log_event
from keepcert.members.models import ApiToken, Member, User

# A token's name: as wide as its column; the profile form reads both from here.
TOKEN_NAME_MAX_LENGTH: int = ApiToken._meta.get_field("name").max_length  # type: ignore[assignment]
TOKEN_NAME_REQUIRED = gettext_lazy("Give the token a name.")

# A limit per connection, and one per member record (counted on the member ID typed,
# whether or not a record has it) so that many addresses cannot guess a birth date.
CLAIM_ATTEMPTS_PER_ADDRESS_PER_HOUR = 10
CLAIM_ATTEMPTS_PER_RECORD_PER_HOUR = 5


def _throttle_claims(request: HttpRequest, member_number: str) -> None:
    message = _(
        "Too many attempts to set up an account from your connection or for this member ID. "
        "Wait an hour, or contact us for help."
    )
    # The address first: a connection over its limit spends nothing of the record's.
    ratelimit.enforce(
        ("claim-address", client_address(request) or "unknown"),
        limit=CLAIM_ATTEMPTS_PER_ADDRESS_PER_HOUR,
        window=3600,
        message=message,
    )
    ratelimit.enforce(
        ("claim-record", member_number.strip().casefold()),
        limit=CLAIM_ATTEMPTS_PER_RECORD_PER_HOUR,
        window=3600,
        message=message,
    )


def claim_account(
    *,
    request: HttpRequest,
    member_number: str,
    last_name: str,
    date_of_birth: date,
    email: str,
    password: str,
) -> None:
    """Open the online account of a member on the register (SPEC §13).

    The member proves who they are with their member ID, last name and date of
    birth; the email becomes their sign-in once they follow the link sent to it.

    Whatever the outcome, the caller shows the same answer: what happened is told
    only by email, to an inbox that already has the right to know it, so the form
    cannot be used to learn which emails are registered or which details belong
    together. The outcomes:

    - details match an unclaimed record, email free: the account is made and the
      address gets the confirmation link;
    - the email belongs to an account already: that address is told so (whether or
      not the details matched, so its owner cannot learn that either);
    - otherwise (no match, or the record has an account) the address gets the same
      "we could not open an account" email, and a record with an account has its
      own address told of the attempt.

    Only a password refused by the validators is reported to the caller: it is
    checked first, against nothing but what was typed, so it reveals nothing.
    """
    email = email.strip().lower()
    _check_new_password(password, email=email, last_name=last_name)
    # Counted outside the transaction (the cache is in the database): attempts must
    # count even when the claim rolls back.
    _throttle_claims(request, member_number)
    with transaction.atomic():
        _claim(
            request=request,
            member_number=member_number,
            last_name=last_name,
            date_of_birth=date_of_birth,
            email=email,
            password=password,
        )


def _check_new_password(password: str, *, email: str, last_name: str) -> None:
    typed = User(email=email, last_name=last_name.strip())
    try:
        validate_password(password, typed)
    except ValidationError as error:
        raise DomainError(error.messages[0], field_errors={"password": error.messages}) from error


def _account_with_email(email: str) -> User | None:
    """The account that signs in with `email`, as its main or any added address."""
    return (
        User.objects.filter(email__iexact=email).first()
        or User.objects.filter(emailaddress__email__iexact=email).first()
    )


def _claim(
    *,
    request: HttpRequest,
    member_number: str,
    last_name: str,
    date_of_birth: date,
    email: str,
    password: str,
) -> None:
    member = (
        Member.objects.select_for_update()
        .filter(
            member_number__iexact=member_number.strip(),
            last_name__iexact=last_name.strip(),
            date_of_birth=date_of_birth,
        )
        .first()
    )
    ip_address = client_address(request)
    owner = _account_with_email(email)
    if member is not None and member.user_id is None and owner is None:
        user = User(email=email, first_name=member.first_name, last_name=member.last_name)
        user.set_password(password)
        try:
            with transaction.atomic():  # a twin claim may take the email first
                user.save()
        except IntegrityError:
            owner = _account_with_email(email)
        else:
            _open_account(request, member, user, ip_address)
            return
    # Every other outcome hashes the password too, so it takes as long as a success.
    make_password(password)
    links = _sign_in_links(request)
    if owner is not None:
        _send_mail(request, "members/email/claim_email_in_use", email, links)
    else:
        _send_mail(request, "members/email/claim_not_opened", email, links)
    if member is not None:
        if member.user is not None and member.user != owner:
            _send_mail(
                request,
                "members/email/claim_record_has_account",
                member.user.email,
                {**links, "member": member},
            )
        log_event(
            action="members.account.claim_refused",
            subject=member,
            member=member,
            data={
                "email": email,
                "reason": "email_in_use" if owner is not None else "already_claimed",
            },
            ip_address=ip_address,
        )


def _open_account(request: HttpRequest, member: Member, user: User, ip_address: str | None) -> None:
    member.user = user
    member.email = user.email
    member.save(update_fields=["user", "email"])
    address = EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=False)
    log_event(
        action="members.account.claimed",
        subject=member,
        actor=user,
        member=member,
        data={"email": user.email},
        ip_address=ip_address,
    )
    transaction.on_commit(lambda: _send_confirmation(request, address))


def _sign_in_links(request: HttpRequest) -> dict[str, str]:
    return {
        "sign_in_url": request.build_absolute_uri(reverse("account_login")),
        "reset_url": request.build_absolute_uri(reverse("account_reset_password")),
        "claim_url": request.build_absolute_uri(reverse("portal:claim")),
    }


def _send_mail(
    request: HttpRequest, template_prefix: str, to: str, context: dict[str, Any]
) -> None:
    """Send an account email (`<prefix>_subject.txt`, `_message.txt`, `_message.html`)
    the way allauth sends its own, once the transaction commits."""

    def send() -> None:
        with request_context(request):
            get_adapter(request).send_mail(template_prefix, to, context)

    transaction.on_commit(send)


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
    problem = None
    if not name:
        problem = str(TOKEN_NAME_REQUIRED)
    elif len(name) > TOKEN_NAME_MAX_LENGTH:
        problem = ngettext(
            "Keep the name to %(limit)s character or fewer.",
            "Keep the name to %(limit)s characters or fewer.",
            TOKEN_NAME_MAX_LENGTH,
        ) % {"limit": TOKEN_NAME_MAX_LENGTH}
    if problem:
        raise DomainError(problem, field_errors={"name": [problem]})
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


@transaction.atomic
def revoke_all_api_tokens(
    *, member: Member, actor: User | None, reason: str, ip_address: str | None = None
) -> int:
    """Revoke every live token of `member` at once; returns how many there were.

    `reason` says why, in the event log: "member_request" from the profile page,
    "password_changed" when a new password is set (any token may have been minted by
    whoever knew the old one).
    """
    tokens = list(member.api_tokens.active().select_for_update().only("pk", "name", "prefix"))
    if not tokens:
        return 0
    member.api_tokens.filter(pk__in=[t.pk for t in tokens]).update(revoked_at=timezone.now())
    log_event(
        action="members.api_tokens.revoked_all",
        subject=member,
        actor=actor,
        member=member,
        data={"reason": reason, "tokens": [f"{t.name} ({t.prefix}…)" for t in tokens]},
        ip_address=ip_address,
    )
    return len(tokens)


def revoke_tokens_for_new_password(*, user: User, request: HttpRequest | None) -> int:
    """Called wherever a password is set (the account adapter): the member's tokens end."""
    member = Member.objects.filter(user=user).first()
    if member is None:
        return 0
    return revoke_all_api_tokens(
        member=member,
        actor=user,
        reason="password_changed",
        ip_address=client_address(request) if request is not None else None,
    )


def api_token_for(raw: str) -> ApiToken | None:
    """The live token `raw` is, with its member, if its account may still sign in.

    An account that is deactivated (or unlinked from the record) keeps its tokens in
    the database but none of them authenticates, as the web sign-in refuses it too.
    Notes when the token was last used.
    """
    if not raw.startswith(settings.KEEPCERT_API_TOKEN_PREFIX) or len(raw) > 100:
        return None
    token = (
        ApiToken.objects.active()
        .select_related("member__program", "member__user")
        .filter(token_hash=_hash(raw), member__user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    # One write a minute at most, so a busy client does not write on every call.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def member_for_api_token(raw: str) -> Member | None:
    """The member a token belongs to, if it is live and its account active."""
    token = api_token_for(raw)
    return token.member if token is not None else None
