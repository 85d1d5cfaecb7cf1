"""Member-facing forms. They parse input into types; the services own the rules."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib.auth.password_validation import password_validators_help_texts
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.functional import lazy
from django.utils.html import format_html
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
from keepcert.activities.selectors import categories_open_to, cycle_label
from keepcert.activities.validation import (
    UNSAVABLE_TEXT,
    ActivityData,
    not_claimable_message,
    parse_number,
)
from keepcert.certifications.models import Cycle
from keepcert.core.errors import DomainError
from keepcert.members.models import EMAIL_CHANGE_LINK_DAYS, Member
from keepcert.members.services import (
    ADDRESS_FIELDS,
    NAME_CHANGE_REASON_MAX_LENGTH,
    TOKEN_NAME_MAX_LENGTH,
    TOKEN_NAME_REQUIRED,
    ContactDetails,
    field_limit,
)
from keepcert.program.models import Category, CategoryRule, RuleSet, Shown

EXAMPLE_DAY = date(2025, 3, 14)


def _date_help() -> str:
    # The example in the order the date box shows it in the member's language
    # (03/14/2025 in English, 14/03/2025 in Spanish), an order the field also reads.
    return gettext("Enter a real date, for example %(example)s.") % {
        "example": date_format(EXAMPLE_DAY, "SHORT_DATE_FORMAT")
    }


DATE_HELP = lazy(_date_help, str)()
POINTS_REQUIRED_HELP = _(
    "Required. A point is a unit of CE credit: enter the points your certificate or provider "
    "awards, up to two decimals, for example 1.5."
)


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


class NumberTextField(forms.Field):
    """Points or units as the member types them, in a text box that brings up the number
    keypad: "1,5" is 1.5 (a number input dropped the comma and sent 15). The service's
    `parse_number` decides what the text means and words the refusal."""

    widget = forms.TextInput

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        return {**super().widget_attrs(widget), "inputmode": "decimal", "autocomplete": "off"}

    def to_python(self, value: Any) -> Decimal | None:
        text = str(value or "").strip()
        if not text:
            return None
        try:
            return parse_number(text)
        except DomainError as error:
            # A text that is no number at all is worded for the field ("Enter the points
            # as a number"); a misplaced comma in the service's words.
            message = self.error_messages.get(error.code, error.message)
            raise ValidationError(message, code=error.code) from None


class CategoryChoiceField(forms.ModelChoiceField[Category]):
    def __init__(self, category_rules: list[CategoryRule], **kwargs: Any) -> None:
        self.rule_by_category: dict[int, CategoryRule] = {r.category_id: r for r in category_rules}
        super().__init__(
            queryset=Category.objects.filter(pk__in=self.rule_by_category),
            **kwargs,
        )

    def label_from_instance(self, obj: Category) -> str:
        rule = self.rule_by_category.get(obj.pk)
        return rule.text("name") if rule else obj.code


class CycleChoiceField(forms.ModelMultipleChoiceField[Cycle]):
    # Cycles whose box was just unticked because the dates are outside them: said beside.
    outside: frozenset[int] = frozenset()

    def label_from_instance(self, obj: Cycle) -> str:
        if obj.pk in self.outside:
            return format_html(
                '{} <small class="unticked">{}</small>',
                cycle_label(obj),
                gettext("Not ticked: the dates are outside this cycle."),
            )
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
        no field of this form (or the error's own, when it names none) goes on top. A
        message the form shows already (one it gave the service to report) is not
        repeated."""
        if not error.field_errors:
            self.add_error(None, error.message)
        for field, messages in error.field_errors.items():
            target = field if field in self.fields else None
            shown = [str(m) for m in self.errors.get(target or NON_FIELD_ERRORS, [])]
            for message in messages:
                if message not in shown:
                    self.add_error(target, message)

    @property
    def error_summary(self) -> list[tuple[str, str]]:
        """Every message, in the order of the fields, with the id of the input it is about
        ("" for a message about no field): the list at the top of a refused form."""
        summary = [("", str(message)) for message in self.non_field_errors()]
        for bound in self:
            if bound.errors and not bound.is_hidden:
                # A group of boxes has no single input: its first box stands for it.
                anchor = bound.id_for_label or f"{bound.auto_id}_0"
                summary += [(anchor, str(message)) for message in bound.errors]
        return summary

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
    """Reads an entry; every field is optional here. What is missing, like every other
    rule, is the service's to say, so one submit reports every problem (`unreadable`)."""

    category = forms.Field()  # replaced in __init__: its choices depend on the rule set
    # Shown beside the files already attached ("2 of 5 so far").
    max_evidence_files = MAX_EVIDENCE_FILES

    title = ServiceCheckedText(limit=MAX_TITLE_LENGTH, label=_("Title"), required=False)
    provider = ServiceCheckedText(
        limit=MAX_PROVIDER_LENGTH, label=_("Provider"), required=False, help_text=_("Optional.")
    )
    start_date = forms.DateField(
        widget=DateInput(),
        label=_("Start date"),
        required=False,
        error_messages={"invalid": DATE_HELP},
    )
    end_date = forms.DateField(
        widget=DateInput(),
        label=_("End date"),
        required=False,
        help_text=_("The same as the start date for a one-day activity."),
        error_messages={"invalid": DATE_HELP},
    )
    points = NumberTextField(
        required=False,
        label=_("Points"),
        help_text=_(
            "A point is a unit of CE credit: enter the points your certificate or provider "
            "awards, up to two decimals, for example 1.5."
        ),
        error_messages={"not_a_number": _("Enter the points as a number, for example 1.5.")},
    )
    units = NumberTextField(
        required=False,
        label=_("Units"),
        help_text=_("Only for categories with a unit calculator."),
        error_messages={"not_a_number": _("Enter the units as a number.")},
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
    # The points (and units) as typed when "Save anyway" was offered for them.
    confirm_large_points = forms.CharField(required=False, widget=forms.HiddenInput)
    files_to_choose_again: list[str] = []

    def __init__(
        self,
        *args: Any,
        rule_set: RuleSet,
        cycles: list[Cycle],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.rule_set = rule_set
        # A category no open cycle can take (its date limit passed before they began) is
        # not offered; the guidance says why.
        self.offered = categories_open_to(rule_set, cycles)
        self.fields["category"] = CategoryChoiceField(
            self.offered,
            label=_("Category"),
            required=False,
            empty_label=_("Choose a category"),
            error_messages={"invalid_choice": _("Choose one of the listed categories.")},
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
        self.fields["attestation"].label = rule_set.text("attestation_text")
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
        # What the service refuses to do without (it says so, all at once, when missing);
        # `novalidate` keeps the browser from stopping first.
        required = ["category", "title", "start_date", "end_date"]
        if "units" not in self.fields:  # else points or units
            required.append("points")
            self.fields["points"].help_text = POINTS_REQUIRED_HELP
        for name in required:
            self.fields[name].widget.attrs["required"] = True

    @property
    def category_guidance(self) -> list[tuple[Shown, str, bool]]:
        """Each category as the member reads it (in their language), with its date limit
        in the service's words ("" when it has none), and whether the form offers it."""
        return [
            (
                rule.shown,
                not_claimable_message(rule) if rule.claimable_until else "",
                rule in self.offered,
            )
            for rule in self.rule_set.category_rules.all()
        ]

    def explain_unticked(self, cycles: list[Cycle]) -> None:
        """Say beside each of `cycles` that its box is not ticked because of the dates."""
        field = self.fields["cycles"]
        assert isinstance(field, CycleChoiceField)
        field.outside = frozenset(c.pk for c in cycles)

    def ask_for_files_again(self, names: list[str]) -> None:
        """After a refused submit that carried files: the browser will not send them again,
        so the evidence field names them and asks for them (`files_to_choose_again`)."""
        self.files_to_choose_again = names
        bound = self["evidence"]
        if not bound.errors:  # else its own message says what to choose instead
            described = f"{bound.auto_id}-again {bound.auto_id}_helptext"
            self.fields["evidence"].widget.attrs["aria-describedby"] = described

    def amounts_typed(self) -> str:
        return "|".join(str(self.data.get(name, "")).strip() for name in ("points", "units"))

    def large_points_confirmed(self) -> bool:
        """Whether "Save anyway" was pressed for these very points: after a change to the
        points the confirmation no longer holds, and the service asks again."""
        confirmed = self.cleaned_data.get("confirm_large_points")
        return bool(confirmed) and confirmed == self.amounts_typed()

    def unreadable(self) -> dict[str, Sequence[str]]:
        """The messages of the fields the form could not read (their values are None in
        `activity_data`), for the service to report with the entry's other problems."""
        return {
            name: [str(message) for message in errors]
            for name, errors in self.errors.items()
            if name in self.fields
        }

    def activity_data(self) -> ActivityData:
        """What could be read, after `is_valid()` (whose result does not matter)."""
        data = self.cleaned_data
        return ActivityData(
            category=data.get("category"),
            title=data.get("title") or "",
            provider=data.get("provider") or "",
            start_date=data.get("start_date"),
            end_date=data.get("end_date"),
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


def _text(field: str, label: Any, autocomplete: str, **kwargs: Any) -> ServiceCheckedText:
    """A one-line box of the member record's `field`, which the service checks."""
    kwargs.setdefault("widget", forms.TextInput(attrs={"autocomplete": autocomplete}))
    limit = field_limit(Member, field)
    return ServiceCheckedText(limit=limit, label=label, required=False, **kwargs)


class ContactForm(AccessibleForm):
    """The member's notices email and mailing address. Every field is read as typed: the
    service says, all at once, what is missing or wrong."""

    email = _text(
        "email",
        _("Email for notices"),
        "email",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=lazy(
            lambda: (
                gettext(
                    "Where the program sends notices about your certification. A new address "
                    "gets a link to confirm it (it works for %(days)s days); notices keep "
                    "going to the current one until then."
                )
                % {"days": EMAIL_CHANGE_LINK_DAYS}
            ),
            str,
        )(),
    )
    address_line1 = _text("address_line1", _("Street address"), "address-line1")
    address_line2 = _text(
        "address_line2",
        _("Apartment, suite or unit"),
        "address-line2",
        help_text=_("Optional."),
    )
    city = _text("city", _("City"), "address-level2")
    region = _text(
        "region", _("State or region"), "address-level1", help_text=_("For example IL or Texas.")
    )
    postal_code = _text("postal_code", _("ZIP or postal code"), "postal-code")
    country = _text(
        "country",
        _("Country"),
        "country",
        help_text=_("Two letters, for example US, CA or MX."),
    )

    def details(self) -> ContactDetails:
        """What was typed, untouched: the service cleans and judges it."""
        typed = {name: str(self.data.get(name, "")) for name in ("email", *ADDRESS_FIELDS)}
        return ContactDetails(**typed)


class NameChangeForm(AccessibleForm):
    first_name = _text("first_name", _("New first name"), "given-name")
    last_name = _text("last_name", _("New last name"), "family-name")
    reason = ServiceCheckedText(
        limit=NAME_CHANGE_REASON_MAX_LENGTH,
        label=_("Why your name changed"),
        help_text=_("For example: marriage, divorce or a court order."),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    will_send_document = forms.BooleanField(
        required=False,
        label=_(
            "I will send a copy of the document that shows my new name (marriage "
            "certificate, divorce decree or court order)."
        ),
    )

    def typed(self) -> dict[str, Any]:
        return {
            "first_name": str(self.data.get("first_name", "")),
            "last_name": str(self.data.get("last_name", "")),
            "reason": str(self.data.get("reason", "")),
            "will_send_document": bool(self.data.get("will_send_document")),
        }
