from __future__ import annotations

from email.headerregistry import Address
from email.utils import parseaddr
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.authentication import get_authentication_records
from allauth.account.models import Login
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from keepcert.core.http import client_address
from keepcert.members.language import language_for_email
from keepcert.members.signin import needs_emailed_code
from keepcert.program.models import Program


class AccountAdapter(DefaultAccountAdapter):  # type: ignore[misc]
    """Accounts are claimed against a member record (SPEC §13), never opened freely."""

    sender: Program | None = None
    """The program an email being sent is from (set by `send_mail`)."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        """Every account email (allauth's and KeepCert's, `templates/account/email/`,
        `mfa/email/`, `members/email/`) in the member's language, else the request's, and
        from and signed by the member's program (to an address no member has: the site's,
        `KEEPCERT_PROGRAM`), with links to the site and its claim page."""
        member, language = language_for_email(email)
        program = (
            member.program
            if member
            else Program.objects.filter(code=settings.KEEPCERT_PROGRAM).first()
        )
        self.sender = program
        request = self.request
        site_url = request.build_absolute_uri("/") if request else f"{settings.SITE_URL}/"
        with translation.override(language):
            signature = {
                "program": program,  # its contact signs the email, when the file has one
                # In the email's language, where the program file translates the name.
                "program_name": program.text("name") if program else "KeepCert",
                "site_url": site_url,
                "claim_url": site_url.rstrip("/") + reverse("portal:claim"),
            }
            super().send_mail(template_prefix, email, {**signature, **context})

    def get_from_email(self) -> str:
        """From the program by name ("AMT Certification Continuation Program
        <no-reply@…>"), at the address of `DEFAULT_FROM_EMAIL`."""
        if self.sender is None:
            return str(settings.DEFAULT_FROM_EMAIL)
        _name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
        return str(Address(display_name=self.sender.name, addr_spec=address))

    def format_email_subject(self, subject: str) -> str:
        """Subjects start with the program's short name, else its name ("AMT: Reset your
        password"); with `ACCOUNT_EMAIL_SUBJECT_PREFIX` when there is no program."""
        if self.sender is None:
            return str(super().format_email_subject(subject))
        return f"{self.sender.email_subject_name}: {subject}"

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        """Staff land where their work is (`STAFF_START_URL`), members on their dashboard.
        A `next` address, when there is one, still wins (allauth reads it first)."""
        if request.user.is_staff:
            return resolve_url(settings.STAFF_START_URL)
        return str(super().get_login_redirect_url(request))

    def add_message(
        self,
        request: HttpRequest,
        level: int,
        message_template: str | None = None,
        message_context: dict[str, Any] | None = None,
        extra_tags: str = "",
        message: str | None = None,
    ) -> None:
        """All of allauth's messages but "Successfully signed in as …": the dashboard
        names who is signed in, and on a phone the message pushed each certification's
        status off the first screen (issue 7, finding 8)."""
        if message_template == "account/messages/logged_in.txt":
            return
        super().add_message(
            request, level, message_template, message_context, extra_tags, message=message
        )

    def get_reauthentication_methods(self, user: Any) -> list[dict[str, Any]]:
        """allauth's ways to confirm it is you, named in KeepCert's words (the "Other ways
        to confirm" links of templates/account/base_reauthenticate.html)."""
        names = {
            "reauthenticate": _("Use your password"),
            "reauthenticate_by_code": _("Email me a code"),
            "mfa_reauthenticate": _("Use your authenticator app or a recovery code"),
        }
        methods: list[dict[str, Any]] = super().get_reauthentication_methods(user)
        return [{**m, "description": names.get(m["id"], m["description"])} for m in methods]

    def get_client_ip(self, request: HttpRequest) -> str:
        """allauth's rate limits read the client address the same way as everything else."""
        address = client_address(request)
        if address is None:
            raise PermissionDenied(_("Unable to determine client IP address"))
        return address

    def is_login_by_code_required(self, login: Login) -> bool:
        """Also ask for an emailed code after a correct password when the account is
        under a wide password attack and this address is new to it
        (`keepcert.members.signin`)."""
        if super().is_login_by_code_required(login):
            return True
        user = login.user
        records = get_authentication_records(self.request, user)
        if user is None or (records and records[-1]["method"] == "code"):
            return False
        return needs_emailed_code(email=user.email, address=client_address(self.request))

    def set_password(self, user: Any, password: str) -> None:
        """allauth's change, set and reset (by link or code) flows all set the password
        here: a new password also revokes the member's API tokens, in one transaction,
        since whoever knew the old password may have minted them."""
        from django.db import transaction

        from keepcert.members.services import revoke_tokens_for_new_password

        with transaction.atomic():
            super().set_password(user, password)
            revoke_tokens_for_new_password(user=user, request=self.request)


def axes_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    """The email tried, whichever form sent it (allauth: "email"/"login", admin: "username")."""
    source: Any = credentials or request.POST
    for key in ("email", "login", "username"):
        value = source.get(key)
        if value:
            return str(value).strip().lower()
    return ""
