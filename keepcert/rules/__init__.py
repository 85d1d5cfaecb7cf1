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

What goes in: :func:`evaluate` takes a :class:`Requirement` (points required and each
:class:`CategoryRule`: code, name, cap, ``claimable_until``), the cycle's :class:`Window`,
"today", and the claims. A **claim** here (:class:`Claim`) is one activity as the rules see
it for this cycle: an id, a category code, a title, its dates and its points.

What comes out: a :class:`Progress`, the totals (required, claimed, counted, remaining,
percent, compliant) with per-category results (:class:`CategoryProgress`: claimed, counted,
cap) and one :class:`ClaimResult` per claim: the points it counted, its **outcome**
(:class:`Outcome`, a stable code such as ``partly_capped``) and its **explanation**, the
sentence a member reads, written by :func:`keepcert.rules.text.explain` from a message key
and the values it quotes. :func:`assess_pace` turns a progress into a :class:`Pace`: a
:class:`PaceStatus` and a one-sentence plan, written the same way.

"Claim" means four things in this codebase; only the first is the rules core's:

- :class:`Claim` (``rules.Claim``): the rules' input, one activity put to one evaluation.
- ``activities.ActivityClaim``: the row that applies one activity to one cycle ("report
  once" makes several); its activities are what a cycle's claims are built from.
- ``members.services.claim_account``: a member opening the online account of their record
  on the register; nothing to do with CE.
- ``Progress.claimed``: every point put to the evaluation, unknown categories and dates
  outside the cycle included. It is *not* the sum of the categories' ``claimed``, which
  counts only a known category's claims dated inside the cycle (counted or not).
"""

from __future__ import annotations

from keepcert.rules.counting import (
    CategoryProgress,
    CategoryRule,
    Claim,
    ClaimResult,
    Outcome,
    Progress,
    Requirement,
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
from keepcert.rules.pace import Pace, PaceStatus, assess_pace
from keepcert.rules.text import explain, format_date, format_points, points_phrase

__all__ = [
    "CategoryProgress",
    "CategoryRule",
    "Claim",
    "ClaimResult",
    "Outcome",
    "Pace",
    "PaceStatus",
    "Progress",
    "Requirement",
    "Window",
    "assess_pace",
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
]
