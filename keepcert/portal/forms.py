"""Member-facing forms. They parse input into types; the services own the rules."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.contrib.auth.password_validation import password_validators_help_texts
from django.core.files.uploadedfile import UploadedFile
from django.urls import reverse
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from keepcert.activities.evidence import allowed_types, file_size_limit
from keepcert.activities.filetypes import ACCEPT
from keepcert.activities.limits import (
    MAX_EVIDENCE_FILES,
    MAX_NOTES_LENGTH,
    MAX_PROVIDER_LENGTH,
    MAX_TITLE_LENGTH,
)
from keepcert.activities.selectors import cycle_label
from keepcert.activities.validation import (
    TITLE_REQUIRED,
    UNSAVABLE_TEXT,
    ActivityData,
    not_claimable_message,
)
from keepcert.certifications.models import Cycle
from keepcert.core.errors import DomainError
from keepcert.members.services import TOKEN_NAME_MAX_LENGTH, TOKEN_NAME_REQUIRED
from keepcert.program.models import Category, CategoryRule, RuleSet

DATE_HELP = _("Enter a real date, for example 2025-03-14.")


def _evidence_help() -> str:
    return " ".join(
        (
            gettext("Certificate, transcript or letter: %(types)s, up to %(size)s each.")
            % {"types": allowed_types(), "size": file_size_limit()},
            gettext("Only you can see these, unless your activity is audited."),
        )
    )


class ServiceCheckedText(forms.CharField):
    """Text whose length (and storable characters) the service checks, so the site and the
    API give one message. The browser still stops at the limit (`maxlength`); a request
    that does not is answered by the service, beside the entry's other errors."""

    def __init__(self, *, limit: int, **kwargs: Any) -> None:
        error_messages = {"null_characters_not_allowed": UNSAVABLE_TEXT}
        error_messages.update(kwargs.pop("error_messages", {}))
        self.limit = limit  # before super(): it sets the widget's attributes
        super().__init__(error_messages=error_messages, **kwargs)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        if not widget.is_hidden:
            attrs["maxlength"] = str(self.limit)
        return attrs


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class CategoryChoiceField(forms.ModelChoiceField[Category]):
    def __init__(self, rule_set: RuleSet, **kwargs: Any) -> None:
        self.rule_by_category: dict[int, CategoryRule] = {
            r.category_id: r for r in rule_set.category_rules.all()
        }
        super().__init__(
            queryset=Category.objects.filter(pk__in=self.rule_by_category),
            **kwargs,
        )

    def label_from_instance(self, obj: Category) -> str:
        rule = self.rule_by_category.get(obj.pk)
        return rule.name if rule else obj.code


class CycleChoiceField(forms.ModelMultipleChoiceField[Cycle]):
    def label_from_instance(self, obj: Cycle) -> str:
        return cycle_label(obj)


class MultipleFileInput(forms.ClearableFileInput):
    """A file input that sends every file chosen (Django refuses `multiple` otherwise)."""

    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input, each cleaned like a single FileField's.

    Empty files pass here on purpose: the service refuses them with a message that
    names the file, beside its other rules.
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        kwargs.setdefault("allow_empty_file", True)
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile[bytes]]:
        if not isinstance(data, (list, tuple)):
            # One file from a plain client; False when the (unused) "clear" box was ticked.
            data = [data] if data else []
        clean_one = super().clean
        return [clean_one(upload, initial) for upload in data]


class AccessibleForm(forms.Form):
    """Marks fields in error for assistive technology, tying each to its message, and
    shows a service's DomainError the one way every form does."""

    def add_domain_error(self, error: DomainError) -> None:
        """Show a service's messages beside the fields they are about; a message about
        no field of this form (or the error's own, when it names none) goes on top."""
        if not error.field_errors:
            self.add_error(None, error.message)
        for field, messages in error.field_errors.items():
            target = field if field in self.fields else None
            for message in messages:
                self.add_error(target, message)

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)
        for name in self.errors:
            if name in self.fields:
                form_field = self.fields[name]
                auto_id = self[name].auto_id
                described_by = [f"{auto_id}-error"]
                if form_field.help_text:
                    described_by.append(f"{auto_id}_helptext")
                form_field.widget.attrs["aria-invalid"] = "true"
                form_field.widget.attrs["aria-describedby"] = " ".join(described_by)


