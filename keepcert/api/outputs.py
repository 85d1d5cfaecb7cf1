"""What the API answers: the output schemas, and the functions that fill them from models
and the rules core's results.

Points are decimal strings with two places ("3.00"), so no client ever sees a binary-float
rounding of a member's points.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from django.http import Http404
from django.utils.translation import gettext_lazy
from pydantic import (
    BaseModel,
    Field,
)

from keepcert.activities.models import Activity
from keepcert.activities.selectors import progress_unavailable_message
from keepcert.certifications.models import Cycle
from keepcert.certifications.selectors import ActivityLine, CertificationSummary, CycleProgress
from keepcert.core.pagination import Page
from keepcert.program.selectors import ProgramRules
from keepcert.rules import Outcome, PaceStatus

# ---------------------------------------------------------------------------- schemas

Points = Annotated[
    str,
    Field(
        description='Points as a decimal string with two places, e.g. "3.00".',
        examples=["3.00"],
    ),
]


class CredentialOut(BaseModel):
    code: str = Field(examples=["RMA"])
    name: str = Field(examples=["Registered Medical Assistant"])


class CycleOut(BaseModel):
    """One CE cycle; both dates inclusive."""

    id: int
    certification_id: int
    credential_code: str
    start: date
    end: date
    status: str = Field(description="`open`, `compliant` or `noncompliant`.")
    status_label: str
    origin: str = Field(
        description="`recorded`: kept in KeepCert; `brought_in`: completed before the "
        "member's record came to KeepCert (its activities may not be here)."
    )
    brought_in_points: Points | None = Field(
        description="For a brought-in cycle, the points it counted where it was kept before; "
        "null when unknown or not brought in."
    )


class CertificationOut(BaseModel):
    id: int
    credential: CredentialOut
    certified_on: date
    status: str = Field(
        description="`active`, `inactive`, `lapsed`, `exempt`, `revoked` or `retired`."
    )
    status_label: str
    status_reason: str
    status_changed_on: date | None
    current_cycle: CycleOut | None = Field(
        description="The open cycle, else the latest one; null for an exempt certification."
    )


class AddressOut(BaseModel):
    line1: str
    line2: str
    city: str
    region: str
    postal_code: str
    country: str = Field(description="ISO 3166-1 alpha-2 code.")


class CategoryOut(BaseModel):
    code: str
    name: str


class MeOut(BaseModel):
    member_number: str
    first_name: str
    last_name: str
    email: str
    address: AddressOut
    certifications: list[CertificationOut]
    categories: list[CategoryOut] = Field(
        description="The activity categories you can record against today."
    )


class CategoryProgressOut(BaseModel):
    code: str
    name: str
    claimed: Points
    counted: Points
    cap: Points | None = Field(
        description="Most points the category counts in a cycle; null: no cap."
    )


class PaceOut(BaseModel):
    status: PaceStatus
    plan: str = Field(
        description="What to do and by when, in whole or half points, in the member's language.",
        examples=["Record 6 more points by May 31, 2026: 1.5 points a month will do it."],
    )
    expected_by_now: Points
    per_month: Points | None = Field(
        description="Points a month that close the gap, rounded up to a whole or half point; "
        "null when nothing more is needed."
    )
    months_left: int


class ProgressLineOut(BaseModel):
    """How one activity counted in the cycle."""

    activity_id: int
    title: str
    category: CategoryOut
    start_date: date
    end_date: date
    points: Points = Field(description="Points claimed.")
    counted: Points
    outcome: Outcome
    explanation: str


_NEXT = (
    "Send it back as `cursor` (with the same other parameters) for the following page; "
    "null on the last page."
)


class CertificationPage(BaseModel):
    items: list[CertificationOut]
    next: str | None = Field(description=_NEXT)


class CyclePage(BaseModel):
    items: list[CycleOut]
    next: str | None = Field(description=_NEXT)


class CycleProgressOut(BaseModel):
    """Where a cycle stands. The progress fields are null, with `message` saying why, when
    the program has not set the credential's points yet; the activities are listed anyway."""

    cycle: CycleOut
    credential: CredentialOut
    is_current: bool
    recording_open: bool = Field(description="Whether new activities can be recorded in it today.")
    message: str | None
    required: Points | None
    claimed: Points | None
    counted: Points | None
    remaining: Points | None
    percent: int | None
    compliant: bool | None
    days_left: int | None = Field(description="Days after today until the cycle ends.")
    pace: PaceOut | None
    categories: list[CategoryProgressOut]
    activities: list[ProgressLineOut] = Field(
        description="A page of the cycle's activities, latest first (see `limit` and `cursor`)."
    )
    activities_next: str | None = Field(
        description=(
            "Send it back as `cursor` for the cycle's following activities; null when "
            "these are the last."
        )
    )


class ActivityCycleOut(BaseModel):
    cycle_id: int
    certification_id: int
    credential_code: str
    start: date
    end: date


class EvidenceOut(BaseModel):
    """A file kept with an activity. Download it in the web portal."""

    id: int
    name: str = Field(description="The file's name as the member uploaded it.")
    size: int = Field(description="In bytes.")
    uploaded_at: datetime


class ActivityOut(BaseModel):
    id: int
    category: CategoryOut
    title: str
    provider: str
    start_date: date
    end_date: date
    points: Points
    units: Points | None
    notes: str
    cycles: list[ActivityCycleOut] = Field(
        description="The cycles the activity is claimed against."
    )
    evidence: list[EvidenceOut] = Field(
        description="The evidence files kept with the activity, oldest first."
    )
    attested_at: datetime
    created_at: datetime
    updated_at: datetime


class ActivityPage(BaseModel):
    items: list[ActivityOut]
    next: str | None = Field(description=_NEXT)


