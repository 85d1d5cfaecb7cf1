"""Account claim (SPEC §13): member ID + last name + date of birth, then a verified email."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.test import Client

from keepcert import testing
from keepcert.members.models import Member, User
from keepcert.testing_mail import Inbox, smtp_server, text_of

CLAIM = {
    "member_number": "",
    "last_name": "Cruz",
    "date_of_birth": "1988-07-04",
    "email": "carla@example.org",
    "password": "a long enough passphrase 42",
}


@pytest.fixture
def smtp(settings) -> Iterator[Inbox]:  # type: ignore[no-untyped-def]
    """A real SMTP server on loopback; Django sends through it for the test."""
    with smtp_server(settings) as inbox:
        yield inbox


@pytest.fixture
def carla(program) -> Member:  # type: ignore[no-untyped-def]
    member = testing.make_member(
        first_name="Carla",
        last_name="Cruz",
        with_account=False,
        date_of_birth=testing.date(1988, 7, 4),
    )
    testing.make_certification(member, "RMA")
    return member


_body = text_of


def test_member_claims_account_and_signs_in_after_confirming_email(
    carla: Member, smtp: Inbox, client: Client, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/claim/", {**CLAIM, "member_number": carla.member_number})
    assert response.status_code == 200
    assert "If the details match a member record, we have emailed" in response.content.decode()
    assert len(smtp.messages) == 1
    message = smtp.messages[0]

    # Not yet confirmed: signing in is held until the email is verified.
    login = client.post(
        "/accounts/login/", {"login": CLAIM["email"], "password": CLAIM["password"]}
    )
    assert "/accounts/confirm-email/" in login["Location"]

    assert message["To"] == CLAIM["email"]
    link = re.search(r"http://\S+/accounts/confirm-email/\S+/", _body(message))
    assert link, _body(message)
    path = link.group(0).split("testserver", 1)[-1]
    client.post(path)

    login = client.post(
        "/accounts/login/", {"login": CLAIM["email"], "password": CLAIM["password"]}
    )
    assert login.status_code == 302
    dashboard = client.get("/dashboard/")
    assert "Carla Cruz" in dashboard.content.decode()
    carla.refresh_from_db()
    assert carla.user is not None and carla.user.email == CLAIM["email"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"date_of_birth": "1988-02-30"}, "Enter a real date"),
        ({"email": "not-an-email"}, "Enter a valid email address"),
        ({"password": "123"}, "This password is too short"),
        ({"last_name": ""}, "Enter your last name."),
    ],
)
def test_claim_with_unusable_input_is_refused_on_the_form(
    carla: Member, client: Client, change: dict[str, str], message: str
) -> None:
    data = {**CLAIM, "member_number": carla.member_number, **change}
    response = client.post("/claim/", data)
    assert response.status_code == 422
    assert message in response.content.decode()
    carla.refresh_from_db()
    assert carla.user is None
    assert not User.objects.filter(email=CLAIM["email"]).exists()


@pytest.mark.parametrize(
    "change",
    [{"last_name": "Cross"}, {"date_of_birth": "1988-07-05"}, {"member_number": "999999"}],
)
def test_claim_with_details_that_match_no_record_changes_nothing(
    carla: Member,
    smtp: Inbox,
    client: Client,
    change: dict[str, str],
    django_capture_on_commit_callbacks,
) -> None:  # type: ignore[no-untyped-def]
    data = {**CLAIM, "member_number": carla.member_number, **change}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/claim/", data)
    # The page says what it says for a match; the email says there was none.
    assert response.status_code == 200
    assert "If the details match a member record" in response.content.decode()
    (message,) = smtp.messages
    assert message["To"] == CLAIM["email"]
    assert "could not open one with the details given" in _body(message)
    carla.refresh_from_db()
    assert carla.user is None
    assert not User.objects.filter(email=CLAIM["email"]).exists()


def test_a_claimed_record_cannot_be_claimed_again(alice: Member, client: Client) -> None:
    data = {
        **CLAIM,
        "member_number": alice.member_number,
        "last_name": "Nguyen",
        "date_of_birth": "1990-04-12",
    }
    response = client.post("/claim/", data)
    assert response.status_code == 200
    assert "already has an online account" not in response.content.decode()
    alice.refresh_from_db()
    assert alice.user is not None and alice.user.email != CLAIM["email"]
    assert not User.objects.filter(email=CLAIM["email"]).exists()


def test_claim_attempts_are_throttled(carla: Member, client: Client) -> None:
    for number in range(10):
        client.post("/claim/", {**CLAIM, "member_number": f"00000{number}"})
    response = client.post("/claim/", {**CLAIM, "member_number": carla.member_number})
    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()
    carla.refresh_from_db()
    assert carla.user is None


def test_claim_form_needs_csrf(carla: Member) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/claim/", {**CLAIM, "member_number": carla.member_number})
    assert response.status_code == 403
    carla.refresh_from_db()
    assert carla.user is None


def test_public_sign_up_is_closed(program, client: Client) -> None:  # type: ignore[no-untyped-def]
    response = client.post(
        "/accounts/signup/",
        {
            "email": "walk-in@example.org",
            "password1": "x-long-password-1",
            "password2": "x-long-password-1",
        },
    )
    assert not User.objects.filter(email="walk-in@example.org").exists()
    assert response.status_code in {200, 403}
