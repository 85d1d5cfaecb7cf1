"""The member's own record: profile, certifications, cycles and progress (SPEC §5)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from keepcert.api.auth import member_of
from keepcert.api.errors import AUTH, LOOKUP
from keepcert.api.schemas import AddressOut, CertificationOut, CycleOut, CycleProgressOut, MeOut
from keepcert.api.shapes import (
    categories_out,
    certification_out,
    cycle_out,
    cycle_progress_out,
    not_found,
)
from keepcert.certifications.models import Cycle
from keepcert.certifications.selectors import cycle_progress, member_summaries
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
    response={200: list[CertificationOut], **AUTH},
    operation_id="list_certifications",
    summary="Your certifications",
    description="Each certification you hold, with its status and current CE cycle.",
)
def list_certifications(request: HttpRequest) -> list[CertificationOut]:
    return [certification_out(s) for s in member_summaries(member_of(request))]


@router.get(
    "/certifications/{certification_id}/cycles",
    response={200: list[CycleOut], **LOOKUP},
    operation_id="list_cycles",
    summary="Cycles of one certification",
    description="Every CE cycle of the certification, newest first, past ones included.",
)
def list_cycles(request: HttpRequest, certification_id: int) -> list[CycleOut]:
    member = member_of(request)
    certification = member.certifications.filter(pk=certification_id).first()
    if certification is None:
        raise not_found("certification", certification_id)
    cycles = certification.cycles.select_related("certification__credential").order_by("-start")
    return [cycle_out(cycle) for cycle in cycles]


@router.get(
    "/cycles/{cycle_id}",
    response={200: CycleProgressOut, **LOOKUP},
    operation_id="get_cycle",
    summary="Progress in one cycle",
    description=(
        "Points required, claimed and counted, what remains, your pace and a plan, each "
        "category against its cap, and one line per activity saying how it counted. "
        "Points are decimal strings with two places."
    ),
)
def get_cycle(request: HttpRequest, cycle_id: int) -> CycleProgressOut:
    member = member_of(request)
    cycle = (
        Cycle.objects.for_member(member.pk)
        .select_related("certification__credential", "certification__member__program")
        .filter(pk=cycle_id)
        .first()
    )
    if cycle is None:
        raise not_found("cycle", cycle_id)
    return cycle_progress_out(cycle_progress(cycle))
