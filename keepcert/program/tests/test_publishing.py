"""Publishing a new version of the rules (issue 6, finding 5): one service, dated today or
later, logged; the admin's rule set form is only a way to call it, for administrators."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from keepcert import testing
from keepcert.core.errors import DomainError
from keepcert.core.models import Event
from keepcert.members.models import User
from keepcert.program.models import CategoryRule, CredentialRule, Program, RuleSet
from keepcert.program.services import publish_rule_set
from keepcert.staff.tests.signin import make_staff, mfa_client

# The suite's today is 2025-11-20 in the program's time zone (conftest.NOW).
PAST_MESSAGE = (
    "A new version cannot take effect before today (November 20, 2025): give today or a later day."
)


# --- the service ---------------------------------------------------------------------------


def test_publishing_copies_the_base_applies_the_changes_and_logs_them(
    program: Program, administrator: User
) -> None:
    base = RuleSet.objects.get()
    note, categories = base.note, base.category_rules.count()
    published = publish_rule_set(
        base=base,
        effective_from=date(2026, 1, 1),
        rules={"note": "PCT requirement published", "recording_grace_days": 45},
        credential_rules={testing.credential("PCT"): {"points_required": Decimal(30)}},
        category_rules={testing.category("employment-verification"): None},
        actor=administrator,
    )

    base.refresh_from_db()
    assert (base.note, base.recording_grace_days) == (note, 30)  # the base never changes
    assert base.category_rules.count() == categories
    assert (published.effective_from, published.recording_grace_days) == (date(2026, 1, 1), 45)
    assert published.created_by == administrator
    assert published.ce_required_from == base.ce_required_from
    pct = CredentialRule.objects.get(rule_set=published, credential__code="PCT")
    assert (pct.name, pct.points_required) == ("Patient Care Technician", 30)
    assert published.credential_rules.count() == base.credential_rules.count()
    assert [r.category.code for r in published.category_rules.all()] == [
        r.category.code
        for r in base.category_rules.all()
        if r.category.code != "employment-verification"
    ]

    event = Event.objects.get(action="program.rule_set.published")
    assert (event.subject_id, event.actor) == (str(published.pk), administrator)
    assert event.data == {
        "base": base.pk,
        "effective_from": "2026-01-01",
        "changes": [
            "rules.recording_grace_days: 30 → 45",
            f"rules.note: {note} → PCT requirement published",
            "credential PCT.points_required: (empty) → 30",
            "category employment-verification: removed",
        ],
    }


def test_a_version_may_take_effect_today(program: Program, administrator: User) -> None:
    published = publish_rule_set(
        base=RuleSet.objects.get(), effective_from=program.today(), actor=administrator
    )
    assert published.effective_from == date(2025, 11, 20)


def test_a_version_dated_before_today_is_refused(program: Program, administrator: User) -> None:
    with pytest.raises(DomainError) as refused:
        publish_rule_set(
            base=RuleSet.objects.get(), effective_from=date(2025, 11, 19), actor=administrator
        )
    assert refused.value.message == PAST_MESSAGE
    assert refused.value.field_errors == {"effective_from": [PAST_MESSAGE]}
    assert RuleSet.objects.count() == 1
    assert not Event.objects.filter(action="program.rule_set.published").exists()


def test_bad_terms_are_refused_and_publish_nothing(program: Program, administrator: User) -> None:
    rows = CategoryRule.objects.count()
    with pytest.raises(DomainError) as refused:
        publish_rule_set(
            base=RuleSet.objects.get(),
            effective_from=date(2026, 1, 1),
            category_rules={testing.category(): {"points_per_unit": Decimal(0)}},
            actor=administrator,
        )
    assert refused.value.message == "Constraint “category_rule_ppu_positive” is violated."
    assert RuleSet.objects.count() == 1
    assert CategoryRule.objects.count() == rows


# --- the admin -----------------------------------------------------------------------------


def _posted(value: object) -> str:
    """A form value as its box holds it (a JSON field's: JSON)."""
    if value is None:
        return ""
    if isinstance(value, dict):
        return json.dumps(value)
    return str(getattr(value, "pk", value))


def _change_form_data(client: Client, rule_set: RuleSet) -> dict[str, str | list[str]]:
    """The admin change form's current values, as a browser would post them back."""
    response = client.get(f"/admin/program/ruleset/{rule_set.pk}/change/")
    form = response.context["adminform"].form
    data: dict[str, str | list[str]] = {}
    for name, field in form.fields.items():
        data[name] = _posted(form.initial.get(name, field.initial))
    for formset in response.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for name in management.fields:
            data[f"{management.prefix}-{name}"] = str(management.initial.get(name, ""))
        for inline_form in formset.formset.forms:
            for name, field in inline_form.fields.items():
                value = inline_form.initial.get(name, field.initial)
                data[inline_form.add_prefix(name)] = _posted(value)
    return data


def test_editing_rules_in_the_admin_publishes_a_new_version(
    admin_client: Client, administrator: User, program: Program
) -> None:
    original = RuleSet.objects.get()
    note, categories = original.note, original.category_rules.count()
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
    assert new.created_by == administrator
    assert CredentialRule.objects.get(rule_set=new, credential__code="PCT").points_required == 30
    assert new.category_rules.count() == categories
    original.refresh_from_db()
    assert (original.effective_from, original.note) == (date(2006, 1, 1), note)

    # Through the service: one event, saying what changed.
    event = Event.objects.get(action="program.rule_set.published")
    assert (event.subject_id, event.actor) == (str(new.pk), administrator)
    assert event.data["changes"] == [
        f"rules.note: {note} → PCT requirement published",
        "credential PCT.points_required: (empty) → 30",
    ]
    assert admin_client.get(response["Location"]).status_code == 200


def test_an_admin_edit_must_name_a_new_effective_date(admin_client: Client) -> None:
    original = RuleSet.objects.get()
    data = _change_form_data(admin_client, original)
    response = admin_client.post(f"/admin/program/ruleset/{original.pk}/change/", data)
    assert response.status_code == 200
    assert "A version effective on this day exists already" in response.content.decode()
    assert RuleSet.objects.count() == 1


def test_an_admin_edit_dated_before_today_is_refused_with_the_reason(
    admin_client: Client,
) -> None:
    original = RuleSet.objects.get()
    data = _change_form_data(admin_client, original)
    data["effective_from"] = "2025-11-19"
    response = admin_client.post(f"/admin/program/ruleset/{original.pk}/change/", data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"effective_from": [PAST_MESSAGE]}
    assert RuleSet.objects.count() == 1
    assert not Event.objects.filter(action="program.rule_set.published").exists()


def test_removing_a_row_leaves_it_out_of_the_new_version_only(admin_client: Client) -> None:
    original = RuleSet.objects.get()
    data = _change_form_data(admin_client, original)
    data["effective_from"] = "2026-01-01"
    employment = next(
        k for k, v in data.items() if k.endswith("-name") and v == "Employment Verification"
    )
    data[employment.replace("-name", "-DELETE")] = "on"
    response = admin_client.post(f"/admin/program/ruleset/{original.pk}/change/", data)
    assert response.status_code == 302
    new = RuleSet.objects.exclude(pk=original.pk).get()
    assert new.category_rules.count() == original.category_rules.count() - 1
    assert original.category_rules.filter(category__code="employment-verification").exists()
    event = Event.objects.get(action="program.rule_set.published")
    assert event.data["changes"] == ["category employment-verification: removed"]


def test_staff_who_are_not_administrators_see_the_rules_but_cannot_change_them(
    program: Program, admin_client: Client, settings: Any
) -> None:
    original = RuleSet.objects.get()
    data = _change_form_data(admin_client, original)  # what an administrator would post
    data["effective_from"] = "2026-01-01"
    staff = mfa_client(make_staff("staff@example.org", administrator=False))

    page = staff.get(f"/admin/program/ruleset/{original.pk}/change/")
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert "Patient Care Technician" in page.content.decode()
    assert staff.post(f"/admin/program/ruleset/{original.pk}/change/", data).status_code == 403
    assert staff.post("/admin/program/ruleset/add/", data).status_code == 403
    assert (
        staff.post(
            "/admin/program/credential/add/", {"program": program.pk, "code": "X"}
        ).status_code
        == 403
    )
    assert RuleSet.objects.count() == 1
    assert not Event.objects.filter(action="program.rule_set.published").exists()


def test_the_administrator_adds_credentials_and_categories(
    program: Program, admin_client: Client, administrator: User
) -> None:
    response = admin_client.post(
        "/admin/program/credential/add/", {"program": program.pk, "code": "NEW"}
    )
    assert response.status_code == 302
    credential = program.credentials.get(code="NEW")
    event = Event.objects.get(action="program.credential.added")
    assert (event.subject_id, event.actor) == (str(credential.pk), administrator)
    response = admin_client.post(
        "/admin/program/category/add/", {"program": program.pk, "code": "new-kind"}
    )
    assert response.status_code == 302
    assert program.categories.filter(code="new-kind").exists()
    # Nothing of the program's is deleted: versions and records point at it.
    assert (
        admin_client.post(
            f"/admin/program/credential/{credential.pk}/delete/", {"post": "yes"}
        ).status_code
        == 403
    )


def test_a_version_added_from_scratch_is_published_too(
    program: Program, admin_client: Client, administrator: User
) -> None:
    management = {
        f"{prefix}-{name}": value
        for prefix in ("credential_rules", "category_rules")
        for name, value in (("TOTAL_FORMS", "0"), ("INITIAL_FORMS", "0"))
    }
    response = admin_client.post(
        "/admin/program/ruleset/add/",
        {
            "program": program.pk,
            "effective_from": "2026-02-01",
            "note": "Written from scratch",
            "cycle_years": "3",
            "ce_required_from": "2006-01-01",
            "recording_grace_days": "30",
            "invoice_lead_days": "60",
            "fee_grace_days": "30",
            "grandfathered_unpaid_years": "3",
            "max_points_per_entry": "100",
            "attestation_text": "I attest.",
            **management,
        },
    )
    assert response.status_code == 302
    new = RuleSet.objects.get(effective_from=date(2026, 2, 1))
    assert (new.note, new.created_by, new.credential_rules.count()) == (
        "Written from scratch",
        administrator,
        0,
    )
    event = Event.objects.get(action="program.rule_set.published")
    assert (event.subject_id, event.data["base"]) == (str(new.pk), None)
