"""The order in which a member's records are locked, kept in one place.

Every service that writes a member's activities or evidence takes the member's row
first, then the activity's, always in that order, so two writes can never wait on
each other.
"""

from __future__ import annotations

from datetime import date

from keepcert.activities.models import Activity
from keepcert.activities.selectors import change_lock
from keepcert.members.models import Member
from keepcert.program.selectors import ProgramRules


def lock_member(member: Member) -> None:
    """Serialise a member's recording: the duplicate check and the write that follows
    it are one step, so two identical entries sent at once (a double click, a retried
    API call) cannot both pass the check.

    On PostgreSQL this is a row lock held to the end of the transaction; SQLite has no
    row locks, but its IMMEDIATE transactions (see `keepcert.env`) already let one
    writer in at a time.
    """
    Member.objects.select_for_update().only("pk").get(pk=member.pk)


def lock_changeable(
    member: Member, activity_pk: int, *, today: date, program_rules: ProgramRules
) -> Activity:
    """Lock the member, then the activity, and return the activity as read under the
    lock; raise NotAllowed (code "locked") if it can no longer be changed."""
    lock_member(member)
    activity = Activity.objects.select_for_update().get(pk=activity_pk)
    lock = change_lock(activity, today=today, program_rules=program_rules)
    if lock is not None:
        raise lock.error()
    return activity
