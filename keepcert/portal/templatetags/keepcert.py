"""Template filters that render points and dates exactly as the rules core words them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django import template

from keepcert.rules import Progress
from keepcert.rules.text import format_date, format_points

register = template.Library()


@register.filter
def points(value: Decimal | None) -> str:
    return "–" if value is None else format_points(value)


@register.filter
def longdate(value: date | None) -> str:
    return "" if value is None else format_date(value)


@register.inclusion_tag("portal/_progress_bar.html")
def progress_bar(progress: Progress) -> dict[str, object]:
    """The cycle's bar, drawn as SVG on the server, with its figures as the accessible name."""
    return {
        "percent": progress.percent,
        "complete": progress.compliant,
        "label": (
            f"{format_points(progress.counted)} of {format_points(progress.required)} "
            f"points counted ({progress.percent}%)"
        ),
    }
