"""The program as data (SPEC §2): credentials, categories and policies, versioned by date.

Credentials and categories have a stable identity (code) that certifications and
activities point at. What a credential or category *means* (points required, fee,
cap, guidance) lives in a `RuleSet`: a dated version of the whole program. A cycle
is evaluated under the rule set in force on its start date, so a change never
rewrites the past; editing in the admin always creates a new rule set.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from keepcert import rules
from keepcert.core.clock import today as today_in


class Program(models.Model):
    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    # How emails name the program at the start of their subject ("AMT: Reset your
    # password"); the full name when empty. Emails come from the full name.
    short_name = models.CharField(max_length=40, blank=True)
    time_zone = models.CharField(max_length=64, default="America/Chicago")
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


class RuleSet(models.Model):
    """All of a program's rules in force from `effective_from` until the next rule set."""

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


class CredentialRule(models.Model):
    """A credential's terms in one rule set. Empty values are unknown to the program."""

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


class CategoryRule(models.Model):
    """A CE category's terms in one rule set (guidance, calculator, cap, date limit)."""

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
        return rules.CountingRule(
            code=self.category.code,
            name=self.name,
            max_points=self.max_points_per_cycle,
            claimable_until=self.claimable_until,
        )
