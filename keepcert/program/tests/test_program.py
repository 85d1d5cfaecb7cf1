"""The program as data: the shipped file, its idempotent loader, and versioned admin edits."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from keepcert import testing
from keepcert.core.errors import DomainError
from keepcert.program.models import CategoryRule, CredentialRule, Program, RuleSet
from keepcert.program.selectors import ProgramRules
from keepcert.program.services import load_program_file


def test_the_shipped_file_has_the_sourced_values(program: Program) -> None:
    rule_set = ProgramRules(program).latest()
    required = {r.credential.code: r.points_required for r in rule_set.credential_rules.all()}
    assert required == {
        "RMA": 30,
        "CMAS": 30,
        "RDA": 30,
        "CMLA": 30,
        "AHI": 30,
        "RPT": 24,
        "MLS": 45,
        "MLT": 45,
        "CLC": 45,
        "MDT": 36,
        "PCT": None,
    }
    fees = {r.credential.code: r.annual_fee for r in rule_set.credential_rules.all()}
    assert fees["RMA"] == Decimal(50) and fees["MLS"] == Decimal(90) and fees["AHI"] == Decimal(30)
    assert fees["PCT"] is None and fees["MDT"] is None
    assert all(r.reactivation_fee_ce is None for r in rule_set.credential_rules.all())
    categories = [r.name for r in rule_set.category_rules.all()]
    assert categories == [
        "Professional Education",
        "Formal Education",
        "Authorship of Written Works",
        "Instructional Presentations",
        "Organizational Participation",
        "Employment Verification",
    ]
    employment = rule_set.category_rules.get(category__code="employment-verification")
    assert employment.claimable_until == date(2020, 12, 31)
    assert all(r.guidance for r in rule_set.category_rules.all())
    assert all(
        r.points_per_unit is None and r.max_points_per_cycle is None
        for r in rule_set.category_rules.all()
    )
    assert rule_set.ce_required_from == date(2006, 1, 1)
    assert program.time_zone == "America/Chicago"


def test_loading_the_same_file_twice_changes_nothing(program: Program, capsys) -> None:  # type: ignore[no-untyped-def]
    counts = (RuleSet.objects.count(), CredentialRule.objects.count(), CategoryRule.objects.count())
    report = load_program_file(path=testing.PROGRAM_FILE)
    assert not report.changed
    call_command("load_program", str(testing.PROGRAM_FILE))
    assert "up to date" in capsys.readouterr().out
    assert counts == (
        RuleSet.objects.count(),
        CredentialRule.objects.count(),
        CategoryRule.objects.count(),
    )


def test_loading_an_edited_file_updates_that_version_and_says_what_changed(
    program: Program, tmp_path: Path
) -> None:
    text = testing.PROGRAM_FILE.read_text().replace(
        'code = "RPT"\nname = "Registered Phlebotomy Technician"\npoints_required = 24',
        'code = "RPT"\nname = "Registered Phlebotomy Technician"\npoints_required = 25',
    )
    edited = tmp_path / "edited.toml"
    edited.write_text(text)
    report = load_program_file(path=edited)
    assert report.changes == ["credential RPT.points_required: Decimal('24.00') → Decimal('25')"]
    assert CredentialRule.objects.get(credential__code="RPT").points_required == 25
    assert RuleSet.objects.count() == 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not toml = = 1", "Cannot read"),
        ('[program]\ncode = "x"\nname = "X"\n', "the [rules] table is missing"),
        ('[program]\ncode = "x"\nname = "X"\n[rules]\neffective_from = "soon"\n', "must be a date"),
        (
            '[program]\ncode = "x"\nname = "X"\n[rules]\neffective_from = 2020-01-01\n'
            "ce_required_from = 2006-01-01\nmystery = 1\n",
            "unknown keys mystery",
        ),
    ],
)
def test_a_bad_program_file_is_refused_and_changes_nothing(
    db,
    tmp_path: Path,
    text: str,
    message: str,  # type: ignore[no-untyped-def]
) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(DomainError, match=re.escape(message)):
        load_program_file(path=path)
    assert not Program.objects.exists()


def test_the_rule_set_in_force_is_the_latest_one_started(program: Program) -> None:
    first = RuleSet.objects.get()
    later = RuleSet.objects.create(
        program=program, effective_from=date(2024, 1, 1), ce_required_from=date(2006, 1, 1)
    )
    rules = ProgramRules(program)
    assert rules.on(date(2023, 12, 31)) == first
    assert rules.on(date(2024, 1, 1)) == later
    assert rules.on(date(1990, 1, 1)) == first


@pytest.fixture
def admin_client(program: Program, settings) -> Client:  # type: ignore[no-untyped-def]
    settings.KEEPCERT_STAFF_REQUIRE_MFA = False
    client = Client()
    client.force_login(testing.make_user("admin@example.org", staff=True))
    return client


def _change_form_data(client: Client, rule_set: RuleSet) -> dict[str, str | list[str]]:
    """The admin change form's current values, as a browser would post them back."""
    response = client.get(f"/admin/program/ruleset/{rule_set.pk}/change/")
    form = response.context["adminform"].form
    data: dict[str, str | list[str]] = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        data[name] = "" if value is None else str(getattr(value, "pk", value))
    for formset in response.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for name in management.fields:
            data[f"{management.prefix}-{name}"] = str(management.initial.get(name, ""))
        for inline_form in formset.formset.forms:
            for name, field in inline_form.fields.items():
                value = inline_form.initial.get(name, field.initial)
                data[inline_form.add_prefix(name)] = (
                    "" if value is None else str(getattr(value, "pk", value))
                )
    return data


def test_editing_rules_in_the_admin_creates_a_new_version(
    admin_client: Client, program: Program
) -> None:
    original = RuleSet.objects.get()
    data = _change_form_data(admin_client, original)
    data["effective_from"] = "2026-01-01"
    data["note"] = "PCT requirement published"
    pct_index = next(
        k for k, v in data.items() if k.endswith("-name") and v == "Patient Care Technician"
    )
    data[pct_index.replace("-name", "-points_required")] = "30"
    response = admin_client.post(f"/admin/program/ruleset/{original.pk}/change/", data)
    assert response.status_code == 302, (
        response.context["adminform"].form.errors if response.context else ""
    )

    assert RuleSet.objects.count() == 2
    assert (
        CredentialRule.objects.get(rule_set=original, credential__code="PCT").points_required
        is None
    )
    new = RuleSet.objects.exclude(pk=original.pk).get()
    assert new.effective_from == date(2026, 1, 1)
    assert new.created_by is not None
    assert CredentialRule.objects.get(rule_set=new, credential__code="PCT").points_required == 30
    assert new.category_rules.count() == 6


def test_an_admin_edit_must_name_a_new_effective_date(admin_client: Client) -> None:
    original = RuleSet.objects.get()
    data = _change_form_data(admin_client, original)
    response = admin_client.post(f"/admin/program/ruleset/{original.pk}/change/", data)
    assert response.status_code == 200
    assert "A version effective on this day exists already" in response.content.decode()
    assert RuleSet.objects.count() == 1
