"""The life of a certification: its status on a day, why, since when, and what comes next.

Pure rules (SPEC §6). The caller gathers the facts: the certification day, whether it is
grandfathered, its cycles since it was last (re)activated with the day each met its
requirement, its invoices with the day each was paid in full, failed audits and the
decisions staff or the member took (revoked, retired). From them and the policy this
module says, for any day:

- the **status** (:func:`status_on`): Revoked or Retired when so decided; else Lapsed once
  a cycle closed short (its end plus the recording grace passed without the requirement
  met), an audit failed, or a grandfathered certification left its fees unpaid for
  ``grandfathered_unpaid_years`` invoices in a row; else Inactive while an invoice is
  unpaid past its due date plus the fee grace; else Active, or Exempt when grandfathered.
  With it come the reason and the day that status took effect;
- the **invoices** a certification owes (:func:`invoice_due_dates`: one a year, due the last
  day of the anniversary month, issued ``invoice_lead_days`` before), and when the closing
  invoice of a cycle may be paid (:func:`closing_invoice_payable_from`: the day after the
  requirement is met);
- **roll-over** (:func:`compliant_on`, :func:`next_window`): a cycle is compliant on the day
  its requirement is met and every invoice due on or before its end is paid, whichever comes
  last; the next cycle then exists and opens the day after this one ends;
- the **next dated event** (:func:`next_event`) that will change something: an invoice
  issued, a reminder, a closing invoice unlocking, the fee grace ending, a lapse.

A lapse is permanent here: only a reactivation ends it, and the caller then passes the facts
since that reactivation. The status never depends on the order the facts are listed in, and
paying an invoice never makes a status worse (both tested as properties).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from keepcert.rules.cycles import Window, last_day_of_month, next_cycle, recording_deadline

__all__ = [
    "CycleFacts",
    "Decision",
    "Event",
    "EventKind",
    "Facts",
    "InvoiceFacts",
    "LifecyclePolicy",
    "Reason",
    "Status",
    "StatusOn",
    "closing_invoice_payable_from",
    "compliant_on",
    "invoice_due_dates",
    "next_event",
    "next_window",
    "rank",
    "status_on",
    "upcoming_events",
]

_ONE_DAY = timedelta(days=1)


class Status(StrEnum):
    """A certification's status; the values are those stored on ``Certification.status``."""

    ACTIVE = "active"
    INACTIVE = "inactive"
    LAPSED = "lapsed"
    EXEMPT = "exempt"
    REVOKED = "revoked"
    RETIRED = "retired"


class Reason(StrEnum):
    """Why a certification has its status: a stable code, worded by the interfaces."""

    IN_GOOD_STANDING = "in_good_standing"
    GRANDFATHERED = "grandfathered"
    FEE_OVERDUE = "fee_overdue"
    CE_SHORT = "ce_short"
    FEES_UNPAID_YEARS = "fees_unpaid_years"
    AUDIT_FAILED = "audit_failed"
    REVOKED = "revoked"
    RETIRED = "retired"


# How bad a status is, for "paying never makes it worse". Decisions are not ranked.
_RANK = {Status.ACTIVE: 0, Status.EXEMPT: 0, Status.INACTIVE: 1, Status.LAPSED: 2}


@dataclass(frozen=True, slots=True)
class LifecyclePolicy:
    """The program's settings that time a certification's life (program file)."""

    recording_grace_days: int = 30
    fee_grace_days: int = 30
    grandfathered_unpaid_years: int = 3
    invoice_lead_days: int = 60
    reminder_days: tuple[int, ...] = ()  # days before an invoice's due date

    def __post_init__(self) -> None:
        numbers = (self.recording_grace_days, self.fee_grace_days, self.invoice_lead_days)
        if min(numbers) < 0 or any(days < 0 for days in self.reminder_days):
            raise ValueError("Grace, lead and reminder days cannot be negative.")
        if self.grandfathered_unpaid_years < 1:
            raise ValueError("At least one unpaid year must pass before a lapse.")

    def overdue_from(self, due: date) -> date:
        """The first day an invoice unpaid since ``due`` makes the certification Inactive."""
        return due + timedelta(days=self.fee_grace_days + 1)


