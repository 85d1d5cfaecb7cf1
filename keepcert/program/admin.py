"""The program configuration: every staff account may look, the administrator changes it.

Saving a rule set never changes it: the form is the draft of a new version, effective
from the day the administrator gives, which `publish_rule_set` creates and logs. The
version shown stays as it was, because cycles that started under it are judged by it.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.forms import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from keepcert.core.errors import DomainError
from keepcert.program.models import (
    Category,
    CategoryRule,
    Credential,
    CredentialRule,
    Program,
    RuleSet,
)
from keepcert.program.services import (
    CATEGORY_RULE_FIELDS,
    CREDENTIAL_RULE_FIELDS,
    RULE_SET_FIELDS,
    check_effective_from,
    publish_rule_set,
)
from keepcert.staff.admin_site import ProgramConfigurationAdmin, is_administrator, log_admin_save

_CREDENTIAL_RULE_FIELDS = CREDENTIAL_RULE_FIELDS
_CATEGORY_RULE_FIELDS = (*CATEGORY_RULE_FIELDS, "position")


class _RuleInline(ProgramConfigurationAdmin):
    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Deleting a row of the draft leaves that credential or category out of the new
        # version; the version shown keeps it.
        return is_administrator(request.user)


class CredentialRuleInline(_RuleInline, admin.TabularInline[CredentialRule, RuleSet]):
    model = CredentialRule
    extra = 0
    fields = ["credential", *_CREDENTIAL_RULE_FIELDS]


class CategoryRuleInline(_RuleInline, admin.StackedInline[CategoryRule, RuleSet]):
    model = CategoryRule
    extra = 0
    fields = [
        ("category", "name", "position"),
        "guidance",
        ("unit", "points_per_unit", "max_points_per_cycle", "claimable_until"),
        "evidence",
        "usual_max_points",
        "translations",
    ]


# The note first: it is what the person editing says about the new version.
_RULE_SET_FIELDS = ("note", *(f for f in RULE_SET_FIELDS if f != "note"))


class RuleSetForm(forms.ModelForm[RuleSet]):
    class Meta:
        model = RuleSet
        fields = ["program", "effective_from", *_RULE_SET_FIELDS]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # On a version's page the program is shown, not posted: the draft keeps it.
        program = data.get("program") or (self.instance.program if self.instance.pk else None)
        day = data.get("effective_from")
        if program and day:
            try:
                check_effective_from(program=program, effective_from=day)
            except DomainError as error:
                self.add_error("effective_from", error.message)
        return data


def _rows(
    formset: BaseInlineFormSet[Any, Any, Any], link: str, fields: tuple[str, ...]
) -> dict[Any, dict[str, Any]]:
    """The draft's rows of one inline: identity (credential or category) → its terms."""
    rows = {}
    for form in formset.forms:
        data = form.cleaned_data
        if data and not data.get("DELETE"):
            rows[data[link]] = {name: data[name] for name in fields if name in data}
    return rows


def _with_removals(
    rows: dict[Any, dict[str, Any] | None], base_rows: list[Any], link: str
) -> dict[Any, dict[str, Any] | None]:
    """The base's rows that the draft no longer has, marked for removal."""
    for rule in base_rows:
        rows.setdefault(getattr(rule, link), None)
    return rows


@admin.register(RuleSet)
class RuleSetAdmin(ProgramConfigurationAdmin, admin.ModelAdmin[RuleSet]):
    form = RuleSetForm
    list_display = ["program", "effective_from", "note", "created_at", "created_by"]
    list_filter = ["program"]
    inlines = [CredentialRuleInline, CategoryRuleInline]
    readonly_fields = ["created_at", "created_by"]

    def get_readonly_fields(self, request: HttpRequest, obj: RuleSet | None = None) -> Any:
        fields = super().get_readonly_fields(request, obj)
        # A new version belongs to the program of the version it is drafted from.
        return [*fields, "program"] if obj is not None else fields

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        context = dict(extra_context or {})
        if object_id is not None and is_administrator(request.user):
            context.setdefault("title", _("New version of the program rules"))
        return super().changeform_view(request, object_id, form_url, context)

    def save_model(self, request: HttpRequest, obj: RuleSet, form: Any, change: bool) -> None:
        # Nothing is saved here: the version is published in `save_related`, where the
        # inline rows are known too.
        pass

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        base = RuleSet.objects.get(pk=form.instance.pk) if change else None
        credential_rows: dict[Any, dict[str, Any] | None] = {}
        category_rows: dict[Any, dict[str, Any] | None] = {}
        for formset in formsets:
            if formset.model is CredentialRule:
                credential_rows.update(_rows(formset, "credential", _CREDENTIAL_RULE_FIELDS))
            elif formset.model is CategoryRule:
                category_rows.update(_rows(formset, "category", _CATEGORY_RULE_FIELDS))
        data = form.cleaned_data
        published = publish_rule_set(
            base=base,
            program=None if base else data["program"],
            effective_from=data["effective_from"],
            rules={name: data[name] for name in _RULE_SET_FIELDS if name in data},
            credential_rules=_with_removals(
                credential_rows,
                list(base.credential_rules.select_related("credential")) if base else [],
                "credential",
            ),
            category_rules=_with_removals(
                category_rows,
                list(base.category_rules.select_related("category")) if base else [],
                "category",
            ),
            actor=request.user,
        )
        # The admin's own log line, message and redirect name the object it was given:
        # point it at the published version (the shown one was never saved).
        form.instance.pk = published.pk

    def construct_change_message(
        self, request: HttpRequest, form: Any, formsets: Any, add: bool = False
    ) -> list[dict[str, dict[str, list[str]]]]:
        # The inline formsets were not saved themselves (see save_related); the version
        # as a whole is new, and the event log holds what changed.
        return [{"added": {}}]


@admin.register(Program)
class ProgramAdmin(ProgramConfigurationAdmin, admin.ModelAdmin[Program]):
    """The program's name only. Its code is what the program file is matched by, its time
    zone decides which day "today" is for every member and its currency is on every
    invoice, so none of them changes here; the certifying body's contact and the short
    name emails start their subject with come from the program file (shown)."""

    list_display = ["code", "name", "time_zone"]
    readonly_fields = [
        "code",
        "short_name",
        "time_zone",
        "currency",
        "contact_name",
        "contact_email",
        "contact_phone",
        "contact_address",
        "contact_url",
    ]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a program comes from its program file (`manage.py load_program`)

    def save_model(self, request: HttpRequest, obj: Program, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        log_admin_save(request, obj, form, change)


@admin.register(Credential)
class CredentialAdmin(ProgramConfigurationAdmin, admin.ModelAdmin[Credential]):
    list_display = ["code", "program"]

    def save_model(self, request: HttpRequest, obj: Credential, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        log_admin_save(request, obj, form, change)


@admin.register(Category)
class CategoryAdmin(ProgramConfigurationAdmin, admin.ModelAdmin[Category]):
    list_display = ["code", "program"]

    def save_model(self, request: HttpRequest, obj: Category, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        log_admin_save(request, obj, form, change)
