"""Browser tests: a member uses the portal in a real Chromium, driven by Playwright,
against pytest-django's live server.

The module is skipped when Debian's Chromium (/usr/bin/chromium) is missing, unless
KEEPCERT_REQUIRE_BROWSER=1 is set (CI), in which case it fails to collect, loudly.

One browser per module (per xdist worker); a fresh context (cookies, storage) per test.
The clock is frozen at the suite's NOW with tick=True: time-machine patches the whole
process, so the live server's thread sees the same "today" as the test.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import time_machine
from conftest import NOW
from django.conf import settings
from django.test import Client

from keepcert import testing
from keepcert.activities.models import Activity
from keepcert.members.models import Member

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

if not CHROMIUM.exists():
    if os.environ.get("KEEPCERT_REQUIRE_BROWSER") == "1":
        pytest.fail(
            f"KEEPCERT_REQUIRE_BROWSER=1 but {CHROMIUM} is missing: apt-get install -y chromium",
            pytrace=False,
        )
    pytest.skip(f"{CHROMIUM} is not installed", allow_module_level=True)

from axe_playwright_python.sync_playwright import Axe  # noqa: E402
from playwright.sync_api import Browser, Page, expect, sync_playwright  # noqa: E402

pytestmark = pytest.mark.browser

DASHBOARD = re.compile(r"/dashboard/$")
RECORD_CE = re.compile(r"/activities/new/$")
ATTESTATION = re.compile(r"^I attest that the information I have entered is correct")
BAR = re.compile(r"points counted")
BLOCKING_IMPACTS = {"serious", "critical"}
PHONE = {"width": 390, "height": 844}


# --- fixtures ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    # Playwright's sync API keeps an asyncio loop running on this thread, so Django
    # would refuse ORM calls from the test body ("async context"). Nothing here is
    # async: the test body and the loop never run at the same time.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield browser
            browser.close()


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    """NOW, ticking: the live server needs time to pass (sessions, timeouts)."""
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller


@pytest.fixture
def member(transactional_db: None, clock: time_machine.Traveller) -> Member:
    """Alice, RMA since 2023-05-10: cycle 2023-05-10 .. 2026-05-31, 30 points required.

    Created after (and so while) the clock is frozen: `clock` is set up first.
    """
    testing.make_program()
    alice = testing.make_member(first_name="Alice", last_name="Nguyen")
    testing.make_certification(alice, "RMA")
    return alice


PageFactory = Callable[..., Page]


@pytest.fixture
def new_page(chromium: Browser, live_server: Any) -> Iterator[PageFactory]:
    """Open a page in a fresh browser context (own cookies) on the live server."""
    contexts = []

    def open_page(**context_options: Any) -> Page:
        context = chromium.new_context(base_url=live_server.url, **context_options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page: PageFactory) -> Page:
    return new_page()


def signed_in(page: Page, member: Member, live_server: Any) -> Page:
    """Give the page the member's session without the sign-in form (test 1 uses the form)."""
    client = Client()
    client.force_login(member.user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": cookie.key, "value": cookie.value, "url": live_server.url}]
    )
    return page


# --- helpers -------------------------------------------------------------------------


def fill_activity(
    page: Page,
    *,
    title: str,
    start: date,
    points: str,
    end: date | None = None,
    category: str = "Professional Education",
) -> None:
    page.get_by_label("Category").select_option(label=category)
    page.get_by_label("Title").fill(title)
    page.get_by_label("Start date").fill(start.isoformat())
    page.get_by_label("End date").fill((end or start).isoformat())
    page.get_by_label("Points").fill(points)
    page.get_by_role("checkbox", name=ATTESTATION).check()


def expect_counted(page: Page, counted: str, percent: int) -> None:
    expect(page.get_by_test_id("counted")).to_have_text(counted)
    expect(page.get_by_test_id("percent")).to_have_text(f"{percent}% of the requirement")
    expect(page.get_by_role("img", name=BAR)).to_have_attribute(
        "aria-label", f"{counted} of 30 points counted ({percent}%)"
    )


def activity_count(member: Member) -> int:
    return Activity.objects.filter(member=member).count()


def blocking_violations(page: Page) -> list[dict[str, Any]]:
    violations: list[dict[str, Any]] = Axe().run(page).response["violations"]
    return [v for v in violations if v["impact"] in BLOCKING_IMPACTS]


def describe(violations: list[dict[str, Any]]) -> str:
    return "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']} "
        f"at {[node['target'] for node in v['nodes']]}"
        for v in violations
    )


# --- tests ---------------------------------------------------------------------------


