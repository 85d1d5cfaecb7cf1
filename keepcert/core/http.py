"""What a request says about where it came from, read the same way everywhere.

Behind a proxy, REMOTE_ADDR is the proxy. `TRUSTED_PROXY_COUNT` says how many proxies
in front of the app append to X-Forwarded-For: the client is the entry that many places
from the right, which a client cannot forge (it can only add entries to the left).
With no trusted proxy (the default) the header is ignored entirely.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _address(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None  # e.g. a unix socket, or a header that is not an address


def client_address(request: HttpRequest) -> str | None:
    """The client's IP address, or None when it cannot be known (a unix socket)."""
    proxies: int = settings.TRUSTED_PROXY_COUNT
    if proxies > 0:
        forwarded = [
            part.strip()
            for part in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            return _address(forwarded[-proxies])
        # Fewer entries than proxies: the request did not come through all of them.
    return _address(request.META.get("REMOTE_ADDR"))


def axes_client_address(request: HttpRequest) -> str:
    """django-axes' AXES_CLIENT_IP_CALLABLE: the same address as everywhere else."""
    return client_address(request) or ""
