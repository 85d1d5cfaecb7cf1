"""Record CE gives its help up front and sets no traps (issue 7, finding 10): a category
no open cycle can take is not offered, each category says what evidence to keep, Points
says it is required and what a point is, the date example is in the order the date box
shows, and a certification box that unticks itself says why.

The clock is frozen at 2025-11-20 (conftest); Alice's RMA cycle began 2023-05-10.
"""

from __future__ import annotations

import re
from datetime import date

from django.test import Client
from django.urls import reverse
from django.utils import translation

from keepcert.activities.models import Activity
from keepcert.activities.selectors import categories_open_to
from keepcert.certifications.models import Cycle
from keepcert.members.models import Member
from keepcert.portal.forms import DATE_HELP
from keepcert.portal.tests.pages import form_data, text
from keepcert.program.selectors import rules_of

NEW = "portal:activity_new"
NOT_TICKED = "Not ticked: the dates are outside this cycle."


def category_options(page: str) -> list[str]:
    select = re.search(r'<select name="category".*?</select>', page, flags=re.S)
    assert select is not None
    return re.findall(r'<option value="\d+"[^>]*>(.*?)</option>', select.group(0))


def test_a_category_no_open_cycle_can_take_is_not_offered_and_the_guidance_says_why(
    alice_client: Client, cycle: Cycle
) -> None:
    response = alice_client.get(reverse(NEW))
    assert "Employment Verification" not in category_options(response.content.decode())
    assert "Formal Education" in category_options(response.content.decode())
    assert (
        "Employment Verification can only be claimed for activity up to December 31, 2020. "
        "Not offered above: your open cycles began after that day." in text(response)
    )


def test_a_cycle_that_began_before_the_date_limit_can_still_take_the_category(
    alice: Member, cycle: Cycle
) -> None:
    rule_set = rules_of(alice.program).rule_set_on(date(2025, 11, 20))
    older = Cycle(certification=cycle.certification, start=date(2019, 5, 10), end=date(2022, 5, 31))
    offered = {rule.name for rule in categories_open_to(rule_set, [older])}
    assert "Employment Verification" in offered
    assert "Employment Verification" not in {
        rule.name for rule in categories_open_to(rule_set, [cycle])
    }


def test_each_category_says_what_evidence_to_keep(alice_client: Client, cycle: Cycle) -> None:
    page = text(alice_client.get(reverse(NEW)))
    assert "Evidence to keep: Transcript showing the course, the term and a passing grade." in page


def test_points_say_they_are_required_and_what_a_point_is(
    alice_client: Client, cycle: Cycle
) -> None:
    response = alice_client.get(reverse(NEW))
    assert (
        "Required. A point is a unit of CE credit: enter the points your certificate or "
        "provider awards, up to two decimals, for example 1.5." in text(response)
    )
    box = re.search(r'<input[^>]*name="points"[^>]*>', response.content.decode())
    assert box is not None and " required" in box.group(0)


def test_the_date_example_is_in_the_order_the_date_box_shows_and_is_read(
    alice_client: Client, alice: Member, cycle: Cycle
) -> None:
    assert str(DATE_HELP) == "Enter a real date, for example 03/14/2025."
    with translation.override("es"):
        assert str(DATE_HELP) == "Escriba una fecha válida, por ejemplo 14/03/2025."
    # A date written like the example is read.
    response = alice_client.post(
        reverse(NEW), form_data(cycle, start_date="10/01/2025", end_date="10/01/2025")
    )
    assert response.status_code == 302
    assert Activity.objects.get(member=alice).start_date == date(2025, 10, 1)


def test_a_box_unticked_by_the_dates_says_why_beside_it(alice_client: Client, cycle: Cycle) -> None:
    url = reverse("portal:activity_cycles")
    outside = alice_client.get(url, {"start_date": "2023-01-10", "end_date": "2023-01-10"})
    assert f"RMA cycle (May 10, 2023 – May 31, 2026) {NOT_TICKED}" in text(outside)
    assert "checked" not in re.search(r"<input[^>]*>", outside.content.decode()).group(0)  # type: ignore[union-attr]
    inside = alice_client.get(url, {"start_date": "2025-10-01", "end_date": "2025-10-01"})
    assert NOT_TICKED not in text(inside)
