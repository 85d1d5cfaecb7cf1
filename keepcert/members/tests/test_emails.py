"""Every email KeepCert sends is its own, signed by the program, in the member's language
(issue 7, finding 7): no "Hello from <host:port>!", and where the sign-in library would say
"sign up" (closed: accounts are claimed), the link goes to /claim/.

Delivery goes through a real SMTP server on loopback; the templates nobody can trigger
cheaply in a request (two-factor and address notices) are rendered by the adapter directly.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from email.message import Message
from typing import Any

import pytest
from allauth.account.adapter import get_adapter
from allauth.core.context import request_context
from django.test import Client, RequestFactory
from django.utils import timezone, translation

from keepcert import testing
from keepcert.members.models import Member, NameChangeRequest
from keepcert.program.models import Program
from keepcert.testing_mail import Inbox, smtp_server, text_of

SPANISH = {"HTTP_ACCEPT_LANGUAGE": "es-MX,es;q=0.9"}
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}
CLAIM = {
    "last_name": "Cruz",
    "date_of_birth": "1988-07-04",
    "email": "carla@example.org",
    "password": "a long enough passphrase 42",
}
# What the sign-in library's own emails said, in either language.
LIBRARY_WORDING = re.compile(
    r"Hello from|Thank you for using|sign up|Hola desde|reg[ií]str(ese|arse)", re.I
)


@pytest.fixture
def smtp(settings: Any) -> Iterator[Inbox]:
    with smtp_server(settings) as inbox:
        yield inbox


def html_of(message: Message) -> str:
    """The HTML alternative of a multipart message."""
    assert message.is_multipart(), "the email has no HTML part"
    part = message.get_payload(1)
    assert isinstance(part, Message) and part.get_content_type() == "text/html"
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode()


def subject_of(message: Message) -> str:
    from email.header import decode_header, make_header

    return str(make_header(decode_header(str(message["Subject"]))))


def sender_of(message: Message) -> tuple[str, str]:
    """The From header's display name and address, as a mail program shows them."""
    from email.header import decode_header, make_header
    from email.utils import parseaddr

    name, address = parseaddr(str(message["From"]))
    return str(make_header(decode_header(name))), address


def only(inbox: Inbox) -> tuple[str, str, str]:
    """The one message sent: subject, text and HTML, each checked for the program's
    signature and for the library's wording; it comes from the program, by name."""
    (message,) = inbox.messages
    subject, html = subject_of(message), html_of(message)
    assert sender_of(message) == (
        "Test Certification Continuation Program",
        "no-reply@keepcert.localhost",
    )
    assert subject.startswith("TCCP: "), subject  # the program's short name
    text = text_of(message).replace("\r\n", "\n")
    program = Program.objects.get(code=testing.PROGRAM_CODE)
    # The program's name, in the email's language where the program file translates it.
    names = [program.name, *(t["name"] for t in program.translations.values() if "name" in t)]
    for body in (text, html):
        assert any(name in body for name in names), body
        assert not LIBRARY_WORDING.search(body), body
    assert "<p>" in html and "<p>" not in text
    return subject, text, html


def _post(client: Client, path: str, data: dict[str, str], headers: dict[str, str]) -> Any:
    return client.post(path, data, **headers)  # type: ignore[arg-type]


def test_a_password_reset_is_keepcerts_email_in_english(alice: Member, smtp: Inbox) -> None:
    _post(Client(), "/accounts/password/reset/", {"email": alice.user.email}, ENGLISH)
    subject, text, html = only(smtp)
    assert subject == "TCCP: Reset your password"
    assert text.startswith("Someone, probably you, asked to reset the password")
    assert re.search(r"http://testserver/accounts/password/reset/key/\S+/", text)
    assert "Choose a new password</a>" in html
    # Signed by the program, with its contact from the program file.
    assert text.rstrip().endswith(
        "Kind regards,\nTest Certification Continuation Program\n"
        "Phone: 555-0100\nEmail: ccp@example.org\nhttp://testserver/"
    )
    assert '<a href="mailto:ccp@example.org">ccp@example.org</a>' in html


def test_a_password_reset_is_in_the_members_own_language(alice: Member, smtp: Inbox) -> None:
    Member.objects.filter(pk=alice.pk).update(language="es")
    # The request is in English; the member chose Spanish: the member's choice wins.
    _post(Client(), "/accounts/password/reset/", {"email": alice.user.email}, ENGLISH)
    subject, text, html = only(smtp)
    assert subject == "TCCP: Restablezca su contraseña"
    assert "Alguien, probablemente usted, pidió restablecer la contraseña" in text
    assert "Saludos cordiales,\nPrograma de Prueba de Continuación de la Certificación\n" in text
    assert 'lang="es"' in html


