"""Account claim, personal API tokens, contact details and legal name changes."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from allauth.account.adapter import get_adapter
from allauth.account.models import EmailAddress
from allauth.core.context import request_context
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, models, transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format, number_format
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _

from keepcert.activities.validation import UNSAVABLE_TEXT, is_storable_text
from keepcert.core import ratelimit
from keepcert.core.errors import DomainError
from keepcert.core.http import client_address
from keepcert.core.models import log_event
from keepcert.members.models import (
    EMAIL_CHANGE_LINK_DAYS,
    ApiToken,
    Member,
    NameChangeRequest,
    User,
)

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
    request: HttpRequest,
    template_prefix: str,
    to: str,
    context: dict[str, Any],
    *,
    language: str | None = None,
    time_zone: str | None = None,
) -> None:
    """Send an account email (`<prefix>_subject.txt`, `_message.txt`, `_message.html`)
    the way allauth sends its own, once the transaction commits. `language`: the one to
    write in when the address is no account's (the adapter prefers an account holder's
    own choice); else the request's. `time_zone`: the one its times are written in."""

    zone = ZoneInfo(time_zone) if time_zone else timezone.get_current_timezone()

    def send() -> None:
        with (
            request_context(request),
            translation.override(language or get_language()),
            timezone.override(zone),
        ):
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


# --- contact details (SPEC §13): the member changes them; a new email is confirmed first ---

ADDRESS_FIELDS = ("address_line1", "address_line2", "city", "region", "postal_code", "country")
EMAIL_CHANGE_SALT = "keepcert.members.email-change"
US_POSTAL_CODE = re.compile(r"\d{5}(-\d{4})?")
COUNTRY_CODE = re.compile(r"[A-Z]{2}")


def field_limit(model: type[models.Model], name: str) -> int:
    """The longest text a column holds: the forms' `maxlength` and the services' check."""
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field) and field.max_length is not None
    return field.max_length


@dataclass(frozen=True)
class ContactDetails:
    """What the member typed on the contact form (or an API client sent)."""

    email: str
    address_line1: str = ""
    address_line2: str = ""
    city: str = ""
    region: str = ""
    postal_code: str = ""
    country: str = "US"


@dataclass(frozen=True)
class ContactChange:
    """What `request_contact_change` did, for the page to say."""

    address_changed: bool = False
    email_requested: str = ""  # a confirmation link went to this address
    email_already_requested: str = ""  # the same change is waiting for its link already
    email_cancelled: str = ""  # the member went back to the address on file


class _Problems:
    """Every problem with what was typed, by field, so the member sees them all at once."""

    def __init__(self) -> None:
        self.fields: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.fields.setdefault(field, []).append(message)

    def text(self, field: str, value: str, *, limit: int) -> str:
        """`value` on one line, spaces collapsed; a problem noted when it cannot be kept."""
        if not is_storable_text(value):
            self.add(field, str(UNSAVABLE_TEXT))
            return ""
        value = " ".join(value.split())
        if len(value) > limit:
            self.too_long(field, limit)
        return value

    def too_long(self, field: str, limit: int) -> None:
        message = ngettext(
            "Keep this to %(limit)s character or fewer.",
            "Keep this to %(limit)s characters or fewer.",
            limit,
        )
        self.add(field, message % {"limit": number_format(limit, force_grouping=True)})

    def raise_if_any(self, summary: str) -> None:
        if self.fields:
            raise DomainError(summary, field_errors=self.fields)


def _clean_contact(details: ContactDetails) -> ContactDetails:
    problems = _Problems()
    email = problems.text("email", details.email, limit=field_limit(Member, "email"))
    if not email:
        if "email" not in problems.fields:
            problems.add("email", _("Enter the email address where notices should go."))
    else:
        try:
            validate_email(email)
        except ValidationError:
            problems.add("email", _("Enter an email address like name@example.org."))
    address = {
        name: problems.text(name, getattr(details, name), limit=field_limit(Member, name))
        for name in ADDRESS_FIELDS
        if name != "country"
    }
    # Its length is the two letters' rule, said once.
    country = "".join(details.country.split()).upper() or "US"
    address["country"] = country
    if not COUNTRY_CODE.fullmatch(country):
        problems.add("country", _("Enter the country as two letters, for example US or MX."))
    # An address is complete, or not given at all (then none is on file).
    if any(address[name] for name in ADDRESS_FIELDS if name != "country"):
        required = {
            "address_line1": _("Enter the street address."),
            "city": _("Enter the city."),
            "postal_code": _("Enter the ZIP or postal code."),
        }
        if country == "US":
            required["region"] = _("Enter the state.")
        for name, message in required.items():
            if not address[name] and name not in problems.fields:
                problems.add(name, message)
        postal = address["postal_code"]
        if country == "US" and postal and not US_POSTAL_CODE.fullmatch(postal):
            problems.add("postal_code", _("Enter a ZIP code of 5 digits, or 9 like 60601-1234."))
    problems.raise_if_any(_("Your contact details were not saved."))
    return ContactDetails(email=email, **{**address, "country": country})


