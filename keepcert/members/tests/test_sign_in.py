"""Sign-in: email and password, and the lockout after repeated failures.

Staff access is tested in keepcert/staff/tests.
"""

from __future__ import annotations

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
