"""Recording, changing and deleting CE activities (SPEC §4).

The web form and the API parse their input into `ActivityData` and call these
functions; every rule about what may be recorded lives here, once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from keepcert import rules
from keepcert.activities.models import Activity, ActivityClaim
from keepcert.certifications.models import Cycle
from keepcert.core.errors import DomainError, NeedsConfirmation, NotAllowed
from keepcert.core.models import log_event
from keepcert.members.models import Member, User
from keepcert.program.models import Category, CategoryRule, RuleSet
from keepcert.program.selectors import ProgramRules
from keepcert.rules.text import format_date, format_points

CENT = Decimal("0.01")
MAX_UNITS = Decimal(100_000)  # what Activity.units can hold


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
class Attestation:
    accepted: bool
    ip_address: str | None = None


def recordable_cycles(member: Member, *, today: date, program_rules: ProgramRules) -> list[Cycle]:
    """The member's cycles that accept new entries today: open, or ended within the grace period."""
    cycles = (
        Cycle.objects.for_member(member.pk)
        .open()
        .select_related("certification__credential")
        .order_by("certification__credential__code")
    )
    return [
        cycle
        for cycle in cycles
        if rules.is_recording_open(
            cycle.window, today, program_rules.on(cycle.start).recording_grace_days
        )
    ]


def cycles_containing(cycles: Sequence[Cycle], start: date, end: date) -> list[Cycle]:
    """The cycles an activity on these dates counts toward by default ("report once")."""
    return [c for c in cycles if c.window.contains_span(start, end)]


def cycle_label(cycle: Cycle) -> str:
    return (
        f"{cycle.certification.credential.code} cycle "
        f"({format_date(cycle.start)} – {format_date(cycle.end)})"
    )


class _Errors:
    def __init__(self) -> None:
        self.fields: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.fields.setdefault(field, []).append(message)

    def raise_if_any(self) -> None:
        if self.fields:
            first = next(iter(self.fields.values()))[0]
            raise DomainError(first, field_errors=self.fields)


def _points(
    data: ActivityData, category_rule: CategoryRule | None, errors: _Errors
) -> Decimal | None:
    points = data.points
    if data.units is not None:
        if category_rule is None or not category_rule.has_calculator:
            errors.add("units", "This category has no unit calculator: enter the points instead.")
            return None
        if not data.units.is_finite() or data.units <= 0:
            errors.add("units", f"Enter more than 0 {category_rule.unit}s.")
            return None
        if data.units >= MAX_UNITS or data.units != data.units.quantize(CENT, ROUND_HALF_UP):
            errors.add("units", "Enter the units with at most two decimals, below 100,000.")
            return None
        assert category_rule.points_per_unit is not None
        computed = (data.units * category_rule.points_per_unit).quantize(CENT, ROUND_HALF_UP)
        if points is not None and points != computed:
            errors.add("points", "Enter either points or units, not both.")
            return None
        points = computed
    if points is None:
        errors.add("points", "Enter the points you earned.")
        return None
    return points


def _check_points(points: Decimal, rule_set: RuleSet, field: str, errors: _Errors) -> None:
    # The maximum is checked before the places: quantizing a huge value would overflow.
    if not points.is_finite() or points <= 0:
        errors.add(field, "Enter more than 0 points.")
    elif points > rule_set.max_points_per_entry:
        errors.add(
            field,
            f"One entry can have at most {format_points(rule_set.max_points_per_entry)} points. "
            "Record a larger activity as several entries.",
        )
    elif points != points.quantize(CENT, ROUND_HALF_UP):
        errors.add(field, "Use at most two decimal places, for example 1.25.")


def _check_cycle_dates(cycle: Cycle, start: date, end: date, errors: _Errors) -> None:
    code = cycle.certification.credential.code
    if start < cycle.start:
        errors.add(
            "start_date",
            f"The start date is before your {code} cycle began on {format_date(cycle.start)}. "
            "Only activity completed inside the cycle counts.",
        )
    if end > cycle.end:
        errors.add(
            "end_date",
            f"The end date is after your {code} cycle ended on {format_date(cycle.end)}.",
        )


