"""`Idempotency-Key` on POST /api/v1/activities (issue 5, finding 5): a retried request
gets the first answer and records nothing twice. The concurrent twins are in
`keepcert/activities/tests/test_races.py`."""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from keepcert.activities.models import Activity
from keepcert.api.tests.conftest import BASE, Api, assert_error, token_for
from keepcert.api.urls import api as ninja_api
from keepcert.core.idempotency import request_hash
from keepcert.core.models import IdempotencyKey
from keepcert.members.models import ApiToken, Member

pytestmark = pytest.mark.security

BODY: dict[str, Any] = {
    "category": "professional-education",
    "title": "Infection control update",
    "start_date": "2025-01-10",
    "end_date": "2025-01-11",
    "points": "3",
    "attest": True,
}


def post(api: Api, body: dict[str, Any], key: str | None) -> Any:
    headers = {"Authorization": f"Bearer {api.token}"}
    if key is not None:
        headers["Idempotency-Key"] = key
    # Sent as these exact bytes, so a test can compute the request's hash.
    return api.client.post(
        BASE + "/activities", json.dumps(body), content_type="application/json", headers=headers
    )


def recorded(member: Member) -> int:
    return Activity.objects.filter(member=member).count()


def test_a_retry_with_the_same_key_gets_the_first_answer(alice: Member, alice_api: Api) -> None:
    first = post(alice_api, BODY, "7f1c1e0c-retry")
    assert first.status_code == 201, first.content
    # The activity changes meanwhile: the replay is still the answer the client missed.
    Activity.objects.filter(member=alice).update(notes="changed later")

    again = post(alice_api, BODY, "7f1c1e0c-retry")

    assert again.status_code == 201
    assert again.json() == first.json()
    assert recorded(alice) == 1


def test_without_a_key_a_repeat_is_a_duplicate(alice: Member, alice_api: Api) -> None:
    assert post(alice_api, BODY, None).status_code == 201
    assert assert_error(post(alice_api, BODY, None), 409)["code"] == "duplicate"
    assert recorded(alice) == 1


def test_the_same_key_with_another_body_is_refused(alice: Member, alice_api: Api) -> None:
    assert post(alice_api, BODY, "k-1").status_code == 201

    response = post(alice_api, {**BODY, "title": "Another course"}, "k-1")

    body = assert_error(response, 422)
    assert body["code"] == "idempotency_mismatch"
    assert "different request" in body["detail"]
    assert recorded(alice) == 1


@pytest.mark.parametrize("key", ["", "x" * 256, "caf\u00e9", "tab\there", "line\x7f"], ids=repr)
def test_a_malformed_key_is_refused(alice: Member, alice_api: Api, key: str) -> None:
    response = alice_api.client.post(
        BASE + "/activities",
        BODY,
        content_type="application/json",
        headers={"Authorization": f"Bearer {alice_api.token}"},
        # Set in the environ directly: the test client would refuse some of these itself.
        HTTP_IDEMPOTENCY_KEY=key,
    )
    body = assert_error(response, 422, field="Idempotency-Key", contains="printable ASCII")
    assert body["code"] == "invalid"
    assert recorded(alice) == 0
    assert not IdempotencyKey.objects.exists()


def test_the_longest_key_is_accepted(alice: Member, alice_api: Api) -> None:
    key = "~" * 255
    assert post(alice_api, BODY, key).status_code == 201
    assert post(alice_api, BODY, key).status_code == 201
    assert recorded(alice) == 1


def test_keys_belong_to_one_token(alice: Member, alice_api: Api, mallory_api: Api) -> None:
    """Another token, the member's own or someone else's, never sees a token's keys."""
    first = post(alice_api, BODY, "shared")
    assert first.status_code == 201
    # Alice's second token: a new request, so the duplicate check speaks.
    assert assert_error(post(Api(token_for(alice)), BODY, "shared"), 409)["code"] == "duplicate"
    # Mallory's request with the same key and body is hers, and gets her own activity.
    theirs = post(mallory_api, BODY, "shared")
    assert theirs.status_code == 201
    assert Activity.objects.get(pk=theirs.json()["id"]).member_id != alice.pk
    token = ApiToken.objects.filter(member=alice).earliest("created_at")
    assert IdempotencyKey.objects.filter(credential=f"token:{token.pk}", key="shared").exists()


