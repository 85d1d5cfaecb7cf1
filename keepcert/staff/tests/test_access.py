"""Staff pages need an active staff account whose session passed TOTP (issue 5, finding 1).

The attack as it was reproduced: a signed-in member opens the admin's own login form and
posts the staff email and password there, which signed in without any second factor.
"""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from keepcert import testing
from keepcert.members.models import Member, User

pytestmark = pytest.mark.security

STAFF_EMAIL = "staff@example.org"
SECRET = "JBSWY3DPEHPK3PXP"  # a fixed TOTP secret for the test staff account


def _code(offset: int = 0) -> str:
    return format_hotp_value(hotp_value(SECRET, int(time.time()) // 30 + offset))


@pytest.fixture
def staff(program: Any, settings: Any) -> User:
    settings.KEEPCERT_STAFF_REQUIRE_MFA = True
    user = testing.make_user(STAFF_EMAIL, staff=True)
    TOTP.activate(user, SECRET)
    return user


def _password_sign_in(client: Client, email: str) -> Any:
    return client.post("/accounts/login/", {"login": email, "password": testing.PASSWORD})


def test_the_admin_login_form_no_longer_signs_staff_in(staff: User, alice: Member) -> None:
    client = Client()
    assert _password_sign_in(client, alice.user.email).status_code == 302
    # The admin's own form is gone: its page sends everyone to allauth's sign-in.
    page = client.get("/admin/login/?next=/admin/")
    assert page.status_code == 302
    assert page["Location"].startswith("/accounts/login/")
    posted = client.post(
        "/admin/login/?next=/admin/", {"username": STAFF_EMAIL, "password": testing.PASSWORD}
    )
    assert posted.status_code == 302
    assert posted["Location"].startswith("/accounts/login/")
    assert int(client.session["_auth_user_id"]) == alice.user.pk  # still the member
    assert client.get("/admin/").status_code == 403


def test_an_anonymous_post_to_the_admin_login_signs_no_one_in(staff: User) -> None:
    client = Client()
    client.post("/admin/login/", {"username": STAFF_EMAIL, "password": testing.PASSWORD})
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/")["Location"].startswith("/accounts/login/")


def test_a_staff_session_that_skipped_the_second_factor_is_asked_for_it(staff: User) -> None:
    client = Client()
    client.force_login(staff)  # signed in, but no MFA step recorded in this session
    response = client.get("/admin/program/ruleset/")
    assert response.status_code == 302
    assert (
        response["Location"] == "/accounts/2fa/reauthenticate/?next=%2Fadmin%2Fprogram%2Fruleset%2F"
    )
    entered = client.post(response["Location"], {"code": _code()})
    assert entered.status_code == 302
    assert entered["Location"] == "/admin/program/ruleset/"
    assert client.get("/admin/program/ruleset/").status_code == 200


def test_staff_sign_in_with_password_and_totp_opens_the_admin(staff: User) -> None:
    client = Client()
    step = _password_sign_in(client, STAFF_EMAIL)
    assert step["Location"] == "/accounts/2fa/authenticate/"
    assert client.get("/admin/")["Location"].startswith("/accounts/login/")  # password alone
    client.post("/accounts/2fa/authenticate/", {"code": _code()})
    assert client.get("/admin/").status_code == 200


def test_a_deactivated_staff_session_loses_the_admin(staff: User) -> None:
    client = Client()
    _password_sign_in(client, STAFF_EMAIL)
    client.post("/accounts/2fa/authenticate/", {"code": _code()})
    User.objects.filter(pk=staff.pk).update(is_active=False)
    assert client.get("/admin/").status_code == 302


def test_staff_without_totp_are_sent_to_set_it_up(program: Any, settings: Any) -> None:
    settings.KEEPCERT_STAFF_REQUIRE_MFA = True
    client = Client()
    client.force_login(testing.make_user(STAFF_EMAIL, staff=True))
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/totp/activate/"


def test_the_demo_may_turn_the_staff_totp_requirement_off(program: Any, settings: Any) -> None:
    settings.KEEPCERT_STAFF_REQUIRE_MFA = False
    client = Client()
    client.force_login(testing.make_user(STAFF_EMAIL, staff=True))
    assert client.get("/admin/").status_code == 200


def test_the_admin_password_change_is_allauths(staff: User) -> None:
    client = Client()
    _password_sign_in(client, STAFF_EMAIL)
    client.post("/accounts/2fa/authenticate/", {"code": _code()})
    response = client.get("/admin/password_change/")
    assert response["Location"] == "/accounts/password/change/"


# --- every staff URL, found by walking the resolver ------------------------------------

STAFF_PREFIXES = ("admin/", "staff/")
# The one staff URL that is not a staff page: it only points to allauth's sign-in.
NOT_A_STAFF_PAGE = {"admin:login"}


def _walk(patterns: list[Any], prefix: str = "", namespace: str = "") -> list[tuple[str, str]]:
    found = []
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            found += _walk(pattern.url_patterns, route, ns)
        elif isinstance(pattern, URLPattern):
            found.append((route, f"{namespace}{pattern.name}"))
    return found


def _concrete(route: str) -> str:
    """A URL that matches the route: every parameter filled with a plausible value."""
    path = re.sub(r"<(?:int:)?\w+>", "1", route)
    path = re.sub(r"<path:\w+>", "1", path)
    # The admin's app index is a regex of the app labels; the catch-all takes anything.
    path = re.sub(r"\(\?P<app_label>([\w]+)[^)]*\)", r"\1", path)
    path = re.sub(r"\(\?P<url>\.\*\)", "anything/", path)
    return "/" + path.replace("^", "").replace("$", "").replace("\\", "")


def staff_urls() -> list[tuple[str, str]]:
    routes = _walk(get_resolver().url_patterns)
    return [
        (_concrete(route), name)
        for route, name in routes
        if route.replace("^", "").startswith(STAFF_PREFIXES) and name not in NOT_A_STAFF_PAGE
    ]


def test_the_walk_finds_the_admin() -> None:
    names = {name for _, name in staff_urls()}
    assert {"admin:index", "admin:program_ruleset_changelist", "admin:logout"} <= names
    assert len(names) > 20


@pytest.mark.parametrize(("url", "name"), staff_urls())
def test_every_staff_url_is_behind_staff_required(
    url: str, name: str, staff: User, alice: Member
) -> None:
    anonymous = Client().get(url)
    assert anonymous.status_code == 302, name
    assert anonymous["Location"].startswith("/accounts/login/"), name

    member = Client()
    member.force_login(alice.user)
    assert member.get(url).status_code == 403, name
    assert member.post(url).status_code == 403, name

    skipped_mfa = Client()
    skipped_mfa.force_login(staff)
    for response in (skipped_mfa.get(url), skipped_mfa.post(url)):
        assert response.status_code == 302, name
        assert response["Location"].startswith("/accounts/2fa/reauthenticate/"), name


# --- where each signs in to (issue 7, finding 6) ---------------------------------------


def test_staff_land_on_the_staff_start_page_after_signing_in(staff: User) -> None:
    client = Client()
    _password_sign_in(client, STAFF_EMAIL)
    landed = client.post("/accounts/2fa/authenticate/", {"code": _code()})
    assert landed.status_code == 302
    assert landed["Location"] == "/admin/"
    assert client.get(landed["Location"]).status_code == 200


def test_the_staff_start_page_is_a_setting(staff: User, settings: Any) -> None:
    settings.STAFF_START_URL = "/admin/program/ruleset/"
    client = Client()
    _password_sign_in(client, STAFF_EMAIL)
    landed = client.post("/accounts/2fa/authenticate/", {"code": _code()})
    assert landed["Location"] == "/admin/program/ruleset/"


def test_staff_asked_for_a_page_still_land_on_it(staff: User) -> None:
    client = Client()
    client.post(
        "/accounts/login/?next=/admin/program/",
        {"login": STAFF_EMAIL, "password": testing.PASSWORD, "next": "/admin/program/"},
    )
    landed = client.post("/accounts/2fa/authenticate/", {"code": _code()})
    assert landed["Location"] == "/admin/program/"


def test_a_member_still_lands_on_the_dashboard(staff: User, alice: Member) -> None:
    landed = _password_sign_in(Client(), alice.user.email)
    assert landed.status_code == 302
    assert landed["Location"] == "/dashboard/"
