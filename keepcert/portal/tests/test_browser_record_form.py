"""Record CE on a phone (390×844) in Chromium: points typed with a comma, points that look
mistyped, and a refused submit that shows itself (issue 7, findings 1 and 2).

The fixtures are browser.py's, published by conftest.py (one browser per module, a fresh
context per test, the clock frozen at the suite's NOW and ticking); helpers are
test_browser.py's. Set KEEPCERT_SHOTS to a folder
to keep a screenshot of each state a member sees.
"""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from keepcert.members.models import Member
from keepcert.portal.tests.browser import PHONE, PageFactory, signed_in, skip_without_chromium
from keepcert.portal.tests.test_browser import (
    ATTESTATION,
    DASHBOARD,
    RECORD_CE,
    activity_count,
    expect_counted,
    fill_activity,
)

skip_without_chromium()

from playwright.sync_api import Page, expect  # noqa: E402  (after the module's skip)

pytestmark = pytest.mark.browser


@pytest.fixture
def phone(new_page: PageFactory, member: Member, live_server: Any) -> Page:
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    return signed_in(page, member, live_server)


def shot(page: Page, name: str) -> None:
    folder = os.environ.get("KEEPCERT_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"))


def focused_id(page: Page) -> str:
    return str(page.evaluate("document.activeElement && document.activeElement.id"))


def test_on_a_phone_points_typed_with_a_comma_count_as_decimals(
    phone: Page, member: Member
) -> None:
    phone.goto("/activities/new/")
    points = phone.get_by_label("Points")
    expect(points).to_have_attribute("type", "text")
    expect(points).to_have_attribute("inputmode", "decimal")
    fill_activity(phone, title="Needle safety webinar", start=date(2025, 10, 2), points="1,5")
    phone.get_by_role("button", name="Record activity").click()
    expect(phone).to_have_url(DASHBOARD)
    expect_counted(phone, "1.5", 5)
    shot(phone, "comma-recorded")


def test_on_a_phone_a_comma_that_is_not_decimal_is_refused_at_the_top(
    phone: Page, member: Member
) -> None:
    phone.goto("/activities/new/")
    fill_activity(phone, title="Needle safety webinar", start=date(2025, 10, 2), points="1,500")
    phone.get_by_role("button", name="Record activity").click()
    expect(phone).to_have_url(RECORD_CE)
    summary = phone.locator("#error-summary")
    expect(summary).to_be_in_viewport()
    expect(summary).to_contain_text("“1,500” is not clear")
    expect(phone.get_by_label("Points")).to_have_value("1,500")
    assert activity_count(member) == 0
    shot(phone, "comma-refused")


def test_on_a_phone_large_points_ask_first_and_save_anyway_records_them(
    phone: Page, member: Member
) -> None:
    phone.goto("/activities/new/")
    fill_activity(
        phone, title="Anatomy II", start=date(2025, 9, 1), points="15", category="Formal Education"
    )
    phone.get_by_role("button", name="Record activity").click()
    expect(phone).to_have_url(RECORD_CE)
    warning = phone.locator("#large-points-warning")
    expect(warning).to_be_in_viewport()
    expect(warning).to_have_text(
        "Check the points. 15 points is more than one Formal Education activity usually "
        "earns (10). Check the number; if it is right, save anyway."
    )
    assert focused_id(phone) == "large-points-warning"
    assert activity_count(member) == 0
    shot(phone, "large-points-warning")

    phone.get_by_role("button", name="Save anyway").click()
    expect(phone).to_have_url(DASHBOARD)
    expect_counted(phone, "15", 50)


def test_on_a_phone_a_refused_submit_shows_every_problem_at_the_top_with_focus(
    phone: Page, member: Member, tmp_path: Path
) -> None:
    phone.goto("/activities/new/")
    phone.get_by_label("Category").select_option(label="Professional Education")
    phone.get_by_label("Title").fill("Phlebotomy workshop")
    certificate = tmp_path / "certificate.pdf"
    certificate.write_bytes(b"%PDF-1.4 test certificate")
    phone.get_by_label("Evidence (optional)").set_input_files(str(certificate))
    # No dates, no points, the attestation left unticked: one submit.
    phone.get_by_role("button", name="Record activity").click()

    expect(phone).to_have_url(RECORD_CE)
    summary = phone.locator("#error-summary")
    expect(summary).to_be_in_viewport()
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    assert focused_id(phone) == "error-summary"
    links = summary.get_by_role("link")
    expect(links).to_have_text(
        [
            "Enter the date the activity started.",
            "Enter the date the activity ended.",
            "Enter the points you earned.",
            "Tick the attestation to confirm the information is correct.",
            "Choose your evidence files again: they were not kept.",
        ]
    )
    shot(phone, "error-summary")

    # A link goes to its field; the files are named beside theirs.
    summary.get_by_role("link", name="Tick the attestation").tap()
    expect(phone.get_by_role("checkbox", name=ATTESTATION)).to_be_in_viewport()
    again = phone.locator("#id_evidence-again")
    again.scroll_into_view_if_needed()
    expect(again).to_contain_text("You had chosen: certificate.pdf")
    shot(phone, "choose-files-again")
    assert activity_count(member) == 0


def test_on_a_phone_record_ce_gives_its_help_and_says_why_a_box_unticked(
    phone: Page, member: Member
) -> None:
    phone.goto("/activities/new/")
    category = phone.get_by_label("Category")
    expect(category.locator("option", has_text="Employment Verification")).to_have_count(0)
    expect(phone.get_by_label("Points")).to_have_accessible_description(
        re.compile(r"^Required\. A point is a unit of CE credit")
    )
    phone.get_by_text("What counts in each category").tap()
    expect(phone.get_by_text("Evidence to keep: Transcript showing the course")).to_be_visible()

    box = phone.get_by_role("checkbox", name=re.compile("^RMA cycle"))
    expect(box).to_be_checked()
    phone.get_by_label("Start date").fill("2023-01-10")
    expect(box).not_to_be_checked()
    note = phone.get_by_text("Not ticked: the dates are outside this cycle.")
    note.scroll_into_view_if_needed()
    expect(note).to_be_in_viewport()
    shot(phone, "unticked-box-says-why")
