"""One cycle's page (SPEC §5): its progress and activities, for the open cycle and past ones.

The clock is frozen at 2025-11-20 10:00 in Chicago (conftest). Alice holds RMA certified
2023-05-10 (cycle 2023-05-10 .. 2026-05-31, 192 days left); Mallory holds RPT.
"""

from __future__ import annotations

import html
import re
from datetime import date
from decimal import Decimal
from typing import Any

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from keepcert import testing
from keepcert.activities.models import Activity, CycleActivity
from keepcert.certifications.models import Cycle
from keepcert.portal.tests.pages import text, travel
from keepcert.program.models import Program


def test_the_cycle_page_shows_progress_and_each_activity(
    alice_client: Client, cycle: Cycle, activity: Activity
) -> None:
    response = alice_client.get(reverse("portal:cycle_detail", args=[cycle.pk]))
    assert response.status_code == 200
    page = text(response)
    assert "RMA cycle (May 10, 2023 – May 31, 2026) Registered Medical Assistant" in page
    assert "Cycle May 10, 2023 – May 31, 2026 · 192 days left" in page
    assert "Required 30 Counted 3 Remaining 27" in page
    assert "Professional Education 3 3 Formal Education 0 0" in page
    assert "Counted in full: 3 points." in page
    assert reverse("portal:activity_detail", args=[activity.pk]) in response.content.decode()


def test_the_title_and_the_heading_name_the_cycle(program: Program) -> None:
    member = testing.make_member(first_name="Maria", last_name="Lopez")
    certification = testing.make_certification(member, "MLT", date(2019, 3, 15))
    client = Client()
    client.force_login(member.user)
    for cycle, dates in (
        (certification.cycles.get(start=date(2019, 3, 15)), "March 15, 2019 – March 31, 2022"),
        (testing.current_cycle(certification), "April 1, 2025 – March 31, 2028"),
    ):
        body = client.get(reverse("portal:cycle_detail", args=[cycle.pk])).content.decode()
        title = re.search(r"<title>(.*?)</title>", body, flags=re.S)
        heading = re.search(r"<h1>(.*?)</h1>", body, flags=re.S)
        assert title and heading
        assert html.unescape(title.group(1)) == f"MLT cycle ({dates}) · KeepCert"
        assert html.unescape(heading.group(1)) == f"MLT cycle ({dates})"


def test_a_past_cycle_page_stays_available(program: Program) -> None:
    member = testing.make_member(first_name="Maria", last_name="Lopez")
    certification = testing.make_certification(member, "MLT", date(2019, 3, 15))
    past = certification.cycles.get(start=date(2019, 3, 15))
    client = Client()
    client.force_login(member.user)

    response = client.get(reverse("portal:cycle_detail", args=[past.pk]))
    assert response.status_code == 200
    page = text(response)
    assert "Cycle March 15, 2019 – March 31, 2022 · Requirement met" in page
    assert "days left" not in page
    assert "All cycles of this certification" in page
    assert "April 1, 2025 – March 31, 2028 · Open" in page


def test_a_completed_past_cycle_is_not_called_short(program: Program) -> None:
    member = testing.make_member(first_name="Maria", last_name="Lopez")
    certification = testing.make_certification(member, "MLT", date(2019, 3, 15))
    past = certification.cycles.get(start=date(2019, 3, 15))
    client = Client()
    client.force_login(member.user)

    page = text(client.get(reverse("portal:cycle_detail", args=[past.pk])))
    assert "· Requirement met" in page
    assert "Ended short" not in page


def maria_client(brought_in_points: str | None = None) -> tuple[Client, Cycle]:
    """Maria, MLT since 2019: her first cycle (2019-03-15 .. 2022-03-31) was brought in."""
    member = testing.make_member(first_name="Maria", last_name="Lopez")
    certification = testing.make_certification(
        member, "MLT", date(2019, 3, 15), brought_in_points=brought_in_points
    )
    client = Client()
    client.force_login(member.user)
    return client, certification.cycles.get(start=date(2019, 3, 15))


def test_a_cycle_completed_before_keepcert_shows_its_outcome_not_zero(program: Program) -> None:
    client, past = maria_client(brought_in_points="45")
    response = client.get(reverse("portal:cycle_detail", args=[past.pk]))
    page = text(response)
    assert "Completed before this record came to KeepCert, with 45 points." in page
    for wrong in ("Remaining", "0%", "Counted 0", "No activities"):
        assert wrong not in page, wrong
    assert 'data-testid="percent"' not in response.content.decode()


def test_a_brought_in_cycle_without_a_known_total_says_so_without_a_number(
    program: Program,
) -> None:
    client, past = maria_client()
    page = text(client.get(reverse("portal:cycle_detail", args=[past.pk])))
    assert "Cycle March 15, 2019 – March 31, 2022 · Requirement met" in page
    assert "Completed before this record came to KeepCert." in page
    assert "Remaining" not in page


def test_a_brought_in_cycle_with_activities_lists_them_but_no_remaining(
    program: Program,
) -> None:
    client, past = maria_client()
    activity = Activity.objects.create(
        member=past.certification.member,
        category=testing.category(),
        title="Hematology case studies",
        start_date=date(2021, 2, 3),
        end_date=date(2021, 2, 3),
        points=Decimal(10),
        attestation_text="I attest.",
        attested_at=timezone.now(),
    )
    CycleActivity.objects.create(activity=activity, cycle=past)
    page = text(client.get(reverse("portal:cycle_detail", args=[past.pk])))
    assert "Completed before this record came to KeepCert." in page
    assert "Required 45 Counted 10" in page
    assert "Hematology case studies" in page
    assert "Remaining" not in page
    assert "% of the requirement" not in page


def test_the_current_cycle_page_carries_the_certifications_banner(
    alice_client: Client, cycle: Cycle, activity: Activity, frozen_now: Any
) -> None:
    travel(frozen_now, alice_client, cycle.certification.member, date(2026, 6, 15))
    page = text(alice_client.get(reverse("portal:cycle_detail", args=[cycle.pk])))
    assert "Grace period · Your RMA certification lapses after June 30, 2026." in page


def test_a_past_cycle_page_has_no_banner(program: Program) -> None:
    client, past = maria_client()
    response = client.get(reverse("portal:cycle_detail", args=[past.pk]))
    assert 'data-testid="standing"' not in response.content.decode()
    current = past.certification.cycles.get(status=Cycle.Status.OPEN)
    response = client.get(reverse("portal:cycle_detail", args=[current.pk]))
    assert 'data-testid="standing"' in response.content.decode()


def test_an_unknown_cycle_is_not_found(alice_client: Client) -> None:
    assert alice_client.get(reverse("portal:cycle_detail", args=[999999])).status_code == 404
