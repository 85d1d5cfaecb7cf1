"""Recording, changing and deleting CE activities, and the evidence files kept with them
(SPEC §4).

The web form and the API parse their input into `ActivityData` and call these
functions; every rule about what may be recorded lives here, once.
"""

from __future__ import annotations

import logging
import math
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Sum
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.translation import gettext as _

from keepcert import rules
from keepcert.activities import limits
from keepcert.activities.filetypes import (
    ALLOWED_NAMES,
    FileType,
    contents_match,
    type_for_name,
)
from keepcert.activities.models import Activity, ActivityClaim, Evidence
from keepcert.certifications.models import Cycle
from keepcert.core.errors import DomainError, NeedsConfirmation, NotAllowed
from keepcert.core.models import log_event
from keepcert.members.models import Member, User
from keepcert.program.models import Category, CategoryRule, RuleSet
from keepcert.program.selectors import ProgramRules
from keepcert.rules.text import format_date, format_points

CENT = Decimal("0.01")
MAX_UNITS = Decimal(100_000)  # what Activity.units can hold
# The evidence limits live in keepcert/activities/limits.py (the request-body cap and the
# settings derive theirs from them); re-exported here, where the rules use them.
MAX_EVIDENCE_FILES = limits.MAX_EVIDENCE_FILES  # per activity, in total
MAX_EVIDENCE_BYTES = limits.MAX_EVIDENCE_BYTES  # per file
_MEGABYTE = limits.MEGABYTE

logger = logging.getLogger(__name__)


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


def _lock_member(member: Member) -> None:
    """Serialise a member's recording: the duplicate check and the write that follows
    it are one step, so two identical entries sent at once (a double click, a retried
    API call) cannot both pass the check. Every service that writes a member's
    activities takes this lock first, then the activity's, always in that order.

    On PostgreSQL this is a row lock held to the end of the transaction; SQLite has no
    row locks, but its IMMEDIATE transactions (see `keepcert.env`) already let one
    writer in at a time.
    """
    Member.objects.select_for_update().only("pk").get(pk=member.pk)


@transaction.atomic
def record_activity(
    *,
    member: Member,
    data: ActivityData,
    attestation: Attestation,
    actor: User | None,
    confirm_duplicate: bool = False,
    files: Sequence[UploadedFile[bytes]] = (),
) -> Activity:
    """Record a CE activity against the chosen (or every containing) open cycle, with
    its evidence `files` if any.

    Raises DomainError with field errors when the entry or one of the files breaks a
    rule (nothing is saved, no file is stored), and NeedsConfirmation when it looks like
    one already recorded.
    """
    program_rules = ProgramRules(member.program)
    today = member.program.today()
    checked, file_errors = _check_evidence(files, already=0)
    _lock_member(member)
    with _adding_file_errors(file_errors):
        points, cycles = validate_activity(
            member=member,
            data=data,
            attestation=attestation,
            today=today,
            program_rules=program_rules,
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
    if checked:
        _attach(activity, checked, actor, attestation.ip_address)
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
    data: ActivityData | ActivityChanges,
    attestation: Attestation,
    actor: User | None,
    confirm_duplicate: bool = False,
    files: Sequence[UploadedFile[bytes]] = (),
) -> Activity:
    """Change an entry while its cycles are open, adding any evidence `files`; the before
    and after go to its history.

    `data` is the whole entry (the web form) or `ActivityChanges` (only the fields sent),
    applied to the row as read under the lock.
    """
    member = activity.member
    program_rules = ProgramRules(member.program)
    today = member.program.today()
    _lock_member(member)
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    _ensure_changeable(activity, today, program_rules)
    if isinstance(data, ActivityChanges):
        data = data.applied_to(activity)
    already = activity.evidence.count() if files else 0
    checked, file_errors = _check_evidence(files, already=already)
    with _adding_file_errors(file_errors):
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
    if checked:
        _attach(activity, checked, actor, attestation.ip_address)
    return activity


@transaction.atomic
def delete_activity(
    *, activity: Activity, actor: User | None, ip_address: str | None = None
) -> None:
    """Delete an entry while its cycles are open; the history keeps what it was.

    Its evidence files leave the storage once the deletion is committed.
    """
    member = activity.member
    program_rules = ProgramRules(member.program)
    _lock_member(member)
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    _ensure_changeable(activity, member.program.today(), program_rules)
    evidence = list(activity.evidence.all())
    data: dict[str, Any] = {"before": snapshot(activity)}
    if evidence:
        data["evidence_removed"] = [_evidence_entry(e) for e in evidence]
    log_event(
        action="activities.activity.deleted",
        subject=activity,
        actor=actor,
        member=member,
        data=data,
        ip_address=ip_address,
    )
    activity.delete()
    _delete_files_on_commit([e.file for e in evidence])


