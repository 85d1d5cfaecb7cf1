"""Reading the member portal's pages as a person does, and filling its forms: the helpers
every page's tests share (the evidence, limits and race tests use them too).
"""

from __future__ import annotations

import html
import re
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from keepcert import testing
from keepcert.activities.models import Activity, CycleActivity
from keepcert.certifications.models import Cycle
from keepcert.core.models import Event
from keepcert.members.models import ApiToken, Member

CHICAGO = ZoneInfo("America/Chicago")


def text(response: HttpResponse) -> str:
    """The page as a person reads it: tags dropped, entities decoded, spaces collapsed."""
    body = response.content.decode()
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def field_errors(response: HttpResponse, field: str) -> list[str]:
    """The messages shown beside one form field."""
    pattern = rf'<small class="field-error" id="id_{field}-error">(.*?)</small>'
    return [html.unescape(m) for m in re.findall(pattern, response.content.decode(), flags=re.S)]


def login_url(next_url: str) -> str:
    return f"{reverse('account_login')}?next={next_url}"


def rows() -> tuple[int, int, int, int]:
    """Everything a portal POST may write."""
    return (
        Activity.objects.count(),
        CycleActivity.objects.count(),
        ApiToken.objects.filter(revoked_at__isnull=True).count(),
        Event.objects.count(),
    )


def form_data(cycle: Cycle, **changes: Any) -> dict[str, Any]:
    data = {
        "category": testing.category("professional-education").pk,
        "title": "Wound care webinar",
        "provider": "AMT",
        "start_date": "2025-10-01",
        "end_date": "2025-10-01",
        "points": "2.5",
        "notes": "",
        "cycles": [cycle.pk],
        "attestation": "on",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def travel(frozen_now: Any, client: Client, member: Member, day: date) -> None:
    """Move the clock, and sign in again: months later the old session has expired."""
    frozen_now.move_to(datetime(day.year, day.month, day.day, 10, 0, tzinfo=CHICAGO))
    client.force_login(member.user)
