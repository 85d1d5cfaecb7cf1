"""The request-body cap (issue 5, finding 6): a body over KEEPCERT_MAX_REQUEST_BYTES is
refused with a 413 before it is read, whether its length is declared or it comes in
chunks, and the largest upload the evidence rules allow still goes through.

The attack as reproduced: a 2 GiB multipart upload was read in full into the temporary
directory (10.8 s) before the 10 MB rule refused it.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import reverse

from keepcert.activities import limits
from keepcert.activities.models import Activity, Evidence
from keepcert.certifications.models import Cycle
from keepcert.members.models import Member
from keepcert.portal.tests.pages import form_data, text
from keepcert.testing import current_cycle, make_upload

GIB = 1024**3
TOO_LARGE_PAGE = (
    "What you sent is too large One form can carry at most 51 MB: up to 5 files of at most "
    "10 MB each. Nothing was saved."
)


class Unreadable(io.RawIOBase):
    """A request body that fails the test if anything reads it."""

    def read(self, size: int = -1) -> bytes:
        pytest.fail("the body was read")

    def readline(self, size: int | None = -1) -> bytes:
        pytest.fail("the body was read")


class Endless(io.RawIOBase):
    """A de-chunked body that never ends, counting what was read of it."""

    def __init__(self) -> None:
        self.read_bytes = 0

    def read(self, size: int = -1) -> bytes:
        size = 64 * 1024 if size is None or size < 0 else size
        self.read_bytes += size
        return b"x" * size


@pytest.fixture
def cycle(alice: Member) -> Cycle:
    return current_cycle(alice.certifications.get())


def chunked(body: io.RawIOBase | bytes) -> dict[str, object]:
    """The environ gunicorn builds for `Transfer-Encoding: chunked`: no CONTENT_LENGTH,
    the chunks already decoded, and the input ending where the body ends."""
    stream = io.BytesIO(body) if isinstance(body, bytes) else body
    return {
        "CONTENT_LENGTH": "",
        "HTTP_TRANSFER_ENCODING": "chunked",
        "wsgi.input": stream,
        "wsgi.input_terminated": True,
    }


def test_the_cap_is_what_five_files_of_ten_megabytes_and_the_form_need() -> None:
    assert settings.KEEPCERT_MAX_REQUEST_BYTES == 51 * limits.MEGABYTE
    assert settings.KEEPCERT_MAX_REQUEST_BYTES == limits.MAX_REQUEST_BYTES


@pytest.mark.security
def test_a_declared_2_gib_upload_is_refused_before_a_byte_is_read(
    alice_client: Client, alice: Member, media_root: Path
) -> None:
    response = alice_client.generic(
        "POST",
        reverse("portal:activity_new"),
        CONTENT_TYPE=MULTIPART_CONTENT,
        CONTENT_LENGTH=str(2 * GIB),
        **{"wsgi.input": Unreadable()},
    )
    assert response.status_code == 413
    assert TOO_LARGE_PAGE in text(response)
    assert "text/html" in response["Content-Type"]
    assert not Activity.objects.exists()
    assert not media_root.exists()


@pytest.mark.security
def test_the_api_refuses_a_2_gib_body_in_its_error_shape(alice_client: Client) -> None:
    response = alice_client.generic(
        "POST",
        "/api/v1/activities",
        CONTENT_TYPE="application/json",
        CONTENT_LENGTH=str(2 * GIB),
        HTTP_AUTHORIZATION="Bearer kc_whatever",
        **{"wsgi.input": Unreadable()},
    )
    assert response.status_code == 413
    assert response.json() == {
        "detail": "The request body is too large.",
        "code": "too_large",
        "errors": [],
    }


@pytest.mark.security
def test_a_chunked_body_is_refused_once_it_passes_the_cap(
    alice_client: Client, alice: Member
) -> None:
    body = Endless()
    response = alice_client.generic(
        "POST", reverse("portal:activity_new"), CONTENT_TYPE=MULTIPART_CONTENT, **chunked(body)
    )
    assert response.status_code == 413
    assert TOO_LARGE_PAGE in text(response)
    # Reading stopped at the first byte past the cap, not at the end of the body.
    assert body.read_bytes == settings.KEEPCERT_MAX_REQUEST_BYTES + 1
    assert not Activity.objects.exists()


@pytest.mark.security
def test_a_chunked_api_body_past_the_cap_is_a_413_in_the_api_shape(
    alice_client: Client, settings: pytest.FixtureRequest
) -> None:
    settings.KEEPCERT_MAX_REQUEST_BYTES = 1000  # type: ignore[attr-defined]
    response = alice_client.generic(
        "POST", "/api/v1/activities", CONTENT_TYPE="application/json", **chunked(b"{" * 1001)
    )
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"


def test_a_chunked_upload_within_the_cap_is_read_and_kept(
    alice_client: Client, alice: Member, cycle: Cycle
) -> None:
    body = encode_multipart(BOUNDARY, form_data(cycle, evidence=[make_upload("certificate.pdf")]))
    response = alice_client.generic(
        "POST", reverse("portal:activity_new"), CONTENT_TYPE=MULTIPART_CONTENT, **chunked(body)
    )
    assert response.status_code == 302
    activity = Activity.objects.get(member=alice)
    assert [e.original_name for e in activity.evidence.all()] == ["certificate.pdf"]


@pytest.fixture
def five_largest_files() -> Iterator[list[object]]:
    pdf = make_upload("certificate.pdf").read()
    content = pdf + b"\n" * (limits.MAX_EVIDENCE_BYTES - len(pdf))
    yield [make_upload(f"certificate-{n}.pdf", content) for n in range(limits.MAX_EVIDENCE_FILES)]


def test_the_largest_upload_the_rules_allow_still_goes_through(
    alice_client: Client, alice: Member, cycle: Cycle, five_largest_files: list[object]
) -> None:
    body = encode_multipart(BOUNDARY, form_data(cycle, evidence=five_largest_files))
    assert len(body) > limits.MAX_EVIDENCE_FILES * limits.MAX_EVIDENCE_BYTES
    response = alice_client.generic(
        "POST", reverse("portal:activity_new"), body, content_type=MULTIPART_CONTENT
    )
    assert response.status_code == 302
    assert Evidence.objects.filter(activity__member=alice).count() == 5
