from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from keepcert.members.models import Member
from keepcert.members.services import create_api_token

BASE = "/api/v1"


class Api:
    """A JSON client for /api/v1 that sends a bearer token (or none)."""

    def __init__(self, token: str | None = None, client: Client | None = None) -> None:
        self.token = token
        self.client = client or Client()

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def request(self, method: str, path: str, body: Any = None, *, raw: bytes | None = None) -> Any:
        content = raw if raw is not None else (b"" if body is None else json.dumps(body).encode())
        return self.client.generic(
            method,
            BASE + path,
            data=content,
            content_type="application/json",
            headers=self._headers(),
        )

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(BASE + path, params, headers=self._headers())

    def post(self, path: str, body: Any = None, **kw: Any) -> Any:
        return self.request("POST", path, body, **kw)

    def patch(self, path: str, body: Any = None, **kw: Any) -> Any:
        return self.request("PATCH", path, body, **kw)

    def delete(self, path: str) -> Any:
        return self.request("DELETE", path)


def token_for(member: Member) -> str:
    assert member.user is not None
    _, raw = create_api_token(member=member, name="tests", actor=member.user)
    return raw


@pytest.fixture
def alice_api(alice: Member) -> Api:
    return Api(token_for(alice))


@pytest.fixture
def mallory_api(mallory: Member) -> Api:
    return Api(token_for(mallory))


@pytest.fixture
def anonymous_api(program: object) -> Api:
    return Api()


def assert_error(
    response: Any, status: int, *, field: str | None = None, contains: str = ""
) -> dict[str, Any]:
    """The one error shape: detail, code, and field errors; optionally one on `field`."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body: dict[str, Any] = response.json()
    assert set(body) == {"detail", "code", "errors"}, body
    assert body["detail"]
    if body["errors"]:
        assert body["detail"] == body["errors"][0]["message"]
    if field is not None:
        messages = [e["message"] for e in body["errors"] if e["field"] == field]
        assert messages, f"no error on {field}: {body}"
        assert any(contains in m for m in messages), f"{contains!r} not in {messages}"
    return body
