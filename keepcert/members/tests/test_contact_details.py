"""Members change their own contact details (SPEC §13; issue 7, finding 11): the mailing
address at once, a new notices email only once the link sent to it is followed, so that a
typo never starts receiving someone's notices. Every change is logged from what was there.

The clock is frozen at 2025-11-20 10:00 in Chicago (conftest); Alice's notices email is
the one she signs in with.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.http import HttpRequest
from django.test import Client, RequestFactory

from keepcert import testing
from keepcert.core.errors import DomainError
from keepcert.core.models import Event
from keepcert.members.models import Member
from keepcert.members.services import (
    ContactDetails,
    cancel_email_change,
    confirm_email_change,
    request_contact_change,
)
from keepcert.members.tests.test_emails import subject_of
from keepcert.testing_mail import Inbox, text_of

ADDRESS = {
    "address_line1": "1200 W Harrison St",
    "address_line2": "Apt 4B",
    "city": "Chicago",
    "region": "IL",
    "postal_code": "60607",
    "country": "US",
}


pytestmark = pytest.mark.usefixtures("in_english")


def web_request(member: Member) -> HttpRequest:
    request = RequestFactory().post("/profile/contact/", REMOTE_ADDR="203.0.113.7")
    request.user = member.user  # type: ignore[assignment]
    return request


def change(member: Member, **typed: str) -> Any:
    details = ContactDetails(**{"email": member.email, **ADDRESS, **typed})
    assert member.user is not None
    return request_contact_change(
        request=web_request(member), member=member, details=details, actor=member.user
    )


def confirm(member: Member, token: str) -> str:
    assert member.user is not None
    return confirm_email_change(
        request=web_request(member), member=member, token=token, actor=member.user
    )


def events(action: str) -> list[dict[str, Any]]:
    return list(Event.objects.filter(action=action).order_by("pk").values_list("data", flat=True))


def link_in(inbox: Inbox, to: str) -> str:
    (message,) = inbox.to(to)
    found = re.search(r"http://testserver(/profile/email/confirm/[^/\s]+/)", text_of(message))
    assert found, text_of(message)
    return found.group(1)


def token_of(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[1]


# --- the mailing address ---------------------------------------------------------------


def test_a_new_address_applies_at_once_and_is_logged_with_before_and_after(
    alice: Member,
) -> None:
    result = change(alice)
    assert result.address_changed and not result.email_requested
    alice.refresh_from_db()
    assert (alice.address_line1, alice.city, alice.postal_code) == (
        "1200 W Harrison St",
        "Chicago",
        "60607",
    )
    (logged,) = events("members.address.changed")
    assert logged["before"]["address_line1"] == "" and logged["after"] == ADDRESS
    event = Event.objects.get(action="members.address.changed")
    assert (event.actor, event.member, event.ip_address) == (alice.user, alice, "203.0.113.7")


def test_the_same_details_twice_change_and_log_nothing_more(alice: Member) -> None:
    change(alice)
    again = change(alice)
    assert not again.address_changed and not again.email_requested
    assert len(events("members.address.changed")) == 1


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        (
            {"address_line1": "1 Main St", "city": "", "region": "", "postal_code": ""},
            {
                "city": ["Enter the city."],
                "region": ["Enter the state."],
                "postal_code": ["Enter the ZIP or postal code."],
            },
        ),
        (
            {"postal_code": "6060"},
            {"postal_code": ["Enter a ZIP code of 5 digits, or 9 like 60601-1234."]},
        ),
        (
            {"country": "USA"},
            {"country": ["Enter the country as two letters, for example US or MX."]},
        ),
        (
            {"email": "alice@", "city": "x" * 101, "address_line2": "4B\x00"},
            {
                "email": ["Enter an email address like name@example.org."],
                "city": ["Keep this to 100 characters or fewer."],
                "address_line2": ["This text contains characters that cannot be saved."],
            },
        ),
        ({"email": "  "}, {"email": ["Enter the email address where notices should go."]}),
    ],
)
def test_bad_details_are_all_reported_at_once_and_change_nothing(
    alice: Member, typed: dict[str, str], expected: dict[str, list[str]]
) -> None:
    before = Member.objects.values().get(pk=alice.pk), Event.objects.count()
    with pytest.raises(DomainError) as refused:
        change(alice, **typed)
    assert refused.value.field_errors == expected
    assert refused.value.message == "Your contact details were not saved."
    assert (Member.objects.values().get(pk=alice.pk), Event.objects.count()) == before


def test_an_address_abroad_needs_no_state_and_keeps_its_own_postal_code(alice: Member) -> None:
    change(alice, city="Monterrey", region="", postal_code="64000-A", country="mx")
    alice.refresh_from_db()
    assert (alice.country, alice.region, alice.postal_code) == ("MX", "", "64000-A")


def test_an_address_can_be_left_out_entirely(alice: Member) -> None:
    change(alice, **{name: "" for name in ADDRESS})
    alice.refresh_from_db()
    assert (alice.address_line1, alice.country) == ("", "US")


def test_spaces_and_line_breaks_typed_in_a_box_are_tidied(alice: Member) -> None:
    change(alice, address_line1="  1200   W\nHarrison St ")
    alice.refresh_from_db()
    assert alice.address_line1 == "1200 W Harrison St"


# --- the notices email: a link to the new address first ----------------------------------


def test_a_new_email_waits_for_its_link_and_the_old_one_keeps_the_notices(
    alice: Member, smtp: Inbox, django_capture_on_commit_callbacks: Any
) -> None:
    old = alice.email
    with django_capture_on_commit_callbacks(execute=True):
        result = change(alice, email="alice.new@example.org")
    assert result.email_requested == "alice.new@example.org"
    alice.refresh_from_db()
    assert (alice.email, alice.pending_email) == (old, "alice.new@example.org")
    assert events("members.notices_email.change_requested") == [
        {"email": old, "requested": "alice.new@example.org", "replaces": ""}
    ]
    # Only the new address is written to, in KeepCert's own words, with a link.
    (message,) = smtp.messages
    assert message["To"] == "alice.new@example.org"
    assert subject_of(message) == "TCCP: Confirm your new email for notices"
    body = text_of(message)
    assert f"Alice Nguyen (member ID {alice.member_number}) asked us" in body
    assert "The link works until Nov. 23, 2025, 10 a.m., once." in body
    link_in(smtp, "alice.new@example.org")


def test_following_the_link_changes_the_email_once_and_tells_the_old_address(
    alice: Member, smtp: Inbox, django_capture_on_commit_callbacks: Any
) -> None:
    old = alice.email
    with django_capture_on_commit_callbacks(execute=True):
        change(alice, email="alice.new@example.org")
    token = token_of(link_in(smtp, "alice.new@example.org"))
    smtp.messages.clear()
    assert alice.user is not None
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = confirm(alice, token)
    assert confirmed == "alice.new@example.org"
    alice.refresh_from_db()
    assert (alice.email, alice.pending_email, alice.pending_email_requested_at) == (
        "alice.new@example.org",
        "",
        None,
    )
    assert events("members.notices_email.changed") == [
        {"before": old, "after": "alice.new@example.org"}
    ]
    (told,) = smtp.messages
    assert told["To"] == old
    assert subject_of(told) == "TCCP: Your email for notices changed"
    assert "now go to alice.new@example.org instead of this address" in text_of(told)

    with pytest.raises(DomainError) as reused:
        confirm(alice, token)
    assert reused.value.code == "used"
    assert "This link was used already" in reused.value.message
    assert len(events("members.notices_email.changed")) == 1


def test_the_link_expires_after_three_days(
    alice: Member, smtp: Inbox, frozen_now: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        change(alice, email="alice.new@example.org")
    token = token_of(link_in(smtp, "alice.new@example.org"))
    frozen_now.shift(timedelta(days=3, seconds=1))
    assert alice.user is not None
    with pytest.raises(DomainError) as expired:
        confirm(alice, token)
    assert expired.value.code == "expired"
    assert "This link has expired: links work for 3 days." in expired.value.message
    alice.refresh_from_db()
    assert alice.pending_email == "alice.new@example.org"
    assert alice.email != "alice.new@example.org"


def test_asking_again_for_an_expired_change_sends_a_new_link(
    alice: Member, smtp: Inbox, frozen_now: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        change(alice, email="alice.new@example.org")
        frozen_now.shift(timedelta(days=1))
        assert change(alice, email="alice.new@example.org").email_already_requested
        frozen_now.shift(timedelta(days=3))
        assert change(alice, email="alice.new@example.org").email_requested
    assert len(smtp.to("alice.new@example.org")) == 2
    assert len(events("members.notices_email.change_requested")) == 2


def test_a_newer_change_replaces_the_older_link(
    alice: Member, smtp: Inbox, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        change(alice, email="typo@exmaple.org")
        change(alice, email="alice.new@example.org")
    first = token_of(link_in(smtp, "typo@exmaple.org"))
    assert events("members.notices_email.change_requested")[1]["replaces"] == "typo@exmaple.org"
    assert alice.user is not None
    with pytest.raises(DomainError) as replaced:
        confirm(alice, first)
    assert replaced.value.code == "used"
    assert "cancelled or replaced by a newer one" in replaced.value.message


def test_going_back_to_the_email_on_file_cancels_the_waiting_change(
    alice: Member, smtp: Inbox, django_capture_on_commit_callbacks: Any
) -> None:
    old = alice.email
    with django_capture_on_commit_callbacks(execute=True):
        change(alice, email="alice.new@example.org")
        result = change(alice, email=old.upper())
    assert result.email_cancelled == "alice.new@example.org"
    alice.refresh_from_db()
    assert (alice.email, alice.pending_email) == (old, "")
    assert events("members.notices_email.change_cancelled") == [
        {"email": old, "cancelled": "alice.new@example.org"}
    ]
    assert alice.user is not None
    with pytest.raises(DomainError):
        confirm(alice, token_of(link_in(smtp, "alice.new@example.org")))


def test_cancelling_twice_logs_once(alice: Member) -> None:
    change(alice, email="alice.new@example.org")
    assert alice.user is not None
    request = web_request(alice)
    assert cancel_email_change(request=request, member=alice, actor=alice.user) == (
        "alice.new@example.org"
    )
    assert cancel_email_change(request=request, member=alice, actor=alice.user) == ""
    assert len(events("members.notices_email.change_cancelled")) == 1


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        lambda token: token.replace(token.split(".")[0], token.split(".")[0][::-1]),
        lambda token: "not-a-token",
        lambda token: token * 50,
    ],
)
def test_a_tampered_link_changes_nothing(
    alice: Member, smtp: Inbox, django_capture_on_commit_callbacks: Any, tamper: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        change(alice, email="alice.new@example.org")
    token = token_of(link_in(smtp, "alice.new@example.org"))
    assert alice.user is not None
    with pytest.raises(DomainError) as refused:
        confirm(alice, tamper(token))
    assert refused.value.code == "invalid"
    alice.refresh_from_db()
    assert alice.pending_email == "alice.new@example.org"
    assert not Event.objects.filter(action="members.notices_email.changed").exists()


def test_another_members_link_does_nothing_for_them(
    alice: Member, mallory: Member, smtp: Inbox, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        change(alice, email="alice.new@example.org")
        change(mallory, email="mallory.new@example.org")
    token = token_of(link_in(smtp, "alice.new@example.org"))
    assert mallory.user is not None
    with pytest.raises(DomainError) as refused:
        confirm(mallory, token)
    assert refused.value.code == "not_yours"
    mallory.refresh_from_db()
    alice.refresh_from_db()
    assert mallory.email != "alice.new@example.org"
    assert alice.pending_email == "alice.new@example.org"


def test_the_link_is_written_in_the_members_language(
    alice: Member, smtp: Inbox, django_capture_on_commit_callbacks: Any
) -> None:
    Member.objects.filter(pk=alice.pk).update(language="es")
    alice.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        change(alice, email="alice.nueva@example.org")
    (message,) = smtp.messages
    assert subject_of(message) == "TCCP: Confirme su nuevo correo electrónico para avisos"
    assert "Saludos cordiales," in text_of(message)


# --- two submits at once (PostgreSQL) ------------------------------------------------------


@pytest.mark.races
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs real row locks: run on PostgreSQL"
)
def test_submits_at_once_log_an_unbroken_chain_and_lose_nothing(
    program: object, settings: Any
) -> None:
    from keepcert.activities.tests.test_races import racers

    settings.KEEPCERT_RATE_MEMBER_WRITES_PER_MINUTE = 1_000_000
    member = testing.make_member(first_name="Rosa", last_name="Diaz")
    cities = ["Chicago", "Evanston", "Oak Park", "Skokie"] * 2
    with racers(len(cities)) as group:
        for _ in range(4):

            def submit(city: str) -> int:
                client = Client()
                client.force_login(member.user)
                data = {
                    **ADDRESS,
                    "city": city,
                    "email": f"{city.lower().replace(' ', '')}@example.org",
                }
                return client.post("/profile/contact/", data).status_code

            assert group.burst([lambda city=city: submit(city) for city in cities]) == [302] * len(
                cities
            )

    # Each change starts from what the one before it left: none read a stale address.
    previous = ""
    changes = events("members.address.changed")
    assert changes, "no change was recorded"
    for logged in changes:
        assert logged["before"]["city"] == previous and logged["after"]["city"] != previous
        previous = logged["after"]["city"]
    requested = events("members.notices_email.change_requested")
    previous_pending = ""
    for logged in requested:
        assert logged["replaces"] == previous_pending
        previous_pending = logged["requested"]
    member.refresh_from_db()
    assert member.city == previous and member.pending_email == previous_pending
