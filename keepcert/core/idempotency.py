"""Idempotency keys: a client that retries a request which changes things (because the
answer was lost on the way) gets the first answer again instead of the work done twice.

The shape follows the IETF draft "The Idempotency-Key HTTP Header Field": the same key
with the same request replays the stored answer; the same key with another request
answers 422; a twin that arrives while the first is still being worked on answers 409.

How it holds under concurrency: the key is claimed by inserting its row, in its own
short transaction, before any work starts. The unique constraint (credential, key) lets
exactly one request insert it; every twin hits the constraint and reads the row
instead. The answer is written to the row inside the work's transaction, so the work
and its stored answer are committed together or not at all.

A failed request keeps nothing: when the work raises (a rule was broken, or it
crashed) or answers with an error status, its transaction is rolled back and the key
is released. Nothing was changed, so there is nothing a retry could do twice, and a
client that corrects its request may send it again under the same key.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from keepcert.core.errors import DomainError
from keepcert.core.models import IdempotencyKey

logger = logging.getLogger(__name__)

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
# A claim still in flight after this long belongs to a request that died without
# releasing it (a killed worker); well past any request timeout, so it is taken over.
ABANDONED_AFTER = timedelta(minutes=10)


class KeyMismatch(DomainError):
    """The key was used before for a different request."""


class KeyInFlight(DomainError):
    """The first request with this key has not finished yet."""


@dataclass(frozen=True)
class Answer:
    """What a request answered: an HTTP status and a JSON-ready body."""

    status: int
    body: Any
    replayed: bool = False


def lifetime() -> timedelta:
    return timedelta(hours=settings.KEEPCERT_IDEMPOTENCY_TTL_HOURS)


def check_key(raw: str | None) -> str | None:
    """The key a client sent, or None if it sent none. A key is 1 to 255 printable
    ASCII characters; anything else raises DomainError (a 422 naming the header)."""
    if raw is None:
        return None
    if 0 < len(raw) <= MAX_KEY_LENGTH and all(" " <= c <= "~" for c in raw):
        return raw
    message = _(
        "Send an Idempotency-Key of 1 to %(max)d printable ASCII characters, for example a UUID."
    ) % {"max": MAX_KEY_LENGTH}
    raise DomainError(message, field_errors={HEADER: [message]})


def request_hash(*, method: str, path: str, body: bytes) -> str:
    """What a key is bound to: the method, the path and the exact body bytes."""
    digest = hashlib.sha256()
    for part in (method.upper().encode(), path.encode(), body):
        digest.update(len(part).to_bytes(8, "big"))  # lengths first: no two splits collide
        digest.update(part)
    return digest.hexdigest()


class _Declined(Exception):
    def __init__(self, answer: Answer) -> None:
        self.answer = answer


def run_once(
    *, credential: str, key: str | None, request_hash: str, work: Callable[[], Answer]
) -> Answer:
    """Do `work` once per (credential, key): the first request does it, a repeat gets
    the stored answer. Without a key the work simply runs.

    Raises KeyMismatch when the key was used for another request and KeyInFlight
    while the first request with it is still running; neither does any work.
    """
    if key is None:
        return work()
    claim = _claim(credential=credential, key=key, request_hash=request_hash)
    if isinstance(claim, Answer):
        return claim
    try:
        with transaction.atomic():
            answer = work()
            if answer.status >= 400:
                raise _Declined(answer)  # roll the work back with the key
            kept = IdempotencyKey.objects.filter(pk=claim.pk, status=None).update(
                status=answer.status, body=answer.body
            )
            if kept != 1:
                # Taken over as abandoned: the other request does the work, not this one.
                raise RuntimeError(f"idempotency claim {claim.pk} was lost")
    except _Declined as declined:
        _release(claim)
        return declined.answer
    except BaseException:
        _release(claim)
        raise
    return answer


def _claim(*, credential: str, key: str, request_hash: str) -> IdempotencyKey | Answer:
    """Insert the key's row (the claim), or say what the row already there means."""
    now = timezone.now()
    for _attempt in range(3):
        try:
            with transaction.atomic():
                return IdempotencyKey.objects.create(
                    credential=credential, key=key, request_hash=request_hash, created_at=now
                )
        except IntegrityError:
            pass
        existing = IdempotencyKey.objects.filter(credential=credential, key=key).first()
        if existing is None:
            continue  # released meanwhile: claim it again
        expired = existing.created_at <= now - lifetime()
        abandoned = existing.status is None and existing.created_at <= now - ABANDONED_AFTER
        if expired or abandoned:
            # Only this row as read: if it was completed meanwhile, the next round sees it.
            IdempotencyKey.objects.filter(pk=existing.pk, status=existing.status).delete()
            continue
        if existing.request_hash != request_hash:
            raise KeyMismatch(
                _(
                    "This Idempotency-Key was already used for a different request. "
                    "Send a new key for a new request."
                ),
                code="idempotency_mismatch",
            )
        if existing.status is None:
            raise _in_flight()
        return Answer(status=existing.status, body=existing.body, replayed=True)
    raise _in_flight()  # lost every round to a twin: it is as good as in flight


def _in_flight() -> KeyInFlight:
    return KeyInFlight(
        _(
            "A request with this Idempotency-Key is still being processed. "
            "Wait for it to finish, then send the request again to get its answer."
        ),
        code="in_flight",
    )


def _release(claim: IdempotencyKey) -> None:
    try:
        IdempotencyKey.objects.filter(pk=claim.pk, status=None).delete()
    except DatabaseError:
        # The database is failing (that may be why the work failed): the claim is taken
        # over once it counts as abandoned.
        logger.exception("could not release idempotency key %s", claim.pk)


def purge_expired() -> int:
    """Delete the keys older than their lifetime; how many were deleted."""
    deleted, _by_model = IdempotencyKey.objects.filter(
        created_at__lte=timezone.now() - lifetime()
    ).delete()
    return deleted
