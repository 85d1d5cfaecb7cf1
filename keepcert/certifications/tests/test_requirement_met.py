"""A cycle remembers the day its points reached the requirement (the closing invoice is
payable from the day after), and forgets it when an edit or deletion takes them below."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from keepcert import testing
from keepcert.activities.services import (
    ActivityChanges,
    Attestation,
    delete_activity,
    update_activity,
)
from keepcert.core.models import Event

pytestmark = pytest.mark.django_db


def test_met_on_is_the_day_the_points_reach_the_requirement_and_is_cleared_below_it(
    program: object, frozen_now
) -> None:
    member = testing.make_member()
    cycle = testing.current_cycle(testing.make_certification(member))
    today = member.program.today()
    testing.make_activity(member, title="Course 1", points="20")
    cycle.refresh_from_db()
    assert cycle.met_on is None  # 20 of 30

    frozen_now.shift(timedelta(days=3))
    last = testing.make_activity(member, title="Course 2", points="10")
    cycle.refresh_from_db()
    assert cycle.met_on == today + timedelta(days=3)

    # More points later do not move the day it was met.
    frozen_now.shift(timedelta(days=1))
    third = testing.make_activity(member, title="Course 3", points="2")
    cycle.refresh_from_db()
    assert cycle.met_on == today + timedelta(days=3)

    # Below the requirement again: cleared; met again: the new day.
    update_activity(
        activity=last,
        data=ActivityChanges(points=Decimal("5")),
        attestation=Attestation(accepted=True, ip_address="127.0.0.1"),
        actor=member.user,
    )
    cycle.refresh_from_db()
    assert cycle.met_on is None
    frozen_now.shift(timedelta(days=1))
    testing.make_activity(member, title="Course 4", points="3")
    cycle.refresh_from_db()
    assert cycle.met_on == today + timedelta(days=5)
    delete_activity(activity=third, actor=member.user)
    cycle.refresh_from_db()
    assert cycle.met_on is None
    assert list(
        Event.objects.filter(subject_id=str(cycle.pk), action__startswith="certifications.cycle.")
        .order_by("pk")
        .values_list("action", flat=True)
    ) == [
        "certifications.cycle.requirement_met",
        "certifications.cycle.requirement_unmet",
        "certifications.cycle.requirement_met",
        "certifications.cycle.requirement_unmet",
    ]
