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


def test_signing_in_adds_no_message_but_signing_out_still_does(
    alice: Member, client: Client
) -> None:
    """Issue 7, finding 8: "Successfully signed in as …" pushed a phone's first screen down;
    the dashboard already names who is signed in."""
    response = client.post(
        "/accounts/login/",
        {"login": alice.user.email, "password": testing.PASSWORD},
        follow=True,
    )
    page = response.content.decode()
    assert "Alice Nguyen · Member ID" in page
    assert "signed in as" not in page and 'class="messages"' not in page

    response = client.post("/accounts/logout/", follow=True)
    assert "You have signed out." in response.content.decode()


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


def test_the_password_change_page_labels_read_like_the_rest(alice_client: Client) -> None:
    """Issue 7, finding 11: allauth's 'Current Password:' and 'New Password (again):'."""
    english = alice_client.get("/accounts/password/change/").content.decode()
    for label in ("Current password", "New password", "New password, again"):
        assert f">{label}</label>" in english
    assert "Password:" not in english and "placeholder=" not in english
    spanish = alice_client.get("/accounts/password/change/", HTTP_ACCEPT_LANGUAGE="es")
    assert ">Contraseña nueva, otra vez</label>" in spanish.content.decode()


def test_the_sign_up_address_leads_to_the_claim(db: None) -> None:
    """Issue 7, finding 7: an old 'sign up' link ended on allauth's 'Sign Up Closed'."""
    page = Client().get("/accounts/signup/").content.decode()
    assert "Sign Up Closed" not in page
    assert '<a href="/claim/" role="button">Set up your online account</a>' in page


def test_the_sign_out_page_reads_like_the_rest(alice_client: Client) -> None:
    page = alice_client.get("/accounts/logout/").content.decode()
    assert "<h1>Sign out</h1>" in page and "Sign Out" not in page


def test_the_sign_in_code_pages_read_like_the_rest(alice: Member) -> None:
    client = Client()
    asked = client.get("/accounts/login/code/").content.decode()
    assert "<h1>Email me a sign-in code</h1>" in asked and "Request Code" not in asked
    sent = client.post("/accounts/login/code/", {"email": alice.user.email}, follow=True)
    page = sent.content.decode()
    assert "Enter your sign-in code" in page and "Enter Sign-In Code" not in page
