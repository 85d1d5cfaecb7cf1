"""The program's own words in the member's language (issue 7): names of credentials and
categories, guidance, evidence, the attestation and the reasons KeepCert records, in
Spanish on Spanish pages, from the program file; English pages stay English."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from keepcert import testing
from keepcert.activities.models import Activity
from keepcert.certifications import reasons
from keepcert.certifications.models import Certification
from keepcert.members.models import Member
from keepcert.portal.tests.pages import text

SPANISH = {"accept_language": "es-MX,es;q=0.9"}
ENGLISH = {"accept_language": "en-US,en;q=0.9"}


def page(client: Client, url: str, headers: dict[str, str]) -> str:
    response = client.get(url, headers=headers)
    assert response.status_code == 200
    return text(response)


@pytest.fixture
def recorded(alice: Member) -> Activity:
    return testing.make_activity(alice, title="Venipuncture refresher", points="2")


def test_the_dashboard_names_the_credential_and_categories_in_spanish(
    alice_client: Client, recorded: Activity
) -> None:
    spanish = page(alice_client, reverse("portal:dashboard"), SPANISH)
    assert "RMA Asistente Médico Registrado" in spanish
    assert "Educación profesional" in spanish
    assert "Registered Medical Assistant" not in spanish
    assert "Professional Education" not in spanish

    english = page(alice_client, reverse("portal:dashboard"), ENGLISH)
    assert "RMA Registered Medical Assistant" in english
    assert "Professional Education" in english
    assert "Asistente Médico Registrado" not in english
    assert "Educación profesional" not in english


def test_the_cycle_page_names_the_credential_and_categories_in_spanish(
    alice_client: Client, alice: Member, recorded: Activity
) -> None:
    cycle = testing.current_cycle(alice.certifications.get())
    url = reverse("portal:cycle_detail", args=[cycle.pk])
    spanish = page(alice_client, url, SPANISH)
    assert "Asistente Médico Registrado" in spanish
    # The category table (the rules core's progress) and the activity's line.
    for name in ("Educación profesional", "Autoría de obras escritas", "Verificación de empleo"):
        assert name in spanish
    for name in ("Professional Education", "Authorship of Written Works", "Registered Medical"):
        assert name not in spanish
    english = page(alice_client, url, ENGLISH)
    assert "Authorship of Written Works" in english and "Autoría" not in english


def test_the_activity_page_names_its_category_in_spanish(
    alice_client: Client, recorded: Activity
) -> None:
    url = reverse("portal:activity_detail", args=[recorded.pk])
    assert "Categoría Educación profesional" in page(alice_client, url, SPANISH)
    assert "Category Professional Education" in page(alice_client, url, ENGLISH)


def test_the_record_form_gives_categories_guidance_evidence_and_attestation_in_spanish(
    alice_client: Client, alice: Member
) -> None:
    spanish = page(alice_client, reverse("portal:activity_new"), SPANISH)
    assert "Educación formal" in spanish  # a choice, and the guidance's term
    assert "Cursos académicos con créditos en una universidad" in spanish
    assert "Comprobantes que debe conservar: Certificado de finalización" in spanish
    assert "Declaro que la información que he ingresado es correcta" in spanish
    assert "I attest" not in spanish and "Academic courses" not in spanish
    # The test program leaves the authorship evidence untranslated: its own text shows.
    assert "A copy of the published work or its citation." in spanish


def _record(client: Client, alice: Member, headers: dict[str, str]) -> Activity:
    cycle = testing.current_cycle(alice.certifications.get())
    response = client.post(
        reverse("portal:activity_new"),
        {
            "category": testing.category().pk,
            "title": "Order of draw",
            "start_date": "2025-10-14",
            "end_date": "2025-10-14",
            "points": "2",
            "cycles": [cycle.pk],
            "attestation": "on",
        },
        headers=headers,
    )
    assert response.status_code == 302, text(response)
    return Activity.objects.get(member=alice, title="Order of draw")


def test_the_attestation_is_kept_in_the_language_the_member_read_it_in(
    alice_client: Client, alice: Member
) -> None:
    activity = _record(alice_client, alice, SPANISH)
    assert activity.attestation_text.startswith("Declaro que la información")
    assert activity.attestation_language == "es"
    # Read later in English, the record still quotes what was attested, marked as Spanish.
    response = alice_client.get(
        reverse("portal:activity_detail", args=[activity.pk]), headers=ENGLISH
    )
    assert '<span lang="es">Declaro que la información' in response.content.decode()


def test_an_attestation_read_in_english_is_kept_in_english(
    alice_client: Client, alice: Member
) -> None:
    activity = _record(alice_client, alice, ENGLISH)
    assert activity.attestation_text.startswith("I attest that the information")
    assert activity.attestation_language == "en"


def test_a_reason_keepcert_recorded_is_shown_in_spanish_one_staff_typed_as_typed(
    alice_client: Client, alice: Member
) -> None:
    certification = alice.certifications.get()
    assert certification.status_reason == reasons.CERTIFIED == "Certified."  # stored in English
    alice.certifications.update(
        status=Certification.Status.LAPSED,
        status_changed_on=date(2025, 11, 1),
        status_reason=reasons.CE_NOT_MET,
    )
    spanish = page(alice_client, reverse("portal:dashboard"), SPANISH)
    assert (
        "Motivo registrado: No se cumplió el requisito de puntos de educación continua al "
        "terminar el período de gracia." in spanish
    )
    english = page(alice_client, reverse("portal:dashboard"), ENGLISH)
    assert (
        "Reason recorded: The CE requirement was not met by the end of the grace period." in english
    )
    alice.certifications.update(status_reason="Audit not answered.")
    assert "Motivo registrado: Audit not answered." in page(
        alice_client, reverse("portal:dashboard"), SPANISH
    )
