"""Administrators edit the program here. Saving an existing rule set never changes it:
it creates a new version, effective from the date the administrator gives."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest, HttpResponse

from keepcert.program.models import (
    Category,
    CategoryRule,
    Credential,
    CredentialRule,
    Program,
    RuleSet,
)


class CredentialRuleInline(admin.TabularInline[CredentialRule, RuleSet]):
    model = CredentialRule
    extra = 0
    fields = [
        "credential",
        "name",
        "points_required",
        "annual_fee",
        "reactivation_fee_ce",
        "reactivation_fee_exam",
    ]


class CategoryRuleInline(admin.StackedInline[CategoryRule, RuleSet]):
    model = CategoryRule
    extra = 0
    fields = [
        ("category", "name", "position"),
        "guidance",
        ("unit", "points_per_unit", "max_points_per_cycle", "claimable_until"),
        "evidence",
    ]


class RuleSetForm(forms.ModelForm[RuleSet]):
    class Meta:
        model = RuleSet
        fields = [
            "program",
            "effective_from",
            "note",
            "cycle_years",
            "ce_required_from",
            "grandfather_ends_on_reactivation_after",
            "recording_grace_days",
            "max_points_per_entry",
            "attestation_text",
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        program, day = data.get("program"), data.get("effective_from")
        if program and day and RuleSet.objects.filter(program=program, effective_from=day).exists():
            self.add_error(
                "effective_from",
                "A version effective on this day exists already. Saving makes a new version: "
                "give the day the change takes effect.",
            )
        return data


@admin.register(RuleSet)
class RuleSetAdmin(admin.ModelAdmin[RuleSet]):
    form = RuleSetForm
    list_display = ["program", "effective_from", "note", "created_at", "created_by"]
    list_filter = ["program"]
    inlines = [CredentialRuleInline, CategoryRuleInline]
    save_as = True
    readonly_fields = ["created_at", "created_by"]

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        if request.method == "POST" and object_id is not None:
            # Every edit of a version is saved as a new version; the old one stays
            # as it was, because cycles that started under it are judged by it.
            post = request.POST.copy()
            post["_saveasnew"] = "1"
            request.POST = post  # type: ignore[assignment]
        context = {"title": "New version of the program rules", **(extra_context or {})}
        return super().changeform_view(request, object_id, form_url, context)

    def save_model(self, request: HttpRequest, obj: RuleSet, form: Any, change: bool) -> None:
        if obj.created_by_id is None:
            obj.created_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)

    def has_delete_permission(self, request: HttpRequest, obj: RuleSet | None = None) -> bool:
        return False


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin[Program]):
    list_display = ["code", "name", "time_zone"]


@admin.register(Credential)
class CredentialAdmin(admin.ModelAdmin[Credential]):
    list_display = ["code", "program"]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin[Category]):
    list_display = ["code", "program"]
