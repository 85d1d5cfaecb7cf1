"""Every operation needs a live personal API token, and nothing else will do."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from keepcert import testing
from keepcert.activities.models import Activity
from keepcert.api.tests.conftest import Api, assert_error, token_for
from keepcert.members.models import ApiToken, Member
from keepcert.members.services import revoke_api_token

OPERATIONS = [
    ("GET", "/me"),
    ("GET", "/certifications"),
    ("GET", "/certifications/{certification}/cycles"),
    ("GET", "/cycles/{cycle}"),
    ("GET", "/activities"),
    ("GET", "/activities/{activity}"),
    ("POST", "/activities"),
    ("PATCH", "/activities/{activity}"),
    ("DELETE", "/activities/{activity}"),
]

VALID_BODY = {
    "category": "professional-education",
    "title": "Sneaky",
    "start_date": "2025-01-10",
    "end_date": "2025-01-10",
    "points": 2,
    "attest": True,
}


@pytest.fixture
def ids(alice: Member) -> dict[str, int]:
    certification = alice.certifications.get()
    activity = testing.make_activity(alice)
    return {
        "certification": certification.pk,
        "cycle": testing.current_cycle(certification).pk,
        "activity": activity.pk,
    }


def _call(api: Api, method: str, path: str, ids: dict[str, int]) -> Any:
    path = path.format(**ids)
    body = VALID_BODY if method in {"POST", "PATCH"} else None
    return api.request(method, path, body)


def _assert_unauthorized(response: Any) -> None:
    body = assert_error(response, 401)
    assert body["code"] == "unauthorized"
    assert "Authorization: Bearer" in body["detail"]
    assert response["WWW-Authenticate"] == "Bearer"


def _assert_untouched(alice: Member) -> None:
    activities = list(Activity.objects.filter(member=alice))
    assert [a.title for a in activities] == ["Infection control update"]


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_no_token_is_refused(alice: Member, ids: dict[str, int], method: str, path: str) -> None:
    _assert_unauthorized(_call(Api(), method, path, ids))
    _assert_untouched(alice)


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_unknown_token_is_refused(
    alice: Member, ids: dict[str, int], method: str, path: str
) -> None:
    _assert_unauthorized(_call(Api("kc_not-a-real-token"), method, path, ids))
    _assert_untouched(alice)


@pytest.mark.parametrize(
    "header",
    [
        "Bearer ",
        "Bearer " + "kc_" + "x" * 500,
        "Token kc_whatever",
        "Basic YWxpY2U6cGFzc3dvcmQ=",
        "bearer",
        "Bearer kc_\u00e9t\u00e9",
    ],
)
def test_malformed_authorization_is_refused(
    alice: Member, ids: dict[str, int], header: str
) -> None:
    client = Client(headers={"Authorization": header})
    response = client.post("/api/v1/activities", data=VALID_BODY, content_type="application/json")
    _assert_unauthorized(response)
    _assert_untouched(alice)


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_revoked_token_is_refused(
    alice: Member, ids: dict[str, int], method: str, path: str
) -> None:
    raw = token_for(alice)
    assert alice.user is not None
    revoke_api_token(token=ApiToken.objects.get(member=alice), actor=alice.user)
    _assert_unauthorized(_call(Api(raw), method, path, ids))
    _assert_untouched(alice)


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_signed_in_session_is_not_enough(
    alice: Member, alice_client: Client, ids: dict[str, int], method: str, path: str
) -> None:
    """A browser's session cookie never authenticates the API (no CSRF exposure)."""
    _assert_unauthorized(_call(Api(client=alice_client), method, path, ids))
    _assert_untouched(alice)


def test_a_live_token_works_without_csrf_token(alice: Member) -> None:
    api = Api(token_for(alice), client=Client(enforce_csrf_checks=True))
    response = api.post("/activities", VALID_BODY)
    assert response.status_code == 201, response.content
    assert Activity.objects.filter(member=alice, title="Sneaky").exists()


def test_each_member_token_sees_only_its_member(alice: Member, mallory: Member) -> None:
    assert Api(token_for(alice)).get("/me").json()["member_number"] == alice.member_number
    assert Api(token_for(mallory)).get("/me").json()["member_number"] == mallory.member_number


def test_using_a_token_notes_when(alice: Member) -> None:
    raw = token_for(alice)
    assert ApiToken.objects.get(member=alice).last_used_at is None
    Api(raw).get("/me")
    assert ApiToken.objects.get(member=alice).last_used_at is not None
