"""The profile is no longer read-only (issue 7, finding 11; SPEC §13): a member changes their
notices email and mailing address, confirms a new email from the link sent to it, and asks
staff for a legal name change. No one else's link, details or request can be touched.

The clock is frozen at 2025-11-20 10:00 in Chicago (conftest). Alice holds RMA; Mallory RPT.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from keepcert.core.models import Event
from keepcert.members.models import Member, NameChangeRequest
from keepcert.portal.tests.endpoints import PAYLOADS, email_change_link
from keepcert.portal.tests.pages import field_errors, login_url, text

CONTACT = reverse("portal:contact_change")
NAME = reverse("portal:name_change")
PROFILE = reverse("portal:profile")
ADDRESS = {k: v for k, v in PAYLOADS["contact_change"].items() if k != "email"}


def post_contact(client: Client, member: Member, **typed: str) -> Any:
    return client.post(CONTACT, {"email": member.email, **ADDRESS, **typed}, follow=True)


def sent_link(outbox: list[Any]) -> str:
    found = re.search(r"http://testserver(/profile/email/confirm/[^/\s]+/)", outbox[-1].body)
    assert found, outbox[-1].body
    return found.group(1)


def test_the_profile_offers_both_changes(alice_client: Client) -> None:
    page = alice_client.get(PROFILE).content.decode()
    assert f'href="{CONTACT}">Change your contact details</a>' in page
    assert f'href="{NAME}">Request a legal name change</a>' in page
    assert "To change your legal name, contact us." not in page


def test_the_contact_form_shows_what_is_on_file(alice_client: Client, alice: Member) -> None:
    Member.objects.filter(pk=alice.pk).update(city="Chicago", postal_code="60607")
    page = alice_client.get(CONTACT).content.decode()
    assert f'value="{alice.email}"' in page
    assert 'value="Chicago"' in page and 'value="60607"' in page
    assert 'autocomplete="postal-code"' in page


def test_a_new_address_applies_at_once_and_the_profile_says_so(
    alice_client: Client, alice: Member
) -> None:
    response = post_contact(alice_client, alice)
    assert response.redirect_chain == [(PROFILE, 302)]
    page = text(response)
    assert "Your mailing address is saved. It applies at once" in page
    assert "Mailing address 1 Main St Springfield, IL 62701" in page
    assert not mail.outbox


def test_the_same_details_again_say_nothing_changed(alice_client: Client, alice: Member) -> None:
    post_contact(alice_client, alice)
    events = Event.objects.count()
    page = text(post_contact(alice_client, alice))
    assert "Nothing changed: these are the details on file already." in page
    assert Event.objects.count() == events


def test_bad_details_show_every_problem_at_the_top_and_beside_each_field(
    alice_client: Client, alice: Member
) -> None:
    before = Member.objects.values().get(pk=alice.pk)
    response = alice_client.post(
        CONTACT, {"email": "alice@", "address_line1": "1 Main St", "country": "US"}
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert 'id="error-summary"' in body and "autofocus" in body
    page = text(response)
    assert "There is a problem Nothing was saved. Correct these and submit again:" in page
    assert '<a href="#id_email">Enter an email address like name@example.org.</a>' in body
    assert '<a href="#id_city">Enter the city.</a>' in body
    assert field_errors(response, "postal_code") == ["Enter the ZIP or postal code."]
    assert field_errors(response, "region") == ["Enter the state."]
    assert 'aria-invalid="true"' in body
    assert 'value="alice@"' in body  # what was typed stays, to correct it
    assert Member.objects.values().get(pk=alice.pk) == before


def test_a_new_email_waits_for_its_link_and_the_profile_says_so(
    alice_client: Client, alice: Member, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = post_contact(alice_client, alice, email="alice.new@example.org")
    page = text(response)
    assert (
        "We sent a link to alice.new@example.org. Open it within 3 days to confirm the "
        f"change; until then notices keep going to {alice.email}."
    ) in page
    assert (
        "Waiting for confirmation: we sent a link to alice.new@example.org . Open it by "
        "Nov. 23, 2025, 10 a.m. to make it your email for notices"
    ) in page
    assert f"Email {alice.email}" in page
    (message,) = mail.outbox
    assert message.to == ["alice.new@example.org"]
    # The form offers the waiting address, so saving the address again keeps the change.
    assert 'value="alice.new@example.org"' in alice_client.get(CONTACT).content.decode()


def test_the_link_asks_first_then_confirms_once(
    alice_client: Client, alice: Member, django_capture_on_commit_callbacks: Any
) -> None:
    old = alice.email
    with django_capture_on_commit_callbacks(execute=True):
        post_contact(alice_client, alice, email="alice.new@example.org")
    link = sent_link(mail.outbox)

    asking = alice_client.get(link)
    assert asking.status_code == 200
    assert "will go to alice.new@example.org instead of " + old in text(asking)
    alice.refresh_from_db()
    assert alice.email == old  # opening the link (a mail scanner may) changes nothing

    with django_capture_on_commit_callbacks(execute=True):
        confirmed = alice_client.post(link, follow=True)
    assert confirmed.redirect_chain == [(PROFILE, 302)]
    page = text(confirmed)
    assert "Confirmed: notices now go to alice.new@example.org." in page
    assert "Email alice.new@example.org" in page and "Waiting for confirmation" not in page
    assert mail.outbox[-1].to == [old]

    for method in ("get", "post"):
        again = getattr(alice_client, method)(link)
        assert again.status_code == 410
        assert "This link was used already" in text(again)
    assert Event.objects.filter(action="members.notices_email.changed").count() == 1


def test_an_expired_link_says_so_and_changes_nothing(
    alice_client: Client, alice: Member, frozen_now: Any
) -> None:
    link = email_change_link(alice)
    frozen_now.shift(timedelta(days=3, minutes=1))
    alice_client.force_login(alice.user)
    response = alice_client.post(link)
    assert response.status_code == 410
    assert "This link has expired: links work for 3 days." in text(response)
    alice.refresh_from_db()
    assert alice.email != "new@example.org"
    assert "The link we sent to new@example.org has expired" in text(alice_client.get(PROFILE))


def test_a_tampered_link_is_not_found(alice_client: Client, alice: Member) -> None:
    link = email_change_link(alice)
    for bad in (link[:-3] + "x/", link.replace(".", "-", 1), "/profile/email/confirm/abc/"):
        response = alice_client.post(bad)
        assert response.status_code == 404, bad
        assert "This link is not complete or not valid." in text(response)
    alice.refresh_from_db()
    assert alice.email != "new@example.org"


def test_another_member_signed_in_cannot_use_or_see_the_link(
    mallory_client: Client, mallory: Member, alice: Member
) -> None:
    link = email_change_link(alice)
    before = Event.objects.count()
    for method in ("get", "post"):
        response = getattr(mallory_client, method)(link)
        assert response.status_code == 404
        page = text(response)
        assert "This link is for another member's record." in page
        assert "new@example.org" not in page and alice.email not in page
    alice.refresh_from_db()
    mallory.refresh_from_db()
    assert alice.pending_email == "new@example.org" and alice.email != "new@example.org"
    assert mallory.email != "new@example.org"
    assert Event.objects.count() == before


def test_a_visitor_signs_in_first_and_comes_back_to_the_link(client: Client, alice: Member) -> None:
    link = email_change_link(alice)
    response = client.get(link)
    assert response.status_code == 302
    assert response["Location"] == login_url(link)


def test_the_waiting_change_can_be_cancelled(alice_client: Client, alice: Member) -> None:
    link = email_change_link(alice)
    response = alice_client.post(reverse("portal:email_change_cancel"), follow=True)
    assert f"Notices keep going to {alice.email}: the change to new@example.org is cancelled." in (
        text(response)
    )
    assert alice_client.post(link).status_code == 410


def test_a_deactivated_accounts_session_changes_nothing(
    alice_client: Client, alice: Member
) -> None:
    link = email_change_link(alice)
    assert alice.user is not None
    alice.user.is_active = False
    alice.user.save(update_fields=["is_active"])
    before = Member.objects.values().get(pk=alice.pk), Event.objects.count()
    for url, data in (
        (CONTACT, {"email": "x@example.org", **ADDRESS}),
        (link, {}),
        (reverse("portal:email_change_cancel"), {}),
        (NAME, PAYLOADS["name_change"]),
    ):
        response = alice_client.post(url, data)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert (Member.objects.values().get(pk=alice.pk), Event.objects.count()) == before
    assert not NameChangeRequest.objects.exists()


# --- the legal name ---------------------------------------------------------------------


def test_a_name_change_request_goes_to_staff_and_waits_on_the_profile(
    alice_client: Client, alice: Member, django_capture_on_commit_callbacks: Any
) -> None:
    form = text(alice_client.get(NAME))
    assert "Your record shows the name Alice Nguyen ." in form
    assert "Send a copy of the document that shows your new name to ccp@example.org" in form
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post(
            NAME,
            {
                "first_name": "Alice",
                "last_name": "Tran",
                "reason": "Marriage",
                "will_send_document": "on",
            },
            follow=True,
        )
    assert response.redirect_chain == [(PROFILE, 302)]
    page = text(response)
    assert "Your request went to staff." in page
    assert (
        "Your request to change your name to Alice Tran , sent on November 20, 2025, is "
        "waiting for staff."
    ) in page
    assert "Name Alice Nguyen" in page
    assert "Request a legal name change" not in page  # one at a time
    assert mail.outbox[-1].to == ["ccp@example.org"]
    change = NameChangeRequest.objects.get()
    assert (change.member, change.requested_name, change.will_send_document) == (
        alice,
        "Alice Tran",
        True,
    )
    # The page itself now shows the request waiting, not a second form.
    again = alice_client.get(NAME)
    assert 'name="first_name"' not in again.content.decode()
    assert "is waiting for staff" in text(again)


def test_a_second_request_while_one_waits_is_refused(alice_client: Client, alice: Member) -> None:
    alice_client.post(NAME, PAYLOADS["name_change"])
    response = alice_client.post(NAME, {**PAYLOADS["name_change"], "last_name": "Other"})
    assert response.status_code == 422
    assert "You already have a name change waiting for staff, sent on Nov. 20, 2025." in (
        text(response)
    )
    assert NameChangeRequest.objects.count() == 1


def test_a_request_with_problems_lists_them_all(alice_client: Client) -> None:
    response = alice_client.post(NAME, {"first_name": "", "last_name": "", "reason": ""})
    assert response.status_code == 422
    body = response.content.decode()
    assert "Your request was not sent. Correct these and submit again:" in text(response)
    for anchor in ("id_first_name", "id_last_name", "id_reason"):
        assert f'<a href="#{anchor}">' in body
    assert not NameChangeRequest.objects.exists()


def test_members_see_only_their_own_details_and_request(
    alice_client: Client, mallory_client: Client, mallory: Member, alice: Member
) -> None:
    alice_client.post(NAME, PAYLOADS["name_change"])
    post_contact(alice_client, alice)
    for url in (PROFILE, CONTACT, NAME):
        page = text(mallory_client.get(url))
        assert "Eve Changed" not in page and "Springfield" not in page
        assert alice.email not in page
    assert "Request a legal name change" in text(mallory_client.get(PROFILE))


@pytest.mark.parametrize("url", [CONTACT, NAME])
def test_the_new_pages_are_in_spanish(alice_client: Client, alice: Member, url: str) -> None:
    Member.objects.filter(pk=alice.pk).update(language="es")
    alice_client.post("/language/", {"language": "es", "next": "/"})
    page = text(alice_client.get(url))
    assert ("Cambiar sus datos de contacto" if url == CONTACT else "Qué pasa después") in page