@dataclass(frozen=True, slots=True)
class CycleFacts:
    """One cycle: its dates and the day its counted points first reached the requirement.

    ``judged`` is false while the program has set no requirement for the credential: such a
    cycle can neither be met nor close short.
    """

    window: Window
    met_on: date | None = None
    judged: bool = True

    def lapses_on(self, policy: LifecyclePolicy) -> date | None:
        """The day the certification lapses because this cycle closed short, if it does."""
        if not self.judged:
            return None
        deadline = recording_deadline(self.window, policy.recording_grace_days)
        if self.met_on is not None and self.met_on <= deadline:
            return None
        return deadline + _ONE_DAY


@dataclass(frozen=True, slots=True)
class InvoiceFacts:
    """An annual invoice that is not void: its due date and the day it was paid in full."""

    due: date
    paid_on: date | None = None

    def paid_by(self, day: date) -> bool:
        return self.paid_on is not None and self.paid_on <= day


@dataclass(frozen=True, slots=True)
class Decision:
    """A status staff or the member chose (Revoked, Retired), from a day on."""

    status: Status
    on: date

    def __post_init__(self) -> None:
        if self.status not in (Status.REVOKED, Status.RETIRED):
            raise ValueError(f"Only revoked or retired is decided, not {self.status}.")


@dataclass(frozen=True, slots=True)
class Facts:
    """Everything about one certification since it was (re)activated; order does not matter."""

    certified_on: date
    grandfathered: bool = False
    cycles: tuple[CycleFacts, ...] = ()
    invoices: tuple[InvoiceFacts, ...] = ()
    audit_failures: tuple[date, ...] = ()
    decisions: tuple[Decision, ...] = ()


@dataclass(frozen=True, slots=True)
class StatusOn:
    """A certification's status on a day, with its reason and the day it took effect."""

    status: Status
    reason: Reason
    since: date


class EventKind(StrEnum):
    INVOICE_ISSUED = "invoice_issued"
    INVOICE_REMINDER = "invoice_reminder"
    CLOSING_INVOICE_UNLOCKED = "closing_invoice_unlocked"
    FEE_GRACE_ENDS = "fee_grace_ends"
    LAPSE = "lapse"


@dataclass(frozen=True, slots=True, order=True)
class Event:
    """A dated event ahead: what happens on ``day``, and for which invoice due date or cycle."""

    day: date
    kind: EventKind
    subject: date  # the invoice's due date, or the cycle's end


# ------------------------------------------------------------------------------ invoices


def invoice_due_dates(certified_on: date, through: date) -> list[date]:
    """Every annual due date after certification up to ``through``: the last day of the
    anniversary month, from the first anniversary on (the first year is paid at
    certification)."""
    dues = []
    year = certified_on.year + 1
    while (due := last_day_of_month(year, certified_on.month)) <= through:
        dues.append(due)
        year += 1
    return dues


def closing_invoice_payable_from(cycle: CycleFacts) -> date | None:
    """The first day the invoice due at ``cycle``'s end may be paid: the day after its
    requirement was met (None: not met yet, so it stays locked)."""
    return None if cycle.met_on is None else cycle.met_on + _ONE_DAY


# ----------------------------------------------------------------------------- roll-over


def compliant_on(
    cycle: CycleFacts, invoices: Iterable[InvoiceFacts], policy: LifecyclePolicy
) -> date | None:
    """The day ``cycle`` became compliant: its requirement met in time and every invoice due
    on or before its end paid, whichever came last. None while it is not."""
    if not cycle.judged or cycle.met_on is None or cycle.lapses_on(policy) is not None:
        return None
    days = [cycle.met_on]
    for invoice in invoices:
        if invoice.due <= cycle.window.end:
            if invoice.paid_on is None:
                return None
            days.append(invoice.paid_on)
    return max(days)


def next_window(
    cycle: CycleFacts,
    invoices: Iterable[InvoiceFacts],
    policy: LifecyclePolicy,
    day: date,
    years: int = 3,
) -> Window | None:
    """The cycle that follows ``cycle`` once it is compliant on or before ``day``."""
    became = compliant_on(cycle, invoices, policy)
    if became is None or became > day:
        return None
    return next_cycle(cycle.window, years)


# -------------------------------------------------------------------------------- status


def _lapses(facts: Facts, policy: LifecyclePolicy) -> Iterator[tuple[date, Reason]]:
    for cycle in facts.cycles:
        if (day := cycle.lapses_on(policy)) is not None:
            yield day, Reason.CE_SHORT
    for day in facts.audit_failures:
        yield day, Reason.AUDIT_FAILED
    if facts.grandfathered:
        for day in _unpaid_years_lapses(facts.invoices, policy):
            yield day, Reason.FEES_UNPAID_YEARS


