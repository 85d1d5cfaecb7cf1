"""Browser tests: a member uses the portal in a real Chromium, driven by Playwright,
against pytest-django's live server (the fixtures are in browser.py).

The module is skipped when Debian's Chromium (/usr/bin/chromium) is missing, unless
KEEPCERT_REQUIRE_BROWSER=1 is set (CI), in which case it fails to collect, loudly.
"""

from __future__ import annotations

import os
import re
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import time_machine
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.conf import settings

from conftest import NOW
from keepcert import testing
from keepcert.activities.models import Activity
from keepcert.members.models import Member
from keepcert.portal.tests.browser import (
    PHONE,
    WIDER_THAN_VIEWPORT,
    PageFactory,
    signed_in,
    skip_without_chromium,
)

skip_without_chromium()

from axe_playwright_python.sync_playwright import Axe  # noqa: E402
from playwright.sync_api import Page, expect  # noqa: E402

pytestmark = pytest.mark.browser

DASHBOARD = re.compile(r"/dashboard/$")
RECORD_CE = re.compile(r"/activities/new/$")
ATTESTATION = re.compile(r"^I attest that the information I have entered is correct")
BAR = re.compile(r"points counted")
BLOCKING_IMPACTS = {"serious", "critical"}


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
    # Each date change makes htmx re-tick the "Count it toward" boxes: let it finish.
    page.get_by_label("Start date").fill(start.isoformat())
    page.get_by_label("End date").fill((end or start).isoformat())
    expect(page.locator(".htmx-request")).to_have_count(0)
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
        f"  - {v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']]}"
        for v in violations
    )


# Every id named by aria-describedby / aria-labelledby must exist, exactly once.
BROKEN_ARIA_REFERENCES = """() => {
  const problems = [];
  for (const el of document.querySelectorAll("[aria-describedby], [aria-labelledby]")) {
    for (const attr of ["aria-describedby", "aria-labelledby"]) {
      for (const id of (el.getAttribute(attr) || "").split(/\\s+/).filter(Boolean)) {
        const n = document.querySelectorAll(`[id="${CSS.escape(id)}"]`).length;
        if (n !== 1) {
          const who = el.id ? `#${el.id}` : el.tagName.toLowerCase();
          problems.push(`${who} ${attr}="${id}": ` +
            (n ? `${n} elements have this id` : "no element has this id"));
        }
      }
    }
  }
  return problems;
}"""

# --- tests ---------------------------------------------------------------------------