def _same_email(a: str, b: str) -> bool:
    return a.casefold() == b.casefold()


def _link_stamp(moment: datetime) -> int:
    """A request time as a whole number of microseconds: exact across databases."""
    return int(moment.timestamp() * 1_000_000)


def _email_change_signer() -> signing.TimestampSigner:
    # "." rather than ":" between the parts: a link that reads the same escaped or not.
    return signing.TimestampSigner(salt=EMAIL_CHANGE_SALT, sep=".")


def _email_change_link(request: HttpRequest, member: Member) -> str:
    assert member.pending_email_requested_at is not None
    token = _email_change_signer().sign_object(
        {
            "m": member.pk,
            "e": member.pending_email,
            "t": _link_stamp(member.pending_email_requested_at),
        }
    )
    return request.build_absolute_uri(reverse("portal:email_change_confirm", args=[token]))


def _send_member_mail(
    request: HttpRequest, member: Member, template_prefix: str, to: str, context: dict[str, Any]
) -> None:
    """A KeepCert email about `member`, in the member's language when they chose one, its
    times in the program's time zone."""
    language = member.language if member.language in dict(settings.LANGUAGES) else None
    _send_mail(
        request,
        template_prefix,
        to,
        {"member": member, **context},
        language=language,
        time_zone=member.program.time_zone,
    )


@transaction.atomic
def request_contact_change(
    *, request: HttpRequest, member: Member, details: ContactDetails, actor: User
) -> ContactChange:
    """Change the member's contact details: the mailing address at once; a new notices
    email once the member follows the link sent to it, so that a typo never starts
    receiving their notices. Until then the notices keep going to the address on file.

    The member row is locked while it is read and written, so two submits at once each
    log a change from what the other left (never a stale "before") and neither is lost.
    Submitting what is on file already changes nothing and logs nothing.
    """
    cleaned = _clean_contact(details)
    locked = Member.objects.select_for_update().get(pk=member.pk)
    ip_address = client_address(request)
    before = {name: getattr(locked, name) for name in ADDRESS_FIELDS}
    after = {name: getattr(cleaned, name) for name in ADDRESS_FIELDS}
    updates: dict[str, Any] = {}
    if before != after:
        updates.update(after)
        log_event(
            action="members.address.changed",
            subject=locked,
            actor=actor,
            member=locked,
            data={"before": before, "after": after},
            ip_address=ip_address,
        )
    change = ContactChange(address_changed=before != after)
    now = timezone.now()
    if _same_email(cleaned.email, locked.email):
        if locked.pending_email:
            _log_email_change_cancelled(locked, actor=actor, ip_address=ip_address)
            change = replace(change, email_cancelled=locked.pending_email)
            updates.update(pending_email="", pending_email_requested_at=None)
    elif (
        locked.pending_email
        and _same_email(cleaned.email, locked.pending_email)
        and (expires := locked.pending_email_expires_at) is not None
        and expires > now
    ):
        change = replace(change, email_already_requested=locked.pending_email)
    else:
        log_event(
            action="members.notices_email.change_requested",
            subject=locked,
            actor=actor,
            member=locked,
            data={
                "email": locked.email,
                "requested": cleaned.email,
                "replaces": locked.pending_email,
            },
            ip_address=ip_address,
        )
        change = replace(change, email_requested=cleaned.email)
        updates.update(pending_email=cleaned.email, pending_email_requested_at=now)
    if updates:
        Member.objects.filter(pk=locked.pk).update(**updates)
        for name, value in updates.items():
            setattr(locked, name, value)
            setattr(member, name, value)
    if change.email_requested:
        _send_member_mail(
            request,
            locked,
            "members/email/email_change_confirm",
            cleaned.email,
            {
                "confirm_url": _email_change_link(request, locked),
                "expires_at": locked.pending_email_expires_at,
                "current_email": locked.email,
            },
        )
    return change


