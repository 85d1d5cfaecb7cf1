"""Recording an activity (SPEC §4): the Record CE form, its messages for bad input, the
duplicate check, and the htmx cycle choices that tick the cycles containing the dates.

The clock is frozen at 2025-11-20 10:00 in Chicago (conftest). Alice holds RMA certified
2023-05-10 (cycle 2023-05-10 .. 2026-05-31, 192 days left); Mallory holds RPT.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from keepcert import testing
from keepcert.activities.models import Activity
from keepcert.certifications.models import Cycle
from keepcert.members.models import Member
from keepcert.portal.tests.pages import field_errors, form_data, rows, text
from keepcert.program.models import Program


def test_the_record_form_offers_the_categories_cycles_and_attestation(
    alice_client: Client, cycle: Cycle
) -> None:
    response = alice_client.get(reverse("portal:activity_new"))
    assert response.status_code == 200
    page = text(response)
    assert "Record CE" in page
    assert "Employment Verification" in page
    assert (
        "Employment Verification can only be claimed for activity up to December 31, 2020." in page
    )
    assert "RMA cycle (May 10, 2023 – May 31, 2026)" in page
    assert "I attest that the information I have entered is correct" in page
    checkbox = re.search(
        rf'<input[^>]*name="cycles"[^>]*value="{cycle.pk}"[^>]*>', response.content.decode()
    )
    assert checkbox is not None and "checked" in checkbox.group(0)


def test_recording_an_activity_counts_it_at_once(
    alice_client: Client, alice: Member, cycle: Cycle, activity: Activity
) -> None:
    response = alice_client.post(reverse("portal:activity_new"), form_data(cycle))
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:dashboard")

    saved = Activity.objects.get(member=alice, title="Wound care webinar")
    assert (saved.provider, saved.points) == ("AMT", Decimal("2.5"))
    assert list(saved.cycles.all()) == [cycle]
    assert saved.attested_from == "127.0.0.1"

    page = text(alice_client.get(response["Location"]))
    assert "Recorded “Wound care webinar”" in page
    assert "Required 30 Counted 5.5 Remaining 24.5" in page
    assert "Wound care webinar October 1, 2025 · 2.5 points Counted in full: 2.5 points." in page


def test_the_recorded_message_writes_points_as_the_dashboard_does(
    alice_client: Client, cycle: Cycle
) -> None:
    response = alice_client.post(
        reverse("portal:activity_new"), form_data(cycle, points="2.50"), follow=True
    )
    assert "Recorded “Wound care webinar”: 2.5 points." in text(response)


def test_a_likely_duplicate_is_flagged_before_saving(
    alice_client: Client, alice: Member, cycle: Cycle, activity: Activity
) -> None:
    duplicate = form_data(
        cycle, title="infection control UPDATE", start_date="2024-03-01", end_date="2024-03-01"
    )
    before = rows()
    response = alice_client.post(reverse("portal:activity_new"), duplicate)
    assert response.status_code == 200
    page = text(response)
    assert "This looks like an activity you already recorded." in page
    assert "Save anyway" in page
    assert rows() == before
    assert re.search(
        r'<input type="hidden" name="confirm_duplicate" value="on"', response.content.decode()
    )

    response = alice_client.post(
        reverse("portal:activity_new"), duplicate | {"confirm_duplicate": "on"}
    )
    assert response.status_code == 302
    assert (
        Activity.objects.filter(member=alice, title__iexact="infection control update").count() == 2
    )


BAD_INPUT = [
    ("start_date", {"start_date": "2023-02-30"}, "Enter a real date, for example 03/14/2025."),
    ("end_date", {"end_date": "31/10/2025"}, "Enter a real date, for example 03/14/2025."),
    ("points", {"points": "abc"}, "Enter the points as a number, for example 1.5."),
    ("points", {"points": "0"}, "Enter more than 0 points."),
    ("points", {"points": "1.234"}, "Use at most two decimal places, for example 1.25."),
    (
        "points",
        {"points": "100.01"},
        "One entry can have at most 100 points. Record a larger activity as several entries.",
    ),
    ("points", {"points": ""}, "Enter the points you earned."),
    ("title", {"title": ""}, "Enter the activity's title."),
    ("title", {"title": "   "}, "Enter the activity's title."),
    ("category", {"category": ""}, "Choose the activity's category."),
    ("category", {"category": "999999"}, "Choose one of the listed categories."),
    (
        "attestation",
        {"attestation": None},
        "Tick the attestation to confirm the information is correct.",
    ),
    (
        "end_date",
        {"start_date": "2025-11-21", "end_date": "2025-11-21"},
        "The end date cannot be in the future: record an activity once you have completed it.",
    ),
    (
        "end_date",
        {"start_date": "2025-10-02", "end_date": "2025-10-01"},
        "The end date cannot be before the start date.",
    ),
    (
        "start_date",
        {"start_date": "2023-05-09", "end_date": "2023-05-09"},
        "The start date is before your RMA cycle began on May 10, 2023. "
        "Only activity completed inside the cycle counts.",
    ),
]


@pytest.mark.parametrize(("field", "changes", "message"), BAD_INPUT)
def test_bad_input_re_renders_the_form_with_the_message_and_saves_nothing(
    alice_client: Client, cycle: Cycle, field: str, changes: dict[str, Any], message: str
) -> None:
    before = rows()
    response = alice_client.post(reverse("portal:activity_new"), form_data(cycle, **changes))
    assert response.status_code == 422
    assert field_errors(response, field) == [message]
    assert "The activity was not saved" in text(response)
    assert rows() == before


def test_bad_input_keeps_what_the_member_typed(alice_client: Client, cycle: Cycle) -> None:
    response = alice_client.post(
        reverse("portal:activity_new"), form_data(cycle, points="abc", title="Wound care webinar")
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert 'value="Wound care webinar"' in body
    assert 'aria-invalid="true"' in body


def test_unticking_every_cycle_is_refused(alice_client: Client, cycle: Cycle) -> None:
    before = rows()
    response = alice_client.post(reverse("portal:activity_new"), form_data(cycle, cycles=None))
    assert response.status_code == 422
    assert "Choose at least one certification to apply this activity to." in text(response)
    assert rows() == before


def test_a_huge_number_of_points_is_bad_input_not_a_server_error(
    alice_client: Client, cycle: Cycle
) -> None:
    before = rows()
    response = alice_client.post(reverse("portal:activity_new"), form_data(cycle, points="1e30"))
    assert response.status_code == 422
    assert rows() == before


def test_a_member_with_no_open_cycle_is_told_so(program: Program) -> None:
    member = testing.make_member(first_name="Gloria", last_name="Hayes")
    testing.make_certification(member, "CMAS", date(2001, 6, 1))
    client = Client()
    client.force_login(member.user)
    response = client.get(reverse("portal:activity_new"))
    assert response.status_code == 200
    assert "None of your certifications has a CE cycle open for recording right now." in text(
        response
    )


# --- the htmx cycle choices -------------------------------------------------------------------


@pytest.fixture
def robin_client(program: Program) -> tuple[Client, Cycle, Cycle]:
    """A member with RMA (from 2023-05-10) and RPT (from 2024-01-15)."""
    member = testing.make_member(first_name="Robin", last_name="Park")
    rma = testing.current_cycle(testing.make_certification(member, "RMA", date(2023, 5, 10)))
    rpt = testing.current_cycle(testing.make_certification(member, "RPT", date(2024, 1, 15)))
    client = Client()
    client.force_login(member.user)
    return client, rma, rpt


def ticked(response: HttpResponse) -> dict[int, bool]:
    boxes = re.findall(r'<input[^>]*name="cycles"[^>]*>', response.content.decode())
    return {
        int(re.search(r'value="(\d+)"', box).group(1)): " checked" in box  # type: ignore[union-attr]
        for box in boxes
    }


@pytest.mark.parametrize(
    ("query", "rma_ticked", "rpt_ticked"),
    [
        ({"start_date": "2024-03-01", "end_date": "2024-03-01"}, True, True),
        ({"start_date": "2023-08-01", "end_date": "2023-08-01"}, True, False),
        ({"start_date": "2023-08-01"}, True, False),
        ({"start_date": "2023-12-20", "end_date": "2024-02-01"}, True, False),
        ({"start_date": "2023-02-30", "end_date": "2023-02-30"}, True, True),
        ({}, True, True),
    ],
)
def test_the_cycle_choices_tick_the_cycles_containing_the_dates(
    robin_client: tuple[Client, Cycle, Cycle],
    query: dict[str, str],
    rma_ticked: bool,
    rpt_ticked: bool,
) -> None:
    client, rma, rpt = robin_client
    response = client.get(reverse("portal:activity_cycles"), query, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert b"<html" not in response.content  # a fragment, not a page
    assert "Count it toward" in text(response)
    assert ticked(response) == {rma.pk: rma_ticked, rpt.pk: rpt_ticked}


def test_report_once_through_the_form_fills_both_cycles(
    robin_client: tuple[Client, Cycle, Cycle],
) -> None:
    client, rma, rpt = robin_client
    response = client.post(
        reverse("portal:activity_new"),
        form_data(rma, start_date="2024-03-01", end_date="2024-03-01", cycles=[rma.pk, rpt.pk]),
    )
    assert response.status_code == 302
    saved = Activity.objects.get(title="Wound care webinar")
    assert set(saved.cycles.all()) == {rma, rpt}
    page = text(client.get(reverse("portal:dashboard")))
    assert page.count("Counted 2.5") == 2
