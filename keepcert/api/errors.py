"""One error body for every failure the API answers with.

    {"detail": "<first message>", "code": "invalid", "errors": [{"field": …, "message": …}]}

A service's `DomainError` keeps its own words, so a member reads the same sentence in
the web form and in an API client; ninja's parsing and validation errors are reworded
into the same shape.

Whatever else goes wrong under /api/ (a bug, the database gone) answers the same shape
too, never Django's HTML error page: a 500 `error`, or a 503 `unavailable` while the
database cannot be reached. Failures inside ninja (the token check included) go through
`install`'s handlers; failures before ninja runs (in a middleware) reach the site's
`handler500`, which is `server_error` below.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy
from django.views.defaults import server_error as site_server_error
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from pydantic import BaseModel, Field

from keepcert.activities.evidence import EvidenceNotStored
from keepcert.core.errors import DomainError, NeedsConfirmation, NotAllowed
from keepcert.core.idempotency import KeyInFlight, KeyMismatch
from keepcert.core.limits import too_large_message
from keepcert.core.ratelimit import RateLimited

logger = logging.getLogger(__name__)


def _unauthorized() -> str:
    # Translators: %(header)s is the HTTP header as a client sends it, not to be translated.
    return _("Send your personal API token in the header: %(header)s.") % {
        "header": "Authorization: Bearer <token>"
    }


class FieldError(BaseModel):
    field: str = Field(description="The request field at fault; `body` for the body as a whole.")
    message: str


class ErrorOut(BaseModel):
    """The body of every 4xx and 5xx answer."""

    detail: str = Field(description="The first (or only) message, fit to show a person.")
    code: str = Field(
        description=(
            "Stable code: `unauthorized`, `not_found`, `malformed`, `too_large`, `invalid`, "
            "`duplicate` (send again with `confirm_duplicate: true` if it is a separate "
            "activity), `large_points` (send again with `confirm_large_points: true` if the "
            "points are right), `locked` (the activity's cycle is closed for changes), "
            "`rate_limited` (429: wait the seconds in `Retry-After`), "
            "`idempotency_mismatch` (the `Idempotency-Key` was used for another request) or "
            "`in_flight` (a request with that key is still running), `invalid_cursor` (a "
            "page `cursor` that was changed or belongs to another list); on a 5xx, `error` (a "
            "fault of ours, logged) or `unavailable` (try again shortly)."
        )
    )
    errors: list[FieldError] = Field(description="Every message tied to a field; may be empty.")


# The failures operations declare besides their own answer, so the OpenAPI document
# lists every status a client must handle.
AUTH = {401: ErrorOut, 429: ErrorOut}  # no, or no live, token; or too many calls
LOOKUP = {**AUTH, 404: ErrorOut, 422: ErrorOut}  # an id that is not yours, or not a number
BODY = {400: ErrorOut, 413: ErrorOut, 422: ErrorOut}  # not JSON, too large, not valid
CONFLICT = {409: ErrorOut}  # a likely duplicate, or a locked activity

# The services name fields as the web form does; the API's names differ in two places.
_API_FIELD = {"cycles": "certifications", "attestation": "attest"}

# The status each kind of domain failure answers with: the domain says what went wrong,
# the API says it in HTTP. The nearest class along the exception's MRO decides.
_STATUS: dict[type[DomainError], int] = {
    NotAllowed: 409,  # the object's state forbids the change: a locked activity
    NeedsConfirmation: 409,  # a likely duplicate or mistyped points, sent again confirmed
    RateLimited: 429,  # with Retry-After
    KeyMismatch: 422,  # the Idempotency-Key was used for another request
    KeyInFlight: 409,  # a request with that key is still running
    EvidenceNotStored: 503,  # the storage failed; the same files can be sent again
}


def status_for(error: DomainError) -> int:
    """The HTTP status answering `error`: its kind's, else 422 for a rule the input broke
    (it names a field, like a value that did not parse), else 400."""
    for kind in type(error).__mro__:
        if kind in _STATUS:
            return _STATUS[kind]
    return 422 if any(error.field_errors.values()) else 400


# Pydantic's own wording is written for developers; these are for the person. A message
# quotes the error's context (pydantic's `ctx`) by name.
_MESSAGES = {
    "missing": gettext_lazy("This field is required."),
    "string_type": gettext_lazy("Enter text."),
    "bool_type": gettext_lazy("Use true or false."),
    "int_type": gettext_lazy("Enter a whole number."),
    "int_parsing": gettext_lazy("Enter a whole number."),
    "int_from_float": gettext_lazy("Enter a whole number."),
    "list_type": gettext_lazy("Send a list."),
    "greater_than_equal": gettext_lazy("Enter a number of at least %(ge)s."),
    "less_than_equal": gettext_lazy("Enter a number of at most %(le)s."),
    "too_long": ngettext_lazy(
        "Send at most %(max_length)s item.", "Send at most %(max_length)s items.", "max_length"
    ),
    "model_type": gettext_lazy("Send a JSON object."),
    "model_attributes_type": gettext_lazy("Send a JSON object."),
    "dict_type": gettext_lazy("Send a JSON object."),
}


def error_response(
    api: NinjaAPI,
    request: HttpRequest,
    *,
    status: int,
    code: str,
    detail: str,
    errors: Sequence[FieldError] = (),
) -> HttpResponse:
    body = ErrorOut(detail=detail, code=code, errors=list(errors))
    return api.create_response(request, body.model_dump(), status=status)


def _field_name(loc: Sequence[Any]) -> str:
    source, *rest = loc
    if source == "body":
        rest = rest[1:]  # the operation's name for the whole body, not a field of it
    names = [part for part in rest if isinstance(part, str)]
    return names[0] if names else "body"


def _message(error: Mapping[str, Any], field: str) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        return _("“%(field)s” is not a field of this request.") % {"field": field}
    if kind == "missing" and field == "body":
        return _("Send the fields as a JSON object.")
    template = _MESSAGES.get(kind)
    if template is None:
        return str(error["msg"])  # our own validators already speak to the person
    context: dict[str, Any] = dict(error.get("ctx", {}))
    return str(template % context)  # ngettext_lazy picks its form by the count in `context`


def _validation_errors(errors: Iterable[Mapping[str, Any]]) -> list[FieldError]:
    out = []
    for error in errors:
        field = _field_name(error["loc"])
        out.append(FieldError(field=field, message=_message(error, field)))
    return out


def install(api: NinjaAPI) -> None:
    """Replace ninja's default error bodies with `ErrorOut`."""

    @api.exception_handler(ValidationError)
    def on_validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        errors = _validation_errors(exc.errors)
        detail = errors[0].message if errors else _("The request is not valid.")
        return error_response(
            api, request, status=422, code="invalid", detail=detail, errors=errors
        )

    @api.exception_handler(DomainError)
    def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
        errors = [
            FieldError(field=_API_FIELD.get(field, field), message=message)
            for field, messages in exc.field_errors.items()
            for message in messages
        ]
        response = error_response(
            api, request, status=status_for(exc), code=exc.code, detail=exc.message, errors=errors
        )
        if isinstance(exc, RateLimited):
            response["Retry-After"] = str(exc.retry_after)
        return response

    @api.exception_handler(Http404)
    def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return error_response(
            api, request, status=404, code="not_found", detail=str(exc) or _("Not found.")
        )

    @api.exception_handler(HttpError)
    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if isinstance(exc, AuthenticationError):
            response = error_response(
                api, request, status=401, code="unauthorized", detail=_unauthorized()
            )
            response["WWW-Authenticate"] = "Bearer"
            return response
        if exc.status_code == 400:
            # The only 400 ninja raises itself: the body did not parse as JSON.
            message = _("The request body is not valid JSON.")
            return error_response(
                api,
                request,
                status=400,
                code="malformed",
                detail=message,
                errors=[FieldError(field="body", message=message)],
            )
        return error_response(
            api, request, status=exc.status_code, code="error", detail=exc.message
        )

    @api.exception_handler(RequestDataTooBig)
    def on_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        return error_response(
            api, request, status=413, code="too_large", detail=too_large_message()
        )


