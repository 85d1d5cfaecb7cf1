"""The member portal: thin views that parse, look up the member's own objects, call a
service and render. Another member's object answers 404; an account without a member
record answers 403."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import partial, wraps
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from keepcert.activities.models import Activity, Evidence
from keepcert.activities.selectors import (
    activity_history,
    change_lock,
    cycles_containing,
    recordable_cycles,
)
from keepcert.activities.services import (
    Attestation,
    delete_activity,
    record_activity,
    remove_evidence,
    update_activity,
)
from keepcert.certifications.models import Cycle
from keepcert.certifications.selectors import (
    CYCLE_ORDER,
    can_record,
    cycle_page_standing,
    cycle_progress,
    latest_activities,
    lines_page,
    member_summaries,
)
from keepcert.core import ratelimit
from keepcert.core.errors import DomainError, NeedsConfirmation
from keepcert.core.http import client_address
from keepcert.core.pagination import InvalidCursor, Page, paginate
from keepcert.members.models import EMAIL_CHANGE_LINK_DAYS, ApiToken, Member, NameChangeRequest
from keepcert.members.services import (
    ContactChange,
    cancel_email_change,
    check_email_change_link,
    claim_account,
    confirm_email_change,
    create_api_token,
    request_contact_change,
    request_name_change,
    revoke_all_api_tokens,
    revoke_api_token,
)
from keepcert.portal.forms import (
    ActivityForm,
    ClaimForm,
    ContactForm,
    NameChangeForm,
    TokenForm,
)
from keepcert.program.selectors import rules_of
from keepcert.rules.text import points_phrase

MemberView = Callable[..., HttpResponseBase]

DASHBOARD_ACTIVITIES = 5
"""The latest activities the dashboard shows of each cycle; its cycle page lists them all."""

TOKEN_ORDER = ("-created_at", "-pk")


def _over_write_limit(request: HttpRequest, member: Member) -> HttpResponse | None:
    """A member's writes (any POST, …) are limited per minute; reads are not counted."""
    decision = ratelimit.hit(
        ("member-writes", member.pk),
        limit=settings.KEEPCERT_RATE_MEMBER_WRITES_PER_MINUTE,
        window=60,
    )
    if decision.allowed:
        return None
    response = render(
        request,
        "portal/rate_limited.html",
        {"member": member, "retry_after": decision.retry_after},
        status=429,
    )
    response["Retry-After"] = str(decision.retry_after)
    return response


def _members_only(request: HttpRequest) -> HttpResponse:
    """The 403 page for a staff account on a member's page, with the way to its own."""
    staff_start_url = resolve_url(settings.STAFF_START_URL)
    return render(request, "403.html", {"staff_start_url": staff_start_url}, status=403)


def member_required(view: MemberView) -> Callable[..., HttpResponseBase]:
    """Signed in, and the account is a member's: passes the member to the view.

    Writes count against the member's rate limit
    (`KEEPCERT_RATE_MEMBER_WRITES_PER_MINUTE`): past it, 429 and a page saying when to
    try again, before the view runs.
    """

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        user = request.user
        assert user.is_authenticated  # login_required
        member = Member.objects.select_related("program").filter(user=user).first()
        if member is None:
            if user.is_staff:  # signed in as staff: say where their own pages are
                return _members_only(request)
            raise PermissionDenied(_("This account is not linked to a member record."))
        user.member = member  # the page header asks for it: spare a second query
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            limited = _over_write_limit(request, member)
            if limited is not None:
                return limited
        # Times (attestations, history) read in the program's zone, like its dates.
        with timezone.override(ZoneInfo(member.program.time_zone)):
            return view(request, member, *args, **kwargs)

    return wrapper


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated and Member.objects.filter(user=request.user).exists():
        return redirect("portal:dashboard")
    return render(request, "portal/home.html")


@require_GET
@member_required
def dashboard(request: HttpRequest, member: Member) -> HttpResponse:
    # Each current cycle's latest activities only: the page costs the same however much
    # is recorded, and its cycle page lists the rest.
    certifications = member_summaries(member)
    summaries = [
        (
            summary,
            lines_page(summary.current, limit=DASHBOARD_ACTIVITIES) if summary.current else None,
        )
        for summary in certifications
    ]
    return render(
        request,
        "portal/dashboard.html",
        {
            "member": member,
            "summaries": summaries,
            "activities": latest_activities(certifications, limit=DASHBOARD_ACTIVITIES),
            "can_record": can_record(certifications),
        },
    )


