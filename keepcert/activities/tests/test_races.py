"""Write races (issue 5, findings 4 and 5), performed as they were reproduced: many real
database connections sending at the same instant.

Each test runs 20 bursts. In a burst, N worker threads (each with its own database
connection and its own test Client) wait on a `threading.Barrier` and then send their
request together. Row locks only mean something on PostgreSQL, so the tests are skipped
on SQLite (which lets one writer in at a time anyway):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test \\
        .venv/bin/python -m pytest -n 2 -m races
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import caches
from django.db import connection, connections
from django.db.backends.signals import connection_created
from django.test import Client
from django.urls import reverse

from keepcert import testing
from keepcert.activities.models import Activity
from keepcert.api.tests.conftest import Api, token_for
from keepcert.core.models import Event, RateCounter
from keepcert.members.models import Member
from keepcert.portal.tests.pages import form_data

BURSTS = 20

pytestmark = [
    pytest.mark.races,
    pytest.mark.security,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="race tests need real row locks and concurrent writers: run them on "
        "PostgreSQL (DATABASE_URL=postgres://…)",
    ),
]

BODY: dict[str, Any] = {
    "category": "professional-education",
    "provider": "State society",
    "start_date": "2025-01-10",
    "end_date": "2025-01-11",
    "points": "3",
    "attest": True,
}


class Racers:
    """N threads that run one task each per burst, all released by one barrier.

    The threads live for the whole test, so each opens its database connection once;
    they close it when the test ends.
    """

    def __init__(self, count: int) -> None:
        self.count = count
        self._start = threading.Barrier(count + 1, timeout=60)
        self._done = threading.Barrier(count + 1, timeout=60)
        self._tasks: list[Callable[[], Any]] = []
        self._results: list[Any] = [None] * count
        self._stopping = False
        self._threads = [
            threading.Thread(target=self._work, args=(i,), daemon=True) for i in range(count)
        ]

    def _work(self, index: int) -> None:
        try:
            while True:
                self._start.wait()
                if self._stopping:
                    return
                try:
                    self._results[index] = self._tasks[index]()
                except BaseException as error:  # handed to the test's thread
                    self._results[index] = error
                self._done.wait()
        finally:
            connections.close_all()  # this thread's own connections

    def burst(self, tasks: list[Callable[[], Any]]) -> list[Any]:
        """Run the tasks at once, one per thread; their results in order."""
        assert len(tasks) == self.count
        self._tasks = tasks
        self._start.wait()  # every thread is waiting here: this releases them together
        self._done.wait()
        for result in self._results:
            if isinstance(result, BaseException):
                raise result
        return list(self._results)

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self._stopping = True
        self._start.wait()
        for thread in self._threads:
            thread.join(timeout=30)


@contextmanager
def racers(count: int) -> Iterator[Racers]:
    group = Racers(count)
    group.start()
    try:
        yield group
    finally:
        group.stop()


@pytest.fixture(autouse=True)
def _no_rate_limits(settings: Any) -> None:
    """Hundreds of requests from one member in a frozen minute are the point here."""
    settings.KEEPCERT_RATE_TOKEN_PER_MINUTE = 1_000_000
    settings.KEEPCERT_RATE_MEMBER_WRITES_PER_MINUTE = 1_000_000


def _no_flush_on_commit(connection: Any, **kwargs: Any) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")


@pytest.fixture(autouse=True)
def _fast_commits() -> Iterator[None]:
    """Commits that do not wait for the disk (every worker's connection is new): about
    a third less time per request. Locks and visibility are exactly as in production."""
    connection_created.connect(_no_flush_on_commit)
    _no_flush_on_commit(connection)
    yield
    connection_created.disconnect(_no_flush_on_commit)


def _fresh_limits() -> None:
    RateCounter.objects.all().delete()
    for alias in settings.CACHES:
        caches[alias].clear()


def _api(member: Member, address: str = "127.0.0.1", token: str | None = None) -> Api:
    return Api(token or token_for(member), client=Client(REMOTE_ADDR=address))


def test_concurrent_patches_of_different_fields_lose_nothing(alice: Member) -> None:
    """Finding 4: 10 PATCHes of `notes` with 10 of `provider`, all at once. Each field
    must end with the value its last PATCH wrote; a PATCH that filled the field it did
    not send from an unlocked read would write an older value back."""
    notes_clients = [_api(alice, f"10.0.1.{i}") for i in range(10)]
    provider_clients = [_api(alice, f"10.0.2.{i}") for i in range(10)]
    reverted = 0
    with racers(20) as group:
        for burst in range(BURSTS):
            _fresh_limits()
            activity = testing.make_activity(alice, title=f"Burst {burst}")
            path = f"/activities/{activity.pk}"

            def patch(api: Api, change: dict[str, str], path: str = path) -> int:
                return int(api.patch(path, {**change, "attest": True}).status_code)

            tasks = [
                (lambda api=api, i=i, b=burst: patch(api, {"notes": f"notes {b}.{i}"}))
                for i, api in enumerate(notes_clients)
            ] + [
                (lambda api=api, i=i, b=burst: patch(api, {"provider": f"provider {b}.{i}"}))
                for i, api in enumerate(provider_clients)
            ]
            statuses = group.burst(tasks)
            assert statuses == [200] * 20

            # The history is written under the activity's lock, so its order is the
            # order the changes were applied in; the address tells who sent each.
            changes = Event.objects.filter(
                action="activities.activity.changed", subject_id=str(activity.pk)
            ).order_by("pk")
            last_notes = [e for e in changes if e.ip_address.startswith("10.0.1.")][-1]
            last_provider = [e for e in changes if e.ip_address.startswith("10.0.2.")][-1]
            activity.refresh_from_db()
            if (activity.notes, activity.provider) != (
                last_notes.data["after"]["notes"],
                last_provider.data["after"]["provider"],
            ):
                reverted += 1
    assert reverted == 0, f"a field reverted in {reverted} of {BURSTS} bursts"


def test_identical_api_posts_at_once_record_one_activity(alice: Member) -> None:
    """Finding 5: 20 identical POSTs at once, without `confirm_duplicate`: one activity;
    every other request is told it is a duplicate."""
    clients = [_api(alice) for _ in range(20)]
    made = Counter[int]()
    answers_seen = Counter[tuple[int, str]]()
    with racers(20) as group:
        for burst in range(BURSTS):
            _fresh_limits()
            body = {**BODY, "title": f"Race {burst}"}
            answers = group.burst(
                [lambda api=api, body=body: api.post("/activities", body) for api in clients]
            )
            made[Activity.objects.filter(member=alice, title=body["title"]).count()] += 1
            for answer in answers:
                code = answer.json()["code"] if answer.status_code != 201 else ""
                answers_seen[answer.status_code, code] += 1
    extra = {count: bursts for count, bursts in made.items() if count != 1}
    assert not extra, f"activities made per burst → bursts: {dict(sorted(made.items()))}"
    assert answers_seen == {(201, ""): BURSTS, (409, "duplicate"): 19 * BURSTS}


def test_identical_web_form_posts_at_once_save_one_row(alice: Member) -> None:
    """Finding 5, on the site: 20 posts of the same form at once (a double click is two)
    save one row; the others show the duplicate warning."""
    assert alice.user is not None
    cycle = testing.current_cycle(alice.certifications.get())
    browsers = []
    for _ in range(20):
        browser = Client()
        browser.force_login(alice.user)
        browsers.append(browser)
    url = reverse("portal:activity_new")
    made = Counter[int]()
    warned = 0
    with racers(20) as group:
        for burst in range(BURSTS):
            _fresh_limits()
            form = form_data(cycle, title=f"Web form {burst}")
            answers = group.burst([lambda b=b, form=form: b.post(url, form) for b in browsers])
            made[Activity.objects.filter(member=alice, title=form["title"]).count()] += 1
            warned += sum(
                a.status_code == 200 and "already recorded" in a.content.decode() for a in answers
            )
    extra = {count: bursts for count, bursts in made.items() if count != 1}
    assert not extra, f"rows saved per burst → bursts: {dict(sorted(made.items()))}"
    assert warned == 19 * BURSTS  # the others see the duplicate warning, nothing saved


def test_same_idempotency_key_at_once_records_once(alice: Member) -> None:
    """20 POSTs with the same Idempotency-Key and body at once (a client retrying
    eagerly): one activity; every answer is the first one's 201 or a 409 `in_flight`."""
    token = token_for(alice)  # keys belong to a credential: every retry sends the same one
    clients = [_api(alice, token=token) for _ in range(20)]
    with racers(20) as group:
        for burst in range(BURSTS):
            _fresh_limits()
            body = {**BODY, "title": f"Keyed {burst}"}
            key = f"retry-{burst}"

            def send(api: Api, body: dict[str, Any] = body, key: str = key) -> Any:
                return api.client.post(
                    "/api/v1/activities",
                    body,
                    content_type="application/json",
                    headers={"Authorization": f"Bearer {api.token}", "Idempotency-Key": key},
                )

            answers = group.burst([lambda api=api: send(api) for api in clients])
            assert Activity.objects.filter(member=alice, title=body["title"]).count() == 1
            created = [a.json() for a in answers if a.status_code == 201]
            others = [a for a in answers if a.status_code != 201]
            assert created, "no request got the 201"
            assert all(c == created[0] for c in created)
            assert {a.status_code for a in others} <= {409}
            assert {a.json()["code"] for a in others} <= {"in_flight"}