def test_member_signs_in_records_ce_and_sees_the_dashboard_update(
    page: Page, member: Member
) -> None:
    testing.make_activity(member, points="12", start=date(2024, 3, 1))

    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(member.user.email)
    page.get_by_label("Password").fill(testing.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(DASHBOARD)
    expect_counted(page, "12", 40)

    page.get_by_role("button", name="Record CE").click()
    expect(page).to_have_url(RECORD_CE)
    fill_activity(
        page, title="Bloodborne pathogens refresher", start=date(2025, 10, 14), points="4.5"
    )
    expect(page.get_by_role("checkbox", name=re.compile(r"^RMA cycle"))).to_be_checked()
    page.get_by_role("button", name="Record activity").click()

    expect(page).to_have_url(DASHBOARD)
    expect(page.get_by_role("status")).to_contain_text("Bloodborne pathogens refresher")
    expect_counted(page, "16.5", 55)
    expect(page.get_by_test_id("remaining")).to_have_text("13.5")
    assert activity_count(member) == 2


def test_activity_before_the_cycle_is_refused_beside_the_start_date(
    page: Page, member: Member, live_server: Any
) -> None:
    testing.make_activity(member, points="12", start=date(2024, 3, 1))
    signed_in(page, member, live_server)

    page.goto("/activities/new/")
    fill_activity(page, title="Phlebotomy workshop", start=date(2023, 1, 10), points="3")
    page.get_by_role("button", name="Record activity").click()

    # Still the form, with what the member typed...
    expect(page).to_have_url(RECORD_CE)
    expect(page.get_by_role("heading", level=1)).to_have_text("Record CE")
    start = page.get_by_label("Start date")
    expect(start).to_have_value("2023-01-10")
    expect(page.get_by_label("End date")).to_have_value("2023-01-10")
    expect(page.get_by_label("Title")).to_have_value("Phlebotomy workshop")
    expect(page.get_by_label("Points")).to_have_value("3")
    # ...and nothing saved.
    assert activity_count(member) == 1
    dashboard = page.context.new_page()
    dashboard.goto("/dashboard/")
    expect_counted(dashboard, "12", 40)

    expect(
        page.locator("#id_start_date-error"),
        "the start-date error must be printed beside Start date",
    ).to_contain_text("before your RMA cycle began on May 10, 2023")
    expect(start).to_have_attribute("aria-invalid", "true")
    expect(start).to_have_accessible_description(
        re.compile("before your RMA cycle began on May 10, 2023")
    )


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
    expect(page.locator("#duplicate-warning")).to_have_attribute("role", "alert")
    expect(page.locator("#duplicate-warning")).to_contain_text(
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
    found = {}

    page.goto("/dashboard/")
    expect(page.get_by_test_id("counted")).to_be_visible()
    found["dashboard"] = blocking_violations(page)

    page.goto("/activities/new/")
    expect(page.get_by_role("heading", name="Record CE")).to_be_visible()
    found["Record CE"] = blocking_violations(page)

    page.get_by_role("button", name="Record activity").click()  # empty: the fields err
    expect(page.locator(".field-error").first).to_be_visible()
    found["Record CE showing field errors"] = blocking_violations(page)

    failures = {name: violations for name, violations in found.items() if violations}
    assert not failures, "axe-core found serious or critical violations:\n" + "\n".join(
        f"{name}:\n{describe(violations)}" for name, violations in failures.items()
    )


def test_record_ce_fields_point_at_their_help_and_errors(
    page: Page, member: Member, live_server: Any
) -> None:
    """Screen readers read a field's help and errors through aria-describedby."""
    signed_in(page, member, live_server)
    found = {}

    page.goto("/activities/new/")
    found["Record CE"] = page.evaluate(BROKEN_ARIA_REFERENCES)

    # Two errors on End date: before the start date, and in the future.
    fill_activity(
        page, title="Lab safety", start=date(2025, 12, 10), end=date(2025, 12, 1), points="1"
    )
    page.get_by_role("button", name="Record activity").click()
    expect(page.locator("#id_end_date-error").first).to_contain_text("before the start date")
    found["Record CE with two errors on End date"] = page.evaluate(BROKEN_ARIA_REFERENCES)

    failures = {name: problems for name, problems in found.items() if problems}
    assert not failures, "aria references that do not resolve to exactly one element:\n" + (
        "\n".join(f"{name}:\n  - " + "\n  - ".join(p) for name, p in failures.items())
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
    button = page.get_by_role("button", name="Record CE")
    expect(button).to_be_visible()
    button.scroll_into_view_if_needed()
    expect(button).to_be_in_viewport(ratio=1)

    # A phone browser widens its layout viewport to fit wide content, so innerWidth
    # must also still be the screen's width.
    scroll_width, inner_width = page.evaluate(
        "[document.scrollingElement.scrollWidth, window.innerWidth]"
    )
    assert scroll_width <= inner_width == PHONE["width"], (
        f"the dashboard scrolls sideways on a {PHONE['width']}px phone: content is "
        f"{scroll_width}px wide, layout viewport {inner_width}px; too wide: "
        f"{page.evaluate(WIDER_THAN_VIEWPORT)}"
    )


def test_page_links_can_be_tapped_on_a_phone(
    new_page: PageFactory, member: Member, live_server: Any
) -> None:
    for i in range(52):
        testing.make_activity(
            member, title=f"Course {i:02}", points="0.5", start=date(2024, 1, 1) + timedelta(days=i)
        )
    page = signed_in(
        new_page(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=3),
        member,
        live_server,
    )

    page.goto("/dashboard/")
    page.get_by_role("link", name="All 52 activities of this cycle").tap()
    older = page.get_by_role("link", name="Older activities")
    older.scroll_into_view_if_needed()
    expect(older).to_be_in_viewport(ratio=1)
    box = older.bounding_box()
    assert box is not None and box["height"] >= 44 and box["width"] <= PHONE["width"]
    older.tap()

    expect(page.get_by_role("link", name="Course 00")).to_be_visible()
    expect(page.get_by_role("link", name="Latest activities")).to_be_visible()
    scroll_width = page.evaluate("document.scrollingElement.scrollWidth")
    assert scroll_width <= PHONE["width"], page.evaluate(WIDER_THAN_VIEWPORT)


@pytest.mark.security
def test_the_admin_needs_the_staff_password_and_the_authenticator_code(
    new_page: PageFactory, member: Member, settings: Any
) -> None:
    """Issue 5, finding 1: the admin's own password form signed staff in without TOTP."""
    settings.KEEPCERT_STAFF_REQUIRE_MFA = True
    secret = "JBSWY3DPEHPK3PXP"
    TOTP.activate(testing.make_user("staff@example.org", staff=True), secret)

    # A signed-in member tries the admin's login form: there is none to try.
    page = new_page()
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(member.user.email)
    page.get_by_label("Password").fill(testing.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(DASHBOARD)
    page.goto("/admin/login/?next=/admin/")
    expect(page.locator('input[name="username"]')).to_have_count(0)
    assert page.goto("/admin/").status == 403  # type: ignore[union-attr]
    expect(page.get_by_text("This page is for staff.")).to_be_visible()

    # Staff: the password alone leads to the code, and only the code opens the admin.
    page = new_page()
    page.goto("/admin/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/admin/$"))
    page.get_by_label("Email").fill("staff@example.org")
    page.get_by_label("Password").fill(testing.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/$"))
    page.goto("/admin/")  # not signed in yet: the admin sends back to the code
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/$"))
    page.locator('input[name="code"]').fill(
        format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    )
    page.locator('input[name="code"]').press("Enter")
    page.goto("/admin/")
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()


# --- where a certification stands (issue 7, findings 3, 4, 9) ----------------------------

# Screenshots of what the tests below saw, for a person to look at: set KEEPCERT_SHOTS to
# a folder.
SHOTS = os.environ.get("KEEPCERT_SHOTS")


def phone_page(new_page: PageFactory, member: Member, live_server: Any) -> Page:
    return signed_in(
        new_page(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=1),
        member,
        live_server,
    )


def shot(page: Page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"))


def test_in_the_grace_period_the_first_screen_says_the_last_day_and_what_to_do(
    new_page: PageFactory, member: Member, live_server: Any, clock: time_machine.Traveller
) -> None:
    testing.make_activity(member, points="12", start=date(2024, 3, 1))
    clock.move_to(NOW.replace(year=2026, month=6, day=15))  # the cycle ended May 31
    page = phone_page(new_page, member, live_server)

    page.goto("/dashboard/")
    banner = page.get_by_test_id("standing")
    expect(banner).to_be_in_viewport(ratio=1)
    expect(banner).to_contain_text("Grace period")
    expect(banner).to_contain_text("Your RMA certification lapses after June 30, 2026.")
    expect(banner).to_contain_text("ended on May 31, 2026 with 18 points missing")
    expect(banner).to_contain_text(
        "record the missing points for activities you completed between May 10, 2023 and "
        "May 31, 2026"
    )
    # Danger is more than a colour: an icon, the state's word in capitals, a full frame.
    expect(banner.locator(".standing-icon")).to_be_visible()
    expect(banner.locator(".standing-label")).to_have_css("text-transform", "uppercase")
    expect(banner).to_have_css("border-top-style", "solid")
    shot(page, "browser-grace-phone")


def test_behind_pace_is_advice_in_its_own_style_with_a_plan_in_half_points(
    new_page: PageFactory, member: Member, live_server: Any
) -> None:
    testing.make_activity(member, points="12.25", start=date(2024, 3, 1))
    page = phone_page(new_page, member, live_server)

    page.goto("/dashboard/")
    banner = page.get_by_test_id("standing")
    expect(banner).to_be_in_viewport(ratio=1)
    expect(banner).to_contain_text("Behind pace.")
    # 17.75 points remain: rounded up to 18, and 2.6 a month up to 3.
    expect(banner).to_contain_text(
        "Record 18 more points by May 31, 2026: 3 points a month will do it."
    )
    expect(page.get_by_text("would be on pace")).to_have_count(0)
    expect(banner.locator(".standing-icon")).to_have_count(0)
    expect(banner).to_have_css("border-top-style", "none")
    shot(page, "browser-behind-phone")


def test_a_lapsed_member_sees_whom_to_contact_on_the_first_screen(
    new_page: PageFactory, member: Member, live_server: Any
) -> None:
    member.certifications.update(status="lapsed", status_changed_on=date(2025, 11, 1))
    page = phone_page(new_page, member, live_server)

    page.goto("/dashboard/")
    banner = page.get_by_test_id("standing")
    expect(banner).to_contain_text("Lapsed since November 1, 2025")
    expect(banner).to_contain_text("To reactivate it, contact Test Certification Body.")
    expect(banner.locator(".standing-icon")).to_be_visible()
    email = banner.get_by_role("link", name="ccp@example.org")
    expect(email).to_have_attribute("href", "mailto:ccp@example.org")
    expect(email).to_be_in_viewport()
    expect(banner.get_by_role("link", name="555-0100")).to_have_attribute("href", "tel:555-0100")
    shot(page, "browser-lapsed-phone")


def test_a_cycle_completed_before_keepcert_shows_its_outcome_not_zero(
    new_page: PageFactory, member: Member, live_server: Any
) -> None:
    maria = testing.make_member(first_name="Maria", last_name="Lopez")
    certification = testing.make_certification(
        maria, "MLT", date(2019, 3, 15), brought_in_points="45"
    )
    page = phone_page(new_page, maria, live_server)

    page.goto("/dashboard/")
    past = page.get_by_role("listitem").filter(has_text="March 15, 2019 – March 31, 2022")
    expect(past).to_contain_text("Requirement met")
    expect(past).to_contain_text("Completed before this record came to KeepCert, with 45 points.")
    past.get_by_role("link").tap()

    expect(page.get_by_text("Completed before this record came to KeepCert")).to_be_visible()
    for wrong in ("Remaining", "% of the requirement", "No activities"):
        expect(page.get_by_text(wrong)).to_have_count(0)
    expect(page.get_by_test_id("cycle-outcome")).to_have_text("Requirement met")
    assert page.url.endswith(f"/cycles/{certification.cycles.order_by('start')[0].pk}/")
    shot(page, "browser-brought-in-phone")


def test_two_credentials_on_a_phone_first_screen_and_activities_once(
    new_page: PageFactory, member: Member, live_server: Any
) -> None:
    testing.make_certification(member, "RPT", date(2024, 1, 15))
    testing.make_activity(member, title="Wound care webinar", points="2.5", start=date(2024, 3, 1))
    page = phone_page(new_page, member, live_server)

    page.goto("/dashboard/")
    # The first screen: each certification's status, points still needed and the day.
    for line in (
        "RMA · Active · 27.5 points to go by May 31, 2026",
        "RPT · Active · 21.5 points to go by January 31, 2027",
    ):
        expect(page.get_by_role("listitem").filter(has_text=line)).to_be_in_viewport(ratio=1)
    expect(page.get_by_role("link", name="Wound care webinar")).to_have_count(1)
    expect(page.get_by_text("Counts toward RMA, RPT")).to_be_visible()
    expect(page.get_by_role("button", name="Record CE")).to_have_count(1)
    shot(page, "browser-two-credentials-phone")
    scroll_width = page.evaluate("document.scrollingElement.scrollWidth")
    assert scroll_width <= PHONE["width"], page.evaluate(WIDER_THAN_VIEWPORT)


# --- languages (issue 7) -------------------------------------------------------------------


@pytest.fixture
def pseudo_locale(settings: Any, tmp_path: Path) -> str:
    """Every translated string shows as ⟦…⟧: text outside the brackets bypassed translation."""
    from keepcert.portal.tests import pseudo

    settings.LOCALE_PATHS = [pseudo.build(tmp_path), *settings.LOCALE_PATHS]
    settings.LANGUAGES = [*settings.LANGUAGES, (pseudo.CODE, "Pseudo")]
    return pseudo.CODE


def member_data(member: Member) -> tuple[str, ...]:
    """What a page may show untranslated: the member's own data, the brand and the
    languages' own names."""
    return (
        member.full_name,
        member.member_number,
        member.user.email,
        *Activity.objects.filter(member=member).values_list("title", flat=True),
        *Activity.objects.filter(member=member).values_list("provider", flat=True),
        *member.certifications.values_list("credential__code", flat=True),
        "KeepCert",
        *(name for _, name in settings.LANGUAGES),
    )


def program_text(member: Member, *, translated_into: str | None = None) -> tuple[str, ...]:
    """The program's own text as its file writes it (names of credentials and categories,
    guidance, evidence, the attestation): outside the catalog, so outside ⟦…⟧. With
    `translated_into`, only the texts the program file translates into that language."""
    from keepcert.program.models import CategoryRule, CredentialRule, ProgramText, RuleSet

    program = member.program
    rows: list[ProgramText] = [
        program,
        *CredentialRule.objects.filter(rule_set__program=program),
        *CategoryRule.objects.filter(rule_set__program=program),
        *RuleSet.objects.filter(program=program),
    ]
    return tuple(
        getattr(row, field)
        for row in rows
        for field in row.TRANSLATED_FIELDS
        if getattr(row, field)
        and (translated_into is None or row.translations.get(translated_into, {}).get(field))
    )


def journey(
    page: Page, member: Member, *, error_then_success: tuple[str, str], shots: str = ""
) -> dict[str, str]:
    """The member journey (sign in, dashboard, Record CE with an error then success, the
    activity, the cycle, the profile): each page's visible text by step. With `shots`,
    each page is also saved (`KEEPCERT_SHOTS`) as "<shots>-<step>.png"."""
    seen: dict[str, str] = {}

    def look(step: str) -> None:
        expect(page.locator("body")).to_be_visible()
        seen[step] = page.inner_text("body")
        if shots:
            name = f"{shots}-{step.replace(' ', '-')}.png"
            page.screenshot(path=str(Path(SHOTS) / name), full_page=True)

    page.goto("/accounts/login/")
    look("sign-in")
    page.locator("input[name=login]").fill(member.user.email)
    page.locator("input[name=password]").fill(testing.PASSWORD)
    page.locator("form button[type=submit]").last.click()
    expect(page).to_have_url(DASHBOARD)
    look("dashboard")

    page.goto("/activities/new/")
    look("record form")
    wrong, right = error_then_success
    page.locator("select[name=category]").select_option(index=1)
    page.locator("input[name=title]").fill("Venipuncture refresher")
    page.locator("input[name=start_date]").fill("2023-01-10")  # before the cycle: an error
    page.locator("input[name=end_date]").fill("2023-01-10")
    expect(page.locator(".htmx-request")).to_have_count(0)
    page.locator("input[name=points]").fill(wrong)
    page.locator("input[name=attestation]").check()
    page.locator("main form button[type=submit]").first.click()
    expect(page).to_have_url(RECORD_CE)
    look("record form with an error")
    page.locator("input[name=start_date]").fill("2025-10-14")
    page.locator("input[name=end_date]").fill("2025-10-14")
    expect(page.locator(".htmx-request")).to_have_count(0)
    # htmx re-ticks the cycles that contain the new dates; tick it as a member would if it
    # has not yet (this journey is about the words on the pages, not about htmx).
    page.locator("input[name=cycles]").first.check()
    page.locator("input[name=points]").fill(right)
    if not page.locator("input[name=attestation]").is_checked():
        page.locator("input[name=attestation]").check()
    page.locator("main form button[type=submit]").first.click()
    expect(page).to_have_url(DASHBOARD)
    look("dashboard after recording")

    activity = Activity.objects.get(member=member, title="Venipuncture refresher")
    page.goto(f"/activities/{activity.pk}/")
    look("activity")
    cycle = activity.cycles.get()
    page.goto(f"/cycles/{cycle.pk}/")
    look("cycle")
    page.goto("/profile/")
    look("profile")
    return seen


def test_the_member_journey_shows_no_text_that_bypasses_translation(
    new_page: PageFactory, member: Member, pseudo_locale: str
) -> None:
    from keepcert.portal.tests.pseudo import untranslated

    testing.make_activity(member, points="12", start=date(2024, 3, 1))
    page = new_page(locale="en-XA")
    seen = journey(page, member, error_then_success=("3", "2.5"))

    allowed = (*member_data(member), *program_text(member))
    found = {step: untranslated(text, allowed=allowed) for step, text in seen.items()}
    leaks = {step: runs for step, runs in found.items() if runs}
    assert not leaks, "Text outside ⟦…⟧ (not marked for translation):\n" + "\n".join(
        f"  {step}: {runs}" for step, runs in leaks.items()
    )
    assert "⟦" in seen["dashboard"] and "⟦" in seen["sign-in"]  # the catalog was in use


def test_the_member_journey_in_spanish_has_no_english_left(
    new_page: PageFactory, member: Member
) -> None:
    import polib

    testing.make_activity(member, points="12", start=date(2024, 3, 1))
    page = new_page(locale="es-MX", viewport=PHONE)
    seen = journey(
        page, member, error_then_success=("3", "2.5"), shots="spanish-journey" if SHOTS else ""
    )
    expect(page.locator("html")).to_have_attribute("lang", "es")

    # Every English sentence of KeepCert's catalog (pieces between placeholders, two words
    # or more) must be absent: its Spanish is shown instead.
    catalog = polib.pofile(str(Path(settings.BASE_DIR) / "locale/es/LC_MESSAGES/django.po"))
    english = {
        piece.strip()
        for entry in catalog
        if entry.msgstr and entry.msgstr != entry.msgid
        for piece in re.split(r"%\(\w+\)[sd]|\{\w+\}|<[^>]+>", entry.msgid)
        if len(piece.split()) >= 2
    }
    data = member_data(member)
    leaks = {
        step: sorted(s for s in english if s in text and not any(s in d for d in data))
        for step, text in seen.items()
    }
    leaks = {step: found for step, found in leaks.items() if found}
    assert not leaks, "English left on the Spanish pages:\n" + "\n".join(
        f"  {step}: {found}" for step, found in leaks.items()
    )
    # Nor the program's English where its file gives the Spanish (names of credentials and
    # categories, guidance, evidence, the attestation).
    program_english = program_text(member, translated_into="es")
    leaks = {
        step: sorted(s for s in program_english if s in text and not any(s in d for d in data))
        for step, text in seen.items()
    }
    leaks = {step: found for step, found in leaks.items() if found}
    assert not leaks, "The program's English on the Spanish pages:\n" + "\n".join(
        f"  {step}: {found}" for step, found in leaks.items()
    )
    assert "Asistente Médico Registrado" in seen["dashboard"]
    assert "Mi progreso" in seen["dashboard"]
    assert activity_count(member) == 2
    assert Activity.objects.get(title="Venipuncture refresher").points == Decimal("2.5")