def _page_or_first[T](request: HttpRequest, pages: Callable[[str | None], Page[T]]) -> Page[T]:
    """The page the link asked for; from a link that is not valid (changed by hand, or
    cut short), the first page and a message saying why."""
    try:
        return pages(request.GET.get("cursor") or None)
    except InvalidCursor as error:
        messages.error(request, error.message)
        return pages(None)


@require_GET
@member_required
def cycle_detail(request: HttpRequest, member: Member, cycle_id: int) -> HttpResponse:
    cycle = get_object_or_404(
        Cycle.objects.for_member(member.pk).select_related(
            "certification__credential", "certification__member__program"
        ),
        pk=cycle_id,
    )
    other_cycles = list(cycle.certification.cycles.begun().order_by(*CYCLE_ORDER))
    progress = cycle_progress(cycle)
    lines = _page_or_first(request, lambda cursor: lines_page(progress, cursor=cursor))
    return render(
        request,
        "portal/cycle_detail.html",
        {
            "member": member,
            "cycle_progress": progress,
            "standing": cycle_page_standing(progress, other_cycles[0]),
            "lines": lines,
            "other_cycles": other_cycles,
            "is_first_page": not request.GET.get("cursor"),
        },
    )


def _activity_form_page(
    request: HttpRequest,
    member: Member,
    *,
    activity: Activity | None,
) -> HttpResponse:
    program_rules = rules_of(member.program)
    today = member.program.today()
    keep = list(activity.cycles.all()) if activity else []
    cycles = recordable_cycles(member, today=today, program_rules=program_rules)
    cycles += [c for c in keep if c not in cycles]
    form_kwargs: dict[str, Any] = {"rule_set": program_rules.rule_set_on(today), "cycles": cycles}
    confirmation: NeedsConfirmation | None = None
    if request.method == "POST":
        form = ActivityForm(request.POST, request.FILES, **form_kwargs)
        # Reads every field; whatever it cannot read goes to the service as `unreadable`,
        # so the member learns of every problem with the entry in one round.
        form.is_valid()
        cleaned = form.cleaned_data
        entry: dict[str, Any] = {
            "data": form.activity_data(),
            "attestation": Attestation(
                accepted=bool(cleaned.get("attestation")), ip_address=client_address(request)
            ),
            "actor": request.user,
            "confirm_duplicate": bool(cleaned.get("confirm_duplicate")),
            "confirm_large_points": form.large_points_confirmed(),
            "files": form.evidence_files(),
            "unreadable": form.unreadable(),
        }
        try:
            if activity is None:
                saved = record_activity(member=member, **entry)
                messages.success(
                    request,
                    _("Recorded “%(title)s”: %(points)s.")
                    % {"title": saved.title, "points": points_phrase(saved.points)},
                )
            else:
                saved = update_activity(activity=activity, **entry)
                messages.success(
                    request, _("Saved your changes to “%(title)s”.") % {"title": saved.title}
                )
            return redirect("portal:dashboard")
        except NeedsConfirmation as error:
            confirmation = error
            confirmed = request.POST.copy()
            if error.code == "large_points":
                confirmed["confirm_large_points"] = form.amounts_typed()
            else:
                confirmed["confirm_duplicate"] = "on"
            form.data = confirmed
        except DomainError as error:
            form.add_domain_error(error)
    elif activity is not None:
        form = ActivityForm(
            initial={
                "category": activity.category_id,
                "title": activity.title,
                "provider": activity.provider,
                "start_date": activity.start_date,
                "end_date": activity.end_date,
                "points": activity.points,
                "units": activity.units,
                "notes": activity.notes,
                "cycles": [c.pk for c in keep],
            },
            **form_kwargs,
        )
    else:
        form = ActivityForm(initial={"cycles": [c.pk for c in cycles]}, **form_kwargs)
    if request.FILES.getlist("evidence"):
        # A browser never sends a chosen file twice: after a refusal, ask for them again.
        form.ask_for_files_again([f.name or "" for f in request.FILES.getlist("evidence")])
    return render(
        request,
        "portal/activity_form.html",
        {
            "member": member,
            "form": form,
            "activity": activity,
            "has_cycles": bool(cycles),
            "confirmation": confirmation,
            "attached": list(activity.evidence.all()) if activity else [],
        },
        status=200 if request.method == "GET" or confirmation else 422,
    )


@require_http_methods(["GET", "POST"])
@member_required
def activity_new(request: HttpRequest, member: Member) -> HttpResponse:
    return _activity_form_page(request, member, activity=None)


