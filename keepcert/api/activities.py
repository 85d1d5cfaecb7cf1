"""Recording, reading, changing and deleting CE activities (SPEC §4).

Every rule about what may be recorded lives in `keepcert.activities` (the write
services, their validation and the evidence vault); this
module turns the request into `ActivityData` (a category code into the category,
certification ids into their open cycles) and the service's answer into JSON.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from django.db.models import Prefetch
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.params.functions import Query

from keepcert.activities.models import Activity, ActivityQuerySet, CycleActivity
from keepcert.activities.selectors import (
    ACTIVITY_ORDER,
    change_lock,
    cycles_to_record_against,
)
from keepcert.activities.services import (
    ActivityChanges,
    ActivityData,
    Attestation,
    delete_activity,
    record_activity,
    update_activity,
)
from keepcert.activities.validation import FieldErrors
from keepcert.api.auth import member_of
from keepcert.api.errors import AUTH, BODY, CONFLICT, LOOKUP, ErrorOut
from keepcert.api.idempotency import KeyHeader, credential_of
from keepcert.api.inputs import ActivityIn, ActivityPatch, Cursor, Limit
from keepcert.api.outputs import (
    ActivityDetailOut,
    ActivityPage,
    CountingOut,
    activity_fields,
    activity_out,
    not_found,
    points,
)
from keepcert.certifications.models import Cycle
from keepcert.certifications.selectors import cycles_progress
from keepcert.core import idempotency
from keepcert.core.http import client_address
from keepcert.core.pagination import paginate
from keepcert.members.models import Member
from keepcert.program.models import Category
from keepcert.program.selectors import rules_of

router = Router(tags=["Activities"])

_LARGEST_ID = 2**63 - 1


def _activities(member: Member) -> ActivityQuerySet:
    links = CycleActivity.objects.select_related(
        "cycle__certification__credential", "cycle__certification__member__program"
    )
    return (
        Activity.objects.for_member(member.pk)
        .select_related("category")
        .prefetch_related(Prefetch("cycle_links", queryset=links), "evidence")
    )


def _own_activity(member: Member, activity_id: int) -> Activity:
    activity = _activities(member).filter(pk=activity_id).first()
    if activity is None:
        raise not_found("activity", activity_id)
    return activity


class _References(FieldErrors):
    """Resolves the codes and ids a request names; collects what it cannot resolve."""

    def __init__(self, member: Member) -> None:
        super().__init__()
        self.member = member

    def category(self, code: str) -> Category | None:
        categories = Category.objects.filter(program_id=self.member.program_id)
        category = categories.filter(code=code).first()
        if category is None:
            known = ", ".join(categories.values_list("code", flat=True))
            self.add(
                "category",
                _("Choose one of the program's activity categories: %(known)s.") % {"known": known},
            )
        return category

    def cycles(self, certification_ids: Sequence[int]) -> list[Cycle]:
        """The cycle of each named certification that takes the entry
        (`cycles_to_record_against`)."""
        # An id no database integer can hold names no certification (and would overflow).
        storable = [i for i in certification_ids if 0 < i <= _LARGEST_ID]
        codes = dict(
            self.member.certifications.filter(pk__in=storable).values_list("pk", "credential__code")
        )
        cycles = cycles_to_record_against(self.member, list(codes))
        chosen = []
        for certification_id in dict.fromkeys(certification_ids):
            if certification_id not in codes:
                self.add(
                    "certifications",
                    _("You have no certification with id %(id)s.") % {"id": certification_id},
                )
            elif certification_id not in cycles:
                self.add(
                    "certifications",
                    _("Your %(code)s certification has no CE cycle to record against.")
                    % {"code": codes[certification_id]},
                )
            else:
                chosen.append(cycles[certification_id])
        return chosen


def _detail(member: Member, activity_id: int) -> ActivityDetailOut:
    activity = _own_activity(member, activity_id)
    program_rules = rules_of(member.program)
    today = member.program.today()
    links = sorted(activity.cycle_links.all(), key=lambda c: c.cycle.start)
    # Each cycle evaluated once, with all its activities read in one query for all cycles.
    progress = cycles_progress(
        [link.cycle for link in links], program_rules=program_rules, today=today
    )
    counting = []
    for link in links:
        lines = progress[link.cycle_id].lines
        line = next(line for line in lines if line.activity.pk == activity.pk)
        counting.append(
            CountingOut(
                cycle_id=link.cycle.pk,
                counted=points(line.result.counted),
                outcome=line.result.outcome,
                explanation=line.result.explanation,
            )
        )
    lock = change_lock(activity, today=today, program_rules=program_rules)
    return ActivityDetailOut.model_validate(
        {
            **activity_fields(activity, program_rules.category_names(on=today)),
            "counting": counting,
            "changeable": lock is None,
            "locked_reason": lock.reason if lock else None,
        }
    )


_ENTRY_FIELDS = ("title", "provider", "start_date", "end_date", "points", "units", "notes")


def _entry(member: Member, payload: ActivityIn | ActivityPatch) -> dict[str, Any]:
    """The entry's fields as sent, with the category code and certification ids resolved
    (every name that resolves to nothing is reported at once)."""
    refs = _References(member)
    category = None if payload.category is None else refs.category(payload.category)
    cycles = None if payload.certifications is None else refs.cycles(payload.certifications)
    refs.raise_if_any()
    sent = {name: getattr(payload, name) for name in _ENTRY_FIELDS}
    return {**sent, "category": category, "cycles": cycles}


@router.get(
    "/activities",
    response={200: ActivityPage, **AUTH, 404: ErrorOut, 422: ErrorOut},
    operation_id="list_activities",
    summary="Your activities",
    description=(
        "The CE activities you recorded, latest first (by end date, then start date), a "
        "page at a time; with `cycle`, only those claimed against that cycle. Points are "
        "decimal strings with two places."
    ),
)
def list_activities(
    request: HttpRequest,
    cycle: Annotated[
        int | None,
        Query(None, description="Only activities claimed against this cycle."),
    ] = None,
    limit: Limit = None,
    cursor: Cursor = None,
) -> ActivityPage:
    member = member_of(request)
    activities = _activities(member)
    if cycle is not None:
        if not Cycle.objects.for_member(member.pk).filter(pk=cycle).exists():
            raise not_found("cycle", cycle)
        activities = activities.filter(cycle_links__cycle_id=cycle)
    page = paginate(
        activities,
        ordering=ACTIVITY_ORDER,
        name=f"activities-{cycle}" if cycle is not None else "activities",
        limit=limit,
        cursor=cursor,
    )
    names = rules_of(member.program).category_names(on=member.program.today())
    return ActivityPage(
        items=[activity_out(activity, names) for activity in page.items], next=page.next_cursor
    )


@router.get(
    "/activities/{activity_id}",
    response={200: ActivityDetailOut, **LOOKUP},
    operation_id="get_activity",
    summary="One activity",
    description=(
        "The activity, how it counts in each cycle it is claimed against, and whether it "
        "can still be changed (with the reason when not)."
    ),
)
def get_activity(request: HttpRequest, activity_id: int) -> ActivityDetailOut:
    return _detail(member_of(request), activity_id)


@router.post(
    "/activities",
    response={201: ActivityDetailOut, **AUTH, **BODY, **CONFLICT},
    operation_id="record_activity",
    summary="Record an activity",
    description=(
        "Records a CE activity; its points count at once. It applies to the certifications "
        "you name, or to every cycle open for recording whose dates contain it. A 422 names "
        "each field at fault and saves nothing. A 409 with code `duplicate` means an entry "
        "with the same category, title and dates exists: send again with "
        "`confirm_duplicate: true` if this is a separate activity. A 409 with code "
        "`large_points` means the points are more than one activity of the category usually "
        "earns or than the cycles still need: check them, and send again with "
        "`confirm_large_points: true` if they are right.\n\n"
        "**Retrying safely**: send an `Idempotency-Key` header (1 to 255 printable ASCII "
        "characters, e.g. a UUID) and, if the answer is lost, send the same request with the "
        "same key again: you get the first answer and nothing is recorded twice. The same "
        "key with another body answers 422 `idempotency_mismatch`; a retry while the first "
        "request is still being processed answers 409 `in_flight`. Keys are kept per token "
        "for 24 hours. A request that failed keeps nothing, so a corrected request may reuse "
        "its key."
    ),
)
def create_activity(
    request: HttpRequest, payload: ActivityIn, idempotency_key: KeyHeader = None
) -> Status[Any]:
    member = member_of(request)
    key = idempotency.check_key(idempotency_key)

    def record() -> idempotency.Answer:
        activity = record_activity(
            member=member,
            data=ActivityData(**_entry(member, payload)),
            attestation=Attestation(accepted=payload.attest, ip_address=client_address(request)),
            actor=member.user,
            confirm_duplicate=payload.confirm_duplicate,
            confirm_large_points=payload.confirm_large_points,
        )
        return idempotency.Answer(201, _detail(member, activity.pk).model_dump(mode="json"))

    answer = idempotency.run_once(
        credential=credential_of(request) if key is not None else "",
        key=key,
        request_hash=idempotency.request_hash(
            method=request.method or "POST", path=request.path, body=request.body
        ),
        work=record,
    )
    # A replayed answer is the stored JSON; ninja validates it against the schema again.
    return Status(answer.status, answer.body)


@router.patch(
    "/activities/{activity_id}",
    response={200: ActivityDetailOut, **LOOKUP, **BODY, **CONFLICT},
    operation_id="change_activity",
    summary="Change an activity",
    description=(
        "Changes the fields you send; the others keep their values. Allowed while every "
        "cycle the activity counts toward is open (a 409 `locked` says why not). The change "
        "is attested anew and kept in the record's history. Changed points that look too "
        "large answer a 409 `large_points`, as when recording."
    ),
)
def change_activity(
    request: HttpRequest, activity_id: int, payload: ActivityPatch
) -> ActivityDetailOut:
    member = member_of(request)
    activity = _own_activity(member, activity_id)
    # Only what was sent: the service fills in the rest from the row it has locked.
    update_activity(
        activity=activity,
        data=ActivityChanges(**_entry(member, payload)),
        attestation=Attestation(accepted=payload.attest, ip_address=client_address(request)),
        actor=member.user,
        confirm_duplicate=payload.confirm_duplicate,
        confirm_large_points=payload.confirm_large_points,
    )
    return _detail(member, activity.pk)


@router.delete(
    "/activities/{activity_id}",
    response={204: None, **LOOKUP, **CONFLICT},
    operation_id="delete_activity",
    summary="Delete an activity",
    description=(
        "Deletes the activity while every cycle it counts toward is open (a 409 `locked` "
        "says why not). The record's history keeps what it was."
    ),
)
def remove_activity(request: HttpRequest, activity_id: int) -> Status[None]:
    member = member_of(request)
    activity = _own_activity(member, activity_id)
    delete_activity(activity=activity, actor=member.user, ip_address=client_address(request))
    return Status(204, None)
