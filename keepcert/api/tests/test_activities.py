"""Recording, reading, changing and deleting activities through the API."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from keepcert import testing
from keepcert.activities.models import Activity, CycleActivity
from keepcert.activities.services import attach_evidence
from keepcert.api.tests.conftest import Api, assert_error, token_for
from keepcert.certifications.models import Cycle
from keepcert.core.models import Event
from keepcert.members.models import Member

BODY: dict[str, Any] = {
    "category": "professional-education",
    "title": "Infection control update",
    "provider": "State society",
    "start_date": "2025-01-10",
    "end_date": "2025-01-11",
    "points": "3",
    "notes": "Two half days.",
    "attest": True,
}


def body(**changes: Any) -> dict[str, Any]:
    return {**BODY, **changes}


def without(field: str) -> dict[str, Any]:
    return {k: v for k, v in BODY.items() if k != field}


def alice_cycle(alice: Member) -> Cycle:
    return testing.current_cycle(alice.certifications.get(credential__code="RMA"))


def close_cycle(cycle: Cycle) -> None:
    """As if the cycle had ended compliant and rolled over."""
    Cycle.objects.filter(pk=cycle.pk).update(status=Cycle.Status.COMPLIANT)


# --------------------------------------------------------------------------- list


def test_list_activities_latest_first(alice: Member, alice_api: Api) -> None:
    older = testing.make_activity(alice, title="Older", start=date(2024, 1, 5))
    newer = testing.make_activity(alice, title="Newer", start=date(2025, 2, 5), points="1.5")

    response = alice_api.get("/activities")

    assert response.status_code == 200
    body = response.json()
    items = body["items"]
    assert [a["id"] for a in items] == [newer.pk, older.pk]
    assert body["next"] is None
    assert items[0]["points"] == "1.50"
    assert items[0]["category"] == {
        "code": "professional-education",
        "name": "Professional Education",
    }
    assert items[0]["cycles"][0]["cycle_id"] == alice_cycle(alice).pk


def test_list_activities_of_one_cycle(alice: Member, alice_api: Api) -> None:
    rpt = testing.make_certification(alice, "RPT", date(2024, 1, 15))
    rpt_cycle = testing.current_cycle(rpt)
    both = testing.make_activity(alice, title="Both", start=date(2024, 3, 1))
    rma_only = testing.make_activity(alice, title="RMA only", start=date(2023, 9, 1))

    rma_ids = [
        a["id"] for a in alice_api.get("/activities", cycle=alice_cycle(alice).pk).json()["items"]
    ]
    rpt_ids = [a["id"] for a in alice_api.get("/activities", cycle=rpt_cycle.pk).json()["items"]]

    assert rma_ids == [both.pk, rma_only.pk]
    assert rpt_ids == [both.pk]


def test_list_never_shows_another_members_activities(
    alice: Member, mallory: Member, alice_api: Api
) -> None:
    testing.make_activity(mallory, title="Mallory's secret")
    assert alice_api.get("/activities").json() == {"items": [], "next": None}


def test_list_filtered_by_another_members_cycle_is_not_found(
    alice: Member, mallory: Member, alice_api: Api
) -> None:
    testing.make_activity(mallory)
    theirs = Cycle.objects.get(certification__member=mallory)
    assert_error(alice_api.get("/activities", cycle=theirs.pk), 404)


@pytest.mark.parametrize("value", ["abc", "1.5", ""])
def test_list_with_a_bad_cycle_names_it(alice_api: Api, value: str) -> None:
    assert_error(alice_api.get("/activities", cycle=value), 422, field="cycle")


def test_list_takes_a_fixed_number_of_queries(alice: Member, alice_api: Api) -> None:
    testing.make_certification(alice, "RPT", date(2024, 1, 15))

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert alice_api.get("/activities").status_code == 200
        return len(captured)

    testing.make_activity(alice, title="One", start=date(2024, 3, 1))
    queries()  # the token's first use of the minute is noted: one more write
    few = queries()
    for day in range(2, 12):
        activity = testing.make_activity(alice, title=f"More {day}", start=date(2024, 3, day))
        attach_evidence(activity=activity, files=[testing.make_upload()], actor=alice.user)
    assert queries() == few


def test_activities_list_their_evidence_files(alice: Member, alice_api: Api) -> None:
    activity = testing.make_activity(alice, title="Lab safety")
    attach_evidence(
        activity=activity,
        files=[testing.make_upload("certificate.pdf"), testing.make_upload("photo.jpg")],
        actor=alice.user,
    )
    expected = [
        {
            "id": e.pk,
            "name": e.original_name,
            "size": e.size,
            "uploaded_at": "2025-11-20T16:00:00Z",
        }
        for e in activity.evidence.all()
    ]
    assert [e["name"] for e in expected] == ["certificate.pdf", "photo.jpg"]

    assert alice_api.get(f"/activities/{activity.pk}").json()["evidence"] == expected
    assert alice_api.get("/activities").json()["items"][0]["evidence"] == expected


# ------------------------------------------------------------------------- detail


def test_get_activity_says_how_it_counts_and_that_it_can_change(
    alice: Member, alice_api: Api
) -> None:
    activity = testing.make_activity(alice, title="Lab safety", points="2.25")
    cycle = alice_cycle(alice)

    response = alice_api.get(f"/activities/{activity.pk}")

    assert response.status_code == 200
    item = response.json()
    assert item["id"] == activity.pk
    assert item["title"] == "Lab safety"
    assert item["points"] == "2.25"
    assert item["units"] is None
    assert item["cycles"] == [
        {
            "cycle_id": cycle.pk,
            "certification_id": cycle.certification_id,
            "credential_code": "RMA",
            "start": "2023-05-10",
            "end": "2026-05-31",
        }
    ]
    assert item["counting"] == [
        {
            "cycle_id": cycle.pk,
            "counted": "2.25",
            "outcome": "counted",
            "explanation": "Counted in full: 2.25 points.",
        }
    ]
    assert item["changeable"] is True
    assert item["locked_reason"] is None


def test_get_activity_in_a_closed_cycle_says_why_it_is_locked(
    alice: Member, alice_api: Api
) -> None:
    activity = testing.make_activity(alice)
    close_cycle(alice_cycle(alice))

    item = alice_api.get(f"/activities/{activity.pk}").json()

    assert item["changeable"] is False
    assert item["locked_reason"] == (
        "It counts toward your RMA cycle (May 10, 2023 – May 31, 2026), "
        "which is closed for changes."
    )


def test_another_members_activity_is_not_found(
    alice: Member, mallory: Member, alice_api: Api
) -> None:
    theirs = testing.make_activity(mallory)
    body_ = assert_error(alice_api.get(f"/activities/{theirs.pk}"), 404)
    assert body_["code"] == "not_found"
    assert "Infection" not in json.dumps(body_)


# ------------------------------------------------------------------------- create


def test_record_activity(alice: Member, alice_api: Api) -> None:
    cycle = alice_cycle(alice)
    before = alice_api.get(f"/cycles/{cycle.pk}").json()
    assert before["counted"] == "0.00"

    response = alice_api.post("/activities", BODY)

    assert response.status_code == 201, response.content
    created = response.json()
    activity = Activity.objects.get(member=alice)
    assert created["id"] == activity.pk
    assert created["changeable"] is True
    assert (activity.title, activity.provider, activity.notes) == (
        "Infection control update",
        "State society",
        "Two half days.",
    )
    assert (activity.start_date, activity.end_date) == (date(2025, 1, 10), date(2025, 1, 11))
    assert activity.points == Decimal("3.00")
    assert activity.attested_from == "127.0.0.1"
    assert activity.attestation_text.startswith("I attest that the information")
    assert list(activity.cycles.all()) == [cycle]
    assert Event.objects.filter(action="activities.activity.recorded", member=alice).count() == 1

    after = alice_api.get(f"/cycles/{cycle.pk}").json()
    assert (after["claimed"], after["counted"], after["remaining"]) == ("3.00", "3.00", "27.00")
    assert [a["activity_id"] for a in after["activities"]] == [activity.pk]


@pytest.mark.parametrize("points", [2.5, "2.5", 2, "2.50", "  2.5 "])
def test_points_as_number_or_string(alice: Member, alice_api: Api, points: object) -> None:
    response = alice_api.post("/activities", body(points=points))
    assert response.status_code == 201, response.content
    assert response.json()["points"] in {"2.50", "2.00"}


def test_record_once_for_every_containing_cycle(alice: Member, alice_api: Api) -> None:
    rpt = testing.make_certification(alice, "RPT", date(2024, 1, 15))

    response = alice_api.post("/activities", BODY)

    assert response.status_code == 201
    assert {c["credential_code"] for c in response.json()["cycles"]} == {"RMA", "RPT"}
    assert CycleActivity.objects.filter(cycle=testing.current_cycle(rpt)).count() == 1


def test_record_for_chosen_certifications(alice: Member, alice_api: Api) -> None:
    rpt = testing.make_certification(alice, "RPT", date(2024, 1, 15))

    response = alice_api.post("/activities", body(certifications=[rpt.pk, rpt.pk]))

    assert response.status_code == 201
    assert [c["credential_code"] for c in response.json()["cycles"]] == ["RPT"]
    assert Activity.objects.get().cycles.get() == testing.current_cycle(rpt)


def test_record_against_another_members_certification_names_certifications(
    alice: Member, mallory: Member, alice_api: Api
) -> None:
    theirs = mallory.certifications.get()
    response = alice_api.post("/activities", body(certifications=[theirs.pk]))
    assert_error(response, 422, field="certifications", contains=str(theirs.pk))
    assert Activity.objects.count() == 0


def test_record_against_an_exempt_certification_names_certifications(
    alice: Member, alice_api: Api
) -> None:
    exempt = testing.make_certification(alice, "CMAS", date(2004, 6, 1))
    response = alice_api.post("/activities", body(certifications=[exempt.pk]))
    assert_error(response, 422, field="certifications", contains="CMAS")
    assert Activity.objects.count() == 0


def test_record_against_a_closed_cycle_uses_the_services_words(
    alice: Member, alice_api: Api
) -> None:
    testing.make_certification(alice, "RPT", date(2024, 1, 15))
    close_cycle(alice_cycle(alice))
    rma = alice.certifications.get(credential__code="RMA")

    response = alice_api.post("/activities", body(certifications=[rma.pk]))

    assert_error(
        response,
        422,
        field="certifications",
        contains="Your RMA cycle (May 10, 2023 – May 31, 2026) is not open for recording.",
    )
    assert Activity.objects.count() == 0


def test_record_with_no_cycle_open_at_all(alice: Member, alice_api: Api) -> None:
    close_cycle(alice_cycle(alice))
    response = alice_api.post("/activities", BODY)
    assert_error(response, 422, field="certifications", contains="open for recording")
    assert Activity.objects.count() == 0


def test_duplicate_needs_confirmation(alice: Member, alice_api: Api) -> None:
    assert alice_api.post("/activities", BODY).status_code == 201

    again = alice_api.post("/activities", body(title="infection CONTROL update "))

    error = assert_error(again, 409)
    assert error["code"] == "duplicate"
    assert error["detail"] == (
        "You already recorded “infection CONTROL update” in this category with the same "
        "dates. Save it again only if it is a separate activity."
    )
    assert Activity.objects.count() == 1

    confirmed = alice_api.post("/activities", body(confirm_duplicate=True))
    assert confirmed.status_code == 201
    assert Activity.objects.count() == 2


def test_attestation_keeps_the_request_address(alice: Member) -> None:
    api = Api(token_for(alice))
    api.client.defaults["REMOTE_ADDR"] = "203.0.113.7"
    assert api.post("/activities", BODY).status_code == 201
    assert Activity.objects.get().attested_from == "203.0.113.7"


INVALID: list[tuple[str, dict[str, Any], str, str]] = [
    # (case, body, field, words of the message)
    (
        "before the cycle",
        body(start_date="2023-01-01", end_date="2023-01-01"),
        "start_date",
        "before your RMA cycle began on May 10, 2023",
    ),
    (
        "future end",
        body(end_date="2025-11-21"),
        "end_date",
        "The end date cannot be in the future",
    ),
    ("end before start", body(end_date="2025-01-09"), "end_date", "cannot be before the start"),
    ("points 0", body(points=0), "points", "Enter more than 0 points."),
    ("points -1", body(points=-1), "points", "Enter more than 0 points."),
    ("points 1.234", body(points=1.234), "points", "at most two decimal places"),
    ("points '1.234'", body(points="1.234"), "points", "at most two decimal places"),
    ("points 101", body(points=101), "points", "One entry can have at most 100 points."),
    ("points 'abc'", body(points="abc"), "points", "Enter a number"),
    ("points ''", body(points=""), "points", "Enter a number"),
    ("points '1e3'", body(points="1e3"), "points", "Enter a number"),
    ("points 'NaN'", body(points="NaN"), "points", "Enter a number"),
    ("points 'Infinity'", body(points="Infinity"), "points", "Enter a number"),
    ("points NaN", body(points=float("nan")), "points", "Enter a number"),
    ("points Infinity", body(points=float("inf")), "points", "Enter a number"),
    ("points 1e308", body(points=1e308), "points", "too large"),
    ("points -1e308", body(points=-1e308), "points", "too large"),
    ("points 10**30", body(points=10**30), "points", "too large"),
    ("points true", body(points=True), "points", "Enter a number"),
    ("points list", body(points=[3]), "points", "Enter a number"),
    ("points null", body(points=None), "points", "not null"),
    ("points missing", without("points"), "points", "Enter the points you earned."),
    ("units, no calculator", body(units=2), "units", "no unit calculator"),
    ("date 2023-02-30", body(start_date="2023-02-30"), "start_date", "not a real date"),
    ("date 2025-13-01", body(end_date="2025-13-01"), "end_date", "not a real date"),
    ("date not ISO", body(start_date="01/10/2025"), "start_date", "YYYY-MM-DD"),
    ("date with time", body(start_date="2025-01-10T00:00"), "start_date", "YYYY-MM-DD"),
    ("date as number", body(start_date=20250110), "start_date", "YYYY-MM-DD"),
    ("date empty", body(start_date=""), "start_date", "YYYY-MM-DD"),
    ("date null", body(end_date=None), "end_date", "not null"),
    ("date missing", without("start_date"), "start_date", "required"),
    ("unknown field", body(colour="blue"), "colour", "not a field"),
    ("empty title", body(title=""), "title", "Enter the activity's title."),
    ("blank title", body(title="   "), "title", "Enter the activity's title."),
    ("long title", body(title="x" * 201), "title", "200 characters or fewer"),
    ("title number", body(title=42), "title", "Enter text."),
    ("title missing", without("title"), "title", "required"),
    ("title NUL", body(title="a\x00b"), "title", "characters that cannot be saved"),
    ("title lone surrogate", body(title="a\ud800b"), "title", "characters that cannot be saved"),
    ("long provider", body(provider="p" * 201), "provider", "200 characters or fewer"),
    ("long notes", body(notes="n" * 5001), "notes", "5,000 characters or fewer"),
    ("unknown category", body(category="knitting"), "category", "activity categories"),
    ("empty category", body(category=""), "category", "activity categories"),
    ("category list", body(category=["authorship"]), "category", "Enter text."),
    ("attest false", body(attest=False), "attest", "Tick the attestation"),
    ("attest missing", without("attest"), "attest", "Tick the attestation"),
    ("attest 'true'", body(attest="true"), "attest", "true or false"),
    ("attest 1", body(attest=1), "attest", "true or false"),
    ("confirm 'yes'", body(confirm_duplicate="yes"), "confirm_duplicate", "true or false"),
    (
        "employment verification after 2020",
        body(category="employment-verification"),
        "end_date",
        "Employment Verification can only be claimed for activity up to December 31, 2020.",
    ),
    ("certifications not a list", body(certifications=1), "certifications", "list"),
    ("certifications of text", body(certifications=["1"]), "certifications", "whole number"),
    ("certifications of bools", body(certifications=[True]), "certifications", "whole number"),
    ("certifications empty", body(certifications=[]), "certifications", "Choose at least one"),
    ("certifications unknown", body(certifications=[2**80]), "certifications", "no certification"),
    ("certifications null", body(certifications=None), "certifications", "not null"),
]


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [case[1:] for case in INVALID],
    ids=[case[0] for case in INVALID],
)
def test_bad_input_names_the_field_and_saves_nothing(
    alice: Member, alice_api: Api, payload: dict[str, Any], field: str, message: str
) -> None:
    response = alice_api.post("/activities", payload)

    error = assert_error(response, 422, field=field, contains=message)
    assert error["code"] == "invalid"
    assert Activity.objects.count() == 0
    assert CycleActivity.objects.count() == 0
    assert not Event.objects.filter(action__startswith="activities.").exists()


def test_every_message_is_reported_at_once(alice: Member, alice_api: Api) -> None:
    response = alice_api.post(
        "/activities", body(title="", points="1.234", end_date="2026-01-01", attest=False)
    )
    error = assert_error(response, 422)
    assert {e["field"] for e in error["errors"]} == {"title", "points", "end_date", "attest"}
    assert error["detail"] == "Enter the activity's title."


@pytest.mark.parametrize(
    ("raw", "status", "field"),
    [
        (b"{not json", 400, "body"),
        (b'{"title": "x",}', 400, "body"),
        (b"\xff\xfe", 400, "body"),
        (b"[]", 422, "body"),
        (b'"a string"', 422, "body"),
        (b"null", 422, "body"),
        (b"3", 422, "body"),
        (b"[" * 100_000 + b"]" * 100_000, 400, "body"),
        (b"1" * 5000, 400, "body"),
    ],
)
def test_a_body_that_is_not_an_object_is_refused(
    alice: Member, alice_api: Api, raw: bytes, status: int, field: str
) -> None:
    response = alice_api.post("/activities", raw=raw)
    assert_error(response, status, field=field)
    assert Activity.objects.count() == 0


def test_an_empty_body_is_refused(alice: Member, alice_api: Api) -> None:
    assert_error(alice_api.post("/activities"), 422, field="body")
    assert Activity.objects.count() == 0


def test_an_oversized_body_is_refused(alice: Member, alice_api: Api) -> None:
    response = alice_api.post("/activities", body(notes="n" * 3_000_000))
    assert assert_error(response, 413)["code"] == "too_large"
    assert Activity.objects.count() == 0


# ------------------------------------------------------------------------- change


def test_patch_changes_only_what_is_sent(alice: Member, alice_api: Api) -> None:
    activity = Activity.objects.get(pk=alice_api.post("/activities", BODY).json()["id"])

    response = alice_api.patch(f"/activities/{activity.pk}", {"points": "4.75", "attest": True})

    assert response.status_code == 200, response.content
    assert response.json()["points"] == "4.75"
    activity.refresh_from_db()
    assert activity.points == Decimal("4.75")
    assert (activity.title, activity.provider, activity.notes) == (
        "Infection control update",
        "State society",
        "Two half days.",
    )
    assert (activity.start_date, activity.end_date) == (date(2025, 1, 10), date(2025, 1, 11))
    assert list(activity.cycles.all()) == [alice_cycle(alice)]
    changed = Event.objects.get(action="activities.activity.changed")
    assert changed.data["before"]["points"] == "3.00"
    assert changed.data["after"]["points"] == "4.75"
    assert alice_api.get(f"/cycles/{alice_cycle(alice).pk}").json()["counted"] == "4.75"


def test_patch_can_clear_text_and_move_dates(alice: Member, alice_api: Api) -> None:
    activity_id = alice_api.post("/activities", BODY).json()["id"]

    response = alice_api.patch(
        f"/activities/{activity_id}",
        {
            "notes": "",
            "provider": "",
            "start_date": "2024-06-01",
            "end_date": "2024-06-02",
            "attest": True,
        },
    )

    assert response.status_code == 200, response.content
    item = response.json()
    assert (item["notes"], item["provider"]) == ("", "")
    assert (item["start_date"], item["end_date"]) == ("2024-06-01", "2024-06-02")
    assert item["title"] == "Infection control update"


def test_patch_certifications_replaces_the_cycles(alice: Member, alice_api: Api) -> None:
    rpt = testing.make_certification(alice, "RPT", date(2024, 1, 15))
    activity_id = alice_api.post("/activities", BODY).json()["id"]
    assert Activity.objects.get().cycles.count() == 2

    response = alice_api.patch(
        f"/activities/{activity_id}", {"certifications": [rpt.pk], "attest": True}
    )

    assert response.status_code == 200, response.content
    assert list(Activity.objects.get().cycles.all()) == [testing.current_cycle(rpt)]


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        ({"points": 0, "attest": True}, "points", "Enter more than 0 points."),
        ({"points": 1e308, "attest": True}, "points", "too large"),
        ({"title": "", "attest": True}, "title", "Enter the activity's title."),
        ({"title": None, "attest": True}, "title", "not null"),
        ({"start_date": "2023-02-30", "attest": True}, "start_date", "not a real date"),
        ({"start_date": "2023-01-01", "attest": True}, "start_date", "before your RMA cycle"),
        ({"end_date": "2025-12-01", "attest": True}, "end_date", "in the future"),
        ({"category": "knitting", "attest": True}, "category", "activity categories"),
        ({"certifications": [], "attest": True}, "certifications", "Choose at least one"),
        ({"points": 2}, "attest", "Tick the attestation"),
        ({}, "attest", "Tick the attestation"),
        ({"points": 2, "attest": True, "id": 5}, "id", "not a field"),
    ],
)
def test_patch_with_bad_input_changes_nothing(
    alice: Member, alice_api: Api, payload: dict[str, Any], field: str, message: str
) -> None:
    activity_id = alice_api.post("/activities", BODY).json()["id"]
    snapshot = alice_api.get(f"/activities/{activity_id}").json()

    response = alice_api.patch(f"/activities/{activity_id}", payload)

    assert_error(response, 422, field=field, contains=message)
    assert alice_api.get(f"/activities/{activity_id}").json() == snapshot
    assert not Event.objects.filter(action="activities.activity.changed").exists()


def test_patch_malformed_json_changes_nothing(alice: Member, alice_api: Api) -> None:
    activity_id = alice_api.post("/activities", BODY).json()["id"]
    assert_error(alice_api.patch(f"/activities/{activity_id}", raw=b"{oops"), 400, field="body")
    assert Activity.objects.get().points == Decimal(3)


def test_patch_into_a_duplicate_needs_confirmation(alice: Member, alice_api: Api) -> None:
    alice_api.post("/activities", BODY)
    other_id = alice_api.post("/activities", body(title="Second course")).json()["id"]

    refused = alice_api.patch(f"/activities/{other_id}", {"title": BODY["title"], "attest": True})
    assert assert_error(refused, 409)["code"] == "duplicate"
    assert Activity.objects.get(pk=other_id).title == "Second course"

    confirmed = alice_api.patch(
        f"/activities/{other_id}",
        {"title": BODY["title"], "attest": True, "confirm_duplicate": True},
    )
    assert confirmed.status_code == 200
    assert Activity.objects.get(pk=other_id).title == BODY["title"]


def test_patch_in_a_closed_cycle_is_locked(alice: Member, alice_api: Api) -> None:
    activity = testing.make_activity(alice)
    close_cycle(alice_cycle(alice))

    response = alice_api.patch(f"/activities/{activity.pk}", {"points": 9, "attest": True})

    error = assert_error(response, 409)
    assert error["code"] == "locked"
    assert error["detail"].startswith("This activity can no longer be changed.")
    activity.refresh_from_db()
    assert activity.points == Decimal(3)


def test_patch_another_members_activity_is_not_found(
    alice: Member, mallory: Member, alice_api: Api
) -> None:
    theirs = testing.make_activity(mallory, points="3")
    response = alice_api.patch(f"/activities/{theirs.pk}", {"points": 9, "attest": True})
    assert_error(response, 404)
    theirs.refresh_from_db()
    assert theirs.points == Decimal(3)
    assert not Event.objects.filter(action="activities.activity.changed").exists()


# ------------------------------------------------------------------------- delete


def test_delete_then_it_is_gone(alice: Member, alice_api: Api) -> None:
    activity = testing.make_activity(alice)
    cycle = alice_cycle(alice)

    response = alice_api.delete(f"/activities/{activity.pk}")

    assert response.status_code == 204
    assert response.content == b""
    assert not Activity.objects.filter(pk=activity.pk).exists()
    assert Event.objects.filter(action="activities.activity.deleted").count() == 1
    assert_error(alice_api.get(f"/activities/{activity.pk}"), 404)
    assert_error(alice_api.delete(f"/activities/{activity.pk}"), 404)
    assert alice_api.get(f"/cycles/{cycle.pk}").json()["counted"] == "0.00"


def test_delete_in_a_closed_cycle_is_locked(alice: Member, alice_api: Api) -> None:
    activity = testing.make_activity(alice)
    close_cycle(alice_cycle(alice))
    assert assert_error(alice_api.delete(f"/activities/{activity.pk}"), 409)["code"] == "locked"
    assert Activity.objects.filter(pk=activity.pk).exists()


def test_delete_another_members_activity_is_not_found(
    alice: Member, mallory: Member, alice_api: Api
) -> None:
    theirs = testing.make_activity(mallory)
    assert_error(alice_api.delete(f"/activities/{theirs.pk}"), 404)
    assert Activity.objects.filter(pk=theirs.pk).exists()


@pytest.mark.parametrize("activity_id", [0, 2**63, 2**80])
def test_unknown_ids_are_not_found(alice_api: Api, activity_id: int) -> None:
    assert_error(alice_api.get(f"/activities/{activity_id}"), 404)
    assert_error(alice_api.delete(f"/activities/{activity_id}"), 404)
    assert_error(alice_api.patch(f"/activities/{activity_id}", {"attest": True}), 404)
