"""Members may turn on an authenticator app (TOTP); then signing in asks for its code."""

from __future__ import annotations

import time
from typing import Any

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY, format_hotp_value, hotp_value
from django.test import Client

from keepcert import testing
from keepcert.members.models import Member


def _code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def _sign_in(client: Client, member: Member) -> Any:
    return client.post(
        "/accounts/login/", {"login": member.user.email, "password": testing.PASSWORD}
    )


def test_a_member_turns_on_totp_and_then_needs_its_code_to_sign_in(
    alice: Member, client: Client, frozen_now: Any
) -> None:
    assert _sign_in(client, alice).status_code == 302
    # Turning on a second factor asks for the password again.
    asked = client.get("/accounts/2fa/totp/activate/")
    assert asked["Location"].startswith("/accounts/reauthenticate/")
    client.post("/accounts/reauthenticate/", {"password": testing.PASSWORD})
    page = client.get("/accounts/2fa/totp/activate/")
    assert page.status_code == 200
    secret = client.session[SECRET_SESSION_KEY]

    wrong = client.post("/accounts/2fa/totp/activate/", {"code": "000000"})
    assert wrong.status_code == 200
    assert not Authenticator.objects.filter(user=alice.user).exists()

    activated = client.post("/accounts/2fa/totp/activate/", {"code": _code(secret)})
    assert activated.status_code == 302
    assert Authenticator.objects.filter(user=alice.user, type=Authenticator.Type.TOTP).exists()

    client.post("/accounts/logout/")
    frozen_now.shift(90)  # a fresh code: a used one is refused
    step = _sign_in(client, alice)
    assert step["Location"] == "/accounts/2fa/authenticate/"
    assert client.get("/dashboard/").status_code == 302  # the password alone is not enough

    refused = client.post("/accounts/2fa/authenticate/", {"code": "123456"})
    assert refused.status_code == 200
    assert client.get("/dashboard/").status_code == 302

    client.post("/accounts/2fa/authenticate/", {"code": _code(secret)})
    assert client.get("/dashboard/").status_code == 200


def test_the_profile_links_to_two_factor_set_up(alice_client: Client) -> None:
    page = alice_client.get("/profile/").content.decode()
    assert 'href="/accounts/2fa/"' in page