# --- evidence ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _CheckedFile:
    upload: UploadedFile[bytes]
    name: str
    size: int
    file_type: FileType


def _display_name(upload: UploadedFile[bytes]) -> str:
    """The member's file name, fit to show and to send back in a download header."""
    name = "".join(
        c
        for c in str(upload.name or "")
        if unicodedata.category(c) not in {"Cc", "Cf", "Cs", "Zl", "Zp"}
    ).strip()
    return name[-255:] or "file"


def _megabytes(size: int) -> str:
    # Rounded up: a file just over the limit must not read as exactly 10 MB.
    return f"{math.ceil(size * 10 / _MEGABYTE) / 10:g} MB"


def _check_evidence(
    files: Sequence[UploadedFile[bytes]], *, already: int
) -> tuple[list[_CheckedFile], list[str]]:
    """Each file's type, size and contents, and the activity's total; the files that
    pass, and one message per problem naming the file. Nothing is stored here."""
    errors: list[str] = []
    checked: list[_CheckedFile] = []
    if already + len(files) > MAX_EVIDENCE_FILES:
        if already >= MAX_EVIDENCE_FILES:
            errors.append(
                f"This activity already has {MAX_EVIDENCE_FILES} files, the most it can keep: "
                "remove one before attaching another."
            )
        elif already:
            errors.append(
                f"An activity can keep at most {MAX_EVIDENCE_FILES} files. It has {already}, "
                f"so choose at most {MAX_EVIDENCE_FILES - already} more (you chose {len(files)})."
            )
        else:
            errors.append(
                f"An activity can keep at most {MAX_EVIDENCE_FILES} files: you chose {len(files)}."
            )
    for upload in files:
        name = _display_name(upload)
        size = int(upload.size or 0)
        file_type = type_for_name(name)
        if file_type is None:
            errors.append(f"{name}: only {ALLOWED_NAMES} files can be attached.")
        elif size == 0:
            errors.append(f"{name}: the file is empty.")
        elif size > MAX_EVIDENCE_BYTES:
            errors.append(
                f"{name}: the file is {_megabytes(size)}; each file can be at most "
                f"{MAX_EVIDENCE_BYTES // _MEGABYTE} MB."
            )
        elif not contents_match(file_type, upload):
            errors.append(
                f"{name}: the contents of this file are not {file_type.label}, although its "
                "name says so."
            )
        else:
            checked.append(_CheckedFile(upload, name, size, file_type))
    return checked, errors


def _raise_file_errors(errors: list[str]) -> None:
    if errors:
        raise DomainError(errors[0], field_errors={"evidence": errors})


@contextmanager
def _adding_file_errors(file_errors: list[str]) -> Iterator[None]:
    """Report the files' problems with the entry's, so the member sees all of them at once."""
    try:
        yield
    except NeedsConfirmation:
        raise
    except DomainError as error:
        if not file_errors:
            raise
        raise DomainError(
            error.message,
            field_errors={**error.field_errors, "evidence": file_errors},
            code=error.code,
        ) from None
    _raise_file_errors(file_errors)


def _delete_files_on_commit(files: list[FieldFile]) -> None:
    names = [(file.storage, file.name) for file in files if file.name]
    if not names:
        return

    def delete() -> None:
        for storage, name in names:
            storage.delete(name)

    # robust: the rows are gone either way; a storage hiccup must not fail the request.
    transaction.on_commit(delete, robust=True)


def _evidence_entry(evidence: Evidence) -> dict[str, Any]:
    return {
        "id": evidence.pk,
        "name": evidence.original_name,
        "size": evidence.size,
        "content_type": evidence.content_type,
    }


class EvidenceNotStored(DomainError):
    """The storage failed (a full disk, an unreachable bucket): nothing was kept, and the
    member can send the same files again later."""

    status = 503


def _quota_bytes() -> int:
    quota_mb: int = settings.KEEPCERT_EVIDENCE_QUOTA_MB
    return quota_mb * _MEGABYTE


def _megabytes_down(size: int) -> str:
    # Rounded down: the space left must never read as more than there is.
    return f"{math.floor(max(size, 0) * 10 / _MEGABYTE) / 10:g} MB"


