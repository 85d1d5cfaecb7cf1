"""The rules core of KeepCert: cycle dates, counting CE against caps, pace and plans.

Pure Python with no Django import, so every rule is fast to test exhaustively and the
dashboard, API, transcripts, notices and audits all share one answer.

Glossary
--------
member
    A certified person on the program's register (``members.Member``), whether or not they
    have opened their online account.
credential
    What the program awards and a member keeps, such as RMA or RPT (``program.Credential``);
    the rule set says how many points it requires per cycle.
certification
    One member holding one credential from a certification date (``certifications.
    Certification``). Its anniversary month fixes where every cycle ends.
cycle
    One certification's CE period, both ends inclusive: about three years, ending on the last
    day of the anniversary month. The rules core sees only its dates, a :class:`Window`;
    ``certifications.Cycle`` adds a status.
activity
    One CE record a member entered: category, title, dates, points, evidence
    (``activities.Activity``). One activity may count toward several cycles.

entry
    One activity as the rules core sees it for one cycle (:class:`Entry`): an id, a category
    code, a title, its dates and its points. The rules core never sees an ``Activity``.
claim
    Only ever "take ownership of something that already exists": a member claims the online
    account of their record on the register (``members.services.claim_account``); a
    category's ``claimable_until`` is the last day of activity that may be claimed under it
    (the program's own word). CE is *entered* and *counted*, never claimed.

What goes in: :func:`evaluate` takes a :class:`Requirement` (points required and each
:class:`CountingRule`: code, name, cap, ``claimable_until``), the cycle's :class:`Window`,
"today", and the entries.

What comes out: a :class:`Progress`, the totals (required, entered, counted, remaining,
percent, compliant) with per-category results (:class:`CategoryProgress`: entered, counted,
cap) and one :class:`EntryResult` per entry: the points it counted, its **outcome**
(:class:`Outcome`, a stable code such as ``partly_capped``) and its **explanation**, the
sentence a member reads, written by :func:`keepcert.rules.text.explain` from a message key
and the values it quotes. :func:`assess_pace` turns a progress into a :class:`Pace`: a
:class:`PaceStatus`, its figures and a one-sentence plan, written the same way.

Totals alone: :func:`compliance` (remaining, percent, compliant from required and counted)
and :class:`PaceClock` (a pace from counted points) are the same rules for a caller that
summed the points elsewhere, such as the daily sweep, which sums them in SQL.

``Progress.entered`` is every point put to the evaluation, unknown categories and dates
outside the cycle included; it is *not* the sum of the categories' ``entered``, which counts
only a known category's entries dated inside the cycle (counted or not). The activity-to-
cycle link rows (``activities.CycleActivity``, "report once" makes several for one activity)
are what a cycle's entries are built from.

Where each kind of rule lives: counting and caps in :mod:`keepcert.rules.counting`, cycle
dates and the recording deadline in :mod:`keepcert.rules.cycles`, pace and the plan in
:mod:`keepcert.rules.pace`, a certification's status, invoices, roll-over and next dated
event in :mod:`keepcert.rules.lifecycle`, every sentence in :mod:`keepcert.rules.text`.
What the program sets (points, caps, the per-entry maximum, grace days) is data:
``program.RuleSet``, read through ``program.selectors.ProgramRules``. What a member may
record (limits on an entry, evidence, the edit lock) is decided in
``keepcert.activities.validation`` and ``keepcert.activities.limits``.
"""

from __future__ import annotations

from keepcert.rules.counting import (
    CategoryProgress,
    Compliance,
    CountingRule,
    Entry,
    EntryResult,
    Outcome,
    Progress,
    Requirement,
    compliance,
    evaluate,
    is_claimable,
)
from keepcert.rules.cycles import (
    Window,
    cycles_until,
    first_cycle,
    is_recording_open,
    last_day_of_month,
    next_cycle,
    recording_deadline,
    requires_ce,
)
from keepcert.rules.pace import Pace, PaceClock, PaceStatus, assess_pace, to_half_point
from keepcert.rules.text import explain, format_date, format_points, points_phrase

__all__ = [
    "CategoryProgress",
    "Compliance",
    "CountingRule",
    "Entry",
    "EntryResult",
    "Outcome",
    "Pace",
    "PaceClock",
    "PaceStatus",
    "Progress",
    "Requirement",
    "Window",
    "assess_pace",
    "compliance",
    "cycles_until",
    "evaluate",
    "explain",
    "first_cycle",
    "format_date",
    "format_points",
    "is_claimable",
    "is_recording_open",
    "last_day_of_month",
    "next_cycle",
    "points_phrase",
    "recording_deadline",
    "requires_ce",
    "to_half_point",
]