def _choose_cycles(
    data: ActivityData, recordable: list[Cycle], errors: _Errors, keep: Sequence[Cycle] = ()
) -> list[Cycle]:
    open_ids = {c.pk for c in recordable} | {c.pk for c in keep}
    if not open_ids:
        errors.add("cycles", "None of your certifications has a CE cycle open for recording.")
        return []
    if data.cycles is None:
        chosen = cycles_containing(recordable, data.start_date, data.end_date)
        if not chosen:
            # Explain against the cycle the member most likely meant: the first one.
            _check_cycle_dates(recordable[0], data.start_date, data.end_date, errors)
            if not errors.fields:
                errors.add("start_date", "These dates are not inside any of your open cycles.")
        return chosen
    chosen = list(data.cycles)
    if not chosen:
        if recordable and not cycles_containing(recordable, data.start_date, data.end_date):
            # Nothing ticked because nothing fits: the dates are the problem, say so.
            _check_cycle_dates(recordable[0], data.start_date, data.end_date, errors)
        if not errors.fields:
            errors.add("cycles", "Choose at least one certification to apply this activity to.")
    closed = [c for c in chosen if c.pk not in open_ids]
    for cycle in closed:
        errors.add("cycles", f"Your {cycle_label(cycle)} is not open for recording.")
    fitting = cycles_containing(chosen, data.start_date, data.end_date)
    outside = [c for c in chosen if c not in fitting and c not in closed]
    if fitting and outside:
        # The dates suit one certification but not another: the choice is what to fix.
        for cycle in outside:
            errors.add(
                "cycles",
                f"These dates are outside your {cycle_label(cycle)}. Untick "
                f"{cycle.certification.credential.code}, or change the dates.",
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
    """Check an entry against every rule; return its points and cycles, or raise DomainError."""
    errors = _Errors()
    rule_set = program_rules.on(today)
    category_rule = rule_set.category_rule(data.category.pk)
    if data.category.program_id != member.program_id or category_rule is None:
        errors.add("category", "Choose one of the program's activity categories.")
    for name in ("title", "provider", "notes"):
        text = getattr(data, name)
        if "\x00" in text or any(0xD800 <= ord(c) <= 0xDFFF for c in text):
            errors.add(name, "This text contains characters that cannot be saved.")
    title = data.title.strip()
    if not title:
        errors.add("title", "Enter the activity's title.")
    elif len(title) > 200:
        errors.add("title", "Keep the title to 200 characters or fewer.")
    if len(data.provider) > 200:
        errors.add("provider", "Keep the provider to 200 characters or fewer.")
    if len(data.notes) > 5000:
        errors.add("notes", "Keep the notes to 5,000 characters or fewer.")
    points = _points(data, category_rule, errors)
    if points is not None:
        _check_points(points, rule_set, "units" if data.units is not None else "points", errors)
    if data.start_date > data.end_date:
        errors.add("end_date", "The end date cannot be before the start date.")
    if data.end_date > today:
        errors.add(
            "end_date",
            "The end date cannot be in the future: record an activity once you have completed it.",
        )
    if (
        category_rule
        and category_rule.claimable_until
        and data.end_date > category_rule.claimable_until
    ):
        errors.add(
            "end_date",
            f"{category_rule.name} can only be claimed for activity up to "
            f"{format_date(category_rule.claimable_until)}.",
        )
    cycles: list[Cycle] = []
    if "start_date" not in errors.fields and "end_date" not in errors.fields:
        recordable = recordable_cycles(member, today=today, program_rules=program_rules)
        cycles = _choose_cycles(data, recordable, errors, keep_cycles)
    if not attestation.accepted:
        errors.add("attestation", "Tick the attestation to confirm the information is correct.")
    errors.raise_if_any()
    assert points is not None
    return points, cycles


def find_duplicates(
    *, member: Member, data: ActivityData, exclude_pk: int | None = None
) -> list[Activity]:
    """Entries with the same category, title (ignoring case) and dates: likely entered twice.

    Titles are compared in Python with casefold(): SQLite's LIKE folds ASCII only, and
    "Ética médica" must match "ÉTICA MÉDICA" on every database.
    """
    candidates = Activity.objects.for_member(member.pk).filter(
        category=data.category, start_date=data.start_date, end_date=data.end_date
    )
    if exclude_pk is not None:
        candidates = candidates.exclude(pk=exclude_pk)
    title = data.title.strip().casefold()
    return [a for a in candidates if a.title.casefold() == title]


def _check_duplicate(member: Member, data: ActivityData, exclude_pk: int | None) -> None:
    if find_duplicates(member=member, data=data, exclude_pk=exclude_pk):
        raise NeedsConfirmation(
            f"You already recorded “{data.title.strip()}” in this category with the same dates. "
            "Save it again only if it is a separate activity.",
            code="duplicate",
        )


def _two_places(value: Decimal) -> str:
    # The same text whether the value was just entered ("3") or read back ("3.00").
    return str(Decimal(value).quantize(CENT))


def snapshot(activity: Activity) -> dict[str, Any]:
    """The fields a member sees, as plain JSON, for the record's history."""
    return {
        "category": activity.category.code,
        "title": activity.title,
        "provider": activity.provider,
        "start_date": activity.start_date.isoformat(),
        "end_date": activity.end_date.isoformat(),
        "points": _two_places(activity.points),
        "units": None if activity.units is None else _two_places(activity.units),
        "notes": activity.notes,
        "cycles": sorted(
            cycle_label(c) for c in activity.cycles.select_related("certification__credential")
        ),
    }


def _save_claims(activity: Activity, cycles: list[Cycle]) -> None:
    wanted = {c.pk for c in cycles}
    activity.claims.exclude(cycle_id__in=wanted).delete()
    existing = set(activity.claims.values_list("cycle_id", flat=True))
    ActivityClaim.objects.bulk_create(
        [ActivityClaim(activity=activity, cycle_id=pk) for pk in sorted(wanted - existing)]
    )


@transaction.atomic
def record_activity(
    *,
    member: Member,
    data: ActivityData,
    attestation: Attestation,
    actor: User | None,
    confirm_duplicate: bool = False,
) -> Activity:
    """Record a CE activity against the chosen (or every containing) open cycle.

    Raises DomainError with field errors when the entry breaks a rule, and
    NeedsConfirmation when it looks like one already recorded.
    """
    program_rules = ProgramRules(member.program)
    today = member.program.today()
    points, cycles = validate_activity(
        member=member, data=data, attestation=attestation, today=today, program_rules=program_rules
    )
    if not confirm_duplicate:
        _check_duplicate(member, data, None)
    activity = Activity.objects.create(
        member=member,
        category=data.category,
        title=data.title.strip(),
        provider=data.provider.strip(),
        start_date=data.start_date,
        end_date=data.end_date,
        points=points,
        units=data.units,
        notes=data.notes.strip(),
        attestation_text=program_rules.on(today).attestation_text,
        attested_at=timezone.now(),
        attested_from=attestation.ip_address,
    )
    _save_claims(activity, cycles)
    log_event(
        action="activities.activity.recorded",
        subject=activity,
        actor=actor,
        member=member,
        data={"after": snapshot(activity)},
        ip_address=attestation.ip_address,
    )
    return activity


def change_blocker(activity: Activity, *, today: date, program_rules: ProgramRules) -> str | None:
    """Why this entry can no longer be edited or deleted, or None if it can.

    An entry stays changeable while every cycle it counts toward is open and still
    accepting entries (its end plus the grace period).
    """
    for claim in activity.claims.select_related("cycle__certification__credential"):
        cycle = claim.cycle
        grace = program_rules.on(cycle.start).recording_grace_days
        if cycle.status != Cycle.Status.OPEN or not rules.is_recording_open(
            cycle.window, today, grace
        ):
            return f"It counts toward your {cycle_label(cycle)}, which is closed for changes."
    return None


def _ensure_changeable(activity: Activity, today: date, program_rules: ProgramRules) -> None:
    blocker = change_blocker(activity, today=today, program_rules=program_rules)
    if blocker:
        raise NotAllowed(f"This activity can no longer be changed. {blocker}", code="locked")


@transaction.atomic
def update_activity(
    *,
    activity: Activity,
    data: ActivityData,
    attestation: Attestation,
    actor: User | None,
    confirm_duplicate: bool = False,
) -> Activity:
    """Change an entry while its cycles are open; the before and after go to its history."""
    member = activity.member
    program_rules = ProgramRules(member.program)
    today = member.program.today()
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    _ensure_changeable(activity, today, program_rules)
    points, cycles = validate_activity(
        member=member,
        data=data,
        attestation=attestation,
        today=today,
        program_rules=program_rules,
        keep_cycles=list(activity.cycles.all()),
    )
    if not confirm_duplicate:
        _check_duplicate(member, data, activity.pk)
    before = snapshot(activity)
    activity.category = data.category
    activity.title = data.title.strip()
    activity.provider = data.provider.strip()
    activity.start_date = data.start_date
    activity.end_date = data.end_date
    activity.points = points
    activity.units = data.units
    activity.notes = data.notes.strip()
    activity.attestation_text = program_rules.on(today).attestation_text
    activity.attested_at = timezone.now()
    activity.attested_from = attestation.ip_address
    activity.save()
    _save_claims(activity, cycles)
    after = snapshot(activity)
    if after != before:
        log_event(
            action="activities.activity.changed",
            subject=activity,
            actor=actor,
            member=member,
            data={"before": before, "after": after},
            ip_address=attestation.ip_address,
        )
    return activity


@transaction.atomic
def delete_activity(
    *, activity: Activity, actor: User | None, ip_address: str | None = None
) -> None:
    """Delete an entry while its cycles are open; the history keeps what it was."""
    member = activity.member
    program_rules = ProgramRules(member.program)
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    _ensure_changeable(activity, member.program.today(), program_rules)
    before = snapshot(activity)
    log_event(
        action="activities.activity.deleted",
        subject=activity,
        actor=actor,
        member=member,
        data={"before": before},
        ip_address=ip_address,
    )
    activity.delete()