def _check_quota(member: Member, checked: list[_CheckedFile]) -> None:
    """Refuse files that would take the member's vault past KEEPCERT_EVIDENCE_QUOTA_MB.

    Counts what is stored now, so the caller must hold the member's lock
    (`_lock_member`): two uploads sent at once then count one after the other.
    """
    quota = _quota_bytes()
    used = Evidence.objects.for_member(member.pk).aggregate(total=Sum("size"))["total"] or 0
    errors: list[str] = []
    for item in checked:
        if used + item.size > quota:
            errors.append(
                _(
                    "%(name)s: there is not enough room in your evidence space. It holds "
                    "%(quota)s, %(left)s of it is left, and this file is %(size)s. Remove "
                    "files you no longer need, or attach a smaller copy."
                )
                % {
                    "name": item.name,
                    "quota": _megabytes_down(quota),
                    "left": _megabytes_down(quota - used),
                    "size": _megabytes(item.size),
                }
            )
        else:
            used += item.size
    if errors:
        raise DomainError(errors[0], field_errors={"evidence": errors}, code="quota")


def _store(evidence: Evidence, item: _CheckedFile) -> str:
    """Write one file to the storage and return its stored name.

    The name is chosen before writing, so a storage that fails halfway through (ENOSPC)
    leaves a partial file whose name the caller knows and deletes.
    """
    field = evidence.file.field
    storage = evidence.file.storage
    # The stored name comes from `evidence_path`: only the extension is the member's.
    name = storage.get_available_name(
        field.generate_filename(evidence, item.name), max_length=field.max_length
    )
    try:
        stored = storage.save(name, item.upload, max_length=field.max_length)
    except BaseException:
        storage.delete(name)
        raise
    evidence.file.name = stored
    return stored


def _attach(
    activity: Activity,
    checked: list[_CheckedFile],
    actor: User | None,
    ip_address: str | None,
) -> list[Evidence]:
    """Check the member's quota, then store the checked files and their rows.

    The last step of each service that calls it (after every rule has passed, under the
    member's lock), so a failure here is the only one that can follow a stored file: the
    files stored so far, and a partly written one, are deleted again, and the rolled-back
    rows leave nothing pointing nowhere. A storage error reaches the member as
    EvidenceNotStored, never as a server error.
    """
    _check_quota(activity.member, checked)
    attached: list[Evidence] = []
    try:
        for item in checked:
            evidence = Evidence(
                activity=activity,
                original_name=item.name,
                content_type=item.file_type.content_type,
                size=item.size,
            )
            _store(evidence, item)
            attached.append(evidence)
            evidence.save()
        log_event(
            action="activities.evidence.attached",
            subject=activity,
            actor=actor,
            member=activity.member,
            data={"files": [_evidence_entry(e) for e in attached]},
            ip_address=ip_address,
        )
    except BaseException as error:
        for evidence in attached:
            if evidence.file.name:
                evidence.file.storage.delete(evidence.file.name)
        if isinstance(error, OSError):
            logger.exception("Storing evidence for activity %s failed", activity.pk)
            message = _(
                "We could not store your files just now. Nothing was saved; please try again."
            )
            raise EvidenceNotStored(
                message, field_errors={"evidence": [message]}, code="not_stored"
            ) from error
        raise
    return attached


@transaction.atomic
def attach_evidence(
    *,
    activity: Activity,
    files: Sequence[UploadedFile[bytes]],
    actor: User | None,
    ip_address: str | None = None,
) -> list[Evidence]:
    """Keep `files` with an activity while it can still be changed.

    At most 5 files per activity and 10 MB per file, of the types in
    `keepcert.activities.filetypes` (by name and by contents), within the member's
    evidence quota. Raises DomainError with one message per file at fault under the
    field "evidence", storing none of them.
    """
    member = activity.member
    program_rules = ProgramRules(member.program)
    _lock_member(member)
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    _ensure_changeable(activity, member.program.today(), program_rules)
    if not files:
        _raise_file_errors(["Choose at least one file to attach."])
    checked, errors = _check_evidence(files, already=activity.evidence.count())
    _raise_file_errors(errors)
    return _attach(activity, checked, actor, ip_address)


@transaction.atomic
def remove_evidence(
    *, evidence: Evidence, actor: User | None, ip_address: str | None = None
) -> None:
    """Remove one file from an activity while it can still be changed; the stored file is
    deleted once the removal is committed, and the history names what was removed."""
    member = evidence.activity.member
    _lock_member(member)
    activity = Activity.objects.select_for_update().get(pk=evidence.activity_id)
    _ensure_changeable(activity, member.program.today(), ProgramRules(member.program))
    current = Evidence.objects.filter(pk=evidence.pk, activity=activity).first()
    if current is None:
        return  # removed meanwhile, e.g. by a second click
    evidence = current
    log_event(
        action="activities.evidence.removed",
        subject=activity,
        actor=actor,
        member=member,
        data={"files": [_evidence_entry(evidence)]},
        ip_address=ip_address,
    )
    evidence.delete()
    _delete_files_on_commit([evidence.file])