def _read_email_change_link(member: Member, token: str) -> dict[str, Any]:
    """What a confirmation link says, if it is this member's, genuine and not expired."""
    try:
        payload = _email_change_signer().unsign_object(
            token[:1000], max_age=timedelta(days=EMAIL_CHANGE_LINK_DAYS)
        )
    except signing.SignatureExpired:
        raise DomainError(
            ngettext(
                "This link has expired: links work for %(days)s day. Your notices still go "
                "to the address on file; change your email again on your profile for a new link.",
                "This link has expired: links work for %(days)s days. Your notices still go "
                "to the address on file; change your email again on your profile for a new link.",
                EMAIL_CHANGE_LINK_DAYS,
            )
            % {"days": EMAIL_CHANGE_LINK_DAYS},
            code="expired",
        ) from None
    except signing.BadSignature:
        payload = None
    if not (
        isinstance(payload, dict)
        and isinstance(payload.get("m"), int)
        and isinstance(payload.get("e"), str)
        and isinstance(payload.get("t"), int)
    ):
        raise DomainError(
            _(
                "This link is not complete or not valid. Open it from the email again, or "
                "copy the whole address into your browser."
            ),
            code="invalid",
        )
    if payload["m"] != member.pk:
        raise DomainError(
            _(
                "This link is for another member's record. Sign out, then open the link "
                "again and sign in as the member it was sent to."
            ),
            code="not_yours",
        )
    if not (
        member.pending_email == payload["e"]
        and member.pending_email_requested_at is not None
        and _link_stamp(member.pending_email_requested_at) == payload["t"]
    ):
        if _same_email(member.email, payload["e"]) and not member.pending_email:
            message = _("This link was used already: %(email)s is your notices email.")
        else:
            message = _(
                "This link no longer works: the change to %(email)s was cancelled or "
                "replaced by a newer one. Your profile shows the change waiting, if any."
            )
        raise DomainError(message % {"email": payload["e"]}, code="used")
    return payload


def check_email_change_link(*, member: Member, token: str) -> str:
    """The new address a confirmation link would make the member's notices email;
    DomainError (with a `code`: invalid, expired, not_yours, used) when it would not."""
    return str(_read_email_change_link(member, token)["e"])


@transaction.atomic
def confirm_email_change(*, request: HttpRequest, member: Member, token: str, actor: User) -> str:
    """Make the address the link was sent to the member's notices email, once; the old
    address is told. Returns the new address."""
    locked = Member.objects.select_for_update().get(pk=member.pk)
    new_email = str(_read_email_change_link(locked, token)["e"])
    old_email = locked.email
    Member.objects.filter(pk=locked.pk).update(
        email=new_email, pending_email="", pending_email_requested_at=None
    )
    for obj in (locked, member):
        obj.email, obj.pending_email, obj.pending_email_requested_at = new_email, "", None
    log_event(
        action="members.notices_email.changed",
        subject=locked,
        actor=actor,
        member=locked,
        data={"before": old_email, "after": new_email},
        ip_address=client_address(request),
    )
    if old_email:
        _send_member_mail(
            request,
            locked,
            "members/email/email_changed_notice",
            old_email,
            {"old_email": old_email, "new_email": new_email},
        )
    return new_email


@transaction.atomic
def cancel_email_change(*, request: HttpRequest, member: Member, actor: User) -> str:
    """Give up the change waiting for its link; returns the address given up ("" if none)."""
    locked = Member.objects.select_for_update().get(pk=member.pk)
    cancelled = locked.pending_email
    if not cancelled:
        return ""
    Member.objects.filter(pk=locked.pk).update(pending_email="", pending_email_requested_at=None)
    member.pending_email, member.pending_email_requested_at = "", None
    _log_email_change_cancelled(locked, actor=actor, ip_address=client_address(request))
    return cancelled


def _log_email_change_cancelled(locked: Member, *, actor: User, ip_address: str | None) -> None:
    log_event(
        action="members.notices_email.change_cancelled",
        subject=locked,
        actor=actor,
        member=locked,
        data={"email": locked.email, "cancelled": locked.pending_email},
        ip_address=ip_address,
    )


# --- legal name (SPEC §13): the member asks, staff decide -----------------------------------

NAME_CHANGE_REASON_MAX_LENGTH = 1000


def _pending_name_change_message(pending: NameChangeRequest) -> str:
    return _(
        "You already have a name change waiting for staff, sent on %(date)s. You can send "
        "another once they decide."
    ) % {"date": date_format(timezone.localtime(pending.created_at), "DATE_FORMAT")}


