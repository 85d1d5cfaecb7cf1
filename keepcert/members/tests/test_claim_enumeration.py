"""Issue 5, finding 7: the claim form told registered emails and tied identities apart.

Reproduced before the fix: with a valid unclaimed record, a taken email answered "That
email address is used by another account" and a fresh one a password message (8 of 8
probes right); "This member record already has an online account" confirmed that an
ID, last name and birth date belong together; the throttle counted REMOTE_ADDR only,
which behind a proxy is the proxy.

Now every accepted attempt answers the same page, and the outcome goes by email.
"""

from __future__ import annotations

import re
from itertools import product

import pytest
from django.core import mail
from django.test import Client

from keepcert import testing
from keepcert.members.models import Member, User
from keepcert.members.services import (
    CLAIM_ATTEMPTS_PER_ADDRESS_PER_HOUR,
    CLAIM_ATTEMPTS_PER_RECORD_PER_HOUR,
)
from keepcert.members.tests.test_claim import CLAIM

pytestmark = pytest.mark.security

NEUTRAL = "If the details match a member record, we have emailed the address you gave."


@pytest.fixture
def carla(program) -> Member:  # type: ignore[no-untyped-def]
    return testing.make_member(
        first_name="Carla",
        last_name="Cruz",
        with_account=False,
        date_of_birth=testing.date(1988, 7, 4),
    )


@pytest.fixture
def dana(program) -> Member:  # type: ignore[no-untyped-def]
    """A record that has its online account already."""
    return testing.make_member(
        first_name="Dana",
        last_name="Diaz",
        email="dana@example.org",
        date_of_birth=testing.date(1979, 1, 2),
    )


@pytest.fixture
def taken(program) -> User:  # type: ignore[no-untyped-def]
    return testing.make_user("taken@example.org")


def claim_data(member: Member, *, email: str, right_birth_date: bool = True) -> dict[str, str]:
    birth = member.date_of_birth if right_birth_date else testing.date(1950, 1, 1)
    return {
        **CLAIM,
        "member_number": member.member_number,
        "last_name": member.last_name,
        "date_of_birth": birth.isoformat(),
        "email": email,
    }


def page_without_tokens(content: bytes) -> str:
    """The page as a person reads it: the CSRF token and CSP nonce differ on every page."""
    text = content.decode()
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", text)
    return re.sub(r'nonce="[^"]+"', "NONCE", text)


def test_eight_probes_get_the_same_page(
    carla: Member, dana: Member, taken: User, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    pages = {}
    for number, (record, email, right) in enumerate(
        product([carla, dana], ["taken@example.org", "fresh"], [True, False])
    ):
        address = email if email != "fresh" else f"fresh{number}@example.org"
        client = Client(REMOTE_ADDR=f"198.51.100.{number + 1}")
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                "/claim/", claim_data(record, email=address, right_birth_date=right)
            )
        pages[(record.first_name, email, right)] = (
            response.status_code,
            page_without_tokens(response.content),
            re.sub(r"nonce-[^' ;]+", "NONCE", str(sorted(response.headers.items()))),
        )

    assert len(pages) == 8
    assert len(set(pages.values())) == 1, "the answers differ"
    status, page, _ = next(iter(pages.values()))
    assert status == 200
    assert NEUTRAL in page
    # Only Carla's record with a fresh address and her real birth date opened an account.
    carla.refresh_from_db()
    assert carla.user is not None and carla.user.email == "fresh2@example.org"
    dana.refresh_from_db()
    assert dana.user is not None and dana.user.email == "dana@example.org"
    assert len(mail.outbox) == 8 + 2  # one to each address typed, two to Dana


def sent_to(address: str) -> list[str]:
    return [m.subject for m in mail.outbox if m.to == [address]]


