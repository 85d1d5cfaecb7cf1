"""GET /me, /certifications, /certifications/{id}/cycles and /cycles/{id}."""

from __future__ import annotations

from datetime import date

import pytest

from keepcert import testing
from keepcert.api.tests.conftest import Api, assert_error, token_for
from keepcert.certifications.models import Cycle
from keepcert.members.models import Member
from keepcert.program.models import Program


def test_me_shows_the_member_and_their_certifications(alice: Member, alice_api: Api) -> None:
    alice.address_line1 = "12 Elm Street"
    alice.city = "Rosemont"
    alice.region = "IL"
    alice.postal_code = "60018"
    alice.save()
    certification = alice.certifications.get()
    cycle = testing.current_cycle(certification)

    response = alice_api.get("/me")

    assert response.status_code == 200
    body = response.json()
    assert body["member_number"] == alice.member_number
    assert (body["first_name"], body["last_name"]) == ("Alice", "Nguyen")
    assert body["email"] == alice.email
    assert body["address"] == {
        "line1": "12 Elm Street",
        "line2": "",
        "city": "Rosemont",
        "region": "IL",
        "postal_code": "60018",
        "country": "US",
    }
    assert body["certifications"] == [
        {
            "id": certification.pk,
            "credential": {"code": "RMA", "name": "Registered Medical Assistant"},
            "certified_on": "2023-05-10",
            "status": "active",
            "status_label": "Active",
            "status_reason": "Certified.",
            "status_changed_on": "2025-11-20",
            "current_cycle": {
                "id": cycle.pk,
                "certification_id": certification.pk,
                "credential_code": "RMA",
                "start": "2023-05-10",
                "end": "2026-05-31",
                "status": "open",
                "status_label": "Open",
                "origin": "recorded",
                "brought_in_points": None,
            },
        }
    ]
    codes = [c["code"] for c in body["categories"]]
    assert codes[0] == "professional-education"
    assert "employment-verification" in codes


def test_me_never_shows_another_member(alice: Member, mallory: Member, alice_api: Api) -> None:
    text = alice_api.get("/me").content.decode()
    assert mallory.member_number not in text
    assert "Mallory" not in text
    assert "RPT" not in text


def test_certifications_lists_each_with_its_current_cycle(alice: Member, alice_api: Api) -> None:
    testing.make_certification(alice, "RPT", date(2024, 1, 15))
    exempt = testing.make_certification(alice, "CMAS", date(2004, 6, 1))

    response = alice_api.get("/certifications")

    assert response.status_code == 200
    by_code = {c["credential"]["code"]: c for c in response.json()["items"]}
    assert set(by_code) == {"RMA", "RPT", "CMAS"}
    assert by_code["RPT"]["current_cycle"]["start"] == "2024-01-15"
    assert by_code["RPT"]["current_cycle"]["end"] == "2027-01-31"
    assert by_code["CMAS"]["id"] == exempt.pk
    assert by_code["CMAS"]["status"] == "exempt"
    assert by_code["CMAS"]["current_cycle"] is None


def test_certifications_are_only_the_members_own(
    alice: Member, mallory: Member, alice_api: Api
) -> None:
    assert [c["credential"]["code"] for c in alice_api.get("/certifications").json()["items"]] == [
        "RMA"
    ]


def test_cycles_of_a_certification_newest_first(program: Program, alice_api: Api) -> None:
    member = testing.make_member(first_name="Carol")
    certification = testing.make_certification(member, "RMA", date(2019, 3, 15))
    api = Api(token_for(member))

    response = api.get(f"/certifications/{certification.pk}/cycles")

    assert response.status_code == 200
    cycles = response.json()["items"]
    assert [(c["start"], c["end"], c["status"]) for c in cycles] == [
        ("2025-04-01", "2028-03-31", "open"),
        ("2022-04-01", "2025-03-31", "compliant"),
        ("2019-03-15", "2022-03-31", "compliant"),
    ]
    assert {c["certification_id"] for c in cycles} == {certification.pk}
    # The past cycles were completed before the record came to KeepCert.
    assert [(c["origin"], c["brought_in_points"]) for c in cycles] == [
        ("recorded", None),
        ("brought_in", None),
        ("brought_in", None),
    ]


