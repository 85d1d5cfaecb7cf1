"""Template filters that render points and dates exactly as the rules core words them."""

from __future__ import annotations

import math
from datetime import date, timedelta
from decimal import Decimal

from django import template
from django.utils.translation import ngettext

from keepcert.activities import selectors
from keepcert.certifications import standing
from keepcert.certifications.models import Cycle
from keepcert.rules import Progress
from keepcert.rules.text import format_date, format_points, points_phrase

register = template.Library()


@register.filter
def points(value: Decimal | None) -> str:
    return "–" if value is None else format_points(value)


@register.filter(name="points_phrase")
def points_with_noun(value: Decimal) -> str:
    """Points with their noun, as the rules' sentences write them: "1 point", "2.5 points"."""
    return points_phrase(value)


@register.filter
def plural_count(value: Decimal) -> int:
    """The count that picks the plural form for a decimal amount (points, units): gettext
    counts in whole numbers only, and "1 point" is singular while "1.5 points" is not, as
    in `keepcert.rules.text.points_phrase`.

    For `{% blocktranslate count n=value|plural_count with amount=value|points %}`.
    """
    return 1 if value == 1 else 2


@register.filter
def longdate(value: date | None) -> str:
    return "" if value is None else format_date(value)


@register.filter
def cycle_label(cycle: Cycle) -> str:
    """A cycle as the services name it: "RMA cycle (May 10, 2023 – May 31, 2026)"."""
    return selectors.cycle_label(cycle)


@register.filter
def past_cycle_outcome(cycle: Cycle) -> str:
    """A closed cycle brought in from before KeepCert: "Completed before this record came to
    KeepCert, with 30 points." ("" for any other cycle)."""
    return standing.past_cycle_outcome(cycle)


@register.filter
def progress_unavailable(credential_code: str) -> str:
    """Why a cycle shows no figures: the program has not set the credential's points."""
    return selectors.progress_unavailable_message(credential_code)


@register.filter
def minutes(value: timedelta | None) -> int:
    """A duration in whole minutes, rounded up (a lockout of 29.5 minutes reads as 30)."""
    return 0 if value is None else math.ceil(value.total_seconds() / 60)


@register.inclusion_tag("portal/_progress_bar.html")
def progress_bar(progress: Progress) -> dict[str, object]:
    """The cycle's bar, drawn as SVG on the server, with its figures as the accessible name."""
    return {
        "percent": progress.percent,
        "complete": progress.compliant,
        "label": ngettext(
            "%(counted)s of %(required)s point counted (%(percent)s%%)",
            "%(counted)s of %(required)s points counted (%(percent)s%%)",
            plural_count(progress.required),
        )
        % {
            "counted": format_points(progress.counted),
            "required": format_points(progress.required),
            "percent": progress.percent,
        },
    }
