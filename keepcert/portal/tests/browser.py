"""The browser tests' shared parts (test_browser.py, test_every_page.py): Playwright driving
Debian's Chromium against pytest-django's live server. conftest.py publishes the fixtures.

One browser per module (per xdist worker); a fresh context (cookies, storage) per test.
The clock is frozen at the suite's NOW with tick=True: time-machine patches the whole
process, so the live server's thread sees the same "today" as the test.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from playwright.sync_api import Browser, Page, sync_playwright

from conftest import NOW
from keepcert import testing
from keepcert.members.models import Member

PHONE = {"width": 390, "height": 844}

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


def skip_without_chromium() -> None:
    """Called at the top of each browser test module: skip it when Debian's Chromium is
    missing, unless KEEPCERT_REQUIRE_BROWSER=1 (CI), where it fails to collect, loudly."""
    if CHROMIUM.exists():
        return
    if os.environ.get("KEEPCERT_REQUIRE_BROWSER") == "1":
        pytest.fail(
            f"KEEPCERT_REQUIRE_BROWSER=1 but {CHROMIUM} is missing: apt-get install -y chromium",
            pytrace=False,
        )
    pytest.skip(f"{CHROMIUM} is not installed", allow_module_level=True)


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
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    return page


# What sticks out past the right edge (outermost elements only, ignoring content that
# is hidden or inside its own scroll box), for an actionable failure message. Pass the
# screen's width on a phone: there the browser widens the layout to fit wide content.
# A scroll box clips an absolutely placed element only from its containing block out
# (a visually hidden label inside a table escapes the table's scroll box).
WIDER_THAN_VIEWPORT = """(screenWidth) => {
  const width = screenWidth || document.documentElement.clientWidth;
  const clips = el => ["auto", "scroll", "hidden", "clip"].includes(getComputedStyle(el).overflowX);
  const sticksOut = el => {
    if (!el || el === document.body || !el.checkVisibility()) return false;
    if (el.getBoundingClientRect().right <= width + 0.5) return false;
    const position = getComputedStyle(el).position;
    if (position === "fixed") return true;
    let containingBlock = position === "absolute" ? el.offsetParent : null;
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      if (containingBlock && p !== containingBlock) continue;
      containingBlock = null;
      if (clips(p)) return false;
    }
    return true;
  };
  return [...document.querySelectorAll("body *")]
    .filter(el => sticksOut(el) && !sticksOut(el.parentElement))
    .map(el => `${el.tagName.toLowerCase()}${el.className ? "." + el.className : ""}` +
      ` in ${el.parentElement.tagName.toLowerCase()}: right edge at` +
      ` ${Math.round(el.getBoundingClientRect().right)}px`);
}"""