def test_cycles_of_another_members_certification_are_not_found(
    alice: Member, mallory: Member, alice_api: Api
) -> None:
    theirs = mallory.certifications.get()
    body = assert_error(alice_api.get(f"/certifications/{theirs.pk}/cycles"), 404)
    assert body["code"] == "not_found"
    assert_error(alice_api.get("/certifications/999999/cycles"), 404)


def test_cycle_progress(alice: Member, alice_api: Api) -> None:
    cycle = testing.current_cycle(alice.certifications.get())
    first = testing.make_activity(alice, title="Phlebotomy refresher", points="4.5")
    testing.make_activity(
        alice, title="Old job", points="5", category_code="formal-education", start=date(2024, 6, 1)
    )

    response = alice_api.get(f"/cycles/{cycle.pk}")

    assert response.status_code == 200
    body = response.json()
    assert body["cycle"]["id"] == cycle.pk
    assert body["credential"] == {"code": "RMA", "name": "Registered Medical Assistant"}
    assert body["is_current"] is True
    assert body["recording_open"] is True
    assert body["message"] is None
    assert (body["required"], body["claimed"], body["counted"], body["remaining"]) == (
        "30.00",
        "9.50",
        "9.50",
        "20.50",
    )
    assert body["percent"] == 31
    assert body["compliant"] is False
    assert body["days_left"] == (date(2026, 5, 31) - date(2025, 11, 20)).days
    assert body["pace"]["status"] == "behind"
    assert body["pace"]["plan"] == (
        "Record 20.5 more points by May 31, 2026: 3 points a month will do it."
    )
    assert body["pace"]["per_month"] == "3.00"
    categories = {c["code"]: c for c in body["categories"]}
    assert categories["professional-education"] == {
        "code": "professional-education",
        "name": "Professional Education",
        "claimed": "4.50",
        "counted": "4.50",
        "cap": None,
    }
    assert categories["formal-education"]["counted"] == "5.00"
    line = next(a for a in body["activities"] if a["activity_id"] == first.pk)
    assert line == {
        "activity_id": first.pk,
        "title": "Phlebotomy refresher",
        "category": {"code": "professional-education", "name": "Professional Education"},
        "start_date": "2024-03-01",
        "end_date": "2024-03-01",
        "points": "4.50",
        "counted": "4.50",
        "outcome": "counted",
        "explanation": "Counted in full: 4.5 points.",
    }


def test_cycle_without_a_requirement_lists_activities_without_progress(program: Program) -> None:
    """The program has not published PCT's points: no numbers are invented."""
    member = testing.make_member(first_name="Pat")
    certification = testing.make_certification(member, "PCT", date(2024, 2, 1))
    activity = testing.make_activity(member, title="Patient safety")
    cycle = testing.current_cycle(certification)

    response = Api(token_for(member)).get(f"/cycles/{cycle.pk}")

    assert response.status_code == 200
    body = response.json()
    # The site's words (the merged wording): the API promises the site's messages.
    assert body["message"] == (
        "The program has not yet set how many points PCT needs per cycle. "
        "Your activities are kept and will count once it does."
    )
    for field in ("required", "claimed", "counted", "remaining", "percent", "compliant"):
        assert body[field] is None, field
    assert body["pace"] is None
    assert body["days_left"] is None
    assert [a["activity_id"] for a in body["activities"]] == [activity.pk]


def test_past_cycle_progress_is_available(program: Program) -> None:
    member = testing.make_member(first_name="Carol")
    certification = testing.make_certification(
        member, "RMA", date(2019, 3, 15), brought_in_points="30"
    )
    past = certification.cycles.order_by("start").first()
    assert past is not None

    body = Api(token_for(member)).get(f"/cycles/{past.pk}").json()

    assert body["cycle"]["status"] == "compliant"
    assert (body["cycle"]["origin"], body["cycle"]["brought_in_points"]) == ("brought_in", "30.00")
    assert body["is_current"] is False
    assert body["recording_open"] is False
    assert body["activities"] == []


@pytest.mark.parametrize("cycle_id", ["theirs", 987654, 2**70])
def test_another_members_or_unknown_cycle_is_not_found(
    alice: Member, mallory: Member, alice_api: Api, cycle_id: object
) -> None:
    if cycle_id == "theirs":
        cycle_id = Cycle.objects.get(certification__member=mallory).pk
    body = assert_error(alice_api.get(f"/cycles/{cycle_id}"), 404)
    assert body["code"] == "not_found"
