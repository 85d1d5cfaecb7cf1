"""Recording, changing and deleting CE activities (SPEC §4): the write services.

The web form and the API parse their input into `ActivityData` (or `ActivityChanges`)
and call these functions. Each is one transaction that locks the member's records
(`keepcert.activities.locking`), checks the entry (`keepcert.activities.validation`) and
its files (`keepcert.activities.evidence`), writes, and logs the change. The reads they
share with the pages are in `keepcert.activities.selectors`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from keepcert.activities.evidence import (
    CheckedFile,
    adding_file_errors,
    attach_checked,
    attach_evidence,
    check_evidence,
    delete_files_on_commit,
    evidence_entry,
    remove_evidence,
)
from keepcert.activities.locking import lock_changeable, lock_member
from keepcert.activities.models import Activity, CycleActivity
from keepcert.activities.selectors import cycle_label, find_duplicates
from keepcert.activities.validation import (
    CENT,
    ActivityChanges,
    ActivityData,
    Attestation,
    ValidEntry,
    large_points_warning,
    validate_activity,
)
from keepcert.certifications.models import Cycle
from keepcert.certifications.services import note_requirements
from keepcert.core.errors import NeedsConfirmation
from keepcert.core.models import log_event
from keepcert.members.models import Member, User
from keepcert.program.selectors import ProgramRules, rules_of

__all__ = [
    "ActivityChanges",
    "ActivityData",
    "Attestation",
    "attach_evidence",
    "delete_activity",
    "record_activity",
    "remove_evidence",
    "snapshot",
    "update_activity",
]


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


def _check_duplicate(member: Member, data: ActivityData, exclude_pk: int | None) -> None:
    if find_duplicates(member=member, data=data, exclude_pk=exclude_pk):
        raise NeedsConfirmation(
            _(
                "You already recorded “%(title)s” in this category with the same dates. "
                "Save it again only if it is a separate activity."
            )
            % {"title": data.title.strip()},
            code="duplicate",
        )


def _check_large_points(
    activity: Activity, entry: ValidEntry, *, today: date, program_rules: ProgramRules
) -> None:
    if activity.pk is not None and entry.points == activity.points:
        return  # asked when it was entered; a change to other fields does not ask again
    category_rule = program_rules.rule_set_on(today).category_rule(entry.category.pk)
    assert category_rule is not None  # validated
    warning = large_points_warning(
        points=entry.points,
        category_rule=category_rule,
        cycles=entry.cycles,
        program_rules=program_rules,
        today=today,
        activity_pk=activity.pk,
    )
    if warning:
        raise NeedsConfirmation(warning, code="large_points")


def _save_cycle_links(activity: Activity, cycles: list[Cycle]) -> None:
    wanted = {c.pk for c in cycles}
    activity.cycle_links.exclude(cycle_id__in=wanted).delete()
    existing = set(activity.cycle_links.values_list("cycle_id", flat=True))
    CycleActivity.objects.bulk_create(
        [CycleActivity(activity=activity, cycle_id=pk) for pk in sorted(wanted - existing)]
    )


def _apply(
    activity: Activity,
    *,
    member: Member,
    data: ActivityData,
    attestation: Attestation,
    actor: User | None,
    confirm_duplicate: bool,
    confirm_large_points: bool,
    files: tuple[list[CheckedFile], list[str]],
    today: date,
    program_rules: ProgramRules,
    keep_cycles: Sequence[Cycle] = (),
    unreadable: Mapping[str, Sequence[str]] | None = None,
) -> Activity:
    """The step recording and changing share, under the member's lock: check the entry
    (with the files' problems, so all show at once), then whether its points look too
    large and whether it is a duplicate, write the row and its cycles, log before and
    after, then store the checked files."""
    checked, file_errors = files
    with adding_file_errors(file_errors):
        entry = validate_activity(
            member=member,
            data=data,
            attestation=attestation,
            today=today,
            program_rules=program_rules,
            keep_cycles=keep_cycles,
            unreadable=unreadable,
        )
    if not confirm_large_points:
        _check_large_points(activity, entry, today=today, program_rules=program_rules)
    if not confirm_duplicate:
        _check_duplicate(member, data, activity.pk)
    before = None if activity.pk is None else snapshot(activity)
    activity.category = entry.category
    activity.title = data.title.strip()
    activity.provider = data.provider.strip()
    activity.start_date = entry.start_date
    activity.end_date = entry.end_date
    activity.points = entry.points
    activity.units = data.units
    activity.notes = data.notes.strip()
    # The sentence as the member read it: in their language, where the program translates it.
    activity.attestation_text, activity.attestation_language = program_rules.rule_set_on(
        today
    ).text_and_language("attestation_text")
    activity.attested_at = timezone.now()
    activity.attested_from = attestation.ip_address
    activity.save()
    _save_cycle_links(activity, entry.cycles)
    note_requirements(
        {cycle.pk for cycle in (*keep_cycles, *entry.cycles)}, today=today, actor=actor
    )
    after = snapshot(activity)
    if before is None:
        log_event(
            action="activities.activity.recorded",
            subject=activity,
            actor=actor,
            member=member,
            data={"after": after},
            ip_address=attestation.ip_address,
        )
    elif after != before:
        log_event(
            action="activities.activity.changed",
            subject=activity,
            actor=actor,
            member=member,
            data={"before": before, "after": after},
            ip_address=attestation.ip_address,
        )
    if checked:
        attach_checked(activity, checked, actor, attestation.ip_address)
    return activity


@transaction.atomic
def record_activity(
    *,
    member: Member,
    data: ActivityData,
    attestation: Attestation,
    actor: User | None,
    confirm_duplicate: bool = False,
    confirm_large_points: bool = False,
    files: Sequence[UploadedFile[bytes]] = (),
    unreadable: Mapping[str, Sequence[str]] | None = None,
) -> Activity:
    """Record a CE activity against the chosen (or every containing) open cycle, with
    its evidence `files` if any.

    Raises DomainError with field errors when the entry or one of the files breaks a
    rule (nothing is saved, no file is stored), and NeedsConfirmation when its points look
    too large (code "large_points": more than the category usually earns or than its
    cycles still need; `confirm_large_points` saves it anyway) or it looks like one
    already recorded (code "duplicate"; `confirm_duplicate`). `unreadable`: the messages
    of the fields the web form could not read, reported with every other problem.
    """
    program_rules = rules_of(member.program)
    today = member.program.today()
    # The files are read before the lock, so a large upload does not hold it.
    checked_files = check_evidence(files, already=0)
    lock_member(member)
    return _apply(
        Activity(member=member),
        member=member,
        data=data,
        attestation=attestation,
        actor=actor,
        confirm_duplicate=confirm_duplicate,
        confirm_large_points=confirm_large_points,
        files=checked_files,
        today=today,
        program_rules=program_rules,
        unreadable=unreadable,
    )


@transaction.atomic
def update_activity(
    *,
    activity: Activity,
    data: ActivityData | ActivityChanges,
    attestation: Attestation,
    actor: User | None,
    confirm_duplicate: bool = False,
    confirm_large_points: bool = False,
    files: Sequence[UploadedFile[bytes]] = (),
    unreadable: Mapping[str, Sequence[str]] | None = None,
) -> Activity:
    """Change an entry while its cycles are open, adding any evidence `files`; the before
    and after go to its history.

    `data` is the whole entry (the web form) or `ActivityChanges` (only the fields sent),
    applied to the row as read under the lock.
    """
    member = activity.member
    program_rules = rules_of(member.program)
    today = member.program.today()
    activity = lock_changeable(member, activity.pk, today=today, program_rules=program_rules)
    if isinstance(data, ActivityChanges):
        data = data.applied_to(activity)
    already = activity.evidence.count() if files else 0
    return _apply(
        activity,
        member=member,
        data=data,
        attestation=attestation,
        actor=actor,
        confirm_duplicate=confirm_duplicate,
        confirm_large_points=confirm_large_points,
        files=check_evidence(files, already=already),
        today=today,
        program_rules=program_rules,
        keep_cycles=list(activity.cycles.all()),
        unreadable=unreadable,
    )


@transaction.atomic
def delete_activity(
    *, activity: Activity, actor: User | None, ip_address: str | None = None
) -> None:
    """Delete an entry while its cycles are open; the history keeps what it was.

    Its evidence files leave the storage once the deletion is committed.
    """
    member = activity.member
    program_rules = rules_of(member.program)
    activity = lock_changeable(
        member, activity.pk, today=member.program.today(), program_rules=program_rules
    )
    evidence = list(activity.evidence.all())
    data: dict[str, Any] = {"before": snapshot(activity)}
    if evidence:
        data["evidence_removed"] = [evidence_entry(e) for e in evidence]
    log_event(
        action="activities.activity.deleted",
        subject=activity,
        actor=actor,
        member=member,
        data=data,
        ip_address=ip_address,
    )
    cycle_ids = list(activity.cycle_links.values_list("cycle_id", flat=True))
    activity.delete()
    note_requirements(cycle_ids, today=member.program.today(), actor=actor)
    delete_files_on_commit([e.file for e in evidence])