@pytest.mark.parametrize(
    ("headers", "subject", "says"),
    [
        (
            ENGLISH,
            "TCCP: No online account uses this email address",
            "set up your online account</a> with your member ID",
        ),
        (
            SPANISH,
            "TCCP: Ninguna cuenta en línea usa este correo electrónico",
            "active su cuenta en línea</a> con su número de miembro",
        ),
    ],
)
def test_a_reset_for_an_unknown_address_points_to_the_claim(
    program: Program, smtp: Inbox, headers: dict[str, str], subject: str, says: str
) -> None:
    _post(Client(), "/accounts/password/reset/", {"email": "nobody@example.org"}, headers)
    sent, text, html = only(smtp)
    assert sent == subject
    assert "http://testserver/claim/" in text
    assert '<a href="http://testserver/claim/">' in html and says in html
    assert "/accounts/signup/" not in text + html


def test_a_sign_in_code_is_keepcerts_email(alice: Member, smtp: Inbox) -> None:
    client = Client()
    _post(client, "/accounts/login/code/", {"email": alice.user.email}, SPANISH)
    subject, text, html = only(smtp)
    assert subject == "TCCP: Su código para iniciar sesión"
    code = re.search(r"Su código para iniciar sesión:\n\n(\S+)\n", text)
    assert code, text
    assert f"<strong>{code.group(1)}</strong>" in html


def test_the_claims_confirmation_is_in_the_language_of_the_request(
    program: Program, smtp: Inbox, django_capture_on_commit_callbacks: Any
) -> None:
    carla = testing.make_member(
        first_name="Carla",
        last_name="Cruz",
        with_account=False,
        date_of_birth=testing.date(1988, 7, 4),
    )
    claim = {
        "member_number": carla.member_number,
        "last_name": "Cruz",
        "date_of_birth": "1988-07-04",
        "email": "carla@example.org",
        "password": "a long enough passphrase 42",
    }
    with django_capture_on_commit_callbacks(execute=True):
        _post(Client(), "/claim/", claim, SPANISH)
    subject, text, html = only(smtp)
    assert subject == "TCCP: Confirme su correo electrónico para terminar de activar su cuenta"
    assert re.search(r"http://testserver/accounts/confirm-email/\S+/", text)
    assert "Confirmar mi correo electrónico</a>" in html


