from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from keepcert.activities.models import Activity
from keepcert.core.models import Event

_ACTION_LABELS = {
    "activities.activity.recorded": "Recorded",
    "activities.activity.changed": "Changed",
    "activities.activity.deleted": "Deleted",
    "activities.evidence.attached": "Attached",
    "activities.evidence.removed": "Removed",
}
_FIELD_LABELS = {
    "category": "Category",
    "title": "Title",
    "provider": "Provider",
    "start_date": "Start date",
    "end_date": "End date",
    "points": "Points",
    "units": "Units",
    "notes": "Notes",
    "cycles": "Counts toward",
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
            (_FIELD_LABELS.get(key, key), before.get(key), after.get(key))
            for key in after
            if before and before.get(key) != after.get(key)
        ]
        label = _ACTION_LABELS.get(event.action, event.action)
        if files := event.data.get("files"):
            label = f"{label} {', '.join(f['name'] for f in files)}"
        entries.append(
            HistoryEntry(
                label=label,
                at=event.created_at,
                actor=event.actor,
                changes=changes,
            )
        )
    return entries