def test_a_twin_in_flight_answers_409_and_records_nothing(alice: Member, alice_api: Api) -> None:
    token = ApiToken.objects.get(member=alice)
    # What the first request leaves while it works: its claim on the key, no answer yet.
    IdempotencyKey.objects.create(
        credential=f"token:{token.pk}",
        key="busy",
        request_hash=request_hash(
            method="POST", path=BASE + "/activities", body=json.dumps(BODY).encode()
        ),
    )

    body = assert_error(post(alice_api, BODY, "busy"), 409)

    assert body["code"] == "in_flight"
    assert recorded(alice) == 0


def test_a_refused_request_keeps_no_key(alice: Member, alice_api: Api) -> None:
    """A 4xx changed nothing: the client corrects the request and reuses its key."""
    assert_error(post(alice_api, {**BODY, "points": "0"}, "fix-me"), 422, field="points")
    assert not IdempotencyKey.objects.exists()

    assert post(alice_api, BODY, "fix-me").status_code == 201
    assert recorded(alice) == 1


def test_a_crash_releases_the_key(
    alice: Member, alice_api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    def crash(**kwargs: Any) -> Activity:
        raise RuntimeError("the disk is full")

    monkeypatch.setattr("keepcert.api.activities.record_activity", crash)
    alice_api.client.raise_request_exception = False
    assert post(alice_api, BODY, "crash").status_code == 500
    assert not IdempotencyKey.objects.exists()
    monkeypatch.undo()

    assert post(alice_api, BODY, "crash").status_code == 201
    assert recorded(alice) == 1


def test_an_abandoned_claim_is_taken_over(alice: Member, alice_api: Api, frozen_now: Any) -> None:
    """A worker killed mid-request cannot release its claim; after ten minutes the key
    is free again (nothing of that request was committed)."""
    post(alice_api, BODY, "first")
    abandoned = IdempotencyKey.objects.get(key="first")
    IdempotencyKey.objects.filter(pk=abandoned.pk).update(status=None, body=None)
    Activity.objects.all().delete()
    assert_error(post(alice_api, BODY, "first"), 409)

    frozen_now.shift(timedelta(minutes=11))

    assert post(alice_api, BODY, "first").status_code == 201
    assert recorded(alice) == 1


def test_a_key_expires_after_its_lifetime(
    alice: Member, alice_api: Api, frozen_now: Any, settings: Any
) -> None:
    settings.KEEPCERT_IDEMPOTENCY_TTL_HOURS = 24
    first = post(alice_api, BODY, "daily")
    frozen_now.shift(timedelta(hours=23, minutes=59))
    assert post(alice_api, BODY, "daily").json() == first.json()

    frozen_now.shift(timedelta(minutes=2))
    # Forgotten: the request is new again (and this one is a likely duplicate).
    assert assert_error(post(alice_api, BODY, "daily"), 409)["code"] == "duplicate"
    again = post(alice_api, {**BODY, "confirm_duplicate": True}, "daily")
    assert again.status_code == 201
    assert again.json()["id"] != first.json()["id"]


def test_purge_deletes_only_expired_keys(alice: Member, alice_api: Api, frozen_now: Any) -> None:
    post(alice_api, BODY, "old")
    frozen_now.shift(timedelta(hours=20))
    post(alice_api, {**BODY, "title": "Newer"}, "new")
    frozen_now.shift(timedelta(hours=5))  # "old" is 25 h old, "new" 5 h

    out = StringIO()
    call_command("purge_expired", stdout=out)

    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["new"]
    assert "Deleted 1 idempotency key older than 24 hours." in out.getvalue()
    assert "rate-limit counter" in out.getvalue()


def test_the_header_is_documented(program: object) -> None:
    operation = ninja_api.get_openapi_schema()["paths"]["/api/v1/activities"]["post"]
    (header,) = [p for p in operation["parameters"] if p["in"] == "header"]
    assert header["name"] == "Idempotency-Key"
    assert header["required"] is False
    assert "255 printable ASCII" in header["description"]
    assert "Idempotency-Key" in operation["description"]
    assert "idempotency_mismatch" in operation["description"]
    assert "in_flight" in operation["description"]
