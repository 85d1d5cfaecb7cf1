"""The language switch on every page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponseBase
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as set_language_cookie

from keepcert.members.language import SESSION_KEY, choose_language, is_offered
from keepcert.members.models import Member


@require_POST
def set_language(request: HttpRequest) -> HttpResponseBase:
    """Switch the pages' language and go back where the member was (Django's view checks
    `next` and sets the cookie); a signed-in member's choice is also remembered on the
    record, for their next sign-in anywhere. An unknown language changes nothing."""
    response = set_language_cookie(request)
    language = request.POST.get("language", "")
    if is_offered(language) and request.user.is_authenticated:
        request.session[SESSION_KEY] = language
        member = Member.objects.filter(user=request.user).first()
        if member is not None:
            choose_language(member=member, language=language, actor=request.user)
    return response