def _own_activity(member: Member, pk: int) -> Activity:
    return get_object_or_404(
        Activity.objects.for_member(member.pk).select_related("category", "member__program"), pk=pk
    )


@require_GET
@member_required
def activity_cycles(request: HttpRequest, member: Member) -> HttpResponse:
    """htmx: the "count it toward" boxes, ticked for each open cycle containing the dates."""
    program_rules = rules_of(member.program)
    today = member.program.today()
    cycles = recordable_cycles(member, today=today, program_rules=program_rules)
    try:
        start = date.fromisoformat(request.GET.get("start_date", ""))
        end = date.fromisoformat(request.GET.get("end_date", "") or request.GET["start_date"])
    except (KeyError, ValueError):
        ticked = {c.pk for c in cycles}
    else:
        ticked = {c.pk for c in cycles_containing(cycles, start, end)}
    form = ActivityForm(
        initial={"cycles": sorted(ticked)},
        rule_set=program_rules.rule_set_on(today),
        cycles=cycles,
    )
    form.explain_unticked([c for c in cycles if c.pk not in ticked])
    return render(request, "portal/_cycle_choices.html", {"form": form})


@require_GET
@member_required
def activity_detail(request: HttpRequest, member: Member, pk: int) -> HttpResponse:
    activity = _own_activity(member, pk)
    program_rules = rules_of(member.program)
    today = member.program.today()
    return render(
        request,
        "portal/activity_detail.html",
        {
            "member": member,
            "activity": activity,
            "category_name": program_rules.category_name(activity.category_id, on=today),
            # The sentence attested, marked with the language it was read in (a member who
            # has since changed language reads it as it was, and a screen reader says it so).
            "attested": format_html(
                '<span lang="{}">{}</span>',
                activity.attestation_language,
                activity.attestation_text,
            ),
            "cycle_links": activity.cycle_links.select_related("cycle__certification__credential"),
            "lock": change_lock(activity, today=today, program_rules=program_rules),
            "history": activity_history(activity),
            "evidence": activity.evidence.all(),
        },
    )


def _own_evidence(member: Member, pk: int, evidence_pk: int) -> Evidence:
    return get_object_or_404(
        Evidence.objects.for_member(member.pk).filter(activity_id=pk), pk=evidence_pk
    )


