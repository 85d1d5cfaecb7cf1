"""Program text in the member's language (issue 7): the program file's `[<table>.es]`
tables, checked when loading, kept by new versions, and the one place that picks the words."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from keepcert import testing
from keepcert.core.errors import DomainError
from keepcert.core.models import Event
from keepcert.members.models import User
from keepcert.portal.tests.pages import text
from keepcert.program.models import CategoryRule, CredentialRule, Program, RuleSet
from keepcert.program.selectors import rules_of
from keepcert.program.services import load_program_file, publish_rule_set
from keepcert.staff.tests.signin import make_staff, mfa_client

HEAD = '[program]\ncode = "x"\nname = "X"\n[rules]\neffective_from = 2020-01-01\n'
HEAD += "ce_required_from = 2006-01-01\ncycle_years = 3\nrecording_grace_days = 30\n"
HEAD += "max_points_per_entry = 100\n"


def test_the_shipped_file_gives_every_amt_text_in_spanish(db: None, frozen_now: object) -> None:
    load_program_file(path=testing.PROGRAM_FILE)
    program = Program.objects.get(code="amt-ccp")
    rows: list[Program | RuleSet | CredentialRule | CategoryRule] = [
        program,
        *RuleSet.objects.filter(program=program),
        *CredentialRule.objects.filter(rule_set__program=program),
        *CategoryRule.objects.filter(rule_set__program=program),
    ]
    missing = [
        f"{row}: {field}"
        for row in rows
        for field in row.TRANSLATED_FIELDS
        if getattr(row, field) and not row.translations.get("es", {}).get(field)
    ]
    assert missing == []
    with translation.override("es"):
        assert program.text("name") == "Programa de Continuación de la Certificación de AMT"
        rma = CredentialRule.objects.get(rule_set__program=program, credential__code="RMA")
        assert rma.text("name") == "Asistente Médico Registrado"
    with translation.override("en"):
        assert rma.text("name") == "Registered Medical Assistant"


def test_the_names_follow_the_language_and_fall_back_to_the_programs_text(
    program: Program,
) -> None:
    rules = rules_of(program)
    today = program.today()
    education = testing.category("professional-education").pk
    rma, pct = testing.credential("RMA").pk, testing.credential("PCT").pk
    with translation.override("es"):
        assert rules.category_name(education, on=today) == "Educación profesional"
        assert rules.category_names(on=today)["authorship"] == "Autoría de obras escritas"
        assert rules.credential_name(rma, on=today) == "Asistente Médico Registrado"
        # The test program gives PCT no Spanish name: its own is shown.
        assert rules.credential_name(pct, on=today) == "Patient Care Technician"
    with translation.override("es-mx"):  # a regional variant reads the language's text
        assert rules.category_name(education, on=today) == "Educación profesional"
    with translation.override("en"):
        assert rules.category_name(education, on=today) == "Professional Education"
        assert rules.category_names(on=today)["authorship"] == "Authorship of Written Works"
        assert rules.credential_name(rma, on=today) == "Registered Medical Assistant"


def test_the_rules_cores_sentences_name_categories_in_the_readers_language(
    program: Program,
) -> None:
    rules = rules_of(program)
    rule_set = rules.latest()
    rma = testing.credential("RMA").pk
    with translation.override("en"):
        english = rules.requirement(rule_set, rma)
    with translation.override("es"):
        spanish = rules.requirement(rule_set, rma)
    assert english is not None and spanish is not None
    assert english.categories[0].name == "Professional Education"
    assert spanish.categories[0].name == "Educación profesional"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[[credentials]]\ncode = "RMA"\nname = "Registered Medical Assistant"\n'
            '[credentials.fr]\nname = "Assistant médical"\n',
            "credential RMA: [fr] is not a language KeepCert offers: use es.",
        ),
        (
            '[[categories]]\ncode = "a"\nname = "A"\n[categories.es]\nname = "A"\ncolour = "b"\n',
            "category a: [es]: unknown keys colour; it may translate name, guidance, unit, "
            "evidence.",
        ),
        (
            '[rules.es]\nnote = "Nota"\n',
            "[rules]: [es]: unknown keys note; it may translate attestation_text.",
        ),
        ("[rules.es]\nattestation_text = 3\n", "[rules]: [es].attestation_text must be text."),
        (
            '[[credentials]]\ncode = "RMA"\nname = "R"\ntranslations = { es = { name = "A" } }\n',
            "credential RMA: unknown keys translations.",
        ),
        ('[[credentials]]\ncode = "RMA"\nname = "R"\nname_es = "A"\n', "unknown keys name_es"),
    ],
)
def test_a_bad_translation_is_refused_with_its_place_and_changes_nothing(
    db: None, tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(HEAD + text)
    with pytest.raises(DomainError, match=re.escape(message)):
        load_program_file(path=path)
    assert not Program.objects.exists()


def test_a_bad_program_name_translation_is_refused(db: None, tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(HEAD.replace('name = "X"\n', 'name = "X"\n[program.de]\nname = "X"\n'))
    with pytest.raises(DomainError, match=re.escape("[program]: [de] is not a language")):
        load_program_file(path=path)
    assert not Program.objects.exists()


def test_an_edited_translation_is_loaded_and_reported(program: Program, tmp_path: Path) -> None:
    edited = tmp_path / "edited.toml"
    edited.write_text(
        testing.TEST_PROGRAM_FILE.read_text().replace(
            'name = "Asistente Médico Registrado"', 'name = "Asistente Médica Registrada"'
        )
    )
    report = load_program_file(path=edited)
    assert len(report.changes) == 1
    assert report.changes[0].startswith("credential RMA.translations: ")
    with translation.override("es"):
        name = rules_of(program).credential_name(testing.credential("RMA").pk, on=program.today())
    assert name == "Asistente Médica Registrada"


def test_a_new_version_keeps_the_translations_of_the_texts_it_does_not_change(
    program: Program, administrator: User
) -> None:
    base = rules_of(program).latest()
    authorship = testing.category("authorship")
    published = publish_rule_set(
        base=base,
        effective_from=program.today(),
        actor=administrator,
        rules={"attestation_text": "I attest that all of this is true."},
        category_rules={authorship: {"guidance": "Published works you wrote."}},
    )
    rule = published.category_rules.get(category=authorship)
    # The Spanish guidance translated the old English: dropped, the new English shows.
    assert rule.translations == {"es": {"name": "Autoría de obras escritas"}}
    assert published.translations == {}
    education = published.category_rules.get(category__code="professional-education")
    with translation.override("es"):
        assert rule.text("guidance") == "Published works you wrote."
        assert rule.text("name") == "Autoría de obras escritas"
        assert education.text("name") == "Educación profesional"
        assert published.text("attestation_text") == "I attest that all of this is true."


def test_a_new_version_can_translate_its_changed_text(
    program: Program, administrator: User
) -> None:
    base = rules_of(program).latest()
    published = publish_rule_set(
        base=base,
        effective_from=program.today(),
        actor=administrator,
        rules={
            "attestation_text": "I attest that all of this is true.",
            "translations": {"es": {"attestation_text": "Declaro que todo esto es cierto."}},
        },
    )
    with translation.override("es"):
        assert published.text("attestation_text") == "Declaro que todo esto es cierto."


def test_a_new_version_with_a_bad_translation_is_refused(
    program: Program, administrator: User
) -> None:
    base = rules_of(program).latest()
    with pytest.raises(DomainError, match=re.escape("[fr] is not a language KeepCert offers")):
        publish_rule_set(
            base=base,
            effective_from=program.today(),
            actor=administrator,
            rules={"translations": {"fr": {"attestation_text": "J'atteste."}}},
        )
    assert RuleSet.objects.filter(program=program).count() == 1


def test_only_the_administrator_changes_translations_in_the_admin(
    program: Program, admin_client: Client, settings: Any
) -> None:
    url = f"/admin/program/program/{program.pk}/change/"
    before = dict(program.translations)
    refused = admin_client.post(
        url, {"name": program.name, "translations": '{"fr": {"name": "Programme"}}'}
    )
    assert refused.status_code == 200
    assert "[fr] is not a language KeepCert offers: use es." in text(refused)
    program.refresh_from_db()
    assert program.translations == before

    saved = admin_client.post(
        url, {"name": program.name, "translations": '{"es": {"name": "Programa de prueba"}}'}
    )
    assert saved.status_code == 302
    program.refresh_from_db()
    assert program.translations == {"es": {"name": "Programa de prueba"}}
    event = Event.objects.get(action="program.program.changed")
    assert event.data == {"fields": ["translations"]}

    # Other staff see the translations and change nothing.
    settings.KEEPCERT_STAFF_REQUIRE_MFA = True
    staff = mfa_client(make_staff("staff@example.org", administrator=False))
    assert "Programa de prueba" in text(staff.get(url))
    posted = staff.post(url, {"name": program.name, "translations": '{"es": {"name": "Otro"}}'})
    assert posted.status_code == 403
    program.refresh_from_db()
    assert program.translations == {"es": {"name": "Programa de prueba"}}
