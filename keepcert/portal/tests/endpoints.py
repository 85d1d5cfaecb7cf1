"""Every member page and form, in one table: the cross-page tests (sign-in, role, CSRF,
another member's things) run over it, so a new page added here is covered by all of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from keepcert.activities.models import Activity
from keepcert.activities.services import attach_evidence
from keepcert.certifications.models import Cycle
from keepcert.members.models import ApiToken
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
    Endpoint("token_create", "post", lambda a, c, t: reverse("portal:token_create")),
    Endpoint("token_revoke", "post", lambda a, c, t: reverse("portal:token_revoke", args=[t.pk])),
    Endpoint("token_revoke_all", "post", lambda a, c, t: reverse("portal:token_revoke_all")),
]


POSTS = [e for e in MEMBER_ENDPOINTS if e.method == "post"]


def ids(endpoint: Endpoint) -> str:
    return f"{endpoint.method}-{endpoint.name}"


def call(client: Client, endpoint: Endpoint, url: str, cycle: Cycle) -> HttpResponse:
    if endpoint.method == "get":
        return client.get(url)
    payload = {"name": "laptop"} if endpoint.name == "token_create" else form_data(cycle)
    return client.post(url, payload)