def test_member_signs_in_records_ce_and_sees_the_dashboard_update(
    page: Page, member: Member
) -> None:
    testing.make_activity(member, points="12", start=date(2024, 3, 1))

    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(member.user.email)
    page.get_by_label("Password").fill(testing.PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page).to_have_url(DASHBOARD)
    expect_counted(page, "12", 40)

    page.get_by_role("button", name="Record CE").click()
    expect(page).to_have_url(RECORD_CE)
    fill_activity(page, title="Bloodborne pathogens refresher", start=date(2025, 10, 14), points="4.5")
    page.get_by_role("button", name="Record activity").click()

    expect(page).to_have_url(DASHBOARD)
    expect(page.get_by_role("status")).to_contain_text("Bloodborne pathogens refresher")
    expect_counted(page, "16.5", 55)
    expect(page.get_by_test_id("remaining")).to_have_text("13.5")


def test_activity_before_the_cycle_is_refused_beside_the_start_date(
    page: Page, member: Member, live_server: Any
) -> None:
    testing.make_activity(member, points="12", start=date(2024, 3, 1))
    signed_in(page, member, live_server)

    page.goto("/activities/new/")
    fill_activity(page, title="Phlebotomy workshop", start=date(2023, 1, 10), points="3")
    page.get_by_role("button", name="Record activity").click()

    expect(page).to_have_url(RECORD_CE)
    expect(page.get_by_role("heading", level=1)).to_have_text("Record CE")
    start = page.get_by_label("Start date")
    expect(start).to_have_attribute("aria-invalid", "true")
    # The message is the one the field names in aria-describedby, printed beside it.
    error = page.locator("#id_start_date-error")
    expect(error).to_contain_text("before your RMA cycle began on May 10, 2023")
    expect(start).to_have_accessible_description(re.compile("before your RMA cycle began"))
    # What the member typed is kept.
    expect(page.get_by_label("Title")).to_have_value("Phlebotomy workshop")
    expect(start).to_have_value("2023-01-10")
    expect(page.get_by_label("Points")).to_have_value("3")
    # Nothing was saved.
    assert activity_count(member) == 1
    page.goto("/dashboard/")
    expect_counted(page, "12", 40)


def test_recording_the_same_activity_twice_warns_and_save_anyway_records_it(
    page: Page, member: Member, live_server: Any
) -> None:
    signed_in(page, member, live_server)
    activity = {"title": "Infection control update", "start": date(2025, 9, 3), "points": "2"}

    page.goto("/activities/new/")
    fill_activity(page, **activity)
    page.get_by_role("button", name="Record activity").click()
    expect(page).to_have_url(DASHBOARD)
    expect_counted(page, "2", 6)

    page.goto("/activities/new/")
    fill_activity(page, **activity)
    page.get_by_role("button", name="Record activity").click()
    expect(page).to_have_url(RECORD_CE)
    expect(page.get_by_role("alert").filter(has_text="already recorded")).to_contain_text(
        "looks like an activity you already recorded"
    )
    assert activity_count(member) == 1

    page.get_by_role("button", name="Save anyway").click()
    expect(page).to_have_url(DASHBOARD)
    expect_counted(page, "4", 13)
    assert activity_count(member) == 2


def test_dashboard_and_record_ce_have_no_serious_axe_violation(
    page: Page, member: Member, live_server: Any
) -> None:
    testing.make_activity(member, points="12", start=date(2024, 3, 1))
    signed_in(page, member, live_server)
    checked = {}

    page.goto("/dashboard/")
    expect(page.get_by_test_id("counted")).to_be_visible()
    checked["dashboard"] = blocking_violations(page)

    page.goto("/activities/new/")
    expect(page.get_by_role("heading", name="Record CE")).to_be_visible()
    checked["Record CE"] = blocking_violations(page)

    page.get_by_role("button", name="Record activity").click()  # empty: every field errs
    expect(page.locator(".field-error").first).to_be_visible()
    checked["Record CE with field errors"] = blocking_violations(page)

    failures = {name: found for name, found in checked.items() if found}
    assert not failures, "axe-core found serious/critical violations:\n" + "\n".join(
        f"{name}:\n{describe(found)}" for name, found in failures.items()
    )


def test_dashboard_fits_a_phone_screen(
    new_page: PageFactory, member: Member, live_server: Any
) -> None:
    testing.make_activity(member, points="12", start=date(2024, 3, 1))
    page = signed_in(
        new_page(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=3),
        member,
        live_server,
    )

    page.goto("/dashboard/")
    expect(page.get_by_test_id("counted")).to_be_visible()
    scroll_width, inner_width = page.evaluate(
        "[document.scrollingElement.scrollWidth, window.innerWidth]"
    )
    assert inner_width == PHONE["width"]
    assert scroll_width <= inner_width, (
        f"the dashboard scrolls sideways on a phone: {scroll_width}px wide in {inner_width}px"
    )
    button = page.get_by_role("button", name="Record CE")
    expect(button).to_be_visible()
    button.scroll_into_view_if_needed()
    expect(button).to_be_in_viewport(ratio=1)
