"""The program's own words in Spanish on a phone (390×844) in Chromium (issue 7, "program
data is English on Spanish pages"): the Record CE guidance as the program file gives it.

Fixtures are browser.py's (published by conftest.py). Set KEEPCERT_SHOTS to a folder to
keep a screenshot.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from keepcert.members.models import Member
from keepcert.portal.tests.browser import (
    PHONE,
    WIDER_THAN_VIEWPORT,
    PageFactory,
    signed_in,
    skip_without_chromium,
)

skip_without_chromium()

from playwright.sync_api import expect  # noqa: E402  (after the module's skip)

pytestmark = pytest.mark.browser


def test_a_spanish_member_reads_the_categories_guidance_in_spanish_on_a_phone(
    new_page: PageFactory, member: Member, live_server: Any
) -> None:
    page = new_page(locale="es-MX", viewport=PHONE, is_mobile=True, has_touch=True)
    signed_in(page, member, live_server)
    page.goto("/activities/new/")
    page.get_by_text("Qué cuenta en cada categoría").click()
    guidance = page.locator("details.guidance")
    expect(guidance.get_by_text("Presentaciones educativas", exact=True)).to_be_visible()
    expect(guidance).to_contain_text("Conferencias, talleres o sesiones de capacitación")
    expect(guidance).to_contain_text("Comprobantes que debe conservar: Carta o acta")
    expect(guidance).not_to_contain_text("Instructional Presentations")
    options = page.locator("select[name=category] option").all_inner_texts()
    assert "Educación profesional" in options and "Professional Education" not in options
    expect(page.locator("label", has_text="Declaro que la información")).to_be_visible()
    scroll_width = page.evaluate("document.scrollingElement.scrollWidth")
    assert scroll_width <= PHONE["width"], page.evaluate(WIDER_THAN_VIEWPORT)
    if folder := os.environ.get("KEEPCERT_SHOTS"):
        Path(folder).mkdir(parents=True, exist_ok=True)
        path = Path(folder) / "spanish-record-form-guidance-phone.png"
        page.screenshot(path=str(path), full_page=True)
