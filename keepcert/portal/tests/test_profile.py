"""The profile page and the member's API tokens (SPEC §14): shown once, listed by prefix,
revoked for good.

The clock is frozen at 2025-11-20 10:00 in Chicago (conftest). Alice holds RMA certified
2023-05-10 (cycle 2023-05-10 .. 2026-05-31, 192 days left); Mallory holds RPT.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from keepcert.core.models import Event
from keepcert.members.models import ApiToken, Member
from keepcert.members.services import member_for_api_token
from keepcert.portal.tests.pages import field_errors, rows, text


def test_the_profile_shows_the_members_details(alice_client: Client, alice: Member) -> None:
    response = alice_client.get(reverse("portal:profile"))
    assert response.status_code == 200
    page = text(response)
    assert "Name Alice Nguyen" in page
    assert f"Member ID {alice.member_number}" in page
    assert "Date of birth April 12, 1990" in page
    assert "You have no API tokens." in page


def test_the_profile_says_which_email_signs_in_and_which_gets_notices(
    alice_client: Client, alice: Member
) -> None:
    """Issue 7, finding 11: two emails on one page, with no word on which is which."""
    alice.user.email = "alice.signin@example.org"
    alice.user.save(update_fields=["email"])
    page = text(alice_client.get(reverse("portal:profile")))
    assert f"Email {alice.email} Where the program sends notices about your certification." in page
    assert "You sign in with alice.signin@example.org" in page
    assert "It can differ from the email in your details above" in page


def test_a_new_token_is_shown_once_and_works_until_revoked(
    alice_client: Client, alice: Member
) -> None:
    response = alice_client.post(reverse("portal:token_create"), {"name": "my spreadsheet"})
    assert response.status_code == 200
    shown = re.search(r'<code data-testid="new-token">([^<]+)</code>', response.content.decode())
    assert shown is not None
    raw = shown.group(1)
    assert raw.startswith("kc_")
    assert "copy it now; it will not be shown again" in text(response)
    assert member_for_api_token(raw) == alice

    token = alice.api_tokens.get()
    later = alice_client.get(reverse("portal:profile"))
    assert raw not in later.content.decode()
    assert f"my spreadsheet {token.prefix}…" in text(later)
    assert raw not in alice_client.get(reverse("portal:dashboard")).content.decode()

    revoked = alice_client.post(reverse("portal:token_revoke", args=[token.pk]), follow=True)
    assert revoked.redirect_chain == [(reverse("portal:profile"), 302)]
    page = text(revoked)
    assert "Revoked the token “my spreadsheet”. It no longer works." in page
    assert "You have no API tokens." in page
    assert member_for_api_token(raw) is None


def test_a_revoked_token_cannot_be_revoked_again(alice_client: Client, token: ApiToken) -> None:
    url = reverse("portal:token_revoke", args=[token.pk])
    assert alice_client.post(url).status_code == 302
    events = Event.objects.count()
    assert alice_client.post(url).status_code == 404
    assert Event.objects.count() == events


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "Give the token a name."),
        ("   ", "Give the token a name."),
        ("x" * 81, "Keep the name to 80 characters or fewer."),
    ],
)
def test_a_token_needs_a_usable_name(alice_client: Client, name: str, message: str) -> None:
    before = rows()
    response = alice_client.post(reverse("portal:token_create"), {"name": name})
    assert response.status_code == 422
    assert field_errors(response, "name") == [message]
    assert 'data-testid="new-token"' not in response.content.decode()
    assert rows() == before
