"""The sign-in library's pages a member reaches speak like the rest of KeepCert (issue 7,
finding 11): headings, labels and buttons in sentence case, without colons, in English and
in Spanish, in KeepCert's own words; the forms still do what allauth's did.

Each page under /accounts/ that a visitor or a signed-in member can open is fetched here
(`PAGES`); test_every_page.py checks the same pages for axe and a phone's width.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from html.parser import HTMLParser
from typing import Any

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.account.utils import user_pk_to_url_str
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.test import Client

from keepcert import testing
from keepcert.members.models import Member

SECRET = "JBSWY3DPEHPK3PXP"
LANGUAGES = {"en": "en-US,en;q=0.9", "es": "es-MX,es;q=0.9"}

# What allauth's own templates said (and its Spanish catalog), none of which may remain.
OLD_WORDING = [
    "Email Addresses",
    "Add Email",
    "Make Primary",
    "Re-send Verification",
    "Two-Factor Authentication",
    "Authenticator App",
    "Recovery Codes",
    "Confirm Access",
    "Request Code",
    "Alternative options",
    "Please reauthenticate",
    "Enter your password:",
    "Enter an authenticator code:",
    "Account Inactive",
    "Verify Your Email Address",
    "Confirm Email Address",
    "Enter Sign-In Code",
    "Recipient",
    "expires shortly",
    "Definir como principal",
    "Reenviar Verificación",
    "Autenticación de doble factor",
    "Confirmar acceso",
    "Solicite el código",
    "Añadir correo electrónico",
    "Opciones alternativas",
    "Por favor, vuelva a autenticarse",
    "Introduzca su contraseña:",
    "Cuenta desactivada",
    "Verifique su dirección de correo electrónico",
    "Ingrese el código de inicio de sesión",
    "Códigos no utilizados",
]
# Names that keep their capitals inside a sentence-case heading or button.
PROPER_NAMES = {"KeepCert", "QR", "API", "ID"}
READ = {"h1", "h2", "h3", "button", "label", "legend", "summary", "title"}
EMAIL = re.compile(r"\S+@\S+")


class Texts(HTMLParser):
    """The text of every heading, button, label, legend and summary, and the page title;
    a label's badges (<small>) and a link styled as a button, each on their own."""

    def __init__(self) -> None:
        super().__init__()
        self.open: list[tuple[str, list[str]]] = []
        self.found: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in READ | {"small"} or (tag == "a" and ("role", "button") in attrs):
            self.open.append((tag, []))

    def handle_endtag(self, tag: str) -> None:
        if self.open and self.open[-1][0] == tag:
            name, parts = self.open.pop()
            self.found.append((name, " ".join("".join(parts).split())))

    def handle_data(self, data: str) -> None:
        if self.open:
            self.open[-1][1].append(data)


def title_case(text: str) -> bool:
    """More than one capitalised word, leaving out names, codes and email addresses."""
    words = [w for w in re.findall(r"[\w’'-]+", EMAIL.sub("", text)) if w not in PROPER_NAMES]
    return any(w[:1].isupper() for w in words[1:])


