"""The member's language: chosen with the switch on every page, remembered on the member's
record, and used for every page of their signed-in session (SPEC §13).

Before sign-in (and for a member who never chose) Django's `LocaleMiddleware` decides from
the language cookie the switch sets, else the browser's `Accept-Language`. Signing in puts
the member's own choice in the session, and `MemberLanguageMiddleware` applies it to each
request of that session, so it follows the member to a new browser without a query a page.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.db.models import Q
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponseBase
from django.utils import translation

from keepcert.core.models import log_event
from keepcert.members.models import Member, User

SESSION_KEY = "member_language"


def is_offered(language: str) -> bool:
    return language in dict(settings.LANGUAGES)


def language_for_email(email: str) -> tuple[Member | None, str]:
    """The member an email address belongs to (their account's main or added address), and
    the language to write to it in: the member's choice, else the current request's."""
    member = (
        Member.objects.select_related("program")
        .filter(Q(user__email__iexact=email) | Q(user__emailaddress__email__iexact=email))
        .first()
    )
    if member is not None and is_offered(member.language):
        return member, member.language
    return member, translation.get_language() or settings.LANGUAGE_CODE


@transaction.atomic
def choose_language(*, member: Member, language: str, actor: User | None) -> None:
    """Remember `language` (one of `settings.LANGUAGES`) as the member's choice."""
    if not is_offered(language):
        raise ValueError(f"{language!r} is not one of the offered languages.")
    # Read under a lock: two switches at once log one change each, never a stale "before".
    current = (
        Member.objects.select_for_update().values_list("language", flat=True).get(pk=member.pk)
    )
    member.language = language
    if current == language:
        return
    Member.objects.filter(pk=member.pk).update(language=language)
    log_event(
        action="members.language.chosen",
        subject=member,
        actor=actor,
        member=member,
        data={"before": current, "after": language},
    )


@receiver(user_logged_in)
def _use_members_language(sender: Any, request: HttpRequest | None, user: User, **_: Any) -> None:
    if request is None:
        return
    language = Member.objects.filter(user=user).values_list("language", flat=True).first()
    if language and is_offered(language):
        request.session[SESSION_KEY] = language


class MemberLanguageMiddleware:
    """After `AuthenticationMiddleware`: a signed-in member's chosen language wins over the
    browser's for the rest of the session."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        language = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
        if language and is_offered(language):
            translation.activate(language)
            request.LANGUAGE_CODE = language
        response: HttpResponseBase = self.get_response(request)
        return response