def _unpaid_years_lapses(
    invoices: Iterable[InvoiceFacts], policy: LifecyclePolicy
) -> Iterator[date]:
    """Days on which a run of ``grandfathered_unpaid_years`` invoices in a row, each still
    unpaid, has its last one pass its due date plus the fee grace."""
    ordered = sorted(invoices, key=lambda invoice: (invoice.due, invoice.paid_on or date.max))
    run = policy.grandfathered_unpaid_years
    for last in range(run - 1, len(ordered)):
        day = policy.overdue_from(ordered[last].due)
        if not any(invoice.paid_by(day) for invoice in ordered[last - run + 1 : last + 1]):
            yield day


def _status(facts: Facts, policy: LifecyclePolicy, day: date) -> tuple[Status, Reason]:
    decided = [decision for decision in facts.decisions if decision.on <= day]
    if decided:
        last = max(decided, key=lambda decision: (decision.on, decision.status))
        return last.status, Reason(last.status.value)
    lapses = [lapse for lapse in _lapses(facts, policy) if lapse[0] <= day]
    if lapses:
        return Status.LAPSED, min(lapses)[1]
    if any(
        policy.overdue_from(invoice.due) <= day and not invoice.paid_by(day)
        for invoice in facts.invoices
    ):
        return Status.INACTIVE, Reason.FEE_OVERDUE
    if facts.grandfathered:
        return Status.EXEMPT, Reason.GRANDFATHERED
    return Status.ACTIVE, Reason.IN_GOOD_STANDING


def _change_days(facts: Facts, policy: LifecyclePolicy) -> set[date]:
    """Every day on which the status may differ from the day before."""
    days = {decision.on for decision in facts.decisions}
    days.update(lapse_day for lapse_day, _ in _lapses(facts, policy))
    for invoice in facts.invoices:
        days.add(policy.overdue_from(invoice.due))
        if invoice.paid_on is not None:
            days.add(invoice.paid_on)
    return days


def status_on(facts: Facts, policy: LifecyclePolicy, day: date) -> StatusOn:
    """The certification's status on ``day``, its reason and the day it took effect."""
    status, reason = _status(facts, policy, day)
    since = facts.certified_on
    for change in sorted(_change_days(facts, policy), reverse=True):
        if facts.certified_on < change <= day and _status(facts, policy, change - _ONE_DAY) != (
            status,
            reason,
        ):
            since = change
            break
    return StatusOn(status, reason, since)


def rank(status: Status) -> int | None:
    """0 in good standing, 1 inactive, 2 lapsed; None for a decided status."""
    return _RANK.get(status)


# ---------------------------------------------------------------------------- next event


def _events(facts: Facts, policy: LifecyclePolicy, through: date) -> Iterator[Event]:
    owed = {invoice.due for invoice in facts.invoices}
    for due in invoice_due_dates(facts.certified_on, through):
        if due not in owed:
            yield Event(
                due - timedelta(days=policy.invoice_lead_days), EventKind.INVOICE_ISSUED, due
            )
    for invoice in facts.invoices:
        if invoice.paid_on is None:
            for days in policy.reminder_days:
                yield Event(
                    invoice.due - timedelta(days=days), EventKind.INVOICE_REMINDER, invoice.due
                )
            yield Event(policy.overdue_from(invoice.due), EventKind.FEE_GRACE_ENDS, invoice.due)
    for cycle in facts.cycles:
        unlock = closing_invoice_payable_from(cycle)
        if unlock is not None and cycle.window.end in owed:
            yield Event(unlock, EventKind.CLOSING_INVOICE_UNLOCKED, cycle.window.end)
    for lapse_day, _ in _lapses(facts, policy):
        yield Event(lapse_day, EventKind.LAPSE, lapse_day)


def upcoming_events(facts: Facts, policy: LifecyclePolicy, day: date) -> list[Event]:
    """The dated events after ``day``, in order, while the certification is in force (none
    once it is lapsed, revoked or retired). Invoices are scheduled a year and the lead time
    ahead: far enough to see the next one."""
    if rank(status_on(facts, policy, day).status) in (None, 2):
        return []
    horizon = day + timedelta(days=366 + policy.invoice_lead_days)
    return sorted(event for event in _events(facts, policy, horizon) if event.day > day)


def next_event(facts: Facts, policy: LifecyclePolicy, day: date) -> Event | None:
    """The first of :func:`upcoming_events`, or None."""
    return next(iter(upcoming_events(facts, policy, day)), None)
