"""On a phone, the first screen after signing in says where each certification stands (issue 7,
finding 8): a one-row header whose links fold into a "Menu" that needs no JavaScript, no
"Successfully signed in" message, and each certification's status, points still needed and
deadline above the fold. And finding 11's smaller items where a member sees them: a file is
removed only after a question, the cycle page names its cycle, the dashboard links each
cycle's page, and a maximum shows only where a category has one.

The clock is frozen at 2025-11-20 (browser.py); Alice holds RMA (cycle to May 31, 2026) and,
in the first tests, RPT (cycle from January 15, 2024 to January 31, 2027).
"""

from __future__ import annotations

import os
import re
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from keepcert import testing
from keepcert.activities.models import Evidence
from keepcert.activities.services import attach_evidence
from keepcert.members.models import Member
from keepcert.portal.tests import browser
from keepcert.portal.tests.browser import PageFactory, signed_in
from keepcert.program.models import CategoryRule
from keepcert.program.selectors import forget_program_rules
from keepcert.testing import make_upload

browser.skip_without_chromium()

from playwright.sync_api import Locator, Page, expect  # noqa: E402

pytestmark = pytest.mark.browser

ON_A_PHONE = {
    "viewport": browser.PHONE,
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 3,
}
ON_A_LAPTOP = {"viewport": {"width": 1280, "height": 800}}
HEADER_AT_MOST = 72  # px: the phone's header is one row
SHOTS = os.environ.get("KEEPCERT_SHOTS", "")


def shot(page: Page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"))


def box(locator: Locator) -> dict[str, float]:
    found = locator.bounding_box()
    assert found is not None, f"{locator} is not shown"
    return found


def fits_sideways(page: Page) -> None:
    width = page.viewport_size["width"] if page.viewport_size else 0
    scroll_width = page.evaluate("document.scrollingElement.scrollWidth")
    assert scroll_width <= width, page.evaluate(browser.WIDER_THAN_VIEWPORT, width)


def with_two_certifications(member: Member) -> Member:
    """Demo-like: two credentials, a few activities, one of which counts toward both."""
    testing.make_certification(member, "RPT", date(2024, 1, 15))
    testing.make_activity(member, title="HIPAA basics", points="1", start=date(2023, 12, 1))
    testing.make_activity(member, title="Wound care webinar", points="2.5", start=date(2024, 3, 1))
    testing.make_activity(member, title="Phlebotomy update", points="4", start=date(2025, 6, 12))
    return member


def sign_in(page: Page, member: Member) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(member.user.email)
    page.get_by_label("Password").fill(testing.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/dashboard/$"))


# --- finding 8: the first screen --------------------------------------------------------------


@pytest.mark.parametrize(
    ("size", "options"), [("390x844", ON_A_PHONE), ("1280x800", ON_A_LAPTOP)], ids=lambda v: v
)
def test_right_after_signing_in_each_certification_is_on_the_first_screen(
    new_page: PageFactory, member: Member, size: str, options: dict[str, Any]
) -> None:
    page = new_page(**options)
    sign_in(page, with_two_certifications(member))

    height = options["viewport"]["height"]
    expect(page.get_by_text("Successfully signed in")).to_have_count(0)
    header = box(page.locator("body > header"))
    if options is ON_A_PHONE:
        assert header["height"] <= HEADER_AT_MOST, f"the header takes {header['height']}px"
    glance = page.get_by_role("list", name="Your certifications at a glance")
    for code, status, still_needed, deadline in (
        ("RMA", "Active", "22.5 points to go", "May 31, 2026"),
        ("RPT", "Active", "17.5 points to go", "January 31, 2027"),
    ):
        line = glance.get_by_role("listitem").filter(has_text=code)
        expect(line).to_contain_text(f"{code} · {status} · {still_needed} by {deadline}")
        for words in (status, still_needed, deadline):
            shown = box(line.get_by_text(words, exact=False).first)
            assert shown["y"] + shown["height"] <= height, f"{code}: {words!r} is below the fold"
        whole = box(line)
        assert whole["y"] >= header["y"] + header["height"]
        assert whole["y"] + whole["height"] <= height, f"{code}'s line is below the fold"
    fits_sideways(page)
    shot(page, f"phone-first-screen-{size}")


def test_the_phone_menu_opens_without_javascript_and_keeps_the_language_one_tap_away(
    new_page: PageFactory, member: Member, live_server: Any
) -> None:
    page = signed_in(new_page(**ON_A_PHONE, java_script_enabled=False), member, live_server)
    page.goto("/dashboard/")
    menu = page.locator("header summary")
    expect(menu).to_have_text("Menu")
    record = page.locator("header").get_by_role("link", name="Record CE")
    expect(record).to_be_hidden()
    # The brand, Menu and the language share one row.
    brand = box(page.get_by_role("link", name="KeepCert", exact=True))
    spanish = page.get_by_role("button", name="Español")
    expect(spanish).to_be_in_viewport(ratio=1)
    for control in (box(menu), box(spanish)):
        assert abs(control["y"] + control["height"] / 2 - (brand["y"] + brand["height"] / 2)) < 12
        assert control["height"] >= 44  # a thumb's target

    menu.tap()
    current = page.locator("header").get_by_role("link", name="My progress")
    expect(current).to_be_in_viewport(ratio=1)
    expect(current).to_have_attribute("aria-current", "page")
    expect(page.locator("header").get_by_role("button", name="Sign out")).to_be_in_viewport()
    fits_sideways(page)
    shot(page, "phone-menu-open")
    record.tap()
    expect(page).to_have_url(re.compile(r"/activities/new/$"))
    page.locator("header summary").tap()
    expect(page.locator("header").get_by_role("link", name="Record CE")).to_have_attribute(
        "aria-current", "page"
    )

    page.get_by_role("button", name="Español").tap()
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.locator("header summary")).to_have_text("Menú")


def test_the_menu_shows_where_the_keyboard_is(
    new_page: PageFactory, member: Member, live_server: Any
) -> None:
    page = signed_in(new_page(**ON_A_PHONE), member, live_server)
    page.goto("/dashboard/")
    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Tab")  # the brand
    page.keyboard.press("Tab")
    menu = page.locator("header summary")
    expect(menu).to_be_focused()
    expect(menu).to_have_css("outline-style", "solid")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(page.locator("header").get_by_role("link", name="My progress")).to_be_focused()


def test_wider_than_a_phone_the_links_show_in_a_row_without_a_menu(
    new_page: PageFactory, member: Member, live_server: Any
) -> None:
    page = signed_in(new_page(**ON_A_LAPTOP), member, live_server)
    page.goto("/dashboard/")
    expect(page.locator("header summary")).to_be_hidden()
    header = page.locator("header")
    links = [header.get_by_role("link", name=n) for n in ("My progress", "Record CE", "Profile")]
    tops = set()
    for link in links:
        expect(link).to_be_visible()
        tops.add(round(box(link)["y"]))
    expect(links[0]).to_have_attribute("aria-current", "page")
    expect(header.get_by_role("button", name="Sign out")).to_be_visible()
    expect(header.get_by_role("button", name="Español")).to_be_visible()
    assert len(tops) == 1, "the links are in one row"
    shot(page, "laptop-header")


# --- finding 11: the smaller items --------------------------------------------------------------


def test_removing_a_file_on_a_phone_asks_first(
    new_page: PageFactory, member: Member, live_server: Any
) -> None:
    activity = testing.make_activity(member, title="Infection control update")
    attach_evidence(activity=activity, files=[make_upload("certificate.pdf")], actor=member.user)
    page = signed_in(new_page(**ON_A_PHONE), member, live_server)

    page.goto(f"/activities/{activity.pk}/")
    page.get_by_role("button", name="Remove certificate.pdf").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Remove “certificate.pdf” from “Infection control update”?"
    )
    expect(page.get_by_text("This cannot be undone.")).to_be_visible()
    remove = page.get_by_role("button", name="Remove", exact=True)
    expect(remove).to_be_in_viewport(ratio=1)
    fits_sideways(page)
    shot(page, "phone-remove-file-question")

    page.get_by_role("link", name="Cancel").tap()
    expect(page).to_have_url(re.compile(rf"/activities/{activity.pk}/$"))
    expect(page.get_by_role("link", name="certificate.pdf")).to_be_visible()
    assert Evidence.objects.filter(activity=activity).count() == 1

    page.get_by_role("button", name="Remove certificate.pdf").tap()
    page.get_by_role("button", name="Remove", exact=True).tap()
    expect(page).to_have_url(re.compile(rf"/activities/{activity.pk}/$"))
    expect(page.get_by_role("status")).to_have_text("Removed “certificate.pdf”.")
    expect(page.get_by_text("No files attached.")).to_be_visible()
    assert not Evidence.objects.filter(activity=activity).exists()


