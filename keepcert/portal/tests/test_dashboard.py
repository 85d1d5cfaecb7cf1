"""The home page and the dashboard (SPEC §4, §5): each certification's cycle, its points by
category, the pace, past cycles, and what changes when a cycle ends.

The clock is frozen at 2025-11-20 10:00 in Chicago (conftest). Alice holds RMA certified
2023-05-10 (cycle 2023-05-10 .. 2026-05-31, 192 days left); Mallory holds RPT.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from keepcert import testing
from keepcert.activities.models import Activity
from keepcert.certifications.models import Certification, Cycle
from keepcert.members.models import Member
from keepcert.portal.tests.pages import text, travel
from keepcert.program.models import CategoryRule, Program, RuleSet
from keepcert.program.selectors import forget_program_rules

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
        "Active · Behind pace. "
        "Record 27 more points by May 31, 2026: 4 points a month will do it." in page
    )
    assert "Infection control update March 1, 2024 · 3 points Counted in full: 3 points." in page
    assert "Record CE" in page


def test_the_dashboard_breaks_points_down_by_category(alice_client: Client, alice: Member) -> None:
    testing.make_activity(alice, title="Anatomy I", points="8", category_code="formal-education")
    testing.make_activity(alice, title="Wound care", points="2", start=date(2025, 2, 3))
    response = alice_client.get(reverse("portal:dashboard"))
    page = text(response)
    # No category has a maximum in this program: no Maximum column saying "none" in each row.
    assert "Category Entered Counted Professional Education 2 2 Formal Education 8 8" in page
    assert "Authorship of Written Works 0 0" in page
    assert "Maximum" not in page
    assert "none" not in page


def test_a_maximum_shows_only_beside_the_category_that_has_one(
    alice_client: Client, alice: Member
) -> None:
    CategoryRule.objects.filter(category__code="formal-education").update(
        max_points_per_cycle=Decimal(5)
    )
    forget_program_rules()
    testing.make_activity(alice, title="Anatomy I", points="8", category_code="formal-education")
    testing.make_activity(alice, title="Wound care", points="2", start=date(2025, 2, 3))
    page = text(alice_client.get(reverse("portal:dashboard")))
    assert "Category Entered Counted Maximum" in page
    assert "Professional Education 2 2 Formal Education 8 5 5 Authorship" in page
    assert "none" not in page


def test_the_dashboard_says_when_a_member_is_on_track(alice_client: Client, alice: Member) -> None:
    testing.make_activity(alice, title="Conference", points="25")
    page = text(alice_client.get(reverse("portal:dashboard")))
    assert (
        "Active · On track. Record 5 more points by May 31, 2026: 1 point a month will do it."
        in page
    )
    assert "Behind pace" not in page
    assert "lapses" not in page  # on track is calm: no alarm


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
    # The status is said once, in words a member reads: no stored English reason repeated.
    assert (
        "certified June 1, 2001 Exempt (grandfathered) · Certified before January 1, 2006: "
        "CE is voluntary for your certification. Keep your annual fee paid to stay active." in page
    )
    assert page.count("grandfathered") == 1
    assert "% of the requirement" not in page


def test_the_dashboard_lists_past_cycles(program: Program) -> None:
    member = testing.make_member(first_name="Maria", last_name="Lopez")
    testing.make_certification(member, "MLT", date(2019, 3, 15))
    client = Client()
    client.force_login(member.user)

    response = client.get(reverse("portal:dashboard"))
    page = text(response)
    assert (
        "Past cycles April 1, 2022 – March 31, 2025 · Requirement met "
        "Completed before this record came to KeepCert." in page
    )
    assert "March 15, 2019 – March 31, 2022 · Requirement met" in page
    past_list = page[page.index("Past cycles") :]
    assert "0%" not in past_list and "Remaining" not in past_list
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
    response = alice_client.get(reverse("portal:dashboard"))
    page = text(response)
    assert (
        "Ended short · Recording for the cycle that ended on May 31, 2026 closed on "
        "June 30, 2026. It ended with 27 points missing: your RMA certification lapses. "
        "Contact Test Certification Body about your certification." in page
    )
    assert "Phone: 555-0100 Email: ccp@example.org" in page
    assert 'data-state="recording_closed"' in response.content.decode()
    form = text(alice_client.get(reverse("portal:activity_new")))
    assert "None of your certifications has a CE cycle open for recording right now." in form


def test_during_the_grace_period_the_dashboard_names_the_last_day_and_the_next_step(
    alice_client: Client, alice: Member, activity: Activity, frozen_now: Any
) -> None:
    travel(frozen_now, alice_client, alice, date(2026, 6, 15))
    response = alice_client.get(reverse("portal:dashboard"))
    page = text(response)
    assert (
        "Grace period · Your RMA certification lapses after June 30, 2026. "
        "Its cycle ended on May 31, 2026 with 27 points missing. "
        "Before then, record the missing points for activities you completed between "
        "May 10, 2023 and May 31, 2026." in page
    )
    assert "Cycle May 10, 2023 – May 31, 2026 · ended; recording open until June 30, 2026" in page
    assert "standing standing-danger" in response.content.decode()
    assert "Record CE" in page


def test_the_last_day_of_grace_follows_the_rule_sets_grace_days(
    alice_client: Client, alice: Member, activity: Activity, frozen_now: Any
) -> None:
    RuleSet.objects.filter(program=alice.program).update(recording_grace_days=10)
    forget_program_rules()
    travel(frozen_now, alice_client, alice, date(2026, 6, 5))
    page = text(alice_client.get(reverse("portal:dashboard")))
    assert "Your RMA certification lapses after June 10, 2026." in page


def test_behind_pace_is_advice_not_an_alarm(alice_client: Client, activity: Activity) -> None:
    response = alice_client.get(reverse("portal:dashboard"))
    body = response.content.decode()
    assert "standing standing-advice" in body
    assert "standing-danger" not in body
    assert "standing-icon" not in body


@pytest.mark.parametrize(
    ("status", "shown"),
    [
        (
            Certification.Status.LAPSED,
            "Lapsed since November 1, 2025 · Your RMA certification has lapsed. "
            "You may not use the RMA credential until it is reactivated. "
            "To reactivate it, contact Test Certification Body.",
        ),
        (
            Certification.Status.INACTIVE,
            "Inactive since November 1, 2025 · Your RMA certification is inactive: an annual "
            "fee is past due. It does not show as active to anyone who checks it until the fee "
            "is paid. To pay the overdue fee, contact Test Certification Body.",
        ),
        (
            Certification.Status.REVOKED,
            "Revoked since November 1, 2025 · Your RMA certification was revoked. You may not "
            "use the RMA credential. For any question about it, contact Test Certification "
            "Body.",
        ),
        (
            Certification.Status.RETIRED,
            "Retired since November 1, 2025 · Your RMA certification is retired: no CE is due. "
            "It does not show as active to anyone who checks it. To return to practice, "
            "contact Test Certification Body.",
        ),
    ],
)
def test_a_certification_not_in_force_says_what_it_means_and_whom_to_contact(
    alice_client: Client, alice: Member, status: str, shown: str
) -> None:
    alice.certifications.update(
        status=status, status_changed_on=date(2025, 11, 1), status_reason="Audit not answered."
    )
    response = alice_client.get(reverse("portal:dashboard"))
    page = text(response)
    assert shown in page
    assert "Reason recorded: Audit not answered." in page
    assert (
        "Test Certification Body Phone: 555-0100 Email: ccp@example.org "
        "Mail: 1 Example Plaza, Springfield, IL 62701 Web: https://example.org/ccp" in page
    )
    body = response.content.decode()
    assert 'href="mailto:ccp@example.org"' in body
    assert 'href="tel:555-0100"' in body
    danger = status != Certification.Status.RETIRED
    assert ("standing-danger" in body) is danger
    assert ("standing-icon" in body) is danger


def test_an_active_certification_on_track_is_calm(alice_client: Client, alice: Member) -> None:
    testing.make_activity(alice, title="Conference", points="30")
    body = alice_client.get(reverse("portal:dashboard")).content.decode()
    assert "standing standing-calm" in body
    assert "Test Certification Body" not in body  # no contact needed


# --- two credentials (issue 7, finding 8) -------------------------------------------------


def robin() -> tuple[Client, Member]:
    """Robin holds RMA (cycle from 2023-05-10) and RPT (cycle from 2024-01-15)."""
    member = testing.make_member(first_name="Robin", last_name="Park")
    testing.make_certification(member, "RMA", date(2023, 5, 10))
    testing.make_certification(member, "RPT", date(2024, 1, 15))
    client = Client()
    client.force_login(member.user)
    return client, member


def test_two_credentials_list_each_activity_once_with_what_it_counts_toward(
    program: Program,
) -> None:
    client, member = robin()
    testing.make_activity(member, title="Wound care webinar", points="2.5", start=date(2024, 3, 1))
    testing.make_activity(member, title="HIPAA basics", points="1", start=date(2023, 12, 1))

    response = client.get(reverse("portal:dashboard"))
    page = text(response)
    assert page.count("Wound care webinar") == 1
    assert page.count("HIPAA basics") == 1
    assert (
        "Wound care webinar March 1, 2024 · 2.5 points Counts toward RMA, RPT "
        "Counted in full: 2.5 points." in page
    )
    one_point = (
        "HIPAA basics December 1, 2023 · 1 point Counts toward RMA Counted in full: 1 point."
    )
    assert one_point in page
    assert response.content.decode().count('role="button">Record CE<') == 1


def test_two_credentials_are_summed_up_first_status_points_and_day(program: Program) -> None:
    client, member = robin()
    testing.make_activity(member, title="Wound care webinar", points="2.5", start=date(2024, 3, 1))
    page = text(client.get(reverse("portal:dashboard")))
    glance = page[page.index("Member ID") : page.index("Registered Medical Assistant")]
    assert "RMA · Active · 27.5 points to go by May 31, 2026" in glance
    assert "RPT · Active · 21.5 points to go by January 31, 2027" in glance


def test_every_certification_links_its_cycles_page_whatever_it_holds(program: Program) -> None:
    client, member = robin()
    # Before the RPT cycle began: counts toward RMA only, so the RPT cycle holds nothing.
    testing.make_activity(member, title="HIPAA basics", points="1", start=date(2023, 12, 1))
    response = client.get(reverse("portal:dashboard"))
    links = re.findall(
        r'<a href="([^"]+)" data-testid="cycle-page">([^<]+)</a>', response.content.decode()
    )
    cycles = [testing.current_cycle(c) for c in member.certifications.order_by("credential__code")]
    assert links == [
        (reverse("portal:cycle_detail", args=[c.pk]), "See this cycle's page") for c in cycles
    ]


def test_one_credential_needs_no_summary_nor_counts_toward(
    alice_client: Client, activity: Activity
) -> None:
    page = text(alice_client.get(reverse("portal:dashboard")))
    assert "to go by" not in page
    assert "Counts toward" not in page
    assert "Infection control update March 1, 2024 · 3 points Counted in full: 3 points." in page


@pytest.mark.parametrize(
    ("points", "day"),
    [
        ("3", date(2025, 11, 20)),  # behind
        ("25", date(2025, 11, 20)),  # on track
        ("30", date(2025, 11, 20)),  # met
        ("28", date(2026, 4, 1)),  # two months left: no rate
        ("3", date(2026, 6, 15)),  # grace period
        ("3", date(2026, 7, 1)),  # recording closed
    ],
)
def test_no_sentence_is_said_twice(
    alice_client: Client, alice: Member, frozen_now: Any, points: str, day: date
) -> None:
    testing.make_activity(alice, title="Conference", points=points)
    travel(frozen_now, alice_client, alice, day)
    page = text(alice_client.get(reverse("portal:dashboard")))
    content = page[page.index("Member ID") : page.index("KeepCert: open-source")]
    sentences = [s.strip() for s in re.split(r"(?<=[.:])\s+", content) if len(s.strip()) > 12]
    repeated = {s for s in sentences if sentences.count(s) > 1}
    assert not repeated, repeated
