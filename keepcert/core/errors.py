"""The one domain error type: every service failure a person can act on."""

from __future__ import annotations


class DomainError(Exception):
    """A rule was not met. `message` is shown to the person as written.

    `field_errors` maps a form/API field name to its messages, so the web form
    puts each message beside its field and the API names the field in its 4xx
    body. `code` is a stable name for the kind of failure. Which HTTP status each kind
    answers is the API's business (`keepcert.api.errors`), not the domain's.
    """

    def __init__(
        self,
        message: str,
        *,
        field_errors: dict[str, list[str]] | None = None,
        code: str = "invalid",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field_errors = field_errors or {}
        self.code = code


class NotAllowed(DomainError):
    """The object exists but its state forbids the change (closed cycle, …)."""


class NeedsConfirmation(DomainError):
    """The change is allowed but looks like a mistake; the person must confirm it."""
