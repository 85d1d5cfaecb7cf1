"""Whether an entry can be recorded: every rule about an activity's fields, once (SPEC §4).

The web form and the API parse their input into `ActivityData` (or `ActivityChanges`)
and the write services call `validate_activity` under the member's lock. The limits
live in `keepcert.activities.limits`; the forms, templates and the API read them and
the messages below, so a member reads the same sentence wherever they enter an activity.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
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
from keepcert.certifications.selectors import cycles_progress
from keepcert.core.errors import DomainError
from keepcert.members.models import Member
from keepcert.program.models import Category, CategoryRule
from keepcert.program.selectors import ProgramRules
from keepcert.rules.counting import is_claimable
from keepcert.rules.text import explain, format_date, format_points, points_phrase

CENT = Decimal("0.01")
MAX_UNITS = Decimal(100_000)  # what Activity.units can hold

# Messages the forms and the API's parser share with the service: a missing field (the
# web form leaves saying so to the service), text no database keeps, a number not read.
TITLE_REQUIRED = gettext_lazy("Enter the activity's title.")
CATEGORY_REQUIRED = gettext_lazy("Choose the activity's category.")
START_DATE_REQUIRED = gettext_lazy("Enter the date the activity started.")
END_DATE_REQUIRED = gettext_lazy("Enter the date the activity ended.")
UNSAVABLE_TEXT = gettext_lazy("This text contains characters that cannot be saved.")
NOT_A_NUMBER = gettext_lazy("Enter a number, for example 1.5.")

# A number as a member types it. A point always marks the decimals; so does a comma with
# one or two digits after it ("1,5", as much of Latin America writes it): a number field
# that dropped that comma turned 1,5 points into 15. Any other comma ("1,500", "1,5,0")
# could be a thousands separator or a slip, so it is refused rather than guessed.
_NUMBER_TEXT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]+)?|\.[0-9]+)")
_DECIMAL_COMMA = re.compile(r"[+-]?[0-9]*,[0-9]{1,2}")
NUMBER_TEXT_PATTERN = r"^\s*[+-]?([0-9]+(\.[0-9]+)?|\.[0-9]+|[0-9]*,[0-9]{1,2})\s*$"
"""What `parse_number` reads, as a JSON-schema pattern for the API's document."""
_LONGEST_NUMBER_TEXT = 40


def parse_number(text: str) -> Decimal:
    """Read points or units as a member typed them ("1.5", "1,5", "1,25", ",5"); raise
    DomainError with the sentence to show when the text is not such a number."""
    value = text.strip()
    if len(value) <= _LONGEST_NUMBER_TEXT:
        if _DECIMAL_COMMA.fullmatch(value):
            return Decimal(value.replace(",", "."))
        if _NUMBER_TEXT.fullmatch(value):
            return Decimal(value)
        if "," in value:
            message = _(
                "“%(value)s” is not clear: a comma can only mark decimals, with one or two "
                "digits after it (1,5 or 1,25). Write thousands without a comma."
            ) % {"value": value}
            raise DomainError(message, code="unclear_number")
    raise DomainError(str(NOT_A_NUMBER), code="not_a_number")


class FieldErrors:
    """Collects messages per field, so a member sees every problem with an entry at once.

    `unreadable`: the fields a form could not read (a date that is no date), with its
    messages; the checks of those fields add nothing more, the member fixes what they
    typed first."""

    def __init__(self, unreadable: Mapping[str, Sequence[str]] | None = None) -> None:
        self.fields: dict[str, list[str]] = {
            field: list(messages) for field, messages in (unreadable or {}).items() if messages
        }
        self._unreadable = frozenset(self.fields)

    def add(self, field: str, message: str) -> None:
        if field not in self._unreadable:
            self.fields.setdefault(field, []).append(message)

    def raise_if_any(self) -> None:
        if self.fields:
            first = next(iter(self.fields.values()))[0]
            raise DomainError(first, field_errors=self.fields)


@dataclass(frozen=True)
class ActivityData:
    """What a member entered, already parsed into types (dates, decimals).

    None for a category or date the member left empty, or that the form could not read:
    the service says what is missing beside every other problem (`validate_activity`)."""

    category: Category | None
    title: str
    start_date: date | None
    end_date: date | None
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
            cycles=(
                list(activity.cycles.select_related("certification__credential"))
                if self.cycles is None
                else self.cycles
            ),
        )