@require_GET
@member_required
def evidence_download(
    request: HttpRequest, member: Member, pk: int, evidence_pk: int
) -> FileResponse:
    """The member's own file, as a download under the name they gave it.

    Never shown inline: the browser must not render a member's upload as a page of
    this site, whatever it contains.
    """
    evidence = _own_evidence(member, pk, evidence_pk)
    try:
        stored = evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("This file is missing from storage.")) from None
    response = FileResponse(
        stored,
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_http_methods(["GET", "POST"])
@member_required
def evidence_remove(
    request: HttpRequest, member: Member, pk: int, evidence_pk: int
) -> HttpResponse:
    evidence = _own_evidence(member, pk, evidence_pk)
    return _ask_then_remove(
        request,
        member,
        _own_activity(member, pk),
        remove=partial(remove_evidence, evidence=evidence),
        removed=_("Removed “%(name)s”.") % {"name": evidence.original_name},
        then=reverse("portal:activity_detail", args=[pk]),
        page="portal/evidence_remove.html",
        context={"evidence": evidence},
    )


def _refuse_if_locked(
    request: HttpRequest, member: Member, activity: Activity
) -> HttpResponse | None:
    """Back to the activity, with the reason, when it can no longer be changed."""
    lock = change_lock(
        activity, today=member.program.today(), program_rules=rules_of(member.program)
    )
    if lock is None:
        return None
    messages.error(request, lock.message)
    return redirect("portal:activity_detail", pk=activity.pk)


@require_http_methods(["GET", "POST"])
@member_required
def activity_edit(request: HttpRequest, member: Member, pk: int) -> HttpResponse:
    activity = _own_activity(member, pk)
    locked = _refuse_if_locked(request, member, activity)
    return locked or _activity_form_page(request, member, activity=activity)


@require_http_methods(["GET", "POST"])
@member_required
def activity_delete(request: HttpRequest, member: Member, pk: int) -> HttpResponse:
    activity = _own_activity(member, pk)
    return _ask_then_remove(
        request,
        member,
        activity,
        remove=partial(delete_activity, activity=activity),
        removed=_("Deleted “%(title)s”.") % {"title": activity.title},
        then=reverse("portal:dashboard"),
        page="portal/activity_delete.html",
    )


def _ask_then_remove(
    request: HttpRequest,
    member: Member,
    activity: Activity,
    *,
    remove: Callable[..., object],
    removed: str,
    then: str,
    page: str,
    context: dict[str, Any] | None = None,
) -> HttpResponse:
    """A removal asks first: GET shows `page` ("… This cannot be undone."), POST calls the
    service `remove` and goes to `then` saying `removed`. An activity that can no longer
    be changed refuses both, with the reason; so does the service, if it changed meanwhile."""
    locked = _refuse_if_locked(request, member, activity)
    if locked:
        return locked
    if request.method != "POST":
        return render(request, page, {"member": member, "activity": activity, **(context or {})})
    try:
        remove(actor=request.user, ip_address=client_address(request))
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("portal:activity_detail", pk=activity.pk)
    messages.success(request, removed)
    return redirect(then)


@require_GET
@member_required
def profile(request: HttpRequest, member: Member) -> HttpResponse:
    return _profile_page(request, member, TokenForm())


def _profile_page(
    request: HttpRequest, member: Member, token_form: TokenForm, *, new_token: str | None = None
) -> HttpResponse:
    return render(
        request,
        "portal/profile.html",
        {
            "member": member,
            "tokens": _page_or_first(
                request,
                lambda cursor: paginate(
                    member.api_tokens.active(), ordering=TOKEN_ORDER, name="tokens", cursor=cursor
                ),
            ),
            "is_first_page": not request.GET.get("cursor"),
            "token_form": token_form,
            "new_token": new_token,
            "name_change": _pending_name_change(member),
            "email_link_expired": (
                member.pending_email_expires_at is not None
                and member.pending_email_expires_at <= timezone.now()
            ),
        },
        status=422 if token_form.errors else 200,
    )


def _pending_name_change(member: Member) -> NameChangeRequest | None:
    return member.name_change_requests.filter(status=NameChangeRequest.Status.PENDING).first()


def _say_contact_change(request: HttpRequest, member: Member, change: ContactChange) -> None:
    if change.address_changed:
        messages.success(
            request,
            _("Your mailing address is saved. It applies at once: letters go to it from now on."),
        )
    if change.email_requested:
        messages.success(
            request,
            _(
                "We sent a link to %(new)s. Open it within %(days)s days to confirm the change; "
                "until then notices keep going to %(old)s."
            )
            % {"new": change.email_requested, "days": EMAIL_CHANGE_LINK_DAYS, "old": member.email},
        )
    elif change.email_already_requested:
        messages.info(
            request,
            _(
                "The change to %(new)s is still waiting: open the link we sent to it. Notices "
                "keep going to %(old)s until then."
            )
            % {"new": change.email_already_requested, "old": member.email},
        )
    elif change.email_cancelled:
        messages.success(
            request,
            _("Notices keep going to %(email)s: the change to %(cancelled)s is cancelled.")
            % {"email": member.email, "cancelled": change.email_cancelled},
        )
    if change == ContactChange():
        messages.info(request, _("Nothing changed: these are the details on file already."))


@require_http_methods(["GET", "POST"])
@member_required
def contact_change(request: HttpRequest, member: Member) -> HttpResponse:
    """The member's notices email and mailing address (SPEC §13)."""
    if request.method == "POST":
        form = ContactForm(request.POST)
        try:
            change = request_contact_change(
                request=request,
                member=member,
                details=form.details(),
                actor=request.user,  # type: ignore[arg-type]
            )
        except DomainError as error:
            form.add_domain_error(error)
        else:
            _say_contact_change(request, member, change)
            return redirect("portal:profile")
    else:
        initial = {name: getattr(member, name) for name in ContactForm.base_fields}
        # A change waiting for its link is what the member last asked for: shown, so that
        # saving the address again does not give it up.
        initial["email"] = member.pending_email or member.email
        form = ContactForm(initial=initial)
    return render(
        request,
        "portal/contact_form.html",
        {"member": member, "form": form},
        status=422 if form.errors else 200,
    )


@require_POST
@member_required
def email_change_cancel(request: HttpRequest, member: Member) -> HttpResponse:
    cancelled = cancel_email_change(request=request, member=member, actor=request.user)  # type: ignore[arg-type]
    if cancelled:
        messages.success(
            request,
            _("Notices keep going to %(email)s: the change to %(cancelled)s is cancelled.")
            % {"email": member.email, "cancelled": cancelled},
        )
    return redirect("portal:profile")


# A link that is not this member's answers as if it did not exist; one that was good once
# (used, replaced, expired) answers "gone". Both pages say what to do.
LINK_PROBLEM_STATUS = {"invalid": 404, "not_yours": 404, "expired": 410, "used": 410}


@require_http_methods(["GET", "POST"])
@member_required
def email_change_confirm(request: HttpRequest, member: Member, token: str) -> HttpResponse:
    """The link sent to a new notices address. Opening it only asks (a mail scanner may
    open links); the member's press of "Confirm" makes the change."""
    try:
        if request.method == "POST":
            new_email = confirm_email_change(
                request=request,
                member=member,
                token=token,
                actor=request.user,  # type: ignore[arg-type]
            )
            messages.success(
                request,
                _("Confirmed: notices now go to %(email)s. We told your previous address.")
                % {"email": new_email},
            )
            return redirect("portal:profile")
        new_email = check_email_change_link(member=member, token=token)
    except DomainError as error:
        return render(
            request,
            "portal/email_change_confirm.html",
            {"member": member, "problem": error.message},
            status=LINK_PROBLEM_STATUS.get(error.code, 400),
        )
    return render(
        request, "portal/email_change_confirm.html", {"member": member, "new_email": new_email}
    )


@require_http_methods(["GET", "POST"])
@member_required
def name_change(request: HttpRequest, member: Member) -> HttpResponse:
    """Ask staff to change the legal name on the record (SPEC §13)."""
    if request.method == "POST":
        form = NameChangeForm(request.POST)
        try:
            request_name_change(
                request=request,
                member=member,
                actor=request.user,  # type: ignore[arg-type]
                **form.typed(),
            )
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(
                request,
                _(
                    "Your request went to staff. They check it against your document and "
                    "email you their decision; until then your record keeps its current name."
                ),
            )
            return redirect("portal:profile")
    else:
        form = NameChangeForm()
    return render(
        request,
        "portal/name_change.html",
        {
            "member": member,
            "form": form,
            "pending": _pending_name_change(member),
            "contact_email": member.program.contact_email,
        },
        status=422 if form.errors else 200,
    )


@require_POST
@member_required
def token_create(request: HttpRequest, member: Member) -> HttpResponse:
    form = TokenForm(request.POST)
    if form.is_valid():
        try:
            _token, raw = create_api_token(
                member=member,
                name=form.cleaned_data["name"],
                actor=request.user,  # type: ignore[arg-type]
            )
        except DomainError as error:
            form.add_domain_error(error)
        else:
            # Shown on this response only: the token is not stored and cannot be shown again.
            return _profile_page(request, member, TokenForm(), new_token=raw)
    return _profile_page(request, member, form)


@require_POST
@member_required
def token_revoke(request: HttpRequest, member: Member, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken.objects.active().filter(member=member), pk=pk)
    revoke_api_token(token=token, actor=request.user)  # type: ignore[arg-type]
    messages.success(
        request,
        _("Revoked the token “%(name)s”. It no longer works.") % {"name": token.name},
    )
    return redirect("portal:profile")


@require_POST
@member_required
def token_revoke_all(request: HttpRequest, member: Member) -> HttpResponse:
    count = revoke_all_api_tokens(
        member=member,
        actor=request.user,  # type: ignore[arg-type]
        reason="member_request",
        ip_address=client_address(request),
    )
    if count:
        messages.success(request, _("Revoked all your API tokens. None of them works any more."))
    return redirect("portal:profile")


@require_http_methods(["GET", "POST"])
def claim(request: HttpRequest) -> HttpResponse:
    """Open the online account of a member on the register (SPEC §13).

    Every accepted attempt gets the same page, whatever the outcome; the outcome goes
    by email (see `claim_account`). Only input errors, password rules and the throttle
    show on the form, and none depends on what is on the register.
    """
    if request.user.is_authenticated:
        return redirect("portal:home")
    form = ClaimForm(request.POST or None)
    retry_after = None
    if request.method == "POST" and form.is_valid():
        try:
            claim_account(request=request, **form.cleaned_data)
        except ratelimit.RateLimited as error:
            form.add_domain_error(error)
            retry_after = error.retry_after
        except DomainError as error:  # the password rules: they depend on nothing stored
            form.add_domain_error(error)
        else:
            return render(request, "portal/claim_sent.html")
    status = 429 if retry_after else 422 if form.errors else 200
    response = render(request, "portal/claim.html", {"form": form}, status=status)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response
