"""Issue 5, finding 8: personal pages and every API answer are never stored by a cache.

Reproduced before the fix: the dashboard, the profile (with a freshly shown API token)
and `GET /api/v1/me` carried no Cache-Control at all, so a shared browser's back button
or a caching proxy could show them to the next person.
"""

from __future__ import annotations

import pytest
from django.test import Client

from keepcert import testing
from keepcert.api.tests.conftest import Api, token_for
from keepcert.members.models import Member

pytestmark = pytest.mark.security

NO_STORE = "private, no-store"


@pytest.mark.parametrize("path", ["/dashboard/", "/profile/", "/activities/new/"])
def test_signed_in_pages_are_not_stored(alice_client: Client, path: str) -> None:
    response = alice_client.get(path)
    assert response.status_code == 200
    assert response["Cache-Control"] == NO_STORE


def test_cycle_and_activity_pages_are_not_stored(alice: Member, alice_client: Client) -> None:
    activity = testing.make_activity(alice, title="Phlebotomy update")
    cycle = activity.cycles.get()
    for path in (f"/cycles/{cycle.pk}/", f"/activities/{activity.pk}/"):
        response = alice_client.get(path)
        assert response.status_code == 200, path
        assert response["Cache-Control"] == NO_STORE, path


def test_the_page_showing_a_new_token_is_not_stored(alice_client: Client) -> None:
    response = alice_client.post("/profile/tokens/", {"name": "laptop"})
    assert response.status_code == 200
    assert "kc_" in response.content.decode()  # the token, shown this once
    assert response["Cache-Control"] == NO_STORE


def test_api_answers_are_not_stored(alice: Member) -> None:
    ok = Api(token_for(alice)).get("/me")
    assert ok.status_code == 200
    assert ok["Cache-Control"] == NO_STORE
    refused = Api().get("/me")
    assert refused.status_code == 401
    assert refused["Cache-Control"] == NO_STORE


def test_public_pages_keep_their_caching(program: object) -> None:
    response = Client().get("/")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
