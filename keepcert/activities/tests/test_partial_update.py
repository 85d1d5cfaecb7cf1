"""A partial change is applied to the row as it is when locked (issue 5, finding 4).

The race itself is performed in `test_races.py` on PostgreSQL; this is the same
interleaving made deterministic: a change prepared from an old read of the activity."""

from __future__ import annotations

from decimal import Decimal

import pytest

from keepcert import testing
from keepcert.activities.models import Activity
from keepcert.activities.services import ActivityChanges, Attestation, update_activity
from keepcert.members.models import Member

pytestmark = pytest.mark.security

ATTESTED = Attestation(accepted=True, ip_address="127.0.0.1")


def test_fields_not_sent_keep_the_latest_values(alice: Member) -> None:
    stale = testing.make_activity(alice)  # the caller's read, before another change lands
    fresh = Activity.objects.get(pk=stale.pk)
    update_activity(
        activity=fresh,
        data=ActivityChanges(notes="Written meanwhile"),
        attestation=ATTESTED,
        actor=alice.user,
    )

    update_activity(
        activity=stale,
        data=ActivityChanges(provider="State society"),
        attestation=ATTESTED,
        actor=alice.user,
    )

    stored = Activity.objects.get(pk=stale.pk)
    assert (stored.notes, stored.provider) == ("Written meanwhile", "State society")


def test_sending_points_replaces_points_and_units(alice: Member) -> None:
    activity = testing.make_activity(alice, category_code="professional-education")
    update_activity(
        activity=activity,
        data=ActivityChanges(points=Decimal("1.5")),
        attestation=ATTESTED,
        actor=alice.user,
    )
    stored = Activity.objects.get(pk=activity.pk)
    assert (stored.points, stored.units, stored.title) == (
        Decimal("1.50"),
        None,
        "Infection control update",
    )
    assert [c.pk for c in stored.cycles.all()] == [c.pk for c in activity.cycles.all()]
