"""Staff sessions for tests: signed in through allauth with the password and a TOTP code,
as a person would, so the admin's `staff_required` check passes for real."""

from __future__ import annotations

import time

from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.test import Client

from keepcert import testing
from keepcert.members.models import User

SECRET = "JBSWY3DPEHPK3PXP"  # a fixed TOTP secret for the test staff accounts


def make_staff(email: str, *, administrator: bool) -> User:
    """An active staff account with TOTP set up; `administrator` sets is_superuser."""
    user = testing.make_user(email, staff=True)
    if user.is_superuser != administrator:
        user.is_superuser = administrator
        user.save(update_fields=["is_superuser"])
    TOTP.activate(user, SECRET)
    return user


def mfa_client(user: User) -> Client:
    """A client whose session signed in with the password and then the TOTP code."""
    client = Client()
    step = client.post("/accounts/login/", {"login": user.email, "password": testing.PASSWORD})
    assert step["Location"] == "/accounts/2fa/authenticate/"
    code = format_hotp_value(hotp_value(SECRET, int(time.time()) // 30))
    client.post("/accounts/2fa/authenticate/", {"code": code})
    assert client.get("/admin/").status_code == 200
    return client
