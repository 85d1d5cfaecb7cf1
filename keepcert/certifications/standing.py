"""Where a certification stands, as the banner a member reads first (SPEC §6).

The one place that decides which state a certification is in, how serious it is, what it
means for the member, the exact last day that matters and the next step. The dashboard and
the cycle page print a :class:`Standing`; they decide nothing. The numbers and the plan come
from the rules core (``rules.recording_deadline``, ``Pace.plan``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from keepcert import rules
from keepcert.certifications.models import Certification, Cycle
from keepcert.certifications.reasons import shown_reason
from keepcert.program.models import Program
from keepcert.program.selectors import ProgramRules
from keepcert.rules.text import format_date, points_phrase

if TYPE_CHECKING:  # selectors imports this module
    from keepcert.certifications.selectors import CycleProgress

__all__ = ["Standing", "State", "Tone", "past_cycle_outcome", "standing_of"]


class Tone(StrEnum):
    """How a banner looks. Danger is not only a colour: it carries an icon and its state's
    word, and a full border, where advice has a bar on one side."""

    CALM = "calm"
    """Nothing to worry about."""
    ADVICE = "advice"
    """Behind pace: something to do, nothing lost yet."""
    NOTICE = "notice"
    """Not in force, by choice: nothing urgent."""
    DANGER = "danger"
    """The credential is lost, or is lost after a day the banner names."""


class State(StrEnum):
    """Which banner applies; stable codes (tests, styles)."""

    COMPLETE = "complete"
    ON_TRACK = "on_track"
    BEHIND = "behind"
    ACTIVE = "active"  # no running cycle to judge, or no requirement set
    GRACE = "grace"
    RECORDING_CLOSED = "recording_closed"
    LAPSED = "lapsed"
    INACTIVE = "inactive"
    REVOKED = "revoked"
    RETIRED = "retired"
    EXEMPT = "exempt"


@dataclass(frozen=True)
class Standing:
    state: State
    tone: Tone
    label: str
    """The status in a word or two: "Active", "Grace period", "Lapsed"."""
    headline: str = ""
    """The one sentence that matters most: the pace, or the consequence and its day."""
    message: str = ""
    """What it means, when the headline does not say it all."""
    next_step: str = ""
    since: date | None = None
    """The day a status set by staff or the sweep took effect."""
    reason: str = ""
    """Why the status was set: as staff wrote it, or KeepCert's own reason translated."""
    contact: Program | None = None
    """The certifying body, when the next step is to contact it."""
    at_a_glance: str = ""
    """Points still needed and the day, in a few words, for the overview of a member's
    certifications: "14 points to go by May 31, 2028"; "" when none are needed."""

    @property
    def is_danger(self) -> bool:
        return self.tone is Tone.DANGER

    def glancing(self, at_a_glance: str) -> Standing:
        return replace(self, at_a_glance=at_a_glance)


def standing_of(
    certification: Certification,
    current: CycleProgress | None,
    program_rules: ProgramRules,
) -> Standing:
    """The banner of ``certification``, whose current cycle (the open one, else the latest)
    is ``current``: a ``selectors.CycleProgress``, or None when it has no cycle."""
    status = certification.status
    code = certification.credential.code
    program = program_rules.program
    contact = program if program.has_contact else None
    body = program.contact_name or program.text("name")
    statuses = Certification.Status
    if status == statuses.EXEMPT:
        ce_from = program_rules.rule_set_on(certification.certified_on).ce_required_from
        return Standing(
            State.EXEMPT,
            Tone.CALM,
            certification.get_status_display(),
            headline=_("Certified before %(day)s: CE is voluntary for your certification.")
            % {"day": format_date(ce_from)},
            next_step=_("Keep your annual fee paid to stay active."),
        )
    if status != statuses.ACTIVE:
        return _not_in_force(certification, code, body, contact)
    return _active(certification, current, code, body, contact)