def test_each_outcome_goes_by_email_only_to_an_inbox_entitled_to_it(
    carla: Member, dana: Member, taken: User, client: Client, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    def post(data: dict[str, str]) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post("/claim/", data).status_code == 200

    # No record matches: the address typed hears the neutral "could not" email.
    post(claim_data(carla, email="nobody@example.org", right_birth_date=False))
    assert sent_to("nobody@example.org") == ["TCCP: We could not set up an online account"]
    body = mail.outbox[-1].body
    assert "check your member ID, last name and date of birth" in body
    assert "http://testserver/accounts/password/reset/" in body

    # The record has an account: the typed address hears the very same email; the
    # account's own address is told of the attempt, and the typed address is not named.
    mail.outbox.clear()
    post(claim_data(dana, email="stranger@example.org"))
    assert sent_to("stranger@example.org") == ["TCCP: We could not set up an online account"]
    (warning,) = [m for m in mail.outbox if m.to == ["dana@example.org"]]
    assert "second account for your member record" in warning.subject
    assert dana.member_number in warning.body
    assert "stranger@example.org" not in warning.body
    assert "dana@example.org" not in mail.outbox[0].body

    # The email belongs to an account: that address is told so, matched record or not,
    # and no account is made.
    mail.outbox.clear()
    post(claim_data(carla, email="TAKEN@example.org"))
    post(claim_data(carla, email="taken@example.org", right_birth_date=False))
    assert (
        sent_to("taken@example.org")
        == ["TCCP: Someone tried to set up an account with your email address"] * 2
    )
    assert mail.outbox[0].body == mail.outbox[1].body
    carla.refresh_from_db()
    assert carla.user is None

    # Matched and unclaimed, fresh email: the confirmation link, as before.
    mail.outbox.clear()
    post(claim_data(carla, email="carla@example.org"))
    assert re.search(r"/accounts/confirm-email/\S+/", mail.outbox[0].body)
    assert mail.outbox[0].to == ["carla@example.org"]
    assert all(m.alternatives for m in [warning])  # our emails carry an HTML part too


def test_an_email_added_to_another_account_counts_as_taken(
    carla: Member, dana: Member, client: Client, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=dana.user, email="dana.work@example.org", verified=True)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/claim/", claim_data(carla, email="dana.work@example.org"))
    carla.refresh_from_db()
    assert carla.user is None
    assert "your email address" in sent_to("dana.work@example.org")[0]


def test_a_weak_password_is_shown_on_the_form_whatever_the_record(
    carla: Member, dana: Member, client: Client
) -> None:
    """Checked before any lookup, against only what was typed: it reveals nothing."""
    pages = set()
    for record, right in product([carla, dana, carla], [True, False]):
        data = claim_data(record, email="x@example.org", right_birth_date=right)
        data["password"] = "123"
        response = client.post("/claim/", data)
        assert response.status_code == 422
        page = page_without_tokens(response.content)
        assert "This password is too short" in page
        # The form shows back what was typed; apart from that the pages are the same.
        for typed in (data["member_number"], data["last_name"], data["date_of_birth"]):
            page = page.replace(typed, "TYPED")
        pages.add(page)
    assert len(pages) == 1
    assert not mail.outbox


def test_one_record_is_throttled_whichever_addresses_the_guesses_come_from(
    carla: Member, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    """Guessing a birth date for a known member ID from many addresses stops at the limit."""
    for day in range(CLAIM_ATTEMPTS_PER_RECORD_PER_HOUR):
        client = Client(REMOTE_ADDR=f"203.0.113.{day + 1}")
        data = {
            **claim_data(carla, email="guess@example.org"),
            "date_of_birth": f"1988-07-{day + 10}",
        }
        assert client.post("/claim/", data).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        response = Client(REMOTE_ADDR="203.0.113.200").post(
            "/claim/",
            claim_data(carla, email="guess@example.org"),  # the right birth date
        )

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "Too many attempts" in response.content.decode()
    carla.refresh_from_db()
    assert carla.user is None
    # The member ID typed is throttled the same way when no record has it.
    unknown = {**claim_data(carla, email="guess@example.org"), "member_number": "999999"}
    codes = [
        Client(REMOTE_ADDR=f"192.0.2.{n}").post("/claim/", unknown).status_code
        for n in range(CLAIM_ATTEMPTS_PER_RECORD_PER_HOUR + 1)
    ]
    assert codes == [200] * CLAIM_ATTEMPTS_PER_RECORD_PER_HOUR + [429]


def test_one_address_is_throttled_across_records(carla: Member, client: Client) -> None:
    for number in range(CLAIM_ATTEMPTS_PER_ADDRESS_PER_HOUR):
        data = {**claim_data(carla, email="a@example.org"), "member_number": f"9{number:05}"}
        assert client.post("/claim/", data).status_code == 200

    response = client.post("/claim/", claim_data(carla, email="carla@example.org"))

    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()
    carla.refresh_from_db()
    assert carla.user is None


def test_behind_a_proxy_the_throttle_counts_the_client_not_the_proxy(
    carla: Member, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.1"

    def post(forwarded_for: str, number: str) -> int:
        data = {**claim_data(carla, email="a@example.org"), "member_number": number}
        client = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=forwarded_for)
        return client.post("/claim/", data).status_code

    # One client uses up its allowance; a forged left-hand entry does not change who it is.
    for n in range(CLAIM_ATTEMPTS_PER_ADDRESS_PER_HOUR):
        assert post(f"192.0.2.{n}, 198.51.100.7", f"8{n:05}") == 200
    assert post("198.51.100.7", "870000") == 429
    # Another client behind the same proxy is not held back.
    assert post("198.51.100.8", "870001") == 200
