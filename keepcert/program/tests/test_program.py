"""The program as data: the shipped file, its idempotent loader, and which version applies.

Publishing new versions (the service and the admin) is in test_publishing.py."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command

from keepcert import testing
from keepcert.core.errors import DomainError
from keepcert.program.models import CategoryRule, CredentialRule, Program, RuleSet
from keepcert.program.selectors import ProgramRules, rules_of
from keepcert.program.services import load_program_file


@pytest.fixture
def program(db: None, frozen_now: object) -> Program:
    """This module checks the shipped program file itself, not the tests' own program."""
    load_program_file(path=testing.PROGRAM_FILE)
    return Program.objects.get(code="amt-ccp")


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
    # Whom a member whose certification lapsed is told to contact.
    assert program.contact_name == "American Medical Technologists (AMT)"
    assert program.contact_email == ""  # none found in a source: not guessed
    assert program.contact_phone == "847-823-5169"
    assert program.contact_address_lines == [
        "10700 West Higgins, Suite 150",
        "Rosemont, IL 60018",
    ]
    assert program.contact_url == "https://americanmedtech.org/"


def test_an_edited_contact_is_loaded_and_reported(program: Program, tmp_path: Path) -> None:
    edited = tmp_path / "edited.toml"
    edited.write_text(
        testing.PROGRAM_FILE.read_text().replace('phone = "847-823-5169"', 'phone = "800-555-0199"')
    )
    report = load_program_file(path=edited)
    assert report.changes == ["program.contact_phone: '847-823-5169' → '800-555-0199'"]
    program.refresh_from_db()
    assert program.contact_phone == "800-555-0199"


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
        (
            '[program]\ncode = "x"\nname = "X"\n[program.contact]\nemail = "not an address"\n'
            "[rules]\neffective_from = 2020-01-01\nce_required_from = 2006-01-01\n",
            "[program.contact]: contact_email: Enter a valid email address.",
        ),
        (
            '[program]\ncode = "x"\nname = "X"\n[program.contact]\nfax = "1"\n'
            "[rules]\neffective_from = 2020-01-01\nce_required_from = 2006-01-01\n",
            "[program.contact]: unknown keys fax",
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
    assert rules.rule_set_on(date(2023, 12, 31)) == first
    assert rules.rule_set_on(date(2024, 1, 1)) == later
    assert rules.rule_set_on(date(1990, 1, 1)) == first


def test_the_renewal_settings_come_from_the_program_file(program: Program) -> None:
    amt = load_program_file(path=testing.PROGRAM_FILE)
    program = Program.objects.get(code=amt.program)
    rule_set = rules_of(program).latest()
    assert program.currency == "USD"
    policy = rules_of(program).lifecycle_policy(rule_set)
    assert (policy.invoice_lead_days, policy.fee_grace_days, policy.grandfathered_unpaid_years) == (
        60,
        30,
        3,
    )


def test_a_currency_that_is_not_an_iso_code_is_refused(program: Program, tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(
        testing.PROGRAM_FILE.read_text().replace('currency = "USD"', 'currency = "dollars"')
    )
    with pytest.raises(DomainError, match="ISO 4217"):
        load_program_file(path=bad)
