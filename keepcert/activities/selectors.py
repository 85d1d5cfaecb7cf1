"""Reads about a member's activities: which cycles take an entry, likely duplicates,
whether an entry can still change, and its history. Nothing here writes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from keepcert import rules
from keepcert.activities.models import Activity
from keepcert.certifications.models import Cycle
from keepcert.core.errors import NotAllowed
from keepcert.core.models import Event
from keepcert.members.models import Member
from keepcert.program.models import CategoryRule, RuleSet
from keepcert.program.selectors import ProgramRules
from keepcert.rules.text import format_date

if TYPE_CHECKING:
    from keepcert.activities.validation import ActivityData


ACTIVITY_ORDER = ("-end_date", "-start_date", "-pk")
"""How activities are listed everywhere, latest first (`Activity.Meta.ordering`), made
total by the primary key for `keepcert.core.pagination`."""


def cycle_label(cycle: Cycle) -> str:
    """How a cycle is named to a member: "RMA cycle (May 10, 2023 – May 31, 2026)".

    Needs `certification__credential` selected. The templates use it as the
    `cycle_label` filter.
    """
    return _("%(code)s cycle (%(start)s – %(end)s)") % {
        "code": cycle.certification.credential.code,
        "start": format_date(cycle.start),
        "end": format_date(cycle.end),
    }


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
            cycle.window, today, program_rules.rule_set_for_cycle(cycle).recording_grace_days
        )
    ]


def cycles_to_record_against(member: Member, certification_ids: Sequence[int]) -> dict[int, Cycle]:
    """For each of the member's named certifications that has a cycle, the one an entry
    naming it goes to: its open cycle, else its latest, which validation then refuses
    as closed for recording (so the member reads why). One query."""
    chosen: dict[int, Cycle] = {}
    cycles = (
        Cycle.objects.for_member(member.pk)
        .filter(certification_id__in=certification_ids)
        .select_related("certification__credential")
        .order_by("-start")
    )
    for cycle in cycles:
        current = chosen.get(cycle.certification_id)
        if current is None or (
            cycle.status == Cycle.Status.OPEN and current.status != Cycle.Status.OPEN
        ):
            chosen[cycle.certification_id] = cycle
    return chosen


def cycles_containing(cycles: Sequence[Cycle], start: date, end: date) -> list[Cycle]:
    """The cycles an activity on these dates counts toward by default ("report once")."""
    return [c for c in cycles if c.window.contains_span(start, end)]


def categories_open_to(rule_set: RuleSet, cycles: Sequence[Cycle]) -> list[CategoryRule]:
    """The categories an entry counting toward one of `cycles` can be recorded under. A
    category whose date limit (`claimable_until`) passed before each of them began can
    take no activity inside them: Employment Verification, since 2021."""
    every = list(rule_set.category_rules.all())
    if not cycles:
        return every
    return [
        rule
        for rule in every
        if any(rules.is_claimable(cycle.start, until=rule.claimable_until) for cycle in cycles)
    ]


def find_duplicates(
    *, member: Member, data: ActivityData, exclude_pk: int | None = None
) -> list[Activity]:
    """Entries with the same category, title (ignoring case) and dates: likely entered twice.

    Titles are compared in Python with casefold(): SQLite's LIKE folds ASCII only, and
    "Ética médica" must match "ÉTICA MÉDICA" on every database.
    """
    if data.category is None or data.start_date is None or data.end_date is None:
        return []  # an incomplete entry is refused before anyone asks
    candidates = Activity.objects.for_member(member.pk).filter(
        category=data.category, start_date=data.start_date, end_date=data.end_date
    )
    if exclude_pk is not None:
        candidates = candidates.exclude(pk=exclude_pk)
    title = data.title.strip().casefold()
    return [a for a in candidates if a.title.casefold() == title]


@dataclass(frozen=True)
class ChangeLock:
    """Why an entry can no longer be edited, deleted or given files."""

    reason: str  # "It counts toward your RMA cycle (…), which is closed for changes."

    @property
    def message(self) -> str:
        """The sentence the member reads, on the site and from the API."""
        # Translators: %(reason)s is a sentence of its own, e.g. "It counts toward your RMA
        # cycle (…), which is closed for changes."
        return _("This activity can no longer be changed. %(reason)s") % {"reason": self.reason}

    def error(self) -> NotAllowed:
        return NotAllowed(self.message, code="locked")


def change_lock(
    activity: Activity, *, today: date, program_rules: ProgramRules
) -> ChangeLock | None:
    """What stops this entry from changing, or None if it can.

    An entry stays changeable while every cycle it counts toward is open and still
    accepting entries (its end plus the grace period). The write services refuse a
    locked entry with `ChangeLock.error()`; the pages show `ChangeLock.message`.
    """
    for link in activity.cycle_links.select_related("cycle__certification__credential"):
        cycle = link.cycle
        grace = program_rules.rule_set_for_cycle(cycle).recording_grace_days
        if cycle.status != Cycle.Status.OPEN or not rules.is_recording_open(
            cycle.window, today, grace
        ):
            return ChangeLock(
                _("It counts toward your %(cycle)s, which is closed for changes.")
                % {"cycle": cycle_label(cycle)}
            )
    return None


def progress_unavailable_message(credential_code: str) -> str:
    """Shown instead of a cycle's figures while the program has not set its points
    (the dashboard, the cycle page and the API's `message`)."""
    return _(
        "The program has not yet set how many points %(code)s needs per cycle. "
        "Your activities are kept and will count once it does."
    ) % {"code": credential_code}


_ACTION_LABELS = {
    "activities.activity.recorded": gettext_lazy("Recorded"),
    "activities.activity.changed": gettext_lazy("Changed"),
    "activities.activity.deleted": gettext_lazy("Deleted"),
    "activities.evidence.attached": gettext_lazy("Attached"),
    "activities.evidence.removed": gettext_lazy("Removed"),
}
# The same, naming the files (%(files)s: their names, separated by commas).
_FILE_ACTION_LABELS = {
    "activities.evidence.attached": gettext_lazy("Attached %(files)s"),
    "activities.evidence.removed": gettext_lazy("Removed %(files)s"),
}
_FIELD_LABELS = {
    "category": gettext_lazy("Category"),
    "title": gettext_lazy("Title"),
    "provider": gettext_lazy("Provider"),
    "start_date": gettext_lazy("Start date"),
    "end_date": gettext_lazy("End date"),
    "points": gettext_lazy("Points"),
    "units": gettext_lazy("Units"),
    "notes": gettext_lazy("Notes"),
    "cycles": gettext_lazy("Counts toward"),
}


@dataclass(frozen=True)
class HistoryEntry:
    label: str
    at: datetime
    actor: Any
    changes: list[tuple[str, Any, Any]]


def activity_history(activity: Activity) -> list[HistoryEntry]:
    """The record's history, newest first: who changed what, and from what to what."""
    entries = []
    for event in Event.objects.for_subject(activity).select_related("actor"):
        before, after = event.data.get("before") or {}, event.data.get("after") or {}
        changes = [
            (str(_FIELD_LABELS.get(key, key)), before.get(key), after.get(key))
            for key in after
            if before and before.get(key) != after.get(key)
        ]
        label = str(_ACTION_LABELS.get(event.action, event.action))
        files = event.data.get("files")
        if files and event.action in _FILE_ACTION_LABELS:
            names = ", ".join(f["name"] for f in files)
            label = str(_FILE_ACTION_LABELS[event.action]) % {"files": names}
        entries.append(
            HistoryEntry(
                label=label,
                at=event.created_at,
                actor=event.actor,
                changes=changes,
            )
        )
    return entries
