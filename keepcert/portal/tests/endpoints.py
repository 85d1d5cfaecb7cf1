"""Every member page and form, in one table: the cross-page tests (sign-in, role, CSRF,
another member's things) run over it, so a new page added here is covered by all of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from keepcert.activities.models import Activity
from keepcert.activities.services import attach_evidence
from keepcert.certifications.models import Cycle
from keepcert.members.models import ApiToken, Member
from keepcert.members.services import _email_change_link
from keepcert.portal.tests.pages import form_data
from keepcert.testing import make_upload


def evidence_remove_url(activity: Activity) -> str:
    """The removal of the activity's file, attached first if it has none."""
    evidence = (
        activity.evidence.first()
        or attach_evidence(
            activity=activity, files=[make_upload("certificate.pdf")], actor=activity.member.user
        )[0]
    )
    return reverse("portal:evidence_remove", args=[activity.pk, evidence.pk])


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    url: Callable[[Activity, Cycle, ApiToken], str]


MEMBER_ENDPOINTS = [
    Endpoint("dashboard", "get", lambda a, c, t: reverse("portal:dashboard")),
    Endpoint("cycle_detail", "get", lambda a, c, t: reverse("portal:cycle_detail", args=[c.pk])),
    Endpoint("activity_new", "get", lambda a, c, t: reverse("portal:activity_new")),
    Endpoint("activity_new", "post", lambda a, c, t: reverse("portal:activity_new")),
    Endpoint("activity_cycles", "get", lambda a, c, t: reverse("portal:activity_cycles")),
    Endpoint(
        "activity_detail", "get", lambda a, c, t: reverse("portal:activity_detail", args=[a.pk])
    ),
    Endpoint("activity_edit", "get", lambda a, c, t: reverse("portal:activity_edit", args=[a.pk])),
    Endpoint("activity_edit", "post", lambda a, c, t: reverse("portal:activity_edit", args=[a.pk])),
    Endpoint(
        "activity_delete", "get", lambda a, c, t: reverse("portal:activity_delete", args=[a.pk])
    ),
    Endpoint(
        "activity_delete", "post", lambda a, c, t: reverse("portal:activity_delete", args=[a.pk])
    ),
    Endpoint("evidence_remove", "get", lambda a, c, t: evidence_remove_url(a)),
    Endpoint("evidence_remove", "post", lambda a, c, t: evidence_remove_url(a)),
    Endpoint("profile", "get", lambda a, c, t: reverse("portal:profile")),
    Endpoint("contact_change", "get", lambda a, c, t: reverse("portal:contact_change")),
    Endpoint("contact_change", "post", lambda a, c, t: reverse("portal:contact_change")),
    Endpoint("email_change_cancel", "post", lambda a, c, t: reverse("portal:email_change_cancel")),
    Endpoint("email_change_confirm", "get", lambda a, c, t: email_change_link(a.member)),
    Endpoint("email_change_confirm", "post", lambda a, c, t: email_change_link(a.member)),
    Endpoint("name_change", "get", lambda a, c, t: reverse("portal:name_change")),
    Endpoint("name_change", "post", lambda a, c, t: reverse("portal:name_change")),
    Endpoint("token_create", "post", lambda a, c, t: reverse("portal:token_create")),
    Endpoint("token_revoke", "post", lambda a, c, t: reverse("portal:token_revoke", args=[t.pk])),
    Endpoint("token_revoke_all", "post", lambda a, c, t: reverse("portal:token_revoke_all")),
]


POSTS = [e for e in MEMBER_ENDPOINTS if e.method == "post"]

# What each form posts: well-formed, so that a refusal is the endpoint's, not the input's.
PAYLOADS: dict[str, dict[str, str]] = {
    "token_create": {"name": "laptop"},
    "contact_change": {
        "email": "changed@example.org",
        "address_line1": "1 Main St",
        "city": "Springfield",
        "region": "IL",
        "postal_code": "62701",
        "country": "US",
    },
    "name_change": {"first_name": "Eve", "last_name": "Changed", "reason": "Marriage"},
}


def email_change_link(member: Member) -> str:
    """The path of the confirmation link for a change of `member`'s notices email to
    new@example.org, requested now (the change is put in place for it)."""
    member.pending_email, member.pending_email_requested_at = "new@example.org", timezone.now()
    Member.objects.filter(pk=member.pk).update(
        pending_email=member.pending_email,
        pending_email_requested_at=member.pending_email_requested_at,
    )
    url = _email_change_link(RequestFactory().get("/"), member)
    return url.removeprefix("http://testserver")


def ids(endpoint: Endpoint) -> str:
    return f"{endpoint.method}-{endpoint.name}"


def call(client: Client, endpoint: Endpoint, url: str, cycle: Cycle) -> HttpResponse:
    if endpoint.method == "get":
        return client.get(url)
    return client.post(url, PAYLOADS.get(endpoint.name) or form_data(cycle))
