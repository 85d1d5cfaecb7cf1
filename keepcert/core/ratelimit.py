"""One rate-limit mechanism for every credential and public form: fixed windows in the cache.

A limit is keyed by a tuple naming what is limited, e.g. `("token", 42)`,
`("member-writes", 7)`, `("claim-address", "203.0.113.9")`; provider and employer
keys will add their own scopes. The first part names the scope; the rest is hashed,
so any value (an address, a member number typed by a stranger) makes a safe key.

Counting is atomic on every cache backend, the database cache included, whose
`incr()` is a read followed by a write that two processes can interleave. Instead
each request claims the next free numbered slot of its window with `cache.add()`,
which the database cache turns into one INSERT on a unique key: of N concurrent
requests exactly `limit` get a slot, whichever process serves them. A hint records
the highest slot taken so far, so a request usually tries one slot, not all of them.

The counters live in the "ratelimit" cache when settings define one (its own table, so
culling other entries never drops a counter and a flood of counters never evicts
allauth's), else in the default cache.

Call `hit()` outside a transaction: counts made inside one are lost if it rolls back.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import BaseCache, caches
from django.utils.translation import gettext as _

from keepcert.core.errors import DomainError

Key = tuple[str | int, ...]


@dataclass(frozen=True)
class Decision:
    allowed: bool
    retry_after: int  # seconds until the window ends; 0 when allowed


class RateLimited(DomainError):
    """Too many requests for one key. The API answers 429 with Retry-After; so does the site."""

    status = 429

    def __init__(self, message: str = "", *, retry_after: int) -> None:
        super().__init__(
            message
            or _("Too many requests. Wait %(seconds)s seconds, then try again.")
            % {"seconds": retry_after},
            code="rate_limited",
        )
        self.retry_after = retry_after


def _cache() -> BaseCache:
    return caches["ratelimit" if "ratelimit" in settings.CACHES else "default"]


def _base(key: Key, window_start: int) -> str:
    scope, *rest = key
    digest = hashlib.sha256(repr(tuple(rest)).encode()).hexdigest()[:32]
    return f"rl:{scope}:{digest}:{window_start}"


def hit(key: Key, *, limit: int, window: int) -> Decision:
    """Count one request against `key`: at most `limit` per fixed window of `window` seconds."""
    now = time.time()
    window_start = int(now // window) * window
    retry_after = max(1, math.ceil(window_start + window - now))
    if limit <= 0:
        return Decision(allowed=False, retry_after=retry_after)
    cache = _cache()
    base = _base(key, window_start)
    # Kept a little past the window's end, then the cache may drop them.
    timeout = retry_after + 5
    hint = cache.get(f"{base}:n", 0)
    for slot in range(hint + 1, limit + 1):
        if cache.add(f"{base}:{slot}", 1, timeout=timeout):
            cache.set(f"{base}:n", slot, timeout=timeout)
            return Decision(allowed=True, retry_after=0)
    return Decision(allowed=False, retry_after=retry_after)


def enforce(key: Key, *, limit: int, window: int, message: str = "") -> None:
    """`hit()`, raising `RateLimited` when the key is over its limit."""
    decision = hit(key, limit=limit, window=window)
    if not decision.allowed:
        raise RateLimited(message, retry_after=decision.retry_after)