def test_a_claim_that_matches_no_record_is_signed_by_the_program(
    program: Program, smtp: Inbox, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        _post(Client(), "/claim/", {**CLAIM, "member_number": "999999"}, ENGLISH)
    subject, text, _ = only(smtp)
    assert subject == "TCCP: We could not set up an online account"
    assert "http://testserver/claim/" in text


def test_a_changed_password_is_told_in_the_members_language(alice: Member, smtp: Inbox) -> None:
    Member.objects.filter(pk=alice.pk).update(language="es")
    client = Client()
    client.force_login(alice.user)
    new = "another long passphrase 77"
    data = {"oldpassword": testing.PASSWORD, "password1": new, "password2": new}
    _post(client, "/accounts/password/change/", data, ENGLISH)
    subject, text, _ = only(smtp)
    assert subject == "TCCP: Se cambió su contraseña"
    assert "Se cambió su contraseña." in text
    assert "tokens de API personales que tenía fueron revocados" in text


# Every email template, rendered as the adapter sends it, in both languages.
NAME_CHANGE = NameChangeRequest(
    current_first_name="Alice",
    current_last_name="Nguyen",
    requested_first_name="Alice",
    requested_last_name="Tran",
    reason="Marriage",
    staff_reason="The document shows another name.",
)
NOTICE = {"ip": "203.0.113.9", "user_agent": "Firefox", "timestamp": timezone.now()}
TEMPLATES = {
    "account/email/password_reset_key": {"password_reset_url": "http://testserver/r/"},
    "account/email/unknown_account": {"signup_url": "http://testserver/accounts/signup/"},
    "account/email/email_confirmation": {"activate_url": "http://testserver/c/"},
    "account/email/email_confirmation_signup": {"activate_url": "http://testserver/c/"},
    "account/email/login_code": {"code": "ABC123"},
    "account/email/password_changed": NOTICE,
    "account/email/password_reset": NOTICE,
    "account/email/password_set": NOTICE,
    "account/email/email_changed": {**NOTICE, "from_email": "a@x.org", "to_email": "b@x.org"},
    "account/email/email_deleted": {**NOTICE, "deleted_email": "a@x.org"},
    "mfa/email/totp_activated": NOTICE,
    "mfa/email/totp_deactivated": NOTICE,
    "mfa/email/recovery_codes_generated": NOTICE,
    "members/email/claim_email_in_use": {"sign_in_url": "s", "reset_url": "r"},
    "members/email/claim_not_opened": {"sign_in_url": "s", "reset_url": "r"},
    "members/email/claim_record_has_account": {"sign_in_url": "s", "reset_url": "r"},
    "members/email/email_change_confirm": {
        "confirm_url": "http://testserver/profile/email/confirm/x/",
        "expires_at": timezone.now(),
        "current_email": "a@x.org",
    },
    "members/email/email_changed_notice": {"old_email": "a@x.org", "new_email": "b@x.org"},
    "members/email/name_change_for_staff": {"change": NAME_CHANGE, "admin_url": "a"},
    "members/email/name_change_approved": {"change": NAME_CHANGE, "profile_url": "p"},
    "members/email/name_change_declined": {"change": NAME_CHANGE, "profile_url": "p"},
}


@pytest.mark.parametrize("prefix", sorted(TEMPLATES))
def test_every_email_is_keepcerts_own_and_translated(
    prefix: str, alice: Member, smtp: Inbox
) -> None:
    request = RequestFactory().get("/")
    seen = {}
    for language in ("en", "es"):
        Member.objects.filter(pk=alice.pk).update(language=language)
        with request_context(request), translation.override("en"):
            context = {"member": alice, "user": alice.user, **TEMPLATES[prefix]}
            get_adapter(request).send_mail(prefix, alice.user.email, context)
        seen[language] = only(smtp)
        smtp.messages.clear()
    english, spanish = seen["en"], seen["es"]
    for part in range(3):
        assert english[part] != spanish[part], (prefix, english[part])
    assert "Kind regards," in english[1] and "Saludos cordiales," in spanish[1]


# --- who an email is from (issue 7: a member sees the program, not "KeepCert") ---------


def test_the_shipped_programs_emails_come_from_it_by_name(program: Program, smtp: Inbox) -> None:
    from keepcert.program.services import load_program_file

    load_program_file(path=testing.PROGRAM_FILE)
    amt = Program.objects.get(code="amt-ccp")
    member = testing.make_member(program=amt)
    _post(Client(), "/accounts/password/reset/", {"email": member.user.email}, ENGLISH)

    (message,) = smtp.messages
    assert sender_of(message) == (
        "AMT Certification Continuation Program",
        "no-reply@keepcert.localhost",
    )
    assert subject_of(message) == "AMT: Reset your password"


def test_a_program_without_a_short_name_starts_the_subject_with_its_name(
    alice: Member, smtp: Inbox
) -> None:
    Program.objects.filter(pk=alice.program_id).update(short_name="")
    _post(Client(), "/accounts/login/code/", {"email": alice.user.email}, ENGLISH)
    (message,) = smtp.messages
    assert subject_of(message) == ("Test Certification Continuation Program: Your sign-in code")


def test_the_address_stays_the_configured_one_and_a_name_may_have_accents(
    alice: Member, smtp: Inbox, settings: Any
) -> None:
    settings.DEFAULT_FROM_EMAIL = "Ignored Name <avisos@certificacion.example>"
    Program.objects.filter(pk=alice.program_id).update(
        name="Programa de Certificación, Región Sur", short_name="Región Sur"
    )
    _post(Client(), "/accounts/password/reset/", {"email": alice.user.email}, SPANISH)
    (message,) = smtp.messages
    assert sender_of(message) == (
        "Programa de Certificación, Región Sur",
        "avisos@certificacion.example",
    )
    assert subject_of(message) == "Región Sur: Restablezca su contraseña"


def test_an_address_with_no_member_gets_the_sites_program(program: Program, smtp: Inbox) -> None:
    _post(Client(), "/accounts/password/reset/", {"email": "nobody@example.org"}, ENGLISH)
    (message,) = smtp.messages
    assert sender_of(message)[0] == "Test Certification Continuation Program"
    assert subject_of(message) == "TCCP: No online account uses this email address"


def test_without_any_program_the_settings_name_the_sender(db: None, smtp: Inbox) -> None:
    _post(Client(), "/accounts/password/reset/", {"email": "nobody@example.org"}, ENGLISH)
    (message,) = smtp.messages
    assert sender_of(message) == ("KeepCert", "no-reply@keepcert.localhost")
    assert subject_of(message) == "KeepCert: No online account uses this email address"
