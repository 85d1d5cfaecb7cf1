"""One rate-limit mechanism for every credential and public form: fixed windows in the cache.

A limit is keyed by a tuple naming what is limited, e.g. `("token", 42)`,
`("member-writes", 7)`, `("claim-address", "203.0.113.9")`; provider and employer
keys will add their own scopes. The first part names the scope; the rest is hashed,
so any value (an address, a member number typed by a stranger) makes a safe key.

Each (key, window) is one `RateCounter` row, counted up by a single atomic statement,
`INSERT … ON CONFLICT DO UPDATE SET count = count + 1 RETURNING count` (PostgreSQL, and
SQLite 3.35+): one query per request, and of N concurrent requests exactly `limit` see a
count within the limit, whichever process serves them. (The database cache this replaced
needed about 11 queries a request, and its `incr()` is a read then a write that two
processes can interleave.) `manage.py purge_expired` deletes the rows of past windows.

Call `hit()` outside a transaction: counts made inside one are lost if it rolls back.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import connection
from django.utils import timezone
from django.utils.translation import ngettext

from keepcert.core.errors import DomainError
from keepcert.core.models import RateCounter

Key = tuple[str | int, ...]


@dataclass(frozen=True)
class Decision:
    allowed: bool
    retry_after: int  # seconds until the window ends; 0 when allowed


class RateLimited(DomainError):
    """Too many requests for one key; `retry_after` is the seconds until the window ends."""

    def __init__(self, message: str = "", *, retry_after: int) -> None:
        super().__init__(
            message
            or ngettext(
                "Too many requests. Wait %(seconds)s second, then try again.",
                "Too many requests. Wait %(seconds)s seconds, then try again.",
                retry_after,
            )
            % {"seconds": retry_after},
            code="rate_limited",
        )
        self.retry_after = retry_after


def _bucket(key: Key, window_start: int) -> str:
    scope, *rest = key
    digest = hashlib.sha256(repr(tuple(rest)).encode()).hexdigest()[:32]
    return f"{str(scope)[:60]}:{digest}:{window_start}"


def _count_one(bucket: str, expires_at: datetime) -> int:
    """Add one to the bucket's count, creating it at 1; the count after, in one statement."""
    quote = connection.ops.quote_name
    table = quote(RateCounter._meta.db_table)
    bucket_column, count, expires = (quote(n) for n in ("bucket", "count", "expires_at"))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({bucket_column}, {count}, {expires}) VALUES (%s, 1, %s) "  # noqa: S608 - names are ours, values are parameters
            f"ON CONFLICT ({bucket_column}) DO UPDATE SET {count} = {table}.{count} + 1 "
            f"RETURNING {count}",
            [bucket, connection.ops.adapt_datetimefield_value(expires_at)],
        )
        row = cursor.fetchone()
    return int(row[0])


def hit(key: Key, *, limit: int, window: int) -> Decision:
    """Count one request against `key`: at most `limit` per fixed window of `window` seconds."""
    now = time.time()
    window_start = int(now // window) * window
    retry_after = max(1, math.ceil(window_start + window - now))
    if limit <= 0:
        return Decision(allowed=False, retry_after=retry_after)
    ends = datetime.fromtimestamp(window_start + window, tz=UTC)
    if _count_one(_bucket(key, window_start), ends) <= limit:
        return Decision(allowed=True, retry_after=0)
    return Decision(allowed=False, retry_after=retry_after)


def purge_expired() -> int:
    """Delete the counters of windows that have ended; how many were deleted."""
    deleted, _by_model = RateCounter.objects.filter(expires_at__lte=timezone.now()).delete()
    return deleted


def enforce(key: Key, *, limit: int, window: int, message: str = "") -> None:
    """`hit()`, raising `RateLimited` when the key is over its limit."""
    decision = hit(key, limit=limit, window=window)
    if not decision.allowed:
        raise RateLimited(message, retry_after=decision.retry_after)
