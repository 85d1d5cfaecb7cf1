"""The admin holds program configuration only (issue 6, finding 5).

Members' records change through services, which recalculate cycles and log; the admin
lets staff look at them and nothing more, even an administrator whose session passed TOTP.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP
from django.db.models import Model
from django.test import Client

from keepcert import testing
from keepcert.certifications.models import Certification
from keepcert.core.models import Event
from keepcert.members.models import Member, User
from keepcert.members.services import create_api_token, revoke_api_token
from keepcert.program.models import Program
from keepcert.staff.tests.signin import make_staff, mfa_client


def _url(obj: Model, view: str = "change") -> str:
    return f"/admin/{obj._meta.app_label}/{obj._meta.model_name}/{obj.pk}/{view}/"


def _member(alice: Member) -> tuple[Model, dict[str, str]]:
    return alice, {"first_name": "Eve", "last_name": "Changed", "email": "eve@example.org"}


def _certification(alice: Member) -> tuple[Model, dict[str, str]]:
    certification = alice.certifications.get()
    return certification, {
        "certified_on": "2020-01-01",
        "status": Certification.Status.LAPSED,
        "cycles-TOTAL_FORMS": "1",
        "cycles-INITIAL_FORMS": "1",
        "cycles-0-id": str(testing.current_cycle(certification).pk),
        "cycles-0-end": "2030-12-31",
        "cycles-0-DELETE": "on",
    }


def _activity(alice: Member) -> tuple[Model, dict[str, str]]:
    return testing.make_activity(alice), {"title": "Changed", "points": "99"}


def _member_account(alice: Member) -> tuple[Model, dict[str, str]]:
    assert alice.user is not None
    return alice.user, {"email": "eve@example.org", "is_staff": "on", "is_superuser": "on"}


def _api_token(alice: Member) -> tuple[Model, dict[str, str]]:
    assert alice.user is not None
    token, _ = create_api_token(member=alice, name="Spreadsheet", actor=alice.user)
    return token, {"name": "Renamed", "member": str(alice.pk)}


def _event(alice: Member) -> tuple[Model, dict[str, str]]:
    return Event.objects.filter(member=alice).first() or Event.objects.first(), {"action": "x"}


def _sign_in_email(alice: Member) -> tuple[Model, dict[str, str]]:
    address = EmailAddress.objects.get(user=alice.user)
    return address, {"user": str(alice.user_id), "email": "eve@example.org", "verified": "on"}


def _authenticator(alice: Member) -> tuple[Model, dict[str, str]]:
    assert alice.user is not None
    return TOTP.activate(alice.user, "JBSWY3DPEHPK3PXP").instance, {"type": "recovery_codes"}


READ_ONLY: dict[str, Callable[[Member], tuple[Model, dict[str, str]]]] = {
    "member": _member,
    "certification and its cycles": _certification,
    "activity": _activity,
    "member's account": _member_account,
    "API token": _api_token,
    "event": _event,
    "sign-in email address": _sign_in_email,
    "authenticator": _authenticator,
}


def _state(obj: Model) -> dict[str, Any]:
    fresh = type(obj)._default_manager.get(pk=obj.pk)
    return {f.attname: getattr(fresh, f.attname) for f in fresh._meta.concrete_fields}


@pytest.mark.parametrize("case", READ_ONLY)
def test_an_administrator_can_look_at_members_records_but_change_nothing(
    case: str, alice: Member, admin_client: Client
) -> None:
    obj, changes = READ_ONLY[case](alice)
    before = _state(obj)
    cycles_before = list(
        alice.certifications.get().cycles.values_list("pk", "start", "end", "status")
    )

    page = admin_client.get(_url(obj))
    assert page.status_code == 200, case
    assert 'name="_save"' not in page.content.decode(), case  # no form to submit

    assert admin_client.post(_url(obj), {**changes, "_save": "Save"}).status_code == 403, case
    assert admin_client.post(_url(obj, "delete"), {"post": "yes"}).status_code == 403, case
    if case != "member's account":  # an account added here is a staff account (below)
        add = f"/admin/{obj._meta.app_label}/{obj._meta.model_name}/add/"
        assert admin_client.post(add, changes).status_code == 403, case

    assert _state(obj) == before, case
    cycles_after = alice.certifications.get().cycles.values_list("pk", "start", "end", "status")
    assert list(cycles_after) == cycles_before, case


def test_a_members_password_cannot_be_set_in_the_admin(alice: Member, admin_client: Client) -> None:
    assert alice.user is not None
    url = f"/admin/members/user/{alice.user.pk}/password/"
    response = admin_client.post(url, {"password1": "n3w-Passw0rd!", "password2": "n3w-Passw0rd!"})
    assert response.status_code == 403
    alice.user.refresh_from_db()
    assert alice.user.check_password(testing.PASSWORD)


def test_a_revoked_api_token_cannot_be_revived_or_deleted(
    alice: Member, admin_client: Client
) -> None:
    assert alice.user is not None
    token, _ = create_api_token(member=alice, name="Spreadsheet", actor=alice.user)
    revoke_api_token(token=token, actor=alice.user)
    token.refresh_from_db()
    revoked_at = token.revoked_at
    assert revoked_at is not None

    page = admin_client.get(_url(token))
    assert page.status_code == 200
    assert 'name="revoked_at' not in page.content.decode()  # shown, not editable
    posted = admin_client.post(
        _url(token), {"revoked_at_0": "", "revoked_at_1": "", "name": "Revived", "_save": "Save"}
    )
    assert posted.status_code == 403
    bulk = admin_client.post(
        "/admin/members/apitoken/",
        {"action": "delete_selected", "_selected_action": [str(token.pk)], "post": "yes"},
    )
    assert bulk.status_code in (200, 302)  # the action is not offered: nothing happens
    token.refresh_from_db()
    assert (token.revoked_at, token.name) == (revoked_at, "Spreadsheet")


def test_the_programs_time_zone_is_read_only_its_name_is_not(
    program: Program, administrator: User, admin_client: Client
) -> None:
    response = admin_client.post(
        _url(program), {"name": "AMT Certification Continuation", "time_zone": "Asia/Tokyo"}
    )
    assert response.status_code == 302
    program.refresh_from_db()
    assert (program.name, program.time_zone) == (
        "AMT Certification Continuation",
        "America/Chicago",
    )
    assert program.contact_email == "ccp@example.org"  # from the program file, kept
    event = Event.objects.get(action="program.program.changed")
    assert (event.actor, event.data) == (administrator, {"fields": ["name"]})
    assert admin_client.post("/admin/program/program/add/", {"code": "x"}).status_code == 403


def test_an_account_the_administrator_adds_is_a_staff_account(admin_client: Client) -> None:
    password = "a-long staff passphrase 42"
    response = admin_client.post(
        "/admin/members/user/add/",
        {"email": "new.staff@example.org", "password1": password, "password2": password},
    )
    assert response.status_code == 302
    user = User.objects.get(email="new.staff@example.org")
    assert user.is_staff and not user.is_superuser
    assert Event.objects.filter(action="members.user.added", subject_id=str(user.pk)).exists()


def test_plain_staff_may_look_around_the_admin(
    program: Program, alice: Member, settings: Any
) -> None:
    settings.KEEPCERT_STAFF_REQUIRE_MFA = True
    client = mfa_client(make_staff("staff@example.org", administrator=False))
    index = client.get("/admin/").content.decode()
    for listed in ("Rule sets", "Credentials", "Members", "Certifications", "Activities"):
        assert listed in index
    assert client.get(_url(alice)).status_code == 200
    assert client.get(_url(program)).status_code == 200
    assert client.post(_url(program), {"name": "Renamed"}).status_code == 403
    program.refresh_from_db()
    assert program.name != "Renamed"
