from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.utils import translation

from keepcert import testing
from keepcert.members.models import Member
from keepcert.program.models import Program

# The suite's "now": mid-cycle for the default certification (2023-05-10 .. 2026-05-31).
NOW = datetime(2025, 11, 20, 10, 0, tzinfo=ZoneInfo("America/Chicago"))


@pytest.fixture(autouse=True)
def _test_settings(settings):  # type: ignore[no-untyped-def]
    """A fast password hash, and templates rendered without running collectstatic first."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.KEEPCERT_PROGRAM = testing.PROGRAM_CODE  # the tests' own program
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _default_language() -> None:
    """Each test starts in the default language. A request made by an earlier test leaves
    its language active in the thread (LocaleMiddleware activates it and nothing resets
    it), and services read the active language: an attestation is stored in it."""
    translation.deactivate()


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):  # type: ignore[no-untyped-def]
    """Uploaded files go to the test's own directory, never into the repository."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def frozen_now():  # type: ignore[no-untyped-def]
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def program(db, frozen_now) -> Program:  # type: ignore[no-untyped-def]
    return testing.make_program()


@pytest.fixture
def alice(program: Program) -> Member:
    """A member with an RMA certification and an account."""
    member = testing.make_member(first_name="Alice", last_name="Nguyen")
    testing.make_certification(member, "RMA")
    return member


@pytest.fixture
def mallory(program: Program) -> Member:
    """Another member, who must never see or change Alice's data."""
    member = testing.make_member(first_name="Mallory", last_name="Smith")
    testing.make_certification(member, "RPT", testing.date(2024, 1, 15))
    return member


@pytest.fixture
def alice_client(alice: Member) -> Client:
    client = Client()
    client.force_login(alice.user)
    return client


@pytest.fixture
def mallory_client(mallory: Member) -> Client:
    client = Client()
    client.force_login(mallory.user)
    return client


@pytest.fixture
def administrator(program: Program, settings):  # type: ignore[no-untyped-def]
    """The program's administrator (a superuser with TOTP), staff TOTP required."""
    from keepcert.staff.tests.signin import make_staff

    settings.KEEPCERT_STAFF_REQUIRE_MFA = True
    return make_staff("admin@example.org", administrator=True)


@pytest.fixture
def admin_client(administrator) -> Client:  # type: ignore[no-untyped-def]
    """The administrator's session, signed in with password and TOTP through allauth."""
    from keepcert.staff.tests.signin import mfa_client

    return mfa_client(administrator)
