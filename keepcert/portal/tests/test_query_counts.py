"""Every member page runs a fixed number of queries, however much the member has recorded.

Each page is measured for a member with one certification and one activity and for one
with three certifications and 60 activities (each counting toward all three cycles);
the counts must be equal, and equal to the figure below, so a new query per activity,
claim or cycle fails here. Counts are taken with the program rules already cached in
the process (`keepcert.program.selectors.rules_of`), as every request after a
worker's first one runs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from keepcert import testing
from keepcert.activities.models import Activity
from keepcert.certifications.models import Cycle
from keepcert.members.models import Member
from keepcert.portal.tests.pages import form_data


@dataclass
class Record:
    member: Member
    client: Client
    cycle: Cycle  # the RMA cycle, open

    def activity(self, title: str, *, day: int = 0) -> Activity:
        """A fresh activity counting toward every open cycle its dates fall in."""
        return testing.make_activity(
            self.member, title=title, points="1", start=date(2025, 6, 1) + timedelta(days=day)
        )


def _record(first_name: str, *, certifications: int, activities: int) -> Record:
    member, cycle = testing.make_member_with_record(
        first_name=first_name, certifications=certifications, activities=activities
    )
    client = Client()
    client.force_login(member.user)
    return Record(member, client, cycle)


@pytest.fixture
def small(program: object) -> Record:
    """One certification, one activity."""
    return _record("Sam", certifications=1, activities=1)


@pytest.fixture
def large(program: object) -> Record:
    """Three certifications, 60 activities, each counting toward all three open cycles."""
    return _record("Lena", certifications=3, activities=60)


def _form(record: Record, **changes: Any) -> dict[str, Any]:
    """The record form, filled in and counting toward every open cycle of the member."""
    open_cycles = Cycle.objects.for_member(record.member.pk).open()
    return form_data(record.cycle, cycles=[c.pk for c in open_cycles], **changes)


Request = Callable[[], Any]
Page = Callable[[Record], Request]
"""Makes what a page needs (a fresh activity to delete, say), unmeasured, and returns the
request to measure."""


def _get(r: Record, name: str, *args: int) -> Request:
    url = reverse(name, args=args)
    return lambda: r.client.get(url)


def _first(r: Record) -> Activity:
    """The member's first activity: for the large record, one counting toward three cycles."""
    activity = Activity.objects.filter(member=r.member).order_by("pk").first()
    assert activity is not None
    return activity


def _record_post(r: Record) -> Request:
    count = Activity.objects.filter(member=r.member).count()
    data = _form(r, title=f"Webinar {count}")
    return lambda: r.client.post(reverse("portal:activity_new"), data)


def _edit_post(r: Record) -> Request:
    activity = _first(r)
    data = _form(
        r,
        title=activity.title,
        start_date="2025-06-01",
        end_date="2025-06-01",
        points="2" if activity.points != 2 else "1.5",
    )
    return lambda: r.client.post(reverse("portal:activity_edit", args=[activity.pk]), data)


def _delete_post(r: Record) -> Request:
    url = reverse("portal:activity_delete", args=[r.activity("To delete").pk])
    return lambda: r.client.post(url)


PAGES: dict[str, tuple[Page, int]] = {
    "dashboard": (lambda r: _get(r, "portal:dashboard"), 7),
    "cycle page": (lambda r: _get(r, "portal:cycle_detail", r.cycle.pk), 7),
    "activity page": (lambda r: _get(r, "portal:activity_detail", _first(r).pk), 9),
    "record form": (lambda r: _get(r, "portal:activity_new"), 7),
    "record form POST": (_record_post, 25),
    "edit form": (lambda r: _get(r, "portal:activity_edit", _first(r).pk), 12),
    "edit POST": (_edit_post, 33),
    "delete form": (lambda r: _get(r, "portal:activity_delete", _first(r).pk), 6),
    "delete POST": (_delete_post, 24),
    # The fifth: whether a legal name change is waiting for staff.
    "profile": (lambda r: _get(r, "portal:profile"), 5),
}


def queries(page: Page, record: Record) -> int:
    page(record)()  # warm: the process caches the program rules; the session is touched
    request = page(record)
    with CaptureQueriesContext(connection) as captured:
        response = request()
    assert response.status_code in (200, 302), response.content
    return len(captured)


@pytest.mark.parametrize("name", list(PAGES))
def test_each_page_runs_a_fixed_number_of_queries(name: str, small: Record, large: Record) -> None:
    page, expected = PAGES[name]
    counts = (queries(page, small), queries(page, large))
    assert counts == (expected, expected)
