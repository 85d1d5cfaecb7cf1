"""Issue 5, finding 8: with the database down (or any bug) the API still answers JSON.

Reproduced before the fix: every query failing, `GET /api/v1/me` with a token answered
Django's HTML "Server Error (500)".
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any
from unittest import mock

import pytest
from django.db import OperationalError
from django.db.backends.utils import CursorWrapper
from django.http import HttpRequest, HttpResponse
from django.test import Client

import keepcert.urls
from keepcert.api.tests.conftest import Api, assert_error
from keepcert.members.models import Member

pytestmark = pytest.mark.security


@pytest.fixture
def database_down() -> Iterator[None]:
    """Every query fails the way a lost PostgreSQL connection does."""

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise OperationalError("server closed the connection unexpectedly")

    with (
        mock.patch.object(CursorWrapper, "execute", refuse),
        mock.patch.object(CursorWrapper, "executemany", refuse),
    ):
        yield


def test_database_down_in_the_token_check_answers_json_503(
    alice_api: Api, database_down: None, caplog: pytest.LogCaptureFixture
) -> None:
    alice_api.client.raise_request_exception = False
    with caplog.at_level(logging.ERROR):
        response = alice_api.get("/me")  # the token lookup is the first query
    body = assert_error(response, 503)
    assert body["code"] == "unavailable"
    assert "try again" in body["detail"]
    assert response["Cache-Control"] == "private, no-store"
    logged = [r for r in caplog.records if r.exc_info]
    assert logged, "the failure is logged with its traceback"
    assert isinstance(logged[0].exc_info[1], OperationalError)  # type: ignore[index]


def test_database_down_when_writing_answers_json_503(alice_api: Api, database_down: None) -> None:
    alice_api.client.raise_request_exception = False
    response = alice_api.post("/activities", {"title": "x"})
    assert assert_error(response, 503)["code"] == "unavailable"


def test_a_bug_in_an_operation_answers_json_500(
    alice_api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    alice_api.client.raise_request_exception = False
    with (
        mock.patch("keepcert.api.members.member_summaries", side_effect=RuntimeError("bug")),
        caplog.at_level(logging.ERROR),
    ):
        response = alice_api.get("/me")
    body = assert_error(response, 500)
    assert body["code"] == "error"
    assert "bug" not in body["detail"]  # no internals shown
    assert any(r.exc_info and "bug" in str(r.exc_info[1]) for r in caplog.records)


def _failing_middleware(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """A middleware that needs the database (a rate limit on the database cache, say)."""

    def middleware(request: HttpRequest) -> HttpResponse:
        raise OperationalError("could not connect to server")

    return middleware


def test_database_down_in_a_middleware_answers_json_503(settings: Any, alice: Member) -> None:
    # ninja never sees this failure: Django's handler500 answers it.
    assert keepcert.urls.__dict__.get("handler500") == "keepcert.api.errors.server_error", (
        'keepcert/urls.py must set handler500 = "keepcert.api.errors.server_error"'
    )
    settings.MIDDLEWARE = [
        *settings.MIDDLEWARE,
        "keepcert.api.tests.test_faults._failing_middleware",
    ]
    client = Client(raise_request_exception=False)
    response = client.get("/api/v1/me")
    body = assert_error(response, 503)
    assert body["code"] == "unavailable"
    # Outside the API the same failure shows the site's styled page.
    page = client.get("/dashboard/")
    assert page.status_code == 500
    assert page["Content-Type"].startswith("text/html")
    assert "Something went wrong" in page.content.decode()