class ActivityForm(AccessibleForm):
    category = forms.Field()  # replaced in __init__: its choices depend on the rule set
    # Shown beside the files already attached ("2 of 5 so far").
    max_evidence_files = MAX_EVIDENCE_FILES

    title = ServiceCheckedText(
        limit=MAX_TITLE_LENGTH, label=_("Title"), error_messages={"required": TITLE_REQUIRED}
    )
    provider = ServiceCheckedText(
        limit=MAX_PROVIDER_LENGTH, label=_("Provider"), required=False, help_text=_("Optional.")
    )
    start_date = forms.DateField(
        widget=DateInput(),
        label=_("Start date"),
        error_messages={
            "required": _("Enter the date the activity started."),
            "invalid": DATE_HELP,
        },
    )
    end_date = forms.DateField(
        widget=DateInput(),
        label=_("End date"),
        help_text=_("The same as the start date for a one-day activity."),
        error_messages={"required": _("Enter the date the activity ended."), "invalid": DATE_HELP},
    )
    points = forms.DecimalField(
        required=False,
        min_value=None,
        label=_("Points"),
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
        help_text=_("Up to two decimals, for example 1.5."),
        error_messages={"invalid": _("Enter the points as a number, for example 1.5.")},
    )
    units = forms.DecimalField(
        required=False,
        label=_("Units"),
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
        help_text=_("Only for categories with a unit calculator."),
        error_messages={"invalid": _("Enter the units as a number.")},
    )
    notes = ServiceCheckedText(
        limit=MAX_NOTES_LENGTH,
        label=_("Notes"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    evidence = MultipleFileField(
        required=False,
        label=_("Evidence (optional)"),
        # Built when shown: the types and the size are written in the member's language.
        help_text=lazy(_evidence_help, str)(),
    )
    cycles = forms.Field(required=False)  # replaced in __init__
    attestation = forms.BooleanField(required=False)
    confirm_duplicate = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        rule_set: RuleSet,
        cycles: list[Cycle],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.rule_set = rule_set
        self.fields["category"] = CategoryChoiceField(
            rule_set,
            label=_("Category"),
            empty_label=_("Choose a category"),
            error_messages={
                "required": _("Choose the activity's category."),
                "invalid_choice": _("Choose one of the listed categories."),
            },
        )
        self.fields["cycles"] = CycleChoiceField(
            queryset=Cycle.objects.filter(pk__in=[c.pk for c in cycles]).select_related(
                "certification__credential"
            ),
            widget=forms.CheckboxSelectMultiple,
            required=False,
            label=_("Count it toward"),
            error_messages={"invalid_choice": _("Choose among your open cycles.")},
        )
        self.fields["attestation"].label = rule_set.attestation_text
        # Changing a date re-ticks the cycles that contain the activity (htmx).
        for name in ("start_date", "end_date"):
            self.fields[name].widget.attrs.update(
                {
                    "hx-get": reverse("portal:activity_cycles"),
                    "hx-trigger": "change",
                    "hx-target": "#cycle-choices",
                    "hx-include": "[name=start_date],[name=end_date]",
                    # Both dates changed in quick succession: the later answer must win,
                    # so a newer request replaces one still in flight.
                    "hx-sync": "closest form:replace",
                }
            )
        if not any(r.has_calculator for r in rule_set.category_rules.all()):
            del self.fields["units"]

    @property
    def category_guidance(self) -> list[tuple[CategoryRule, str]]:
        """Each category with its date limit in the service's words ("" when it has none)."""
        return [
            (rule, not_claimable_message(rule) if rule.claimable_until else "")
            for rule in self.rule_set.category_rules.all()
        ]

    def activity_data(self) -> ActivityData:
        data = self.cleaned_data
        start: date = data["start_date"]
        return ActivityData(
            category=data["category"],
            title=data["title"],
            provider=data.get("provider") or "",
            start_date=start,
            end_date=data["end_date"],
            points=data.get("points"),
            units=data.get("units"),
            notes=data.get("notes") or "",
            cycles=list(data.get("cycles") or []),
        )

    def evidence_files(self) -> list[UploadedFile[bytes]]:
        return list(self.cleaned_data.get("evidence") or [])


class TokenForm(AccessibleForm):
    name = ServiceCheckedText(
        limit=TOKEN_NAME_MAX_LENGTH,
        label=_("Token name"),
        help_text=_("What will use it, for example “my spreadsheet”."),
        error_messages={"required": TOKEN_NAME_REQUIRED},
    )


class ClaimForm(AccessibleForm):
    member_number = forms.CharField(
        max_length=20,
        label=_("Member ID"),
        error_messages={"required": _("Enter your member ID.")},
    )
    last_name = forms.CharField(
        max_length=100,
        label=_("Last name"),
        error_messages={"required": _("Enter your last name.")},
    )
    date_of_birth = forms.DateField(
        widget=DateInput(),
        label=_("Date of birth"),
        error_messages={"required": _("Enter your date of birth."), "invalid": DATE_HELP},
    )
    email = forms.EmailField(
        label=_("Email"),
        help_text=_("You will sign in with it. We email it the next step."),
        error_messages={"required": _("Enter your email address.")},
    )
    password = forms.CharField(
        label=_("Password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        # The rules before the first try, not only after a failure: the validators' own.
        help_text=lazy(lambda: " ".join(password_validators_help_texts()), str)(),
        error_messages={"required": _("Choose a password.")},
    )