def _not_in_force(
    certification: Certification, code: str, body: str, contact: Program | None
) -> Standing:
    statuses = Certification.Status
    values = {"code": code, "body": body}
    status = certification.status
    if status == statuses.LAPSED:
        state, tone = State.LAPSED, Tone.DANGER
        headline = _("Your %(code)s certification has lapsed.") % values
        message = _("You may not use the %(code)s credential until it is reactivated.") % values
        next_step = _("To reactivate it, contact %(body)s.") % values
    elif status == statuses.INACTIVE:
        state, tone = State.INACTIVE, Tone.DANGER
        headline = _("Your %(code)s certification is inactive: an annual fee is past due.") % values
        message = _("It does not show as active to anyone who checks it until the fee is paid.")
        next_step = _("To pay the overdue fee, contact %(body)s.") % values
    elif status == statuses.REVOKED:
        state, tone = State.REVOKED, Tone.DANGER
        headline = _("Your %(code)s certification was revoked.") % values
        message = _("You may not use the %(code)s credential.") % values
        next_step = _("For any question about it, contact %(body)s.") % values
    else:
        state, tone = State.RETIRED, Tone.NOTICE
        headline = _("Your %(code)s certification is retired: no CE is due.") % values
        message = _("It does not show as active to anyone who checks it.")
        next_step = _("To return to practice, contact %(body)s.") % values
    return Standing(
        state,
        tone,
        certification.get_status_display(),
        headline=headline,
        message=message,
        next_step=next_step,
        since=certification.status_changed_on,
        reason=shown_reason(certification.status_reason),
        contact=contact,
    )


def _active(
    certification: Certification,
    current: CycleProgress | None,
    code: str,
    body: str,
    contact: Program | None,
) -> Standing:
    label = certification.get_status_display()
    if current is None or current.pace is None:
        # No cycle, or no requirement set yet (the cycle's notice says so): nothing to judge.
        return Standing(State.ACTIVE, Tone.CALM, label)
    pace, cycle = current.pace, current.cycle
    deadline = rules.recording_deadline(cycle.window, current.rule_set.recording_grace_days)
    values = {
        "code": code,
        "body": body,
        "end": format_date(cycle.end),
        "start": format_date(cycle.start),
        "deadline": format_date(deadline),
        "missing": points_phrase(pace.remaining),
    }
    to_go = _("%(points)s to go by %(end)s") % {
        "points": points_phrase(rules.to_half_point(pace.remaining)),
        "end": values["end"],
    }
    if pace.status is rules.PaceStatus.COMPLETE:
        return Standing(
            State.COMPLETE, Tone.CALM, label, headline=_("Requirement met."), message=pace.plan
        )
    if pace.status is rules.PaceStatus.ON_TRACK:
        return Standing(
            State.ON_TRACK, Tone.CALM, label, headline=_("On track."), message=pace.plan
        ).glancing(to_go)
    if pace.status is rules.PaceStatus.BEHIND:
        next_step = _(
            "Points still missing when the cycle ends can be recorded until %(deadline)s; "
            "after that day your %(code)s certification lapses."
        )
        return Standing(
            State.BEHIND,
            Tone.ADVICE,
            label,
            headline=_("Behind pace."),
            message=pace.plan,
            next_step=next_step % values,
        ).glancing(to_go)
    # Ended short: the cycle is over and still open, in its grace period or just past it.
    if current.recording_open:
        return Standing(
            State.GRACE,
            Tone.DANGER,
            pgettext("certification standing", "Grace period"),
            headline=_("Your %(code)s certification lapses after %(deadline)s.") % values,
            at_a_glance=_("%(missing)s missing: record them by %(deadline)s") % values,
            message=_("Its cycle ended on %(end)s with %(missing)s missing.") % values,
            next_step=_(
                "Before then, record the missing points for activities you completed "
                "between %(start)s and %(end)s."
            )
            % values,
        )
    return Standing(
        State.RECORDING_CLOSED,
        Tone.DANGER,
        pgettext("certification standing", "Ended short"),
        headline=_("Recording for the cycle that ended on %(end)s closed on %(deadline)s.")
        % values,
        message=_("It ended with %(missing)s missing: your %(code)s certification lapses.")
        % values,
        next_step=_("Contact %(body)s about your certification.") % values,
        contact=contact,
    )


def past_cycle_outcome(cycle: Cycle) -> str:
    """How a closed cycle brought in from before KeepCert reads, with the points brought
    in when known; "" for any other cycle (its figures say it)."""
    if not (cycle.is_closed and cycle.is_brought_in):
        return ""
    if cycle.brought_in_points is None:
        return _("Completed before this record came to KeepCert.")
    return _("Completed before this record came to KeepCert, with %(points)s.") % {
        "points": points_phrase(cycle.brought_in_points)
    }
