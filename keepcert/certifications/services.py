"""Creating certifications and their cycles."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from django.db import transaction
from django.utils.translation import gettext as _

from keepcert import rules
from keepcert.billing.models import Invoice
from keepcert.certifications import reasons
from keepcert.certifications.models import Certification, Cycle
from keepcert.certifications.selectors import cycles_progress
from keepcert.core.errors import DomainError
from keepcert.core.models import log_event
from keepcert.members.models import Member, User
from keepcert.program.models import Credential
from keepcert.program.selectors import ProgramRules, rules_of
from keepcert.rules import lifecycle


@transaction.atomic
def create_certification(
    *,
    member: Member,
    credential: Credential,
    certified_on: date,
    actor: User | None = None,
) -> Certification:
    """Put a credential on a member's record, with its cycles up to today.

    A certification dated before the program's CE start is exempt (grandfathered)
    and gets no cycles. Otherwise the cycles from `certified_on` through the one
    containing today are created. Earlier cycles are marked completed and brought in: a
    member who is still certified met them before the record came to KeepCert (this is
    how a legacy record is brought in).
    """
    today = member.program.today()
    if credential.program_id != member.program_id:
        raise DomainError(_("That credential belongs to another program."))
    if certified_on > today:
        message = _("The certification date cannot be in the future.")
        raise DomainError(message, field_errors={"certified_on": [message]})
    if member.certifications.filter(credential=credential).exists():
        raise DomainError(
            # Translators: %(member)s is a name and member ID, "Alice Nguyen (100234)";
            # %(credential)s a credential's code, "RMA".
            _("%(member)s already holds %(credential)s.")
            % {"member": member, "credential": credential.code}
        )

    program_rules = rules_of(member.program)
    rule_set = program_rules.rule_set_on(certified_on)
    if not rules.requires_ce(certified_on, rule_set.ce_required_from):
        certification = Certification.objects.create(
            member=member,
            credential=credential,
            certified_on=certified_on,
            status=Certification.Status.EXEMPT,
            status_reason=reasons.GRANDFATHERED,
            status_changed_on=today,
        )
    else:
        certification = Certification.objects.create(
            member=member,
            credential=credential,
            certified_on=certified_on,
            status=Certification.Status.ACTIVE,
            status_reason=reasons.CERTIFIED,
            status_changed_on=today,
        )
        window = rules.first_cycle(certified_on, rule_set.cycle_years)
        while window.end < today:
            Cycle.objects.create(
                certification=certification,
                start=window.start,
                end=window.end,
                status=Cycle.Status.COMPLIANT,
                origin=Cycle.Origin.BROUGHT_IN,
            )
            next_start = window.end + timedelta(days=1)
            window = rules.next_cycle(window, program_rules.rule_set_on(next_start).cycle_years)
        Cycle.objects.create(certification=certification, start=window.start, end=window.end)

    log_event(
        action="certifications.certification.created",
        subject=certification,
        actor=actor,
        member=member,
        data={
            "credential": credential.code,
            "certified_on": certified_on.isoformat(),
            "status": certification.status,
        },
    )
    return certification


def note_requirements(cycle_ids: Iterable[int], *, today: date, actor: User | None = None) -> None:
    """Keep each open cycle's ``met_on`` true after its activities changed: the day its
    counted points first reached the requirement, cleared when they fall below it again.

    Call it inside the transaction that changed the activities, under the member's lock.
    """
    cycles = list(
        Cycle.objects.open()
        .filter(pk__in=set(cycle_ids))
        .select_related("certification__member__program", "certification__credential")
    )
    if not cycles:
        return
    member = cycles[0].certification.member
    progress = cycles_progress(cycles, program_rules=rules_of(member.program), today=today)
    for cycle in cycles:
        result = progress[cycle.pk].progress
        met = result is not None and result.compliant
        if met == (cycle.met_on is not None):
            continue
        cycle.met_on = today if met else None
        cycle.save(update_fields=["met_on"])
        log_event(
            action="certifications.cycle.requirement_met"
            if met
            else "certifications.cycle.requirement_unmet",
            subject=cycle,
            actor=actor,
            member=member,
            data={"counted": str(result.counted) if result else None, "on": today.isoformat()},
        )


_REASONS = {
    lifecycle.Reason.GRANDFATHERED: reasons.GRANDFATHERED,
    lifecycle.Reason.FEE_OVERDUE: reasons.FEE_OVERDUE,
    lifecycle.Reason.CE_SHORT: reasons.CE_NOT_MET,
    lifecycle.Reason.FEES_UNPAID_YEARS: reasons.FEES_UNPAID_YEARS,
    lifecycle.Reason.AUDIT_FAILED: reasons.AUDIT_FAILED,
}


def lifecycle_facts(certification: Certification, program_rules: ProgramRules) -> lifecycle.Facts:
    """What the rules core's lifecycle needs to know about one certification."""
    cycles = []
    for cycle in certification.cycles.all():
        rule_set = program_rules.rule_set_for_cycle(cycle)
        judged = program_rules.requirement(rule_set, certification.credential_id) is not None
        met_on = cycle.met_on
        if cycle.status == Cycle.Status.COMPLIANT and met_on is None:
            met_on = cycle.end  # completed before KeepCert kept the day
        cycles.append(lifecycle.CycleFacts(cycle.window, met_on, judged))
    invoices = [
        lifecycle.InvoiceFacts(due, paid_on)
        for due, paid_on in Invoice.objects.filter(certification=certification)
        .exclude(status=Invoice.Status.VOID)
        .values_list("due", "paid_on")
    ]
    decided = certification.status in (Certification.Status.REVOKED, Certification.Status.RETIRED)
    decisions = (
        [
            lifecycle.Decision(
                lifecycle.Status(certification.status), certification.status_changed_on
            )
        ]
        if decided and certification.status_changed_on
        else []
    )
    return lifecycle.Facts(
        certified_on=certification.certified_on,
        grandfathered=certification.status == Certification.Status.EXEMPT
        or not rules.requires_ce(
            certification.certified_on,
            program_rules.rule_set_on(certification.certified_on).ce_required_from,
        ),
        cycles=tuple(cycles),
        invoices=tuple(invoices),
        decisions=tuple(decisions),
    )


