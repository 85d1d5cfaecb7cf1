"""One cycle's page (SPEC §5): its progress and activities, for the open cycle and past ones.

The clock is frozen at 2025-11-20 10:00 in Chicago (conftest). Alice holds RMA certified
2023-05-10 (cycle 2023-05-10 .. 2026-05-31, 192 days left); Mallory holds RPT.
"""

from __future__ import annotations

from datetime import date

from django.test import Client
from django.urls import reverse

from keepcert import testing
from keepcert.activities.models import Activity
from keepcert.certifications.models import Cycle
from keepcert.portal.tests.pages import text
from keepcert.program.models import Program


def test_the_cycle_page_shows_progress_and_each_activity(
    alice_client: Client, cycle: Cycle, activity: Activity
) -> None:
    response = alice_client.get(reverse("portal:cycle_detail", args=[cycle.pk]))
    assert response.status_code == 200
    page = text(response)
    assert "RMA Registered Medical Assistant" in page
    assert "Cycle May 10, 2023 – May 31, 2026 · 192 days left" in page
    assert "Required 30 Counted 3 Remaining 27" in page
    assert "Professional Education 3 3 none" in page
    assert "Counted in full: 3 points." in page
    assert reverse("portal:activity_detail", args=[activity.pk]) in response.content.decode()


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


def test_an_unknown_cycle_is_not_found(alice_client: Client) -> None:
    assert alice_client.get(reverse("portal:cycle_detail", args=[999999])).status_code == 404
