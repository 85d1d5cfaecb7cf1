"""The site and the API say the same thing about the same entry: both read the service's
limits and messages (`keepcert.activities.validation`), never their own copies."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from keepcert import testing
from keepcert.activities.limits import MAX_NOTES_LENGTH, MAX_PROVIDER_LENGTH, MAX_TITLE_LENGTH
from keepcert.api.tests.conftest import Api, token_for
from keepcert.members.models import Member


def _site_errors(response: HttpResponse, field: str) -> list[str]:
    pattern = rf'<small class="field-error" id="id_{field}-error">(.*?)</small>'
    return [html.unescape(m) for m in re.findall(pattern, response.content.decode(), flags=re.S)]


def _site(alice: Member, **changes: Any) -> HttpResponse:
    cycle = testing.current_cycle(alice.certifications.get())
    data = {
        "category": testing.category("professional-education").pk,
        "title": "Wound care webinar",
        "start_date": "2025-10-01",
        "end_date": "2025-10-01",
        "points": "2.5",
        "cycles": [cycle.pk],
        "attestation": "on",
        **changes,
    }
    client = Client()
    client.force_login(alice.user)
    return client.post(reverse("portal:activity_new"), data)


def _api(alice: Member, **changes: Any) -> Any:
    body = {
        "category": "professional-education",
        "title": "Wound care webinar",
        "start_date": "2025-10-01",
        "end_date": "2025-10-01",
        "points": "2.5",
        "attest": True,
        **changes,
    }
    return Api(token_for(alice)).post("/activities", body)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "x" * (MAX_TITLE_LENGTH + 1), "Keep the title to 200 characters or fewer."),
        (
            "provider",
            "p" * (MAX_PROVIDER_LENGTH + 1),
            "Keep the provider to 200 characters or fewer.",
        ),
        ("notes", "n" * (MAX_NOTES_LENGTH + 1), "Keep the notes to 5,000 characters or fewer."),
        ("title", "a\x00b", "This text contains characters that cannot be saved."),
    ],
)
def test_too_long_or_unsavable_text_reads_the_same_on_the_site_and_from_the_api(
    alice: Member, field: str, value: str, message: str
) -> None:
    site = _site(alice, **{field: value})
    assert site.status_code == 422
    assert _site_errors(site, field) == [message]

    api = _api(alice, **{field: value})
    assert api.status_code == 422
    assert [e["message"] for e in api.json()["errors"] if e["field"] == field] == [message]


def test_the_browser_is_told_the_services_limits(alice: Member) -> None:
    client = Client()
    client.force_login(alice.user)
    page = client.get(reverse("portal:activity_new")).content.decode()
    assert re.search(rf'<input[^>]*name="title"[^>]*maxlength="{MAX_TITLE_LENGTH}"', page)
    assert re.search(rf'<textarea[^>]*name="notes"[^>]*maxlength="{MAX_NOTES_LENGTH}"', page)
