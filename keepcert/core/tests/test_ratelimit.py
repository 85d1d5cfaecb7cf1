"""Rate limits per credential (issue 5, "also decided"): one mechanism, one counter row per
key and window.

A member's API token: KEEPCERT_RATE_TOKEN_PER_MINUTE (60) requests a minute; a signed-in
member's writes on the site: KEEPCERT_RATE_MEMBER_WRITES_PER_MINUTE (30). Past either,
429 with Retry-After, until the window ends.
"""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import time_machine
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from keepcert.api.tests.conftest import Api, assert_error, token_for
from keepcert.core import ratelimit
from keepcert.core.models import RateCounter
from keepcert.members.models import ApiToken, Member

pytestmark = pytest.mark.security


def test_hit_counts_per_key_within_a_fixed_window(db: None, frozen_now) -> None:  # type: ignore[no-untyped-def]
    decisions = [ratelimit.hit(("test", 1), limit=3, window=60) for _ in range(4)]
    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert 1 <= decisions[-1].retry_after <= 60
    # Another key has its own count; so has the same id under another scope.
    assert ratelimit.hit(("test", 2), limit=3, window=60).allowed
    assert ratelimit.hit(("other", 1), limit=3, window=60).allowed

    frozen_now.shift(timedelta(seconds=decisions[-1].retry_after))
    assert ratelimit.hit(("test", 1), limit=3, window=60).allowed


def test_keys_may_hold_any_text(db: None, frozen_now) -> None:  # type: ignore[no-untyped-def]
    odd = ("claim-record", "x" * 500 + " \n\x00:é")
    assert ratelimit.hit(odd, limit=1, window=60).allowed
    assert not ratelimit.hit(odd, limit=1, window=60).allowed


def test_the_61st_call_of_a_token_in_a_minute_answers_429_until_the_window_ends(
    alice: Member,
) -> None:
    api = Api(token_for(alice))
    with time_machine.travel("2025-11-20 16:00:00 +0000", tick=False) as clock:
        for _ in range(60):
            assert api.get("/me").status_code == 200

        response = api.get("/me")

        body = assert_error(response, 429)
        assert body["code"] == "rate_limited"
        assert "more than 60 requests in a minute" in body["detail"]
        assert response["Retry-After"] == "60"
        # Writes are refused too, before they are read.
        assert_error(api.post("/activities", {"title": "x"}), 429)

        # Another member's token is not held back by this one.
        assert Api(token_for(alice)).get("/me").status_code == 200

        clock.shift(timedelta(seconds=int(response["Retry-After"])))
        assert api.get("/me").status_code == 200


def test_a_bad_token_is_refused_as_401_not_counted_as_a_request(alice: Member) -> None:
    api = Api("kc_not-a-token")
    for _ in range(3):
        assert_error(api.get("/me"), 401)


def test_the_token_limit_is_a_setting(alice: Member, settings) -> None:  # type: ignore[no-untyped-def]
    settings.KEEPCERT_RATE_TOKEN_PER_MINUTE = 2
    api = Api(token_for(alice))
    assert [api.get("/me").status_code for _ in range(3)] == [200, 200, 429]


def test_the_31st_write_of_a_member_in_a_minute_answers_429(
    alice: Member, alice_client: Client
) -> None:
    url = reverse("portal:token_create")
    with time_machine.travel("2025-11-20 16:00:00 +0000", tick=False) as clock:
        for number in range(30):
            response = alice_client.post(url, {"name": f"token {number}"})
            assert response.status_code == 200, response.content

        response = alice_client.post(url, {"name": "one too many"})

        assert response.status_code == 429
        assert response["Retry-After"] == "60"
        assert "Wait 60 seconds, then try again" in response.content.decode()
        assert not ApiToken.objects.filter(name="one too many").exists()
        # Reads are not limited, and do not count.
        for _ in range(40):
            assert alice_client.get(reverse("portal:profile")).status_code == 200

        clock.shift(timedelta(seconds=60))
        assert alice_client.post(url, {"name": "next minute"}).status_code == 200


def test_reads_do_not_count_toward_the_write_limit(
    alice: Member, alice_client: Client, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.KEEPCERT_RATE_MEMBER_WRITES_PER_MINUTE = 2
    for _ in range(10):
        assert alice_client.get(reverse("portal:dashboard")).status_code == 200
        assert alice_client.get(reverse("portal:profile")).status_code == 200
    url = reverse("portal:token_create")
    codes = [alice_client.post(url, {"name": f"t{n}"}).status_code for n in range(3)]
    assert codes == [200, 200, 429]


def test_one_members_writes_do_not_limit_another(
    alice_client: Client, mallory_client: Client, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.KEEPCERT_RATE_MEMBER_WRITES_PER_MINUTE = 1
    url = reverse("portal:token_create")
    assert alice_client.post(url, {"name": "a"}).status_code == 200
    assert alice_client.post(url, {"name": "b"}).status_code == 429
    assert mallory_client.post(url, {"name": "c"}).status_code == 200


@pytest.mark.races
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
def test_concurrent_requests_get_exactly_the_limit() -> None:
    """12 connections hit one key at once, 20 times over: exactly `limit` pass each time.

    A read-then-write counter (the database cache's own `incr()`) lets several
    through on the same count; the single upsert does not.
    """
    for burst in range(20):
        allowed = _burst(("race", burst), workers=12, limit=5)
        assert allowed.count(True) == 5, (burst, allowed)


def _burst(key: tuple[str, int], *, workers: int, limit: int) -> list[bool]:
    start = threading.Barrier(workers, timeout=30)
    allowed: list[bool] = []

    def work() -> None:
        try:
            start.wait()
            allowed.append(ratelimit.hit(key, limit=limit, window=3600).allowed)
        finally:
            connections.close_all()  # this thread's own connection

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return allowed


def test_one_request_costs_one_query(db: None, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    with django_assert_num_queries(1):
        ratelimit.hit(("test", "cost"), limit=3, window=60)


def test_purge_deletes_the_counters_of_ended_windows_only(db: None) -> None:
    with time_machine.travel("2026-03-01 12:00:30Z", tick=False) as clock:
        ratelimit.hit(("test", "old"), limit=3, window=60)
        clock.shift(timedelta(minutes=2))
        ratelimit.hit(("test", "new"), limit=3, window=60)
        assert ratelimit.purge_expired() == 1
        assert RateCounter.objects.count() == 1
        assert ratelimit.purge_expired() == 0
