"""The program as data (SPEC §2): credentials, categories and policies, versioned by date.

Credentials and categories have a stable identity (code) that certifications and
activities point at. What a credential or category *means* (points required, fee,
cap, guidance) lives in a `RuleSet`: a dated version of the whole program. A cycle
is evaluated under the rule set in force on its start date, so a change never
rewrites the past; editing in the admin always creates a new rule set.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from keepcert import rules
from keepcert.core.clock import today as today_in


def translation_languages() -> list[str]:
    """The languages program text may be translated into: every language KeepCert offers
    but its own (`LANGUAGE_CODE`), which the program's text is written in."""
    return [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


def translation_problems(value: Any, fields: tuple[str, ...]) -> list[str]:
    """What is wrong with a `translations` value, a sentence each ([] when nothing is):
    `{"es": {"name": "…"}}`, a language KeepCert offers to the text of some of `fields`."""
    if not isinstance(value, Mapping):
        return [_("Translations are a table per language, such as es.")]
    languages = translation_languages()
    problems = []
    for language, texts in value.items():
        if language not in languages:
            problems.append(
                # Translators: %(language)s is what the program file gave, e.g. "fr";
                # %(languages)s the codes it may give, e.g. "es".
                _("[%(language)s] is not a language KeepCert offers: use %(languages)s.")
                % {"language": language, "languages": ", ".join(languages)}
            )
        elif not isinstance(texts, Mapping):
            problems.append(_("[%(language)s] must be a table.") % {"language": language})
        else:
            unknown = sorted(set(texts) - set(fields))
            if unknown:
                problems.append(
                    # Translators: %(fields)s are the keys that may be translated here.
                    _("[%(language)s]: unknown keys %(names)s; it may translate %(fields)s.")
                    % {
                        "language": language,
                        "names": ", ".join(unknown),
                        "fields": ", ".join(fields),
                    }
                )
            problems += [
                _("[%(language)s].%(name)s must be text.") % {"language": language, "name": name}
                for name, text in texts.items()
                if name in fields and not isinstance(text, str)
            ]
    return problems


# Renewal defaults (SPEC §6) where the program file leaves them out.
INVOICE_LEAD_DAYS = 60
FEE_GRACE_DAYS = 30
GRANDFATHERED_UNPAID_YEARS = 3


class ProgramText(models.Model):
    """A row holding text members read, written by the program in its own language, with
    `translations` of it into other languages (from the program file).

    `text(field)` is the one place that picks the words for the active language."""

    TRANSLATED_FIELDS: ClassVar[tuple[str, ...]] = ()

    translations = models.JSONField(
        default=dict,
        blank=True,
        help_text=(
            'The text in other languages, e.g. {"es": {"name": "…"}}. A text left out is '
            "shown as written above."
        ),
    )

    class Meta:
        abstract = True

    def clean_fields(self, exclude: Any = None) -> None:
        if self.translations is None:  # an emptied box in the admin: no translations
            self.translations = {}
        super().clean_fields(exclude)
        if exclude and "translations" in exclude:
            return
        problems = translation_problems(self.translations, self.TRANSLATED_FIELDS)
        if problems:
            raise ValidationError({"translations": problems})

    def text(self, field: str) -> str:
        """`field` in the active language when the program translates it, else as written."""
        return self.text_and_language(field)[0]

    def text_and_language(self, field: str) -> tuple[str, str]:
        """`text(field)` and the code of the language it is in."""
        assert field in self.TRANSLATED_FIELDS, field
        language = get_language() or ""
        for code in (language, language.split("-")[0]):
            translated = (self.translations.get(code) or {}).get(field)
            if translated:
                return str(translated), code
        return str(getattr(self, field)), settings.LANGUAGE_CODE

    @property
    def shown(self) -> Shown:
        """The row as a member reads it, for a template: `rule.shown.name`."""
        return Shown(self)


class Shown:
    """A program row as a member reads it: its text in the active language
    (`ProgramText.text`), every other attribute as the row has it. For display only."""

    def __init__(self, row: ProgramText) -> None:
        self._row = row

    def __getattr__(self, name: str) -> Any:
        if name in self._row.TRANSLATED_FIELDS:
            return self._row.text(name)
        return getattr(self._row, name)


class Program(ProgramText):
    TRANSLATED_FIELDS = ("name",)

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    # How emails name the program at the start of their subject ("AMT: Reset your
    # password"); the full name when empty. Emails come from the full name.
    short_name = models.CharField(max_length=40, blank=True)
    time_zone = models.CharField(max_length=64, default="America/Chicago")
    currency = models.CharField(
        max_length=3,
        default="USD",
        validators=[RegexValidator(r"^[A-Z]{3}$", "An ISO 4217 code such as USD.")],
        help_text="ISO 4217 code of every fee and invoice.",
    )
    # The certifying body's contact, from the program file: what a member whose
    # certification lapsed, was revoked or is inactive is told to use.
    contact_name = models.CharField(max_length=200, blank=True)
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=40, blank=True)
    contact_address = models.TextField(blank=True, help_text="Postal address, one line each.")
    contact_url = models.URLField(blank=True)

    def __str__(self) -> str:
        return self.name

    @property
    def email_subject_name(self) -> str:
        return self.short_name or self.name

    @property
    def contact_address_lines(self) -> list[str]:
        return [line.strip() for line in self.contact_address.splitlines() if line.strip()]

    @property
    def has_contact(self) -> bool:
        return any(
            (
                self.contact_name,
                self.contact_email,
                self.contact_phone,
                self.contact_address,
                self.contact_url,
            )
        )

    def today(self) -> date:
        return today_in(self.time_zone)