def _fault(exc: BaseException | None) -> tuple[int, ErrorOut]:
    """The status and body answering an exception nothing else handled."""
    if isinstance(exc, OperationalError | InterfaceError):  # the database cannot be reached
        detail = _("The service is briefly unavailable. Please try again in a few minutes.")
        return 503, ErrorOut(detail=detail, code="unavailable", errors=[])
    detail = _("Something went wrong on our side. It has been logged; please try again later.")
    return 500, ErrorOut(detail=detail, code="error", errors=[])


def install_fault_handler(api: NinjaAPI) -> None:
    """Answer any other exception raised in ninja (the token check, parsing, the view)
    in `ErrorOut`, logged with its traceback."""

    @api.exception_handler(Exception)
    def on_fault(request: HttpRequest, exc: Exception) -> HttpResponse:
        status, body = _fault(exc)
        logger.error(
            "Internal Server Error: %s", request.path, exc_info=exc, extra={"request": request}
        )
        return api.create_response(request, body.model_dump(), status=status)


def server_error(request: HttpRequest) -> HttpResponse:
    """The site's `handler500`: the API's body under /api/ (a middleware failed before
    ninja ran), the styled page (templates/500.html) everywhere else.

    Django calls it while handling the exception, so `sys.exception()` is that exception,
    and has logged it with its traceback (`django.request`) already.
    """
    if not request.path.startswith("/api/"):
        return site_server_error(request)
    status, body = _fault(sys.exception())
    return JsonResponse(body.model_dump(), status=status)
