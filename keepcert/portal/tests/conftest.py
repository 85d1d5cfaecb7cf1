"""The member portal's fixtures: Alice's activity, her current cycle and token, a staff account."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client

from keepcert import testing
from keepcert.activities.models import Activity
from keepcert.certifications.models import Cycle
from keepcert.members.models import ApiToken, Member
from keepcert.members.services import create_api_token

# The browser tests' fixtures (Chromium, the ticking clock, the member, pages).
from keepcert.portal.tests.browser import chromium, clock, member, new_page, page  # noqa: F401
from keepcert.portal.tests.pages import travel
from keepcert.program.models import Program


@pytest.fixture
def activity(alice: Member) -> Activity:
    return testing.make_activity(
        alice, title="Infection control update", points="3", start=date(2024, 3, 1)
    )


@pytest.fixture
def cycle(alice: Member) -> Cycle:
    return testing.current_cycle(alice.certifications.get())


@pytest.fixture
def token(alice: Member) -> ApiToken:
    token, _ = create_api_token(member=alice, name="my spreadsheet", actor=alice.user)
    return token


@pytest.fixture
def staff_client(program: Program) -> Client:
    """Signed in, but the account has no member record."""
    client = Client()
    client.force_login(testing.make_user("staff@example.org", staff=True))
    return client


@pytest.fixture
def after_grace(
    alice_client: Client, alice: Member, activity: Activity, frozen_now: Any
) -> Activity:
    """Alice's cycle ended May 31, 2026; its 30 days' grace ended June 30."""
    travel(frozen_now, alice_client, alice, date(2026, 7, 1))
    return activity
