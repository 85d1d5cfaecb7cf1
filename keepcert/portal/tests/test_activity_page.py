"""One activity's page, its edit form and its deletion (SPEC §4), and how each refuses once
the activity's cycle is closed for changes.

The clock is frozen at 2025-11-20 10:00 in Chicago (conftest). Alice holds RMA certified
2023-05-10 (cycle 2023-05-10 .. 2026-05-31, 192 days left); Mallory holds RPT.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from keepcert import testing
from keepcert.activities.models import Activity
from keepcert.certifications.models import Cycle
from keepcert.core.models import Event
from keepcert.members.models import Member
from keepcert.portal.tests.pages import CHICAGO, field_errors, form_data, rows, text


def test_the_activity_page_shows_the_entry_its_cycles_and_history(
    alice_client: Client, activity: Activity, cycle: Cycle
) -> None:
    response = alice_client.get(reverse("portal:activity_detail", args=[activity.pk]))
    assert response.status_code == 200
    page = text(response)
    assert "Infection control update" in page
    assert "Category Professional Education" in page
    assert "Dates March 1, 2024" in page
    assert "Points 3" in page
    assert "Counts toward RMA cycle (May 10, 2023 – May 31, 2026)" in page
    assert "Attested November 20, 2025," in page
    assert "“ I attest that the information I have entered is correct" in page
    assert re.search(r"Recorded November 20, 2025, [^ ]+ [ap]\.m\. by you", page)
    body = response.content.decode()
    # The attested sentence is marked with the language it was read in.
    assert '<span lang="en">I attest that the information' in body
    assert reverse("portal:activity_edit", args=[activity.pk]) in body
    assert reverse("portal:activity_delete", args=[activity.pk]) in body
    assert reverse("portal:cycle_detail", args=[cycle.pk]) in body


def test_the_attestation_and_history_times_are_in_the_programs_time_zone(
    alice_client: Client, alice: Member, frozen_now: Any
) -> None:
    frozen_now.move_to(datetime(2025, 11, 20, 20, 0, tzinfo=CHICAGO))
    alice_client.force_login(alice.user)
    activity = testing.make_activity(alice, title="Evening webinar", start=date(2025, 11, 20))
    page = text(alice_client.get(reverse("portal:activity_detail", args=[activity.pk])))
    assert "Attested November 20, 2025, 8:00 p.m." in page
    assert "Recorded November 20, 2025, 8:00 p.m. by you" in page


def test_editing_shows_the_entry_and_saves_changes_into_the_history(
    alice_client: Client, activity: Activity, cycle: Cycle
) -> None:
    url = reverse("portal:activity_edit", args=[activity.pk])
    form = alice_client.get(url)
    assert form.status_code == 200
    assert 'value="Infection control update"' in form.content.decode()
    assert "Save changes" in text(form)

    response = alice_client.post(
        url,
        form_data(
            cycle,
            title="Infection control refresher",
            start_date="2024-03-01",
            end_date="2024-03-01",
            points="3.00",
            provider="",
        ),
    )
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.title == "Infection control refresher"

    detail = text(alice_client.get(reverse("portal:activity_detail", args=[activity.pk])))
    assert re.search(
        r"Changed November 20, 2025, [^ ]+ [ap]\.m\. by you "
        r"Title: “Infection control update” → “Infection control refresher”",
        detail,
    )
    assert "Points:" not in detail


def test_an_edit_with_bad_input_changes_nothing(
    alice_client: Client, activity: Activity, cycle: Cycle
) -> None:
    before = rows()
    response = alice_client.post(
        reverse("portal:activity_edit", args=[activity.pk]),
        form_data(cycle, title="", start_date="2024-03-01", end_date="2024-03-01"),
    )
    assert response.status_code == 422
    assert field_errors(response, "title") == ["Enter the activity's title."]
    assert rows() == before
    activity.refresh_from_db()
    assert activity.title == "Infection control update"


def test_deleting_asks_first_then_removes_the_entry(
    alice_client: Client, alice: Member, activity: Activity
) -> None:
    url = reverse("portal:activity_delete", args=[activity.pk])
    confirm = alice_client.get(url)
    assert confirm.status_code == 200
    assert "Delete “Infection control update”?" in text(confirm)
    assert "Its 3 points will stop counting." in text(confirm)
    assert Activity.objects.filter(pk=activity.pk).exists()

    response = alice_client.post(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:dashboard")
    assert not Activity.objects.filter(pk=activity.pk).exists()
    event = Event.objects.get(action="activities.activity.deleted", subject_id=str(activity.pk))
    assert event.data["before"]["title"] == "Infection control update"
    assert event.ip_address == "127.0.0.1"
    page = text(alice_client.get(response["Location"]))
    assert "Deleted “Infection control update”." in page
    assert "Counted 0" in page


# --- after the grace period: locked -----------------------------------------------------------


LOCKED = (
    "This activity can no longer be changed. It counts toward your RMA cycle "
    "(May 10, 2023 – May 31, 2026), which is closed for changes."
)


def test_a_locked_activity_shows_why_and_offers_no_edit(
    alice_client: Client, after_grace: Activity
) -> None:
    response = alice_client.get(reverse("portal:activity_detail", args=[after_grace.pk]))
    assert response.status_code == 200
    assert LOCKED in text(response)
    assert reverse("portal:activity_edit", args=[after_grace.pk]) not in response.content.decode()


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_locked_activity_cannot_be_edited(
    alice_client: Client, after_grace: Activity, cycle: Cycle, method: str
) -> None:
    url = reverse("portal:activity_edit", args=[after_grace.pk])
    before = rows()
    if method == "get":
        response = alice_client.get(url, follow=True)
    else:
        response = alice_client.post(url, form_data(cycle, title="Changed"), follow=True)
    assert response.redirect_chain == [
        (reverse("portal:activity_detail", args=[after_grace.pk]), 302)
    ]
    assert LOCKED in text(response)
    assert rows() == before
    after_grace.refresh_from_db()
    assert after_grace.title == "Infection control update"


def test_a_locked_activity_cannot_be_deleted(alice_client: Client, after_grace: Activity) -> None:
    before = rows()
    response = alice_client.post(
        reverse("portal:activity_delete", args=[after_grace.pk]), follow=True
    )
    assert response.redirect_chain == [
        (reverse("portal:activity_detail", args=[after_grace.pk]), 302)
    ]
    assert LOCKED in text(response)
    assert rows() == before


def test_the_delete_page_of_a_locked_activity_says_why_instead_of_asking(
    alice_client: Client, after_grace: Activity
) -> None:
    response = alice_client.get(
        reverse("portal:activity_delete", args=[after_grace.pk]), follow=True
    )
    assert response.redirect_chain == [
        (reverse("portal:activity_detail", args=[after_grace.pk]), 302)
    ]
    assert LOCKED in text(response)
