"""Creating certifications and their cycles."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from django.db import transaction
from django.utils.translation import gettext as _

from keepcert import rules
from keepcert.certifications import reasons
from keepcert.certifications.models import Certification, Cycle
from keepcert.certifications.selectors import cycles_progress
from keepcert.core.errors import DomainError
from keepcert.core.models import log_event
from keepcert.members.models import Member, User
from keepcert.program.models import Credential
from keepcert.program.selectors import rules_of


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