def test_on_a_phone_each_certification_links_its_cycle_page_which_names_the_cycle(
    new_page: PageFactory, member: Member, live_server: Any
) -> None:
    testing.make_certification(member, "RPT", date(2024, 1, 15))
    testing.make_activity(member, title="HIPAA basics", points="1", start=date(2023, 12, 1))
    page = signed_in(new_page(**ON_A_PHONE), member, live_server)

    page.goto("/dashboard/")
    rpt = page.get_by_role("article").filter(
        has=page.get_by_role("heading", name=re.compile("RPT"))
    )
    expect(rpt.get_by_role("link", name="See this cycle's page")).to_have_count(1)
    rma = page.get_by_role("article").filter(
        has=page.get_by_role("heading", name=re.compile("RMA"))
    )
    link = rma.get_by_role("link", name="See this cycle's page")
    link.scroll_into_view_if_needed()
    link.tap()

    expect(page).to_have_title("RMA cycle (May 10, 2023 – May 31, 2026) · KeepCert")
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text("RMA cycle (May 10, 2023 – May 31, 2026)")
    expect(heading).to_be_in_viewport(ratio=1)
    fits_sideways(page)
    shot(page, "phone-cycle-page")


def test_on_a_phone_a_maximum_shows_only_beside_the_category_that_has_one(
    new_page: PageFactory, member: Member, live_server: Any
) -> None:
    testing.make_activity(member, points="8", category_code="formal-education")
    page = signed_in(new_page(**ON_A_PHONE), member, live_server)
    cycle = testing.current_cycle(member.certifications.get())

    page.goto(f"/cycles/{cycle.pk}/")
    table = page.get_by_role("table", name="Points by category for this cycle")
    expect(table.get_by_role("columnheader")).to_have_text(["Category", "Entered", "Counted"])
    expect(table).not_to_contain_text("none")

    CategoryRule.objects.filter(category__code="formal-education").update(
        max_points_per_cycle=Decimal(5)
    )
    forget_program_rules()
    page.reload()
    expect(table.get_by_role("columnheader")).to_have_text(
        ["Category", "Entered", "Counted", "Maximum"]
    )
    expect(table.get_by_role("row", name=re.compile("^Formal Education"))).to_have_text(
        re.compile(r"Formal Education\s*8\s*5\s*5")
    )
    expect(
        table.get_by_role("row", name=re.compile("^Professional Education")).get_by_role("cell")
    ).to_have_text(["0", "0", ""])
    fits_sideways(page)
    shot(page, "phone-category-maximum")