class RuleSetQuerySet(models.QuerySet["RuleSet"]):
    def with_rules(self) -> RuleSetQuerySet:
        return self.prefetch_related(
            models.Prefetch(
                "credential_rules", queryset=CredentialRule.objects.select_related("credential")
            ),
            models.Prefetch(
                "category_rules",
                queryset=CategoryRule.objects.select_related("category").order_by("position"),
            ),
        )


class RuleSet(ProgramText):
    """All of a program's rules in force from `effective_from` until the next rule set."""

    TRANSLATED_FIELDS = ("attestation_text",)

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="rule_sets")
    effective_from = models.DateField()
    note = models.CharField(max_length=300, blank=True, help_text="What changed and why.")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cycle_years = models.PositiveSmallIntegerField(default=3, validators=[MinValueValidator(1)])
    ce_required_from = models.DateField(
        help_text="Certifications dated on or after this day must earn CE; earlier ones are exempt."
    )
    grandfather_ends_on_reactivation_after = models.DateField(
        null=True,
        blank=True,
        help_text="An exempt member who reactivates after this day enters CE cycles.",
    )
    recording_grace_days = models.PositiveSmallIntegerField(
        default=30, help_text="Days after a cycle ends during which members may still record CE."
    )
    # Renewal (SPEC §6): when the annual invoice is issued, how long an unpaid one may run
    # before the certification is Inactive, and how many unpaid years in a row lapse a
    # grandfathered one.
    invoice_lead_days = models.PositiveSmallIntegerField(
        default=INVOICE_LEAD_DAYS, help_text="Days before its due date an annual invoice is issued."
    )
    fee_grace_days = models.PositiveSmallIntegerField(
        default=FEE_GRACE_DAYS,
        help_text="Days after its due date an unpaid invoice makes the certification Inactive.",
    )
    grandfathered_unpaid_years = models.PositiveSmallIntegerField(
        default=GRANDFATHERED_UNPAID_YEARS,
        validators=[MinValueValidator(1)],
        help_text="Unpaid invoices in a row after which a grandfathered certification lapses.",
    )
    max_points_per_entry = models.DecimalField(max_digits=6, decimal_places=2, default=Decimal(100))
    attestation_text = models.TextField(
        default="I attest that the information I have entered is correct and complete."
    )

    objects = RuleSetQuerySet.as_manager()

    class Meta:
        ordering = ["program", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "effective_from"], name="ruleset_one_per_day"
            ),
            models.CheckConstraint(condition=Q(cycle_years__gte=1), name="ruleset_cycle_years"),
            models.CheckConstraint(
                condition=Q(grandfathered_unpaid_years__gte=1),
                name="ruleset_grandfathered_unpaid_years",
            ),
            models.CheckConstraint(
                condition=Q(max_points_per_entry__gt=0), name="ruleset_max_points_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.program.code} rules from {self.effective_from:%Y-%m-%d}"

    def credential_rule(self, credential_id: int) -> CredentialRule | None:
        return next(
            (r for r in self.credential_rules.all() if r.credential_id == credential_id), None
        )

    def category_rule(self, category_id: int) -> CategoryRule | None:
        return next((r for r in self.category_rules.all() if r.category_id == category_id), None)


class Credential(models.Model):
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="credentials")
    code = models.CharField(max_length=16)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["program", "code"], name="credential_code_unique")
        ]

    def __str__(self) -> str:
        return self.code