@transaction.atomic
def refresh_status(certification_id: int, *, day: date, actor: User | None = None) -> Certification:
    """Bring a certification's stored status to what the lifecycle rules say for ``day``,
    with the reason and the day it took effect, logged; nothing changes (and nothing is
    logged) when it is already right, so running it twice is harmless."""
    certification = (
        Certification.objects.select_for_update(of=("self",))
        .select_related("member__program")
        .get(pk=certification_id)
    )
    program_rules = rules_of(certification.member.program)
    policy = program_rules.lifecycle_policy(program_rules.rule_set_on(day))
    now = lifecycle.status_on(lifecycle_facts(certification, program_rules), policy, day)
    if now.status == certification.status:
        return certification
    before = certification.status
    if now.reason == lifecycle.Reason.IN_GOOD_STANDING:
        reason = reasons.FEE_PAID if before == Certification.Status.INACTIVE else reasons.CERTIFIED
    else:
        reason = _REASONS.get(now.reason, certification.status_reason)
    certification.status = now.status.value
    certification.status_reason = reason
    certification.status_changed_on = now.since
    certification.save(update_fields=["status", "status_reason", "status_changed_on"])
    log_event(
        action="certifications.status.changed",
        subject=certification,
        actor=actor,
        member=certification.member,
        data={
            "before": before,
            "after": now.status.value,
            "reason": now.reason.value,
            "since": now.since.isoformat(),
            "day": day.isoformat(),
        },
    )
    return certification


@transaction.atomic
def roll_over(certification_id: int, *, day: date) -> Cycle | None:
    """Move a certification's cycles on for ``day`` (SPEC §6): once its open cycle is
    compliant (requirement met and every invoice due by its end paid), the next cycle
    exists as upcoming; from the day after the old one ends, the old one is closed as met
    and the next one is open. An open cycle still short when its recording grace is over
    is closed as ended short (the status then lapses). Returns the cycle opened, if any;
    running it twice for a day changes nothing more."""
    certification = (
        Certification.objects.select_for_update(of=("self",))
        .select_related("member__program")
        .get(pk=certification_id)
    )
    current = certification.cycles.open().first()
    if current is None:
        return None
    program_rules = rules_of(certification.member.program)
    facts = lifecycle_facts(certification, program_rules)
    rule_set = program_rules.rule_set_for_cycle(current)
    policy = program_rules.lifecycle_policy(rule_set)
    judged = program_rules.requirement(rule_set, certification.credential_id) is not None
    cycle_facts = lifecycle.CycleFacts(current.window, current.met_on, judged)
    member = certification.member
    upcoming = certification.cycles.filter(status=Cycle.Status.UPCOMING).first()
    became = lifecycle.compliant_on(cycle_facts, facts.invoices, policy)
    if upcoming is None and became is not None and became <= day:
        next_start = current.end + timedelta(days=1)
        window = rules.next_cycle(current.window, program_rules.rule_set_on(next_start).cycle_years)
        upcoming = Cycle.objects.create(
            certification=certification,
            start=window.start,
            end=window.end,
            status=Cycle.Status.UPCOMING,
        )
        log_event(
            action="certifications.cycle.rolled_over",
            subject=current,
            member=member,
            data={"compliant_on": became.isoformat(), "next": str(upcoming)},
        )
    if upcoming is not None and day >= upcoming.start:
        current.status = Cycle.Status.COMPLIANT
        current.save(update_fields=["status"])
        upcoming.status = Cycle.Status.OPEN
        upcoming.save(update_fields=["status"])
        log_event(action="certifications.cycle.opened", subject=upcoming, member=member)
        return upcoming
    ends_short = cycle_facts.lapses_on(policy)
    if became is None and ends_short is not None and day >= ends_short:
        current.status = Cycle.Status.NONCOMPLIANT
        current.save(update_fields=["status"])
        log_event(action="certifications.cycle.ended_short", subject=current, member=member)
    return None
