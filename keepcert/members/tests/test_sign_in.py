"""Sign-in: lockout after repeated failures; staff need TOTP for the admin."""

from __future__ import annotations

import pytest
from django.test import Client

from keepcert import testing
from keepcert.members.models import Member


def test_member_signs_in_with_email_and_password(alice: Member, client: Client) -> None:
    response = client.post(
        "/accounts/login/", {"login": alice.user.email, "password": testing.PASSWORD}
    )
    assert response.status_code == 302
    assert client.get("/dashboard/").status_code == 200


def test_repeated_failures_lock_the_account_out(alice: Member, client: Client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        client.post("/accounts/login/", {"login": alice.user.email, "password": "wrong"})
    response = client.post(
        "/accounts/login/", {"login": alice.user.email, "password": testing.PASSWORD}
    )
    assert response.status_code == 429
    assert "Too many sign-in attempts" in response.content.decode()
    assert client.get("/dashboard/").status_code == 302  # still signed out


@pytest.fixture
def staff_client(program) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(testing.make_user("staff@example.org", staff=True))
    return client


def test_staff_without_totp_are_sent_to_set_it_up(staff_client: Client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.KEEPCERT_STAFF_REQUIRE_MFA = True
    response = staff_client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/totp/activate/"


def test_the_demo_may_turn_the_staff_totp_requirement_off(staff_client: Client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.KEEPCERT_STAFF_REQUIRE_MFA = False
    assert staff_client.get("/admin/").status_code == 200


def test_members_cannot_use_the_admin(alice_client: Client) -> None:
    response = alice_client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
    assert alice_client.get("/admin/program/ruleset/").status_code == 302


def test_admin_login_goes_through_allauth(client: Client, program) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/admin/login/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
