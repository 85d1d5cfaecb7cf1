"""The sign-in lockout cannot be turned against the owner (issue 5, finding 3).

As reproduced: allauth's own limit (5 failures per email from any address) refused the
owner's right password from another address, so 5 requests every 5 minutes kept any
account locked out. Now django-axes alone locks an (email, address) pair, and an email
under a wide attack asks a new address for an emailed code after the password.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from keepcert import testing
from keepcert.members.models import Member
from keepcert.testing_mail import Inbox, smtp_server, text_of

pytestmark = pytest.mark.security

OWNER_HOME = "192.0.2.10"


@pytest.fixture
def inbox(settings: Any) -> Iterator[Inbox]:
    with smtp_server(settings) as inbox:
        yield inbox


def _sign_in(client: Client, email: str, password: str, address: str) -> Any:
    return client.post(
        "/accounts/login/", {"login": email, "password": password}, REMOTE_ADDR=address
    )


def _fail_from(alice: Member, addresses: list[str]) -> None:
    attacker = Client()
    for address in addresses:
        response = _sign_in(attacker, alice.user.email, "wrong guess", address)
        assert response.status_code in {200, 429}


def _is_signed_in(client: Client, address: str) -> bool:
    return client.get("/dashboard/", REMOTE_ADDR=address).status_code == 200


def test_a_stranger_cannot_lock_the_owner_out_from_elsewhere(alice: Member) -> None:
    _fail_from(alice, ["203.0.113.5"] * 20)  # well past allauth's old 5 per email
    owner = Client()
    response = _sign_in(owner, alice.user.email, testing.PASSWORD, "198.51.100.7")
    assert response.status_code == 302
    assert _is_signed_in(owner, "198.51.100.7")


def test_eight_failures_lock_that_email_and_address_for_thirty_minutes(
    alice: Member, frozen_now: Any
) -> None:
    _fail_from(alice, ["203.0.113.5"] * 7)
    _fail_from(alice, ["203.0.113.5"])  # the 8th
    locked = _sign_in(Client(), alice.user.email, testing.PASSWORD, "203.0.113.5")
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "paused for 30 minutes" in page
    assert 'href="/accounts/login/code/"' in page  # what to do now: an emailed code
    assert 'href="/accounts/password/reset/"' in page

    elsewhere = Client()
    assert (
        _sign_in(elsewhere, alice.user.email, testing.PASSWORD, "198.51.100.7").status_code == 302
    )

    frozen_now.shift(timedelta(minutes=31))
    later = Client()
    assert _sign_in(later, alice.user.email, testing.PASSWORD, "203.0.113.5").status_code == 302
    assert _is_signed_in(later, "203.0.113.5")


def _attack(alice: Member, count: int) -> None:
    _fail_from(alice, [f"203.0.{n // 200}.{n % 200 + 1}" for n in range(count)])


def _code_from(inbox: Inbox, email: str) -> str:
    (message,) = inbox.to(email)
    match = re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", text_of(message), re.MULTILINE)
    assert match, text_of(message)
    return match.group(1)


def test_sixty_failures_from_sixty_addresses_then_the_owner_signs_in_with_the_emailed_code(
    alice: Member, inbox: Inbox
) -> None:
    _attack(alice, 60)
    owner = Client()
    # The right password from a new address is not enough on its own any more...
    step = _sign_in(owner, alice.user.email, testing.PASSWORD, "198.51.100.61")
    assert step.status_code == 302
    assert step["Location"] == "/accounts/login/code/confirm/"
    assert not _is_signed_in(owner, "198.51.100.61")
    page = owner.get(step["Location"], REMOTE_ADDR="198.51.100.61").content.decode()
    assert "code" in page.lower()
    # ...the code sent to the account's email finishes it.
    code = _code_from(inbox, alice.user.email)
    done = owner.post(step["Location"], {"code": code}, REMOTE_ADDR="198.51.100.61")
    assert done.status_code == 302
    assert _is_signed_in(owner, "198.51.100.61")


def test_under_attack_the_owner_can_ask_for_a_code_without_the_password(
    alice: Member, inbox: Inbox
) -> None:
    _attack(alice, 60)
    owner = Client()
    asked = owner.post(
        "/accounts/login/code/", {"email": alice.user.email}, REMOTE_ADDR="198.51.100.62"
    )
    assert asked["Location"] == "/accounts/login/code/confirm/"
    code = _code_from(inbox, alice.user.email)
    owner.post("/accounts/login/code/confirm/", {"code": code}, REMOTE_ADDR="198.51.100.62")
    assert _is_signed_in(owner, "198.51.100.62")


def test_under_attack_the_owners_usual_address_still_signs_in_with_the_password(
    alice: Member, inbox: Inbox
) -> None:
    before = Client()
    assert _sign_in(before, alice.user.email, testing.PASSWORD, OWNER_HOME).status_code == 302
    _attack(alice, 60)
    owner = Client()
    assert _sign_in(owner, alice.user.email, testing.PASSWORD, OWNER_HOME)["Location"] == (
        "/dashboard/"
    )
    assert inbox.messages == []


def test_fifty_failures_are_not_yet_an_attack(alice: Member, inbox: Inbox) -> None:
    _attack(alice, 50)
    owner = Client()
    response = _sign_in(owner, alice.user.email, testing.PASSWORD, "198.51.100.63")
    assert response["Location"] == "/dashboard/"


def test_failures_older_than_the_window_do_not_count(
    alice: Member, inbox: Inbox, frozen_now: Any
) -> None:
    _attack(alice, 60)
    frozen_now.shift(timedelta(minutes=61))
    owner = Client()
    response = _sign_in(owner, alice.user.email, testing.PASSWORD, "198.51.100.64")
    assert response["Location"] == "/dashboard/"