class Category(models.Model):
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="categories")
    code = models.SlugField(max_length=40)

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "categories"
        constraints = [
            models.UniqueConstraint(fields=["program", "code"], name="category_code_unique")
        ]

    def __str__(self) -> str:
        return self.code


def _money(**kwargs: Any) -> models.DecimalField[Decimal | None, Decimal | None]:
    return models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True, **kwargs)


def _points(**kwargs: Any) -> models.DecimalField[Decimal | None, Decimal | None]:
    return models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True, **kwargs)


class CredentialRule(ProgramText):
    """A credential's terms in one rule set. Empty values are unknown to the program."""

    TRANSLATED_FIELDS = ("name",)

    rule_set = models.ForeignKey(RuleSet, on_delete=models.CASCADE, related_name="credential_rules")
    credential = models.ForeignKey(Credential, on_delete=models.PROTECT, related_name="rules")
    name = models.CharField(max_length=200)
    points_required = _points(help_text="CE points per cycle.")
    annual_fee = _money()
    reactivation_fee_ce = _money()
    reactivation_fee_exam = _money()

    class Meta:
        ordering = ["credential__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule_set", "credential"], name="credential_rule_once_per_set"
            ),
            models.CheckConstraint(
                condition=Q(points_required__isnull=True) | Q(points_required__gte=0),
                name="credential_rule_points_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.credential.code}: {self.name}"


USUAL_MAX_POINTS = Decimal(10)
"""A category's `usual_max_points` when the program file gives none."""


class CategoryRule(ProgramText):
    """A CE category's terms in one rule set (guidance, calculator, cap, date limit)."""

    TRANSLATED_FIELDS = ("name", "guidance", "unit", "evidence")

    rule_set = models.ForeignKey(RuleSet, on_delete=models.CASCADE, related_name="category_rules")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="rules")
    name = models.CharField(max_length=200)
    position = models.PositiveSmallIntegerField(default=0)
    guidance = models.TextField(blank=True)
    unit = models.CharField(
        max_length=40, blank=True, help_text="e.g. contact hour; used with points per unit."
    )
    points_per_unit = _points()
    max_points_per_cycle = _points()
    claimable_until = models.DateField(
        null=True, blank=True, help_text="Only activity ending on or before this day counts."
    )
    evidence = models.TextField(blank=True, help_text="What proof an audit asks for.")
    usual_max_points = models.DecimalField(
        max_digits=6,
        decimal_places=2,
        default=USUAL_MAX_POINTS,
        help_text=(
            "The most points one activity of this category usually earns: recording more "
            "asks the member to confirm the number."
        ),
    )

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule_set", "category"], name="category_rule_once_per_set"
            ),
            models.CheckConstraint(
                condition=Q(points_per_unit__isnull=True) | Q(points_per_unit__gt=0),
                name="category_rule_ppu_positive",
            ),
            models.CheckConstraint(
                condition=Q(max_points_per_cycle__isnull=True) | Q(max_points_per_cycle__gte=0),
                name="category_rule_cap_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(usual_max_points__gt=0), name="category_rule_usual_max_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def has_calculator(self) -> bool:
        return bool(self.unit) and self.points_per_unit is not None

    def as_rule(self) -> rules.CountingRule:
        """The category for the rules core, named in the active language (its sentences
        quote the name)."""
        return rules.CountingRule(
            code=self.category.code,
            name=self.text("name"),
            max_points=self.max_points_per_cycle,
            claimable_until=self.claimable_until,
        )