@transaction.atomic
def request_name_change(
    *,
    request: HttpRequest,
    member: Member,
    first_name: str,
    last_name: str,
    reason: str,
    will_send_document: bool,
    actor: User,
) -> NameChangeRequest:
    """Send staff a request to change the member's legal name. One waits at a time; the
    program's contact address (from the program file) is told, when it has one."""
    problems = _Problems()
    first = problems.text("first_name", first_name, limit=field_limit(Member, "first_name"))
    last = problems.text("last_name", last_name, limit=field_limit(Member, "last_name"))
    why = reason.strip()
    if not is_storable_text(reason):
        problems.add("reason", str(UNSAVABLE_TEXT))
    elif not why:
        problems.add(
            "reason", _("Say why your name changed, for example marriage or a court order.")
        )
    elif len(why) > NAME_CHANGE_REASON_MAX_LENGTH:
        problems.too_long("reason", NAME_CHANGE_REASON_MAX_LENGTH)
    if not first and "first_name" not in problems.fields:
        problems.add("first_name", _("Enter your new first name."))
    if not last and "last_name" not in problems.fields:
        problems.add("last_name", _("Enter your new last name."))
    problems.raise_if_any(_("Your request was not sent."))
    locked = Member.objects.select_for_update().get(pk=member.pk)
    if (first, last) == (locked.first_name, locked.last_name):
        raise DomainError(_("This is the name on your record already."), code="unchanged")
    pending = locked.name_change_requests.filter(status=NameChangeRequest.Status.PENDING).first()
    if pending is not None:
        raise DomainError(_pending_name_change_message(pending), code="pending")
    change = NameChangeRequest.objects.create(
        member=locked,
        current_first_name=locked.first_name,
        current_last_name=locked.last_name,
        requested_first_name=first,
        requested_last_name=last,
        reason=why,
        will_send_document=will_send_document,
    )
    log_event(
        action="members.name_change.requested",
        subject=change,
        actor=actor,
        member=locked,
        data={
            "before": change.current_name,
            "requested": change.requested_name,
            "reason": why,
            "will_send_document": will_send_document,
        },
        ip_address=client_address(request),
    )
    staff_address = locked.program.contact_email
    if staff_address:
        admin_url = request.build_absolute_uri(
            reverse("admin:members_namechangerequest_change", args=[change.pk])
        )
        _send_mail(
            request,
            "members/email/name_change_for_staff",
            staff_address,
            {"member": locked, "change": change, "admin_url": admin_url},
            language=settings.LANGUAGE_CODE,
        )
    return change


def check_name_change_decision(*, approve: bool, staff_reason: str) -> str:
    """The staff reason, cleaned; a decline must say why (the member reads it)."""
    if not is_storable_text(staff_reason):
        raise DomainError(str(UNSAVABLE_TEXT), field_errors={"staff_reason": [str(UNSAVABLE_TEXT)]})
    staff_reason = staff_reason.strip()
    if not approve and not staff_reason:
        message = _("Say why the request is declined: the member reads it.")
        raise DomainError(message, field_errors={"staff_reason": [message]})
    return staff_reason


@transaction.atomic
def decide_name_change(
    *,
    request: HttpRequest,
    change: NameChangeRequest,
    approve: bool,
    staff_reason: str,
    actor: User,
) -> None:
    """Staff approve (the member's name becomes the requested one) or decline (with a
    reason) a waiting request; the member is told by email."""
    staff_reason = check_name_change_decision(approve=approve, staff_reason=staff_reason)
    locked = NameChangeRequest.objects.select_for_update().get(pk=change.pk)
    if locked.status != NameChangeRequest.Status.PENDING:
        raise DomainError(
            _("This request was decided already (%(status)s).")
            % {"status": locked.get_status_display()},
            code="decided",
        )
    member = Member.objects.select_for_update().select_related("program").get(pk=locked.member_id)
    before = member.full_name
    if approve:
        names = {
            "first_name": locked.requested_first_name,
            "last_name": locked.requested_last_name,
        }
        Member.objects.filter(pk=member.pk).update(**names)
        if member.user_id is not None:
            User.objects.filter(pk=member.user_id).update(**names)
        member.first_name, member.last_name = names["first_name"], names["last_name"]
    locked.status = (
        NameChangeRequest.Status.APPROVED if approve else NameChangeRequest.Status.DECLINED
    )
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    locked.staff_reason = staff_reason
    locked.save(update_fields=["status", "decided_by", "decided_at", "staff_reason"])
    for field in ("status", "decided_by", "decided_at", "staff_reason"):
        setattr(change, field, getattr(locked, field))
    log_event(
        action=f"members.name_change.{locked.status}",
        subject=locked,
        actor=actor,
        member=member,
        data={"before": before, "after": member.full_name, "staff_reason": staff_reason},
        ip_address=client_address(request),
    )
    to = member.email or (member.user.email if member.user else "")
    if to:
        profile_url = request.build_absolute_uri(reverse("portal:profile"))
        context = {"change": locked, "profile_url": profile_url}
        prefix = f"members/email/name_change_{locked.status}"
        _send_member_mail(request, member, prefix, to, context)