class CountingOut(BaseModel):
    cycle_id: int
    counted: Points
    outcome: Outcome
    explanation: str


class ActivityDetailOut(ActivityOut):
    counting: list[CountingOut] = Field(
        description="How the activity counts in each of its cycles."
    )
    changeable: bool = Field(description="Whether it can still be edited or deleted.")
    locked_reason: str | None = Field(description="Why it can no longer be changed, if so.")


# ---------------------------------------------------------------------------- shaping


def points(value: Decimal) -> str:
    return format(value, ".2f")


def optional_points(value: Decimal | None) -> str | None:
    return None if value is None else points(value)


def category_out(code: str, names: dict[str, str]) -> CategoryOut:
    """`names`: `ProgramRules.category_names`."""
    return CategoryOut(code=code, name=names.get(code, code))


def cycle_out(cycle: Cycle) -> CycleOut:
    """Needs `certification__credential` selected."""
    return CycleOut(
        id=cycle.pk,
        certification_id=cycle.certification_id,
        credential_code=cycle.certification.credential.code,
        start=cycle.start,
        end=cycle.end,
        status=cycle.status,
        status_label=cycle.get_status_display(),
        origin=cycle.origin,
        brought_in_points=optional_points(cycle.brought_in_points),
    )


def certification_out(summary: CertificationSummary) -> CertificationOut:
    certification = summary.certification
    return CertificationOut(
        id=certification.pk,
        credential=CredentialOut(code=certification.credential.code, name=summary.credential_name),
        certified_on=certification.certified_on,
        status=certification.status,
        status_label=certification.get_status_display(),
        status_reason=certification.status_reason,
        status_changed_on=certification.status_changed_on,
        current_cycle=cycle_out(summary.current.cycle) if summary.current else None,
    )


def cycle_progress_out(result: CycleProgress, lines: Page[ActivityLine]) -> CycleProgressOut:
    """`lines`: the page of `result.lines` to list (`lines_page`)."""
    progress, pace = result.progress, result.pace
    message = None
    if progress is None:
        message = progress_unavailable_message(result.certification.credential.code)
    return CycleProgressOut(
        cycle=cycle_out(result.cycle),
        credential=CredentialOut(
            code=result.certification.credential.code, name=result.credential_name
        ),
        is_current=result.is_current,
        recording_open=result.recording_open,
        message=message,
        required=points(progress.required) if progress else None,
        claimed=points(progress.entered) if progress else None,
        counted=points(progress.counted) if progress else None,
        remaining=points(progress.remaining) if progress else None,
        percent=progress.percent if progress else None,
        compliant=progress.compliant if progress else None,
        days_left=pace.days_left if pace else None,
        pace=PaceOut(
            status=pace.status,
            plan=pace.plan,
            expected_by_now=points(pace.expected_by_now),
            per_month=optional_points(pace.per_month),
            months_left=pace.months_left,
        )
        if pace
        else None,
        categories=[
            CategoryProgressOut(
                code=category.code,
                name=category.name,
                claimed=points(category.entered),
                counted=points(category.counted),
                cap=optional_points(category.cap),
            )
            for category in (progress.categories if progress else ())
        ],
        activities=[
            ProgressLineOut(
                activity_id=line.activity.pk,
                title=line.activity.title,
                category=CategoryOut(code=line.category_code, name=line.category_name),
                start_date=line.activity.start_date,
                end_date=line.activity.end_date,
                points=points(line.result.entry.points),
                counted=points(line.result.counted),
                outcome=line.result.outcome,
                explanation=line.result.explanation,
            )
            for line in lines.items
        ],
        activities_next=lines.next_cursor,
    )


def activity_fields(activity: Activity, names: dict[str, str]) -> dict[str, object]:
    """The fields of `ActivityOut`.

    Needs `category`, `cycle_links__cycle__certification__credential` and `evidence` loaded.
    """
    return {
        "id": activity.pk,
        "category": category_out(activity.category.code, names),
        "title": activity.title,
        "provider": activity.provider,
        "start_date": activity.start_date,
        "end_date": activity.end_date,
        "points": points(activity.points),
        "units": optional_points(activity.units),
        "notes": activity.notes,
        "cycles": [
            ActivityCycleOut(
                cycle_id=link.cycle.pk,
                certification_id=link.cycle.certification_id,
                credential_code=link.cycle.certification.credential.code,
                start=link.cycle.start,
                end=link.cycle.end,
            )
            for link in sorted(activity.cycle_links.all(), key=lambda c: c.cycle.start)
        ],
        "evidence": [
            EvidenceOut(id=e.pk, name=e.original_name, size=e.size, uploaded_at=e.uploaded_at)
            for e in activity.evidence.all()
        ],
        "attested_at": activity.attested_at,
        "created_at": activity.created_at,
        "updated_at": activity.updated_at,
    }


def activity_out(activity: Activity, names: dict[str, str]) -> ActivityOut:
    return ActivityOut.model_validate(activity_fields(activity, names))


_NOT_FOUND = {
    "activity": gettext_lazy("You have no activity with id %(id)s."),
    "certification": gettext_lazy("You have no certification with id %(id)s."),
    "cycle": gettext_lazy("You have no cycle with id %(id)s."),
}


def not_found(what: Literal["activity", "certification", "cycle"], pk: int) -> Http404:
    return Http404(str(_NOT_FOUND[what]) % {"id": pk})


def categories_out(program_rules: ProgramRules, *, on: date) -> list[CategoryOut]:
    """The categories that can be recorded on `on`, in the program's order."""
    return [
        CategoryOut(
            code=rule.category.code, name=program_rules.category_name(rule.category_id, on=on)
        )
        for rule in program_rules.rule_set_on(on).category_rules.all()
    ]
