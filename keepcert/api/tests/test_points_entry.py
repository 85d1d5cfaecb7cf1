"""The API reads points as the web form does, and asks before saving points that look
mistyped (issue 7, finding 1): a 409 `large_points`, sent again with
`confirm_large_points: true`."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from keepcert.activities.models import Activity
from keepcert.api.tests.conftest import Api, assert_error
from keepcert.members.models import Member

BODY: dict[str, Any] = {
    "category": "formal-education",
    "title": "Anatomy II",
    "start_date": "2025-09-01",
    "end_date": "2025-09-01",
    "points": "3",
    "attest": True,
}


@pytest.mark.parametrize(("sent", "stored"), [("1,5", "1.50"), ("1,25", "1.25"), (1.5, "1.50")])
def test_a_decimal_comma_in_a_string_is_read_as_decimals(
    alice_api: Api, sent: Any, stored: str
) -> None:
    response = alice_api.post("/activities", {**BODY, "points": sent})
    assert response.status_code == 201, response.content
    assert response.json()["points"] == stored


def test_any_other_comma_is_refused_and_nothing_saved(alice_api: Api) -> None:
    response = alice_api.post("/activities", {**BODY, "points": "1,500"})
    assert_error(response, 422, field="points", contains="“1,500” is not clear")
    assert Activity.objects.count() == 0


def test_large_points_answer_409_until_confirmed(alice: Member, alice_api: Api) -> None:
    response = alice_api.post("/activities", {**BODY, "points": 15})
    error = assert_error(response, 409)
    assert error["code"] == "large_points"
    assert error["detail"] == (
        "15 points is more than one Formal Education activity usually earns (10). "
        "Check the number; if it is right, save anyway."
    )
    assert Activity.objects.count() == 0
    confirmed = alice_api.post("/activities", {**BODY, "points": 15, "confirm_large_points": True})
    assert confirmed.status_code == 201
    assert confirmed.json()["points"] == "15.00"


def test_changing_points_to_a_large_number_asks_too(alice: Member, alice_api: Api) -> None:
    created = alice_api.post("/activities", BODY).json()
    response = alice_api.patch(f"/activities/{created['id']}", {"points": "25", "attest": True})
    assert assert_error(response, 409)["code"] == "large_points"
    assert Activity.objects.get().points == 3
    response = alice_api.patch(
        f"/activities/{created['id']}",
        {"points": "25", "attest": True, "confirm_large_points": True},
    )
    assert response.status_code == 200


def test_the_document_says_how_points_are_read_and_confirmed(db: None) -> None:
    document = Client().get("/api/v1/openapi.json").json()
    schema = document["components"]["schemas"]["ActivityIn"]["properties"]
    assert schema["confirm_large_points"]["type"] == "boolean"
    assert "large_points" in schema["confirm_large_points"]["description"]
    assert '`"1,5"` is 1.5' in schema["points"]["description"]
    text_form = next(v for v in schema["points"]["anyOf"] if v["type"] == "string")
    assert text_form["pattern"].endswith("[0-9]*,[0-9]{1,2})\\s*$")
