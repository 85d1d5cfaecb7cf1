"""The client address: REMOTE_ADDR, or the proxy's X-Forwarded-For entry when trusted."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from keepcert.core.http import client_address


def _request(remote: str = "10.0.0.1", forwarded: str | None = None):  # type: ignore[no-untyped-def]
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_a_trusted_proxy_the_forwarded_header_is_ignored(settings) -> None:  # type: ignore[no-untyped-def]
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_address(_request(forwarded="203.0.113.9")) == "10.0.0.1"


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (1, "203.0.113.9", "203.0.113.9"),
        # A client that sends its own header only adds entries on the left.
        (1, "198.51.100.1, 203.0.113.9", "203.0.113.9"),
        (2, "198.51.100.1, 203.0.113.9, 10.0.0.2", "203.0.113.9"),
        # Fewer entries than proxies: it did not come through them; use the peer.
        (2, "203.0.113.9", "10.0.0.1"),
        (1, "not-an-address", None),
        (1, " 2001:db8::1 ", "2001:db8::1"),
    ],
)
def test_behind_trusted_proxies_the_client_is_counted_from_the_right(  # type: ignore[no-untyped-def]
    settings, proxies: int, forwarded: str, expected: str | None
) -> None:
    settings.TRUSTED_PROXY_COUNT = proxies
    assert client_address(_request(forwarded=forwarded)) == expected


def test_a_unix_socket_peer_has_no_address(settings) -> None:  # type: ignore[no-untyped-def]
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_address(_request(remote="")) is None
