"""Every endpoint runs a fixed number of queries, however much the member has recorded.

Each endpoint is measured for a member with one certification and one activity and for
one with three certifications and 60 activities (each counting toward all three cycles);
the counts must be equal, and equal to the figure below, so a new query per activity,
claim or cycle fails here. Counts are taken with the program rules already cached in the
process (`keepcert.program.selectors.rules_of`) and the token's use this minute
already noted, as every request after a worker's first one runs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from keepcert import testing
from keepcert.activities.models import Activity
from keepcert.api.tests.conftest import Api, token_for
from keepcert.certifications.models import Cycle
from keepcert.members.models import Member


@dataclass
class Record:
    member: Member
    api: Api
    cycle: Cycle  # the RMA cycle, open

    def activity(self, title: str, *, day: int = 0) -> Activity:
        """A fresh activity counting toward every open cycle its dates fall in."""
        return testing.make_activity(
            self.member, title=title, points="1", start=date(2025, 6, 1) + timedelta(days=day)
        )

    def first(self) -> Activity:
        """The first activity: for the large record, one counting toward three cycles."""
        activity = Activity.objects.filter(member=self.member).order_by("pk").first()
        assert activity is not None
        return activity


def _record(first_name: str, *, certifications: int, activities: int) -> Record:
    member, cycle = testing.make_member_with_record(
        first_name=first_name, certifications=certifications, activities=activities
    )
    return Record(member, Api(token_for(member)), cycle)


@pytest.fixture
def small(program: object) -> Record:
    """One certification, one activity."""
    return _record("Sam", certifications=1, activities=1)


@pytest.fixture
def large(program: object) -> Record:
    """Three certifications, 60 activities, each counting toward all three open cycles."""
    return _record("Lena", certifications=3, activities=60)


Request = Callable[[], Any]
Endpoint = Callable[[Record], Request]
"""Makes what an endpoint needs (a fresh activity to delete, say), unmeasured, and returns
the request to measure."""


def _get(r: Record, path: str) -> Request:
    return lambda: r.api.get(path)


def _post(r: Record) -> Request:
    count = Activity.objects.filter(member=r.member).count()
    body = {
        "category": "professional-education",
        "title": f"Webinar {count}",
        "start_date": "2025-10-01",
        "end_date": "2025-10-01",
        "points": "2.5",
        "attest": True,
        "certifications": list(r.member.certifications.values_list("pk", flat=True)),
    }
    return lambda: r.api.post("/activities", body)


def _patch(r: Record) -> Request:
    activity = r.first()
    body = {"points": "2" if activity.points != 2 else "1.5", "attest": True}
    return lambda: r.api.patch(f"/activities/{activity.pk}", body)


def _delete(r: Record) -> Request:
    activity = r.activity("To delete")
    return lambda: r.api.delete(f"/activities/{activity.pk}")


def _certification_id(r: Record) -> int:
    return r.cycle.certification_id


ENDPOINTS: dict[str, tuple[Endpoint, int]] = {
    "GET /me": (lambda r: _get(r, "/me"), 7),
    "GET /certifications": (lambda r: _get(r, "/certifications"), 6),
    "GET /certifications/{id}/cycles": (
        lambda r: _get(r, f"/certifications/{_certification_id(r)}/cycles"),
        4,
    ),
    "GET /cycles/{id}": (lambda r: _get(r, f"/cycles/{r.cycle.pk}"), 5),
    "GET /activities": (lambda r: _get(r, "/activities"), 6),
    "GET /activities/{id}": (lambda r: _get(r, f"/activities/{r.first().pk}"), 8),
    "POST /activities": (_post, 28),
    "PATCH /activities/{id}": (_patch, 35),
    "DELETE /activities/{id}": (_delete, 24),
}


def queries(endpoint: Endpoint, record: Record) -> int:
    endpoint(record)()  # warm: the program rules cached, the token's use this minute noted
    request = endpoint(record)
    with CaptureQueriesContext(connection) as captured:
        response = request()
    assert response.status_code in (200, 201, 204), response.content
    return len(captured)


@pytest.mark.parametrize("name", list(ENDPOINTS))
def test_each_endpoint_runs_a_fixed_number_of_queries(
    name: str, small: Record, large: Record
) -> None:
    endpoint, expected = ENDPOINTS[name]
    counts = (queries(endpoint, small), queries(endpoint, large))
    assert counts == (expected, expected)
