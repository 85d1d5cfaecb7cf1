"""The member's own record: profile, certifications, cycles and progress (SPEC §5)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from keepcert.api.auth import member_of
from keepcert.api.errors import AUTH, LOOKUP, ErrorOut
from keepcert.api.inputs import Cursor, Limit
from keepcert.api.outputs import (
    AddressOut,
    CertificationPage,
    CyclePage,
    CycleProgressOut,
    MeOut,
    categories_out,
    certification_out,
    cycle_out,
    cycle_progress_out,
    not_found,
)
from keepcert.certifications.models import Cycle
from keepcert.certifications.selectors import (
    CERTIFICATION_ORDER,
    CYCLE_ORDER,
    cycle_progress,
    lines_page,
    member_summaries,
)
from keepcert.core.pagination import paginate
from keepcert.program.selectors import rules_of

router = Router(tags=["Your record"])


@router.get(
    "/me",
    response={200: MeOut, **AUTH},
    operation_id="get_me",
    summary="Your profile and certifications",
    description=(
        "Your member number, name, contact details, each certification with its current "
        "cycle, and the activity categories you can record against."
    ),
)
def me(request: HttpRequest) -> MeOut:
    member = member_of(request)
    return MeOut(
        member_number=member.member_number,
        first_name=member.first_name,
        last_name=member.last_name,
        email=member.email,
        address=AddressOut(
            line1=member.address_line1,
            line2=member.address_line2,
            city=member.city,
            region=member.region,
            postal_code=member.postal_code,
            country=member.country,
        ),
        certifications=[certification_out(s) for s in member_summaries(member)],
        categories=categories_out(rules_of(member.program), on=member.program.today()),
    )


@router.get(
    "/certifications",
    response={200: CertificationPage, **AUTH, 422: ErrorOut},
    operation_id="list_certifications",
    summary="Your certifications",
    description=(
        "Each certification you hold, with its status and current CE cycle, by credential "
        "code; a page at a time."
    ),
)
def list_certifications(
    request: HttpRequest, limit: Limit = None, cursor: Cursor = None
) -> CertificationPage:
    member = member_of(request)
    page = paginate(
        member.certifications.select_related("credential"),
        ordering=CERTIFICATION_ORDER,
        name="certifications",
        limit=limit,
        cursor=cursor,
    )
    summaries = member_summaries(member, certifications=page.items)
    return CertificationPage(items=[certification_out(s) for s in summaries], next=page.next_cursor)


@router.get(
    "/certifications/{certification_id}/cycles",
    response={200: CyclePage, **LOOKUP},
    operation_id="list_cycles",
    summary="Cycles of one certification",
    description=(
        "Every CE cycle of the certification, newest first, past ones included; a page at a time."
    ),
)
def list_cycles(
    request: HttpRequest, certification_id: int, limit: Limit = None, cursor: Cursor = None
) -> CyclePage:
    member = member_of(request)
    certification = member.certifications.filter(pk=certification_id).first()
    if certification is None:
        raise not_found("certification", certification_id)
    page = paginate(
        certification.cycles.select_related("certification__credential"),
        ordering=CYCLE_ORDER,
        name=f"certification-{certification.pk}-cycles",
        limit=limit,
        cursor=cursor,
    )
    return CyclePage(items=[cycle_out(cycle) for cycle in page.items], next=page.next_cursor)


@router.get(
    "/cycles/{cycle_id}",
    response={200: CycleProgressOut, **LOOKUP},
    operation_id="get_cycle",
    summary="Progress in one cycle",
    description=(
        "Points required, claimed and counted, what remains, your pace and a plan, each "
        "category against its cap, and one line per activity saying how it counted: the "
        "latest `limit` of them, with `activities_next` as the `cursor` for the rest. "
        "Points are decimal strings with two places."
    ),
)
def get_cycle(
    request: HttpRequest, cycle_id: int, limit: Limit = None, cursor: Cursor = None
) -> CycleProgressOut:
    member = member_of(request)
    cycle = (
        Cycle.objects.for_member(member.pk)
        .select_related("certification__credential", "certification__member__program")
        .filter(pk=cycle_id)
        .first()
    )
    if cycle is None:
        raise not_found("cycle", cycle_id)
    result = cycle_progress(cycle)
    return cycle_progress_out(result, lines_page(result, limit=limit, cursor=cursor))
