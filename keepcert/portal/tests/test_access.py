"""Every member page (SPEC §14): needs a sign-in, answers 403 for an account that is not a
member's and 404 for another member's things, refuses a POST without a CSRF token or with
the wrong method, and shows what a member typed as text.

The clock is frozen at 2025-11-20 10:00 in Chicago (conftest). Alice holds RMA certified
2023-05-10 (cycle 2023-05-10 .. 2026-05-31, 192 days left); Mallory holds RPT.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from keepcert import testing
from keepcert.activities.models import Activity
from keepcert.certifications.models import Cycle
from keepcert.members.models import ApiToken, Member
from keepcert.portal.tests.endpoints import MEMBER_ENDPOINTS, POSTS, Endpoint, call, ids
from keepcert.portal.tests.pages import form_data, login_url, rows, text

# --- needs login, wrong role, CSRF: every member page -----------------------------------------


@pytest.mark.parametrize("endpoint", MEMBER_ENDPOINTS, ids=ids)
def test_anonymous_visitors_are_sent_to_sign_in(
    client: Client, endpoint: Endpoint, activity: Activity, cycle: Cycle, token: ApiToken
) -> None:
    url = endpoint.url(activity, cycle, token)
    before = rows()
    response = call(client, endpoint, url, cycle)
    assert response.status_code == 302
    assert response["Location"] == login_url(url)
    assert rows() == before


@pytest.mark.parametrize("endpoint", MEMBER_ENDPOINTS, ids=ids)
def test_an_account_without_a_member_record_is_forbidden(
    staff_client: Client, endpoint: Endpoint, activity: Activity, cycle: Cycle, token: ApiToken
) -> None:
    url = endpoint.url(activity, cycle, token)
    before = rows()
    response = call(staff_client, endpoint, url, cycle)
    assert response.status_code == 403
    assert rows() == before


@pytest.mark.parametrize("endpoint", POSTS, ids=ids)
def test_a_post_without_a_csrf_token_is_refused(
    alice: Member, endpoint: Endpoint, activity: Activity, cycle: Cycle, token: ApiToken
) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice.user)
    url = endpoint.url(activity, cycle, token)
    before = rows()
    response = call(client, endpoint, url, cycle)
    assert response.status_code == 403
    assert rows() == before
    assert Activity.objects.get(pk=activity.pk).title == "Infection control update"


def test_a_post_with_the_pages_csrf_token_is_accepted(alice: Member, cycle: Cycle) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice.user)
    assert client.get(reverse("portal:activity_new")).status_code == 200
    csrf = client.cookies["csrftoken"].value
    response = client.post(
        reverse("portal:activity_new"), form_data(cycle) | {"csrfmiddlewaretoken": csrf}
    )
    assert response.status_code == 302
    assert Activity.objects.filter(member=alice, title="Wound care webinar").exists()


# --- not yours: another member's activity, cycle or token -------------------------------------


NOT_YOURS = [
    e for e in MEMBER_ENDPOINTS if e.name in {"cycle_detail", "activity_detail", "activity_edit"}
] + [
    e for e in MEMBER_ENDPOINTS if e.name in {"activity_delete", "evidence_remove", "token_revoke"}
]


@pytest.mark.parametrize("endpoint", NOT_YOURS, ids=ids)
def test_another_members_things_are_not_found(
    mallory_client: Client,
    mallory: Member,
    endpoint: Endpoint,
    activity: Activity,
    cycle: Cycle,
    token: ApiToken,
) -> None:
    mallory_cycle = testing.current_cycle(mallory.certifications.get())
    url = endpoint.url(activity, cycle, token)
    before = rows()
    response = call(mallory_client, endpoint, url, mallory_cycle)
    assert response.status_code == 404
    assert rows() == before
    activity.refresh_from_db()
    assert (activity.title, activity.points) == ("Infection control update", Decimal(3))
    token.refresh_from_db()
    assert token.revoked_at is None
    assert b"Infection control update" not in response.content


def test_another_members_cycle_cannot_be_chosen_on_the_form(
    alice_client: Client, mallory: Member, cycle: Cycle
) -> None:
    mallory_cycle = testing.current_cycle(mallory.certifications.get())
    before = rows()
    response = alice_client.post(
        reverse("portal:activity_new"), form_data(cycle, cycles=[mallory_cycle.pk])
    )
    assert response.status_code == 422
    assert "Choose among your open cycles." in text(response)
    assert rows() == before


def test_the_cycle_choices_list_only_the_members_own_cycles(
    mallory_client: Client, alice: Member
) -> None:
    response = mallory_client.get(reverse("portal:activity_cycles"))
    assert response.status_code == 200
    assert "RPT cycle (January 15, 2024 – January 31, 2027)" in text(response)
    assert "RMA" not in text(response)


# --- what a member typed, and the wrong method ------------------------------------------------


def test_what_a_member_typed_is_shown_as_text_not_markup(
    alice_client: Client, alice: Member
) -> None:
    activity = testing.make_activity(alice, title="<script>alert(1)</script> & more")
    for url in (
        reverse("portal:dashboard"),
        reverse("portal:activity_detail", args=[activity.pk]),
    ):
        response = alice_client.get(url)
        assert b"<script>alert(1)</script>" not in response.content
        assert "<script>alert(1)</script> & more" in text(response)


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("portal:dashboard", "post"),
        ("portal:activity_cycles", "post"),
        ("portal:profile", "post"),
        ("portal:token_create", "get"),
    ],
)
def test_a_wrong_method_is_refused_not_an_error(
    alice_client: Client, name: str, method: str
) -> None:
    before = rows()
    response = getattr(alice_client, method)(reverse(name))
    assert response.status_code == 405
    assert rows() == before
