"""Long lists on the site come in pages of 50 with a link to the older ones; the dashboard
shows each cycle's latest activities and links to the cycle page for the rest.

The clock is frozen at 2025-11-20 10:00 in Chicago (conftest). Alice holds RMA certified
2023-05-10 (cycle 2023-05-10 .. 2026-05-31).
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse

from keepcert import testing
from keepcert.activities.models import Activity
from keepcert.certifications.models import Cycle
from keepcert.members.models import Member
from keepcert.members.services import create_api_token
from keepcert.portal.tests.pages import text

INVALID = "This page link is not valid (it was changed or is out of date)."


def _activities(member: Member, count: int) -> list[Activity]:
    """`count` activities, one a day from 2024-01-01: the last is the latest."""
    return [
        testing.make_activity(
            member, title=f"Course {i:02}", points="0.5", start=date(2024, 1, 1) + timedelta(days=i)
        )
        for i in range(count)
    ]


def _link(response: object, testid: str) -> str | None:
    found = re.search(rf'<a href="([^"]+)"[^>]*data-testid="{testid}"', response.content.decode())  # type: ignore[attr-defined]
    return found.group(1).replace("&amp;", "&") if found else None


def test_the_cycle_page_lists_fifty_activities_then_links_to_the_older(
    alice_client: Client, alice: Member, cycle: Cycle
) -> None:
    made = _activities(alice, 52)
    url = reverse("portal:cycle_detail", args=[cycle.pk])

    first = alice_client.get(url)
    page = text(first)
    assert "Course 51" in page and "Course 02" in page
    assert "Course 01" not in page and "Course 00" not in page
    # Every activity counts, whichever are listed.
    assert "Required 30 Counted 26 Remaining 4" in page
    older = _link(first, "older-activities")
    assert older is not None and "Older activities" in page

    second = alice_client.get(older)
    assert second.status_code == 200
    rest = text(second)
    assert "Course 01" in rest and "Course 00" in rest and "Course 02" not in rest
    assert "Latest activities" in rest
    assert _link(second, "older-activities") is None
    assert reverse("portal:activity_detail", args=[made[0].pk]) in second.content.decode()


def test_a_cycle_page_of_fewer_than_fifty_has_no_page_links(
    alice_client: Client, alice: Member, cycle: Cycle
) -> None:
    _activities(alice, 3)
    response = alice_client.get(reverse("portal:cycle_detail", args=[cycle.pk]))
    assert _link(response, "older-activities") is None
    assert "Latest activities" not in text(response)


def test_a_changed_page_link_shows_the_latest_and_says_why(
    alice_client: Client, alice: Member, cycle: Cycle
) -> None:
    _activities(alice, 2)
    response = alice_client.get(
        reverse("portal:cycle_detail", args=[cycle.pk]), {"cursor": "made-up"}
    )
    assert response.status_code == 200
    page = text(response)
    assert INVALID in page
    assert "Course 01" in page and "Course 00" in page


@pytest.mark.parametrize(("recorded", "shown"), [(5, 5), (7, 5)])
def test_the_dashboard_shows_the_latest_activities_and_links_to_the_rest(
    alice_client: Client, alice: Member, cycle: Cycle, recorded: int, shown: int
) -> None:
    _activities(alice, recorded)

    response = alice_client.get(reverse("portal:dashboard"))

    page = text(response)
    latest = range(recorded - shown, recorded)
    assert [i for i in range(recorded) if f"Course {i:02}" in page] == list(latest)
    # The cycle's page is linked either way; the link says how many it lists when the
    # dashboard shows only some.
    assert _link(response, "cycle-page") == reverse("portal:cycle_detail", args=[cycle.pk])
    if recorded == shown:
        assert "See this cycle's page" in page
    else:
        assert f"All {recorded} activities of this cycle" in page


def test_the_profile_lists_fifty_tokens_then_links_to_the_older(
    alice_client: Client, alice: Member, frozen_now: object
) -> None:
    for i in range(51):
        create_api_token(member=alice, name=f"token {i:02}", actor=alice.user)  # type: ignore[arg-type]
        frozen_now.shift(timedelta(minutes=1))  # type: ignore[attr-defined]

    first = alice_client.get(reverse("portal:profile"))
    assert "token 50" in text(first) and "token 00" not in text(first)
    older = _link(first, "older-tokens")
    assert older is not None

    second = text(alice_client.get(older))
    assert "token 00" in second and "token 01" not in second
    assert "Newest tokens" in second
