"""Turning models and the rules core's results into the API's output schemas."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.http import Http404

from keepcert.activities.models import Activity
from keepcert.activities.selectors import progress_unavailable_message
from keepcert.api.schemas import (
    ActivityCycleOut,
    ActivityOut,
    CategoryOut,
    CategoryProgressOut,
    CertificationOut,
    CredentialOut,
    CycleOut,
    CycleProgressOut,
    EvidenceOut,
    PaceOut,
    ProgressLineOut,
)
from keepcert.certifications.models import Cycle
from keepcert.certifications.selectors import ActivityLine, CertificationSummary, CycleProgress
from keepcert.core.pagination import Page
from keepcert.program.selectors import ProgramRules


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
        claimed=points(progress.claimed) if progress else None,
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
                claimed=points(category.claimed),
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
                points=points(line.result.claim.points),
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

    Needs `category`, `claims__cycle__certification__credential` and `evidence` loaded.
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
                cycle_id=claim.cycle.pk,
                certification_id=claim.cycle.certification_id,
                credential_code=claim.cycle.certification.credential.code,
                start=claim.cycle.start,
                end=claim.cycle.end,
            )
            for claim in sorted(activity.claims.all(), key=lambda c: c.cycle.start)
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


def not_found(what: str, pk: int) -> Http404:
    return Http404(f"You have no {what} with id {pk}.")


def categories_out(program_rules: ProgramRules, *, on: date) -> list[CategoryOut]:
    """The categories that can be recorded on `on`, in the program's order."""
    return [
        CategoryOut(
            code=rule.category.code, name=program_rules.category_name(rule.category_id, on=on)
        )
        for rule in program_rules.rule_set_on(on).category_rules.all()
    ]
