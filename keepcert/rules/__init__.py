"""The rules core of KeepCert: cycle dates, counting CE against caps, pace and plans.

Pure Python with no Django import, so every rule is fast to test exhaustively and the
dashboard, API, transcripts, notices and audits all share one answer.
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
from keepcert.rules.text import format_date, format_points, points_phrase

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
    "first_cycle",
    "format_date",
    "format_points",
    "is_recording_open",
    "last_day_of_month",
    "next_cycle",
    "points_phrase",
    "recording_deadline",
    "requires_ce",
]
