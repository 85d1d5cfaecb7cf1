"""The profile on a phone (390×844) in Chromium: a member changes the mailing address and
the notices email (confirmed from the link emailed to the new address), and asks staff for
a legal name change (issue 7, finding 11; SPEC §13).

The fixtures are browser.py's, published by conftest.py. Set KEEPCERT_SHOTS to a folder to
keep a screenshot of each state a member sees.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail

from keepcert.members.models import Member, NameChangeRequest
from keepcert.portal.tests.browser import (
    PHONE,
    WIDER_THAN_VIEWPORT,
    PageFactory,
    signed_in,
    skip_without_chromium,
)

skip_without_chromium()

from playwright.sync_api import Page, expect  # noqa: E402  (after the module's skip)

from keepcert.portal.tests.test_browser_record_form import focused_id, shot  # noqa: E402

pytestmark = pytest.mark.browser
# A fragment the error summary added (#id_city) survives the redirect, as browsers keep it.
PROFILE = re.compile(r"/profile/(#\w+)?$")


@pytest.fixture
def phone(new_page: PageFactory, member: Member, live_server: Any) -> Page:
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    return signed_in(page, member, live_server)


def fits(page: Page) -> None:
    page.wait_for_load_state("load")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], page.evaluate(WIDER_THAN_VIEWPORT, PHONE["width"])


def test_on_a_phone_a_member_changes_the_address_and_confirms_a_new_email(
    phone: Page, member: Member
) -> None:
    old_email = member.email
    phone.goto("/profile/")
    phone.get_by_role("link", name="Change your contact details").tap()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Change your contact details")
    fits(phone)

    phone.get_by_label("Email for notices").fill("alice.new@example.org")
    phone.get_by_label("Street address").fill("1200 W Harrison St")
    phone.get_by_label("State or region").fill("IL")
    phone.get_by_label("ZIP or postal code").fill("60607")
    phone.get_by_role("button", name="Save contact details").tap()

    # Refused: the summary is the first thing seen and focused; the city is missing.
    summary = phone.locator("#error-summary")
    expect(summary).to_be_in_viewport()
    assert focused_id(phone) == "error-summary"
    expect(summary.get_by_role("link", name="Enter the city.")).to_be_visible()
    fits(phone)
    shot(phone, "profile-contact-refused")
    summary.get_by_role("link", name="Enter the city.").tap()
    expect(phone.get_by_label("City")).to_be_focused()
    phone.get_by_label("City").fill("Chicago")
    phone.get_by_role("button", name="Save contact details").tap()

    expect(phone).to_have_url(PROFILE)
    expect(phone.get_by_text("Your mailing address is saved. It applies at once")).to_be_visible()
    expect(phone.get_by_text("1200 W Harrison St")).to_be_visible()
    waiting = phone.get_by_test_id("email-waiting")
    expect(waiting).to_contain_text("Waiting for confirmation: we sent a link to")
    expect(phone.locator(".details")).to_contain_text(old_email)
    fits(phone)
    shot(phone, "profile-contact-saved-email-waiting")

    # The link from the email to the new address: it asks, then confirms.
    (message,) = [m for m in mail.outbox if m.to == ["alice.new@example.org"]]
    link = re.search(r"https?://[^/\s]+(/profile/email/confirm/[^/\s]+/)", message.body)
    assert link, message.body
    phone.goto(link.group(1))
    expect(phone.get_by_text("will go to alice.new@example.org instead of")).to_be_visible()
    fits(phone)
    shot(phone, "profile-email-confirm")
    phone.get_by_role("button", name="Confirm").tap()

    expect(phone).to_have_url(PROFILE)
    expect(phone.get_by_text("Confirmed: notices now go to alice.new@example.org.")).to_be_visible()
    expect(phone.locator(".details")).to_contain_text("alice.new@example.org")
    expect(phone.get_by_test_id("email-waiting")).to_have_count(0)
    shot(phone, "profile-email-confirmed")
    member.refresh_from_db()
    assert (member.email, member.city) == ("alice.new@example.org", "Chicago")
    assert any(m.to == [old_email] for m in mail.outbox)  # the old address was told


def test_on_a_phone_a_member_asks_staff_for_a_legal_name_change(
    phone: Page, member: Member
) -> None:
    phone.goto("/profile/")
    phone.get_by_role("link", name="Request a legal name change").tap()
    expect(phone.get_by_role("heading", name="What happens next")).to_be_visible()
    fits(phone)
    shot(phone, "profile-name-change-form")

    phone.get_by_label("New first name").fill("Alice")
    phone.get_by_label("New last name").fill("Tran")
    phone.get_by_label("Why your name changed").fill("Marriage")
    phone.get_by_label(re.compile("I will send a copy of the document")).check()
    phone.get_by_role("button", name="Send the request to staff").tap()

    expect(phone).to_have_url(PROFILE)
    expect(phone.get_by_text("Your request went to staff.")).to_be_visible()
    pending = phone.get_by_test_id("name-change-pending")
    expect(pending).to_contain_text("Your request to change your name to Alice Tran")
    expect(pending).to_contain_text("is waiting for staff")
    expect(phone.get_by_role("link", name="Request a legal name change")).to_have_count(0)
    expect(phone.locator(".details")).to_contain_text("Alice Nguyen")
    fits(phone)
    shot(phone, "profile-name-change-waiting")
    change = NameChangeRequest.objects.get(member=member)
    assert (change.requested_name, change.reason, change.will_send_document) == (
        "Alice Tran",
        "Marriage",
        True,
    )
