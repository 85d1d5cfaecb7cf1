"""The home page and the dashboard (SPEC §4, §5): each certification's cycle, its points by
category, the pace, past cycles, and what changes when a cycle ends.

The clock is frozen at 2025-11-20 10:00 in Chicago (conftest). Alice holds RMA certified
2023-05-10 (cycle 2023-05-10 .. 2026-05-31, 192 days left); Mallory holds RPT.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.test import Client
from django.urls import reverse

from keepcert import testing
from keepcert.activities.models import Activity
from keepcert.certifications.models import Cycle
from keepcert.members.models import Member
from keepcert.portal.tests.pages import text, travel
from keepcert.program.models import Program

# --- home -------------------------------------------------------------------------------------


def test_home_invites_a_visitor_to_sign_in_or_set_up(client: Client, program: Program) -> None:
    response = client.get(reverse("portal:home"))
    assert response.status_code == 200
    page = text(response)
    assert "Keep your certification active" in page
    assert "Sign in" in page
    assert "Set up your online account" in page


def test_home_sends_a_member_to_their_dashboard(alice_client: Client) -> None:
    response = alice_client.get(reverse("portal:home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:dashboard")


def test_home_tells_an_account_without_a_member_record(staff_client: Client) -> None:
    response = staff_client.get(reverse("portal:home"))
    assert response.status_code == 200
    assert "This account is not linked to a member record." in text(response)


# --- dashboard --------------------------------------------------------------------------------


def test_the_dashboard_shows_counted_points_days_left_and_pace(
    alice_client: Client, alice: Member, activity: Activity
) -> None:
    response = alice_client.get(reverse("portal:dashboard"))
    assert response.status_code == 200
    page = text(response)
    assert f"Alice Nguyen · Member ID {alice.member_number}" in page
    assert "RMA Registered Medical Assistant" in page
    assert "Cycle May 10, 2023 – May 31, 2026 · 192 days left" in page
    assert "Required 30 Counted 3 Remaining 27" in page
    assert "10% of the requirement" in page
    assert 'aria-label="3 of 30 points counted (10%)"' in response.content.decode()
    assert (
        "Behind pace. By now about 24.85 points would be on pace. "
        "27 points in 7 months: about 3.9 a month." in page
    )
    assert "Infection control update March 1, 2024 · 3 pts Counted in full: 3 points." in page
    assert "Record CE" in page


def test_the_dashboard_breaks_points_down_by_category(alice_client: Client, alice: Member) -> None:
    testing.make_activity(alice, title="Anatomy I", points="8", category_code="formal-education")
    testing.make_activity(alice, title="Wound care", points="2", start=date(2025, 2, 3))
    response = alice_client.get(reverse("portal:dashboard"))
    page = text(response)
    assert "Category Entered Counted Maximum" in page
    assert "Professional Education 2 2 none" in page
    assert "Formal Education 8 8 none" in page
    assert "Authorship of Written Works 0 0 none" in page


def test_the_dashboard_says_when_a_member_is_on_track(alice_client: Client, alice: Member) -> None:
    testing.make_activity(alice, title="Conference", points="25")
    page = text(alice_client.get(reverse("portal:dashboard")))
    assert "On track. 5 points in 7 months: about 0.8 a month." in page
    assert "Behind pace" not in page


def test_the_dashboard_says_when_the_requirement_is_met(
    alice_client: Client, alice: Member
) -> None:
    testing.make_activity(alice, title="Conference", points="30")
    page = text(alice_client.get(reverse("portal:dashboard")))
    assert "Counted 30 Remaining 0" in page
    assert "100% of the requirement" in page
    assert "Requirement met. Nothing more is needed this cycle." in page
    assert page.count("Requirement met") == 1


def test_a_credential_without_points_set_shows_a_notice_not_a_percent(program: Program) -> None:
    member = testing.make_member(first_name="Pat", last_name="Carter")
    testing.make_certification(member, "PCT", date(2024, 6, 1))
    testing.make_activity(member, title="Patient safety", start=date(2024, 9, 1))
    client = Client()
    client.force_login(member.user)

    response = client.get(reverse("portal:dashboard"))
    assert response.status_code == 200
    page = text(response)
    assert (
        "The program has not yet set how many points PCT needs per cycle. "
        "Your activities are kept and will count once it does." in page
    )
    assert "% of the requirement" not in page
    assert 'data-testid="percent"' not in response.content.decode()
    assert "Patient safety" in page


def test_a_grandfathered_member_sees_that_ce_is_voluntary(program: Program) -> None:
    member = testing.make_member(first_name="Gloria", last_name="Hayes")
    testing.make_certification(member, "CMAS", date(2001, 6, 1))
    client = Client()
    client.force_login(member.user)

    page = text(client.get(reverse("portal:dashboard")))
    assert (
        "Exempt (grandfathered): Certified before January 1, 2006: CE is voluntary "
        "(grandfathered). · certified June 1, 2001" in page
    )
    assert (
        "CE is voluntary for your certification. Keep your annual fee paid to stay active." in page
    )
    assert "% of the requirement" not in page


def test_the_dashboard_lists_past_cycles(program: Program) -> None:
    member = testing.make_member(first_name="Maria", last_name="Lopez")
    testing.make_certification(member, "MLT", date(2019, 3, 15))
    client = Client()
    client.force_login(member.user)

    response = client.get(reverse("portal:dashboard"))
    page = text(response)
    assert "Past cycles April 1, 2022 – March 31, 2025 · Requirement met" in page
    assert "March 15, 2019 – March 31, 2022 · Requirement met" in page
    for past in Cycle.objects.filter(certification__member=member, status="compliant"):
        assert reverse("portal:cycle_detail", args=[past.pk]) in response.content.decode()


def test_a_member_without_certifications_is_told_so(program: Program) -> None:
    member = testing.make_member(first_name="Nia", last_name="Brooks")
    client = Client()
    client.force_login(member.user)
    response = client.get(reverse("portal:dashboard"))
    assert response.status_code == 200
    assert "No certification is on your record yet. If this is wrong, contact us." in text(response)


# --- when the cycle ends ----------------------------------------------------------------------


def test_the_dashboard_after_the_grace_period_offers_no_recording(
    alice_client: Client, after_grace: Activity
) -> None:
    page = text(alice_client.get(reverse("portal:dashboard")))
    assert "Ended short. It closed 27 points below the requirement." in page
    form = text(alice_client.get(reverse("portal:activity_new")))
    assert "None of your certifications has a CE cycle open for recording right now." in form


def test_during_the_grace_period_the_dashboard_says_recording_is_still_open(
    alice_client: Client, alice: Member, activity: Activity, frozen_now: Any
) -> None:
    travel(frozen_now, alice_client, alice, date(2026, 6, 15))
    page = text(alice_client.get(reverse("portal:dashboard")))
    assert "ended; you can still record activity dated inside it for a few more days" in page
    assert "Record CE" in page
