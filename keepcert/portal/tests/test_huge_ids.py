"""Ids beyond any database integer answer 404, never 500 (SQLite and PostgreSQL overflow)."""

from __future__ import annotations

import pytest
from django.test import Client

HUGE = "99999999999999999999"


@pytest.mark.parametrize(
    "path",
    [
        f"/cycles/{HUGE}/",
        f"/activities/{HUGE}/",
        f"/activities/{HUGE}/edit/",
        f"/activities/{HUGE}/delete/",
        f"/activities/1/evidence/{HUGE}/",
    ],
)
def test_a_huge_id_is_not_found(alice_client: Client, path: str) -> None:
    assert alice_client.get(path).status_code == 404


def test_revoking_a_huge_token_id_is_not_found(alice_client: Client) -> None:
    assert alice_client.post(f"/profile/tokens/{HUGE}/revoke/").status_code == 404
