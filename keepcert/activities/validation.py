"""Whether an entry can be recorded: every rule about an activity's fields, once (SPEC §4).

The web form and the API parse their input into `ActivityData` (or `ActivityChanges`)
and the write services call `validate_activity` under the member's lock. The limits
live in `keepcert.activities.limits`; the forms, templates and the API read them and
the messages below, so a member reads the same sentence wherever they enter an activity.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from keepcert.activities.limits import MAX_NOTES_LENGTH, MAX_PROVIDER_LENGTH, MAX_TITLE_LENGTH
from keepcert.activities.models import Activity
from keepcert.activities.selectors import cycle_label, cycles_containing, recordable_cycles
from keepcert.certifications.models import Cycle
from keepcert.core.errors import DomainError
from keepcert.members.models import Member
from keepcert.program.models import Category, CategoryRule
from keepcert.program.selectors import ProgramRules
from keepcert.rules.counting import is_claimable
from keepcert.rules.text import explain, format_date, points_phrase

CENT = Decimal("0.01")
MAX_UNITS = Decimal(100_000)  # what Activity.units can hold

# Messages a form shows before the entry reaches the service, in the service's words.
TITLE_REQUIRED = gettext_lazy("Enter the activity's title.")
UNSAVABLE_TEXT = gettext_lazy("This text contains characters that cannot be saved.")


class FieldErrors:
    """Collects messages per field, so a member sees every problem with an entry at once."""

    def __init__(self) -> None:
        self.fields: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.fields.setdefault(field, []).append(message)

    def raise_if_any(self) -> None:
        if self.fields:
            first = next(iter(self.fields.values()))[0]
            raise DomainError(first, field_errors=self.fields)


@dataclass(frozen=True)
class ActivityData:
    """What a member entered, already parsed into types (dates, decimals)."""

    category: Category
    title: str
    start_date: date
    end_date: date
    points: Decimal | None = None
    units: Decimal | None = None
    provider: str = ""
    notes: str = ""
    # None: every current cycle whose dates contain the activity ("report once").
    cycles: Sequence[Cycle] | None = None


@dataclass(frozen=True)
class ActivityChanges:
    """A partial change (the API's PATCH): the fields sent; None keeps the stored value.

    `update_activity` applies it to the row it read under its lock, so a field that was
    not sent can never be written back from an older read. Points and units go
    together: sending one of them replaces both.
    """

    category: Category | None = None
    title: str | None = None
    provider: str | None = None
    start_date: date | None = None
    end_date: date | None = None
    points: Decimal | None = None
    units: Decimal | None = None
    notes: str | None = None
    # None keeps the cycles the activity counts toward.
    cycles: Sequence[Cycle] | None = None

    def applied_to(self, activity: Activity) -> ActivityData:
        amounts_sent = self.points is not None or self.units is not None
        return ActivityData(
            category=activity.category if self.category is None else self.category,
            title=activity.title if self.title is None else self.title,
            provider=activity.provider if self.provider is None else self.provider,
            start_date=activity.start_date if self.start_date is None else self.start_date,
            end_date=activity.end_date if self.end_date is None else self.end_date,
            points=self.points if amounts_sent else activity.points,
            units=self.units if amounts_sent else activity.units,
            notes=activity.notes if self.notes is None else self.notes,
            cycles=list(activity.cycles.all()) if self.cycles is None else self.cycles,
        )


@dataclass(frozen=True)
class Attestation:
    accepted: bool
    ip_address: str | None = None


def is_storable_text(text: str) -> bool:
    """Whether every database can keep this text: PostgreSQL refuses NUL, and none takes
    an unpaired surrogate (which JSON can smuggle in as "\\ud800"). The API's parser
    refuses such text with `UNSAVABLE_TEXT` too, before it reaches a query."""
    return "\x00" not in text and not any(0xD800 <= ord(c) <= 0xDFFF for c in text)


def too_long_message(field: str, limit: int) -> str:
    """The message for text longer than its limit, per field ("title", "provider", "notes")."""
    messages = {
        "title": ngettext(
            "Keep the title to %(limit)s character or fewer.",
            "Keep the title to %(limit)s characters or fewer.",
            limit,
        ),
        "provider": ngettext(
            "Keep the provider to %(limit)s character or fewer.",
            "Keep the provider to %(limit)s characters or fewer.",
            limit,
        ),
        "notes": ngettext(
            "Keep the notes to %(limit)s character or fewer.",
            "Keep the notes to %(limit)s characters or fewer.",
            limit,
        ),
    }
    # "5,000" in English, "5 000" in Spanish.
    return messages[field] % {"limit": number_format(limit, force_grouping=True)}


def not_claimable_message(rule: CategoryRule) -> str:
    """The category's date limit as a member reads it, in the form's guidance and in the
    error for an activity past it."""
    assert rule.claimable_until is not None
    return explain("category.claimable_until", category=rule.name, until=rule.claimable_until)


def _check_text(data: ActivityData, errors: FieldErrors) -> None:
    for name in ("title", "provider", "notes"):
        if not is_storable_text(getattr(data, name)):
            errors.add(name, str(UNSAVABLE_TEXT))
    title = data.title.strip()
    if not title:
        errors.add("title", str(TITLE_REQUIRED))
    elif len(title) > MAX_TITLE_LENGTH:
        errors.add("title", too_long_message("title", MAX_TITLE_LENGTH))
    if len(data.provider) > MAX_PROVIDER_LENGTH:
        errors.add("provider", too_long_message("provider", MAX_PROVIDER_LENGTH))
    if len(data.notes) > MAX_NOTES_LENGTH:
        errors.add("notes", too_long_message("notes", MAX_NOTES_LENGTH))


def _points(
    data: ActivityData, category_rule: CategoryRule | None, errors: FieldErrors
) -> Decimal | None:
    points = data.points
    if data.units is not None:
        if category_rule is None or not category_rule.has_calculator:
            errors.add(
                "units", _("This category has no unit calculator: enter the points instead.")
            )
            return None
        if not data.units.is_finite() or data.units <= 0:
            # Translators: %(units)s is the category's unit in the plural, e.g. "contact
            # hours", as the program's data names it (in English, not translated).
            message = _("Enter more than 0 %(units)s.") % {"units": f"{category_rule.unit}s"}
            errors.add("units", message)
            return None
        if data.units >= MAX_UNITS or data.units != data.units.quantize(CENT, ROUND_HALF_UP):
            errors.add("units", _("Enter the units with at most two decimals, below 100,000."))
            return None
        assert category_rule.points_per_unit is not None
        computed = (data.units * category_rule.points_per_unit).quantize(CENT, ROUND_HALF_UP)
        if points is not None and points != computed:
            errors.add("points", _("Enter either points or units, not both."))
            return None
        points = computed
    if points is None:
        errors.add("points", _("Enter the points you earned."))
        return None
    return points


def _check_points(points: Decimal, maximum: Decimal, field: str, errors: FieldErrors) -> None:
    # The maximum is checked before the places: quantizing a huge value would overflow.
    if not points.is_finite() or points <= 0:
        errors.add(field, _("Enter more than 0 points."))
    elif points > maximum:
        errors.add(
            field,
            # Translators: %(points)s is a number of points with its noun, e.g. "100 points".
            _("One entry can have at most %(points)s. Record a larger activity as several entries.")
            % {"points": points_phrase(maximum)},
        )
    elif points != points.quantize(CENT, ROUND_HALF_UP):
        errors.add(field, _("Use at most two decimal places, for example 1.25."))


def entry_maximum(cycles: Sequence[Cycle], program_rules: ProgramRules, *, today: date) -> Decimal:
    """The most points one entry may have: each cycle it counts toward is judged by its
    own rules (`rule_set_for_cycle`), so the strictest of them applies; with no cycle to
    judge by yet, today's rules."""
    return min(
        (program_rules.rule_set_for_cycle(cycle).max_points_per_entry for cycle in cycles),
        default=program_rules.rule_set_on(today).max_points_per_entry,
    )


def _check_cycle_dates(cycle: Cycle, start: date, end: date, errors: FieldErrors) -> None:
    code = cycle.certification.credential.code
    if start < cycle.start:
        errors.add(
            "start_date",
            _(
                "The start date is before your %(code)s cycle began on %(day)s. "
                "Only activity completed inside the cycle counts."
            )
            % {"code": code, "day": format_date(cycle.start)},
        )
    if end > cycle.end:
        errors.add(
            "end_date",
            _("The end date is after your %(code)s cycle ended on %(day)s.")
            % {"code": code, "day": format_date(cycle.end)},
        )


def _choose_cycles(
    data: ActivityData, recordable: list[Cycle], errors: FieldErrors, keep: Sequence[Cycle] = ()
) -> list[Cycle]:
    open_ids = {c.pk for c in recordable} | {c.pk for c in keep}
    if not open_ids:
        errors.add("cycles", _("None of your certifications has a CE cycle open for recording."))
        return []
    if data.cycles is None:
        chosen = cycles_containing(recordable, data.start_date, data.end_date)
        if not chosen:
            # Explain against the cycle the member most likely meant: the first one.
            _check_cycle_dates(recordable[0], data.start_date, data.end_date, errors)
            if not errors.fields:
                errors.add("start_date", _("These dates are not inside any of your open cycles."))
        return chosen
    chosen = list(data.cycles)
    if not chosen:
        if recordable and not cycles_containing(recordable, data.start_date, data.end_date):
            # Nothing ticked because nothing fits: the dates are the problem, say so.
            _check_cycle_dates(recordable[0], data.start_date, data.end_date, errors)
        if not errors.fields:
            errors.add("cycles", _("Choose at least one certification to apply this activity to."))
    closed = [c for c in chosen if c.pk not in open_ids]
    for cycle in closed:
        errors.add(
            "cycles", _("Your %(cycle)s is not open for recording.") % {"cycle": cycle_label(cycle)}
        )
    fitting = cycles_containing(chosen, data.start_date, data.end_date)
    outside = [c for c in chosen if c not in fitting and c not in closed]
    if fitting and outside:
        # The dates suit one certification but not another: the choice is what to fix.
        for cycle in outside:
            errors.add(
                "cycles",
                _("These dates are outside your %(cycle)s. Untick %(code)s, or change the dates.")
                % {"cycle": cycle_label(cycle), "code": cycle.certification.credential.code},
            )
    else:
        for cycle in outside:
            _check_cycle_dates(cycle, data.start_date, data.end_date, errors)
    return chosen


def validate_activity(
    *,
    member: Member,
    data: ActivityData,
    attestation: Attestation,
    today: date,
    program_rules: ProgramRules,
    keep_cycles: Sequence[Cycle] = (),
) -> tuple[Decimal, list[Cycle]]:
    """Check an entry against every rule; return its points and cycles, or raise DomainError.

    The categories and their calculators are today's (what the form offers); each cycle
    the entry counts toward judges it by the rules it started under (the per-entry
    maximum, the grace period), as its progress counts it; a category's date limit is
    the one in force on the activity's end date (SPEC §2)."""
    errors = FieldErrors()
    category_rule = program_rules.rule_set_on(today).category_rule(data.category.pk)
    if data.category.program_id != member.program_id or category_rule is None:
        errors.add("category", _("Choose one of the program's activity categories."))
    _check_text(data, errors)
    recordable = recordable_cycles(member, today=today, program_rules=program_rules)
    points = _points(data, category_rule, errors)
    if points is not None:
        judging = (
            cycles_containing(recordable, data.start_date, data.end_date)
            if data.cycles is None
            else data.cycles
        )
        maximum = entry_maximum(judging, program_rules, today=today)
        _check_points(points, maximum, "units" if data.units is not None else "points", errors)
    if data.start_date > data.end_date:
        errors.add("end_date", _("The end date cannot be before the start date."))
    if data.end_date > today:
        errors.add(
            "end_date",
            _(
                "The end date cannot be in the future: record an activity once you have "
                "completed it."
            ),
        )
    if category_rule and not is_claimable(data.end_date, until=category_rule.claimable_until):
        errors.add("end_date", not_claimable_message(category_rule))
    cycles: list[Cycle] = []
    if "start_date" not in errors.fields and "end_date" not in errors.fields:
        recordable = recordable_cycles(member, today=today, program_rules=program_rules)
        cycles = _choose_cycles(data, recordable, errors, keep_cycles)
    if not attestation.accepted:
        errors.add("attestation", _("Tick the attestation to confirm the information is correct."))
    errors.raise_if_any()
    assert points is not None
    return points, cycles
