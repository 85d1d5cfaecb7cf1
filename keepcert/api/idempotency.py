"""The API's side of `Idempotency-Key` (the store is `keepcert.core.idempotency`): the
header as an operation parameter, and the credential a key belongs to."""

from __future__ import annotations

from typing import Annotated

from django.http import HttpRequest
from ninja import Header

from keepcert.api import auth
from keepcert.core import idempotency

DESCRIPTION = (
    "Optional: a key of your choice (1 to 255 printable ASCII characters, e.g. a UUID). "
    "Send the same request with the same key again and you get the first answer, with "
    "nothing done twice. See the operation's description."
)

KeyHeader = Annotated[
    str | None,
    Header(
        None,
        alias=idempotency.HEADER,
        description=DESCRIPTION,
        # Checked by check_key(), not by a pattern here: its 422 speaks to the person.
        example="3f2b8c1e-6a4d-4f7e-9b1a-5c0d2e8f7a64",
    ),
]


def credential_of(request: HttpRequest) -> str:
    """`token:<ApiToken pk>`: keys are kept per token, so another token of the same member
    (or a token revoked and replaced) never sees this token's keys."""
    return f"token:{auth.credential_of(request).pk}"
