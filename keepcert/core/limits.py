"""A cap on the size of every request body, applied before anything reads the body.

Django's own limits come too late for uploads: files are streamed to the temporary
directory while the multipart body is parsed, and the evidence rules (5 files of 10 MB)
judge them only after the whole body has been read. `RequestBodyLimitMiddleware` refuses
a body larger than `KEEPCERT_MAX_REQUEST_BYTES` with a 413 before a byte of it is read:

- a declared `Content-Length` above the cap is refused at once;
- a chunked body (no `Content-Length`) is what Django never reads at all under WSGI: it
  reads exactly `CONTENT_LENGTH` bytes, none when the header is missing, so such an upload
  would arrive empty. When the server has decoded the chunks (gunicorn marks that with
  `wsgi.input_terminated`), the body is read here, counted as it comes, and refused as
  soon as it passes the cap; a body within the cap is handed on with its length known.

The answer is JSON in the API's error shape under /api/, and a short page elsewhere.
In production a buffering proxy (deploy/nginx.conf) enforces the same limit first.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from typing import IO, BinaryIO, cast

from django.conf import settings
from django.core.handlers.wsgi import WSGIRequest
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from keepcert.activities.limits import MAX_EVIDENCE_BYTES, MAX_EVIDENCE_FILES, MEGABYTE

_CHUNK = 64 * 1024


def too_large_message() -> str:
    """The API's words for a body over a limit (also its answer to RequestDataTooBig)."""
    return _("The request body is too large.")


class BodyTooLarge(Exception):
    """A body of unknown length went past the cap while it was being read."""


def read_capped(stream: IO[bytes], cap: int) -> IO[bytes]:
    """The whole of `stream`, spooled to a temporary file once it outgrows memory; raises
    BodyTooLarge as soon as more than `cap` bytes have come, without reading further."""
    spool = tempfile.SpooledTemporaryFile(  # noqa: SIM115 - handed on open, closed by caller
        max_size=settings.FILE_UPLOAD_MAX_MEMORY_SIZE, dir=settings.FILE_UPLOAD_TEMP_DIR
    )
    total = 0
    try:
        while chunk := stream.read(min(_CHUNK, cap + 1 - total)):
            total += len(chunk)
            if total > cap:
                raise BodyTooLarge
            spool.write(chunk)
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    return spool


def _declared_length(request: HttpRequest) -> int | None:
    raw = str(request.META.get("CONTENT_LENGTH") or "").strip()
    try:
        return int(raw) if raw else None
    except ValueError:
        return None  # Django reads such a body as empty


def _is_streamed(request: HttpRequest) -> bool:
    """A body without a length that the server has de-chunked and will end for us."""
    return (
        "HTTP_TRANSFER_ENCODING" in request.META
        and bool(request.META.get("wsgi.input_terminated"))
        and isinstance(request, WSGIRequest)
    )


def too_large_response(request: HttpRequest) -> HttpResponse:
    """413 in the shape the client reads: the API's error body, or a page for people."""
    cap: int = settings.KEEPCERT_MAX_REQUEST_BYTES
    # This runs before LocaleMiddleware: pick the member's language the same way it would.
    with translation.override(translation.get_language_from_request(request)):
        if request.path_info.startswith("/api/"):
            body = {"detail": too_large_message(), "code": "too_large", "errors": []}
            return JsonResponse(body, status=413)
        page = render_to_string(
            "core/request_too_large.html",
            {
                "limit_mb": f"{cap / MEGABYTE:.0f}",
                "max_files": MAX_EVIDENCE_FILES,
                "file_mb": MAX_EVIDENCE_BYTES // MEGABYTE,
            },
        )
        return HttpResponse(page, status=413)


class RequestBodyLimitMiddleware:
    """Refuse request bodies over `KEEPCERT_MAX_REQUEST_BYTES` (413) before reading them.

    Goes near the top of MIDDLEWARE: above anything that reads the body (CSRF, the
    session-based sign-in, axes), below SecurityMiddleware so a refusal still carries
    its headers.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        cap: int = settings.KEEPCERT_MAX_REQUEST_BYTES
        declared = _declared_length(request)
        if declared is not None:
            if declared > cap:
                return too_large_response(request)
            return self.get_response(request)
        if not _is_streamed(request):
            return self.get_response(request)
        assert isinstance(request, WSGIRequest)
        try:
            body = read_capped(request.environ["wsgi.input"], cap)
        except BodyTooLarge:
            return too_large_response(request)
        with body:
            length = body.seek(0, 2)
            body.seek(0)
            request.META["CONTENT_LENGTH"] = str(length)
            # Django bound its stream (at zero length) when it built the request: give it
            # the body it would otherwise never have read, which ends where the file ends.
            request._stream = cast(BinaryIO, body)
            return self.get_response(request)