def code() -> str:
    return format_hotp_value(hotp_value(SECRET, int(time.time()) // 30))


def sign_in(client: Client, member: Member, frozen_now: Any) -> Client:
    """Through the forms (password, then the authenticator's code when it has one), as
    allauth's security pages want a recent sign-in; then the password once more."""
    client.post("/accounts/login/", {"login": member.user.email, "password": testing.PASSWORD})
    if Authenticator.objects.filter(user=member.user).exists():
        frozen_now.shift(60)
        client.post("/accounts/2fa/authenticate/", {"code": code()})
    client.post("/accounts/reauthenticate/", {"password": testing.PASSWORD})
    return client


def with_authenticator(member: Member) -> Member:
    TOTP.activate(member.user, SECRET)
    RecoveryCodes.activate(member.user)
    return member


Recipe = Callable[[Client, Member, Any], Any]


def visitor(path: str) -> Recipe:
    return lambda client, member, frozen_now: client.get(path)


def signed_in(path: str, *, authenticator: bool = False) -> Recipe:
    def recipe(client: Client, member: Member, frozen_now: Any) -> Any:
        if authenticator:
            with_authenticator(member)
        return sign_in(client, member, frozen_now).get(path)

    return recipe


def _reset_from_key(client: Client, member: Member, frozen_now: Any) -> Any:
    user = member.user
    key = default_token_generator.make_token(user)
    path = f"/accounts/password/reset/key/{user_pk_to_url_str(user)}-{key}/"
    return client.get(path, follow=True)


def _confirm_email(client: Client, member: Member, frozen_now: Any) -> Any:
    address = EmailAddress.objects.create(user=member.user, email="second@example.org")
    return client.get(f"/accounts/confirm-email/{EmailConfirmationHMAC(address).key}/")


def _login_code(client: Client, member: Member, frozen_now: Any) -> Any:
    client.post("/accounts/login/code/", {"email": member.user.email})
    return client.get("/accounts/login/code/confirm/")


def _email_two_addresses(client: Client, member: Member, frozen_now: Any) -> Any:
    EmailAddress.objects.create(user=member.user, email="second@example.org")
    return signed_in("/accounts/email/")(client, member, frozen_now)


def _reauthentication_code(client: Client, member: Member, frozen_now: Any) -> Any:
    sign_in(client, member, frozen_now)
    client.post("/accounts/reauthenticate/code/", {"recipient": member.user.email})
    return client.get("/accounts/reauthenticate/code/confirm/")


def _unconfirmed_sign_in(client: Client, member: Member, frozen_now: Any) -> Any:
    EmailAddress.objects.filter(user=member.user).update(verified=False)
    credentials = {"login": member.user.email, "password": testing.PASSWORD}
    return client.post("/accounts/login/", credentials, follow=True)


PAGES: dict[str, Recipe] = {
    # A visitor's pages.
    "sign in": visitor("/accounts/login/"),
    "sign-up closed": visitor("/accounts/signup/"),
    "account not active": visitor("/accounts/inactive/"),
    "reset": visitor("/accounts/password/reset/"),
    "reset sent": visitor("/accounts/password/reset/done/"),
    "reset done": visitor("/accounts/password/reset/key/done/"),
    "reset from the emailed link": _reset_from_key,
    "reset from a used link": visitor("/accounts/password/reset/key/1-used/"),
    "confirmation sent": visitor("/accounts/confirm-email/"),
    "signing in with an unconfirmed address": _unconfirmed_sign_in,
    "confirm an address": _confirm_email,
    "confirm with a broken link": visitor("/accounts/confirm-email/broken/"),
    "ask for a sign-in code": visitor("/accounts/login/code/"),
    "enter the sign-in code": _login_code,
    # A member's pages.
    "sign out": signed_in("/accounts/logout/"),
    "email addresses": _email_two_addresses,
    "change password": signed_in("/accounts/password/change/"),
    "confirm with the password": signed_in("/accounts/reauthenticate/"),
    "confirm with a code": signed_in("/accounts/reauthenticate/code/"),
    "enter the code to confirm": _reauthentication_code,
    "two-factor authentication, off": signed_in("/accounts/2fa/"),
    "set up an authenticator app": signed_in("/accounts/2fa/totp/activate/"),
    "two-factor authentication, on": signed_in("/accounts/2fa/", authenticator=True),
    "confirm with the authenticator": signed_in("/accounts/2fa/reauthenticate/"),
    "turn off the authenticator app": signed_in(
        "/accounts/2fa/totp/deactivate/", authenticator=True
    ),
    "recovery codes": signed_in("/accounts/2fa/recovery-codes/", authenticator=True),
    "make new recovery codes": signed_in(
        "/accounts/2fa/recovery-codes/generate/", authenticator=True
    ),
}


@pytest.mark.parametrize("language", sorted(LANGUAGES))
@pytest.mark.parametrize("page", list(PAGES))
def test_the_page_is_in_sentence_case_in_keepcerts_words(
    page: str, language: str, alice: Member, frozen_now: Any
) -> None:
    if page == "confirm with the authenticator":
        with_authenticator(alice)
    client = Client(HTTP_ACCEPT_LANGUAGE=LANGUAGES[language])
    response = PAGES[page](client, alice, frozen_now)

    assert response.status_code == 200, (page, response.status_code, response.get("Location"))
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    left = [old for old in OLD_WORDING if old in html]
    assert not left, f"{page}: allauth's wording is still shown: {left}"
    texts = Texts()
    texts.feed(html)
    assert any(tag == "h1" for tag, _ in texts.found), page
    title_cased = [(tag, text) for tag, text in texts.found if title_case(text)]
    assert not title_cased, f"{page}: Title Case: {title_cased}"
    colons = [text for tag, text in texts.found if tag != "title" and text.endswith(":")]
    assert not colons, f"{page}: ends with a colon: {colons}"


def test_the_title_case_check_finds_allauths_headings() -> None:
    assert title_case("Email Addresses") and title_case("Re-send Verification")
    assert not title_case("Email addresses") and not title_case("Sign in · KeepCert")
    assert not title_case("alice@example.org Primary")


# --- the forms still do what allauth's did ---------------------------------------------


def buttons(html: str) -> dict[str, str]:
    """Each submit button's visible text, by its name."""
    return {
        name: " ".join(text.split())
        for name, text in re.findall(
            r'<button type="submit" name="(action_\w+)"[^>]*>([^<]+)<', html
        )
    }


def test_a_member_adds_an_address_makes_it_primary_and_removes_the_old_one(
    alice: Member, alice_client: Client
) -> None:
    page = alice_client.get("/accounts/email/").content.decode()
    assert buttons(page) == {
        "action_primary": "Make primary",
        "action_send": "Send the confirmation link again",
        "action_remove": "Remove",
        "action_add": "Add email address",
    }
    old = alice.user.email

    bad = alice_client.post("/accounts/email/", {"action_add": "", "email": "not an address"})
    assert bad.status_code == 200 and 'class="field-error"' in bad.content.decode()
    assert alice.user.emailaddress_set.count() == 1

    alice_client.post("/accounts/email/", {"action_add": "", "email": "alice.new@example.org"})
    added = alice_client.get("/accounts/email/").content.decode()
    assert "alice.new@example.org" in added and "Not confirmed yet" in added

    EmailAddress.objects.filter(email="alice.new@example.org").update(verified=True)
    alice_client.post("/accounts/email/", {"action_primary": "", "email": "alice.new@example.org"})
    alice.user.refresh_from_db()
    assert alice.user.email == "alice.new@example.org"

    alice_client.post("/accounts/email/", {"action_remove": "", "email": old})
    assert list(alice.user.emailaddress_set.values_list("email", flat=True)) == [
        "alice.new@example.org"
    ]


def test_the_email_addresses_page_in_spanish(alice: Member) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE=LANGUAGES["es"])
    client.force_login(alice.user)
    page = client.get("/accounts/email/").content.decode()
    assert "<h1>Direcciones de correo electrónico</h1>" in page
    assert buttons(page)["action_primary"] == "Hacer principal"
    assert "Dirección principal, confirmada" in page


def test_a_member_turns_on_the_authenticator_from_keepcerts_page(
    alice: Member, client: Client, frozen_now: Any
) -> None:
    sign_in(client, alice, frozen_now)
    page = client.get("/accounts/2fa/").content.decode()
    assert "Off: no authenticator app is set up." in page
    setup = client.get("/accounts/2fa/totp/activate/").content.decode()
    assert "<h1>Set up an authenticator app</h1>" in setup
    assert 'src="data:image/svg+xml;base64,' in setup
    secret = re.search(r'id="authenticator_secret" value="(\w+)"', setup)
    assert secret, setup

    done = client.post(
        "/accounts/2fa/totp/activate/",
        {"code": format_hotp_value(hotp_value(secret.group(1), int(time.time()) // 30))},
        follow=True,
    )
    page = done.content.decode()
    assert "<h1>Recovery codes</h1>" in page or "On: signing in asks for a code" in page
    assert Authenticator.objects.filter(user=alice.user, type=Authenticator.Type.TOTP).exists()


def test_turning_the_authenticator_off_asks_first_and_then_does_it(
    alice: Member, client: Client, frozen_now: Any
) -> None:
    with_authenticator(alice)
    sign_in(client, alice, frozen_now)
    asked = client.get("/accounts/2fa/totp/deactivate/").content.decode()
    assert "your recovery codes will stop working" in asked
    client.post("/accounts/2fa/totp/deactivate/")
    assert not Authenticator.objects.filter(user=alice.user).exists()


def test_the_other_ways_to_confirm_are_named_in_keepcerts_words(
    alice: Member, client: Client, frozen_now: Any
) -> None:
    with_authenticator(alice)
    sign_in(client, alice, frozen_now)
    es = Client(HTTP_ACCEPT_LANGUAGE=LANGUAGES["es"])
    sign_in(es, alice, frozen_now)
    english = client.get("/accounts/2fa/reauthenticate/").content.decode()
    spanish = es.get("/accounts/2fa/reauthenticate/").content.decode()
    assert ">Use your password</a>" in english and ">Email me a code</a>" in english
    assert ">Usar su contraseña</a>" in spanish and ">Enviarme un código</a>" in spanish
