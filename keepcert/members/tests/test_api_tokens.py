"""Issue 5, finding 2: personal API tokens end with the account's right to sign in.

Reproduced before the fix: with `is_active=False` the token still read /api/v1/me and
created activities (201); a token minted before a password change or reset kept working.
"""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from keepcert import testing
from keepcert.activities.models import Activity
from keepcert.api.tests.conftest import Api, assert_error, token_for
from keepcert.core.models import Event
from keepcert.members.models import ApiToken, Member

pytestmark = pytest.mark.security

NEW_PASSWORD = "a brand new passphrase 77"
ACTIVITY = {
    "category": "professional-education",
    "title": "Infection control update",
    "start_date": "2025-01-10",
    "end_date": "2025-01-11",
    "points": "3",
    "attest": True,
}
REVOKED_NOTE = "Any personal API tokens you had have been revoked"


def test_a_deactivated_members_token_is_refused(alice: Member) -> None:
    api = Api(token_for(alice))
    assert api.get("/me").status_code == 200
    assert alice.user is not None
    alice.user.is_active = False
    alice.user.save()

    assert_error(api.get("/me"), 401)
    assert_error(api.post("/activities", ACTIVITY), 401)
    assert not Activity.objects.exists()


def test_a_token_of_a_record_unlinked_from_its_account_is_refused(alice: Member) -> None:
    api = Api(token_for(alice))
    alice.user = None
    alice.save()
    assert_error(api.get("/me"), 401)


def test_changing_the_password_on_allauths_page_revokes_every_token(
    alice: Member, alice_client: Client
) -> None:
    apis = [Api(token_for(alice)), Api(token_for(alice))]
    page = alice_client.get(reverse("account_change_password"))
    assert "also revokes your personal API tokens" in page.content.decode()

    response = alice_client.post(
        reverse("account_change_password"),
        {
            "oldpassword": testing.PASSWORD,
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )

    assert response.status_code == 302
    for api in apis:
        assert_error(api.get("/me"), 401)
    assert not ApiToken.objects.active().exists()
    event = Event.objects.get(action="members.api_tokens.revoked_all")
    assert event.data["reason"] == "password_changed"
    assert len(event.data["tokens"]) == 2
    (notice,) = mail.outbox
    assert notice.to == [alice.user.email]  # type: ignore[union-attr]
    assert "Your password has been changed" in notice.body
    assert REVOKED_NOTE in notice.body
    html = notice.alternatives[0].content  # type: ignore[attr-defined]
    assert REVOKED_NOTE in str(html)


def test_a_wrong_old_password_changes_nothing(alice: Member, alice_client: Client) -> None:
    api = Api(token_for(alice))
    alice_client.post(
        reverse("account_change_password"),
        {"oldpassword": "wrong", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert api.get("/me").status_code == 200
    assert not mail.outbox


def test_resetting_the_password_by_emailed_link_revokes_every_token(alice: Member) -> None:
    api = Api(token_for(alice))
    client = Client()
    assert alice.user is not None
    client.post(reverse("account_reset_password"), {"email": alice.user.email})
    (reset_mail,) = mail.outbox
    link = re.search(r"http://testserver(/accounts/password/reset/key/\S+/)", reset_mail.body)
    assert link, reset_mail.body

    # allauth moves the key into the session and sends the browser to a set-password URL.
    form_page = client.get(link.group(1), follow=True)
    assert "also revokes your personal API tokens" in form_page.content.decode()
    action = form_page.redirect_chain[-1][0]
    response = client.post(action, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    assert response.status_code == 302
    assert_error(api.get("/me"), 401)
    notice = mail.outbox[-1]
    assert notice.to == [alice.user.email]
    assert "Your password has been reset" in notice.body
    assert REVOKED_NOTE in notice.body
    # The new password signs in; a new token works.
    login = Client().post(
        reverse("account_login"), {"login": alice.user.email, "password": NEW_PASSWORD}
    )
    assert login.status_code == 302 and login["Location"] == reverse("portal:dashboard")
    assert Api(token_for(alice)).get("/me").status_code == 200


def test_the_profile_lists_every_live_token_and_revokes_one(
    alice: Member, alice_client: Client
) -> None:
    first, second = (Api(token_for(alice)) for _ in range(2))
    ApiToken.objects.filter(member=alice).update(name="x")
    laptop = ApiToken.objects.filter(member=alice).order_by("pk").first()
    assert laptop is not None
    laptop.name = "laptop"
    laptop.save()
    first.get("/me")  # marks it used

    page = alice_client.get(reverse("portal:profile")).content.decode()
    table = page[page.index('data-testid="tokens"') :]
    assert table.count("<tr>") == 3  # the header and two tokens
    assert "laptop" in table and laptop.prefix in table
    assert "Nov 20, 2025" in table  # created (and last used) on the frozen day
    assert "never" in table  # the second token was never used

    response = alice_client.post(reverse("portal:token_revoke", args=[laptop.pk]))
    assert response.status_code == 302
    assert_error(first.get("/me"), 401)
    assert second.get("/me").status_code == 200
    page = alice_client.get(reverse("portal:profile")).content.decode()
    assert "Revoked the token “laptop”" in page
    assert laptop.prefix not in page


def test_revoke_all_ends_every_token_of_the_member_only(
    alice: Member, mallory: Member, alice_client: Client
) -> None:
    alices = [Api(token_for(alice)) for _ in range(3)]
    mallorys = Api(token_for(mallory))
    assert "Revoke all tokens" in alice_client.get(reverse("portal:profile")).content.decode()

    response = alice_client.post(reverse("portal:token_revoke_all"), follow=True)

    assert "Revoked all your API tokens" in response.content.decode()
    assert "You have no API tokens." in response.content.decode()
    for api in alices:
        assert_error(api.get("/me"), 401)
    assert mallorys.get("/me").status_code == 200
    event = Event.objects.get(action="members.api_tokens.revoked_all")
    assert event.data["reason"] == "member_request"
    assert event.member == alice


def test_a_member_cannot_revoke_another_members_token(
    mallory: Member, alice_client: Client
) -> None:
    api = Api(token_for(mallory))
    token = ApiToken.objects.get(member=mallory)
    assert alice_client.post(reverse("portal:token_revoke", args=[token.pk])).status_code == 404
    assert api.get("/me").status_code == 200
