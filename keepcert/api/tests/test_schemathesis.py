"""Schemathesis over the OpenAPI document, as a member with a live token (issue 5).

Every operation gets generated requests that follow the document; none may answer a
5xx, each answer must match what the document says (status, content type, body
schema), and at least half of all calls must get past authentication, so a broken
token (a run of 401s) cannot pass for a clean run.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis import Case
from schemathesis.specs.openapi.checks import positive_data_acceptance

from keepcert import testing
from keepcert.activities.models import Activity
from keepcert.api.tests.conftest import token_for
from keepcert.members.models import Member

pytestmark = pytest.mark.security

EXAMPLES_PER_OPERATION = 25


@pytest.fixture
def member(program: object) -> Member:
    """A seeded member: two certifications, a few activities to read, change, delete."""
    member = testing.make_member()
    testing.make_certification(member, "RMA")
    testing.make_certification(member, "RPT", date(2024, 1, 15))
    for title in ("Infection control update", "Phlebotomy refresher", "CPR"):
        testing.make_activity(member, title=title)
    return member


@pytest.fixture
def wsgi_app() -> Iterator[object]:
    """The real WSGI application, inside the test's transaction.

    Django's handler closes "old" connections around each request, which would end the
    test's transaction; its test client turns that off the same way.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _own_ids(member: Member) -> dict[str, int]:
    certification = member.certifications.order_by("pk").first()
    assert certification is not None
    activity = Activity.objects.filter(member=member).order_by("pk").first()
    cycle = certification.cycles.order_by("pk").first()
    assert activity is not None and cycle is not None
    return {
        "certification_id": certification.pk,
        "cycle_id": cycle.pk,
        "activity_id": activity.pk,
    }


def test_the_api_honours_its_document(member: Member, wsgi_app: object, settings: Any) -> None:
    # Hundreds of calls in seconds from one token: the rate limit is not under test here.
    settings.KEEPCERT_RATE_TOKEN_PER_MINUTE = 100_000
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", wsgi_app)
    headers = {"Authorization": f"Bearer {token_for(member)}"}
    statuses: Counter[int] = Counter()
    failures: list[str] = []

    own = _own_ids(member)
    for result in schema.get_all_operations():
        operation = result.ok()
        strategies = [operation.as_strategy()]
        names = {p.name for p in operation.path_parameters}
        if names:  # also the member's own records, not only ids that are not theirs
            strategies.append(operation.as_strategy(path_parameters={n: own[n] for n in names}))
        for strategy in strategies:

            @hypothesis_settings(
                max_examples=EXAMPLES_PER_OPERATION,
                deadline=None,
                derandomize=True,  # the same requests on every run
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            @given(case=strategy)
            def call(case: Case) -> None:
                response = case.call(headers=headers)
                statuses[response.status_code] += 1
                if response.status_code >= 500:
                    failures.append(f"{case.method} {case.formatted_path}: {response.status_code}")
                # A body can fit the document and still break a rule the document cannot
                # express (dates inside a cycle, points for the category): a 422 is right.
                case.validate_response(
                    response, headers=headers, excluded_checks=[positive_data_acceptance]
                )

            call()

    total = sum(statuses.values())
    print(f"schemathesis: {total} calls, statuses {dict(sorted(statuses.items()))}")
    assert not failures, failures
    assert total >= 9 * 10, statuses  # every operation was exercised
    assert statuses[401] * 2 <= total, f"most calls were refused at the door: {statuses}"