@dataclass(frozen=True)
class ValidEntry:
    """What `validate_activity` accepted: the entry's category and dates, known now, with
    the points it counts (computed from units where the category has a calculator) and
    the cycles it counts toward."""

    category: Category
    start_date: date
    end_date: date
    points: Decimal
    cycles: list[Cycle]


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
    return explain(
        "category.claimable_until", category=rule.text("name"), until=rule.claimable_until
    )


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
        if data.category is None:
            return None  # which calculator applies is unknown until the category is chosen
        if category_rule is None or not category_rule.has_calculator:
            errors.add(
                "units", _("This category has no unit calculator: enter the points instead.")
            )
            return None
        if not data.units.is_finite() or data.units <= 0:
            # Translators: %(unit)s is the category's unit as the program names it, in
            # the member's language where the program file translates it: "contact hour".
            message = _("Enter more than 0 units (one unit: %(unit)s).") % {
                "unit": category_rule.text("unit")
            }
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
    assert data.start_date is not None and data.end_date is not None  # checked before
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
    unreadable: Mapping[str, Sequence[str]] | None = None,
) -> ValidEntry:
    """Check an entry against every rule; return it as accepted, or raise DomainError.

    Every problem is reported at once: `unreadable` holds the messages of the fields the
    web form could not read (passed as None in `data`), and the other fields are checked
    all the same, so a member never learns of a second problem on the second try.

    The categories and their calculators are today's (what the form offers); each cycle
    the entry counts toward judges it by the rules it started under (the per-entry
    maximum, the grace period), as its progress counts it; a category's date limit is
    the one in force on the activity's end date (SPEC §2)."""
    errors = FieldErrors(unreadable)
    category_rule = None
    if data.category is None:
        errors.add("category", str(CATEGORY_REQUIRED))
    else:
        category_rule = program_rules.rule_set_on(today).category_rule(data.category.pk)
        if data.category.program_id != member.program_id or category_rule is None:
            errors.add("category", _("Choose one of the program's activity categories."))
    _check_text(data, errors)
    if data.start_date is None:
        errors.add("start_date", str(START_DATE_REQUIRED))
    if data.end_date is None:
        errors.add("end_date", str(END_DATE_REQUIRED))
    dates_known = data.start_date is not None and data.end_date is not None
    recordable = recordable_cycles(member, today=today, program_rules=program_rules)
    points = _points(data, category_rule, errors)
    if points is not None:
        judging: Sequence[Cycle] = []
        if data.cycles is not None:
            judging = data.cycles
        elif data.start_date is not None and data.end_date is not None:
            judging = cycles_containing(recordable, data.start_date, data.end_date)
        maximum = entry_maximum(judging, program_rules, today=today)
        _check_points(points, maximum, "units" if data.units is not None else "points", errors)
    if data.start_date and data.end_date and data.start_date > data.end_date:
        errors.add("end_date", _("The end date cannot be before the start date."))
    if data.end_date is not None:
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
    if dates_known and "start_date" not in errors.fields and "end_date" not in errors.fields:
        recordable = recordable_cycles(member, today=today, program_rules=program_rules)
        cycles = _choose_cycles(data, recordable, errors, keep_cycles)
    if not attestation.accepted:
        errors.add("attestation", _("Tick the attestation to confirm the information is correct."))
    errors.raise_if_any()
    assert points is not None and data.category is not None  # else an error was raised
    assert data.start_date is not None and data.end_date is not None
    return ValidEntry(data.category, data.start_date, data.end_date, points, cycles)


def large_points_warning(
    *,
    points: Decimal,
    category_rule: CategoryRule,
    cycles: Sequence[Cycle],
    program_rules: ProgramRules,
    today: date,
    activity_pk: int | None = None,
) -> str | None:
    """Why `points` look too large to save unchecked, or None when they look plausible.

    They do when they are more than one activity of the category usually earns (its
    `usual_max_points`), or more than the largest requirement still open among the
    cycles the entry counts toward (a cycle already met is left out: any entry exceeds
    its nothing). `activity_pk`: the entry being changed, whose own points are not
    "already counted"."""
    if points > category_rule.usual_max_points:
        return _(
            "%(points)s is more than one %(category)s activity usually earns (%(usual)s). "
            "Check the number; if it is right, save anyway."
        ) % {
            "points": points_phrase(points),
            "category": category_rule.text("name"),
            "usual": format_points(category_rule.usual_max_points),
        }
    still_needed: list[tuple[Decimal, Cycle]] = []
    for progress in cycles_progress(cycles, program_rules=program_rules, today=today).values():
        if progress.progress is None:
            continue  # the program has not set the points this credential needs
        counted = progress.progress.counted
        own = {result.entry.id: result.counted for result in progress.progress.entries}
        counted -= own.get(str(activity_pk), Decimal(0))  # 0: new here, or a new entry
        remaining = progress.progress.required - counted
        if remaining > 0:
            still_needed.append((remaining, progress.cycle))
    if not still_needed:
        return None
    largest, cycle = max(still_needed, key=lambda needed: needed[0])
    if points <= largest:
        return None
    return _(
        "%(points)s is more than your %(cycle)s still needs (%(remaining)s). "
        "Check the number; if it is right, save anyway."
    ) % {
        "points": points_phrase(points),
        "cycle": cycle_label(cycle),
        "remaining": points_phrase(largest),
    }
