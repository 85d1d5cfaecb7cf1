"""The member's invoices: what is owed, paying through the site's gateway, and each
invoice's payments (SPEC §6). Amounts are the invoice's; the browser sends none."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from keepcert.billing.models import CheckoutSession, Invoice
from keepcert.billing.selectors import invoice_view, member_invoices
from keepcert.billing.services import start_checkout
from keepcert.core.errors import DomainError
from keepcert.members.models import Member
from keepcert.portal.views import member_required


@require_GET
@member_required
def invoice_list(request: HttpRequest, member: Member) -> HttpResponse:
    return render(
        request, "portal/invoices.html", {"member": member, "invoices": member_invoices(member)}
    )


@require_GET
@member_required
def invoice_detail(request: HttpRequest, member: Member, pk: int) -> HttpResponse:
    invoice = (
        Invoice.objects.select_related(
            "certification__credential", "closing_cycle__certification__member__program"
        )
        .filter(certification__member=member, pk=pk)
        .first()
    )
    if invoice is None:
        raise Http404
    view = invoice_view(invoice, today=member.program.today())
    # Back from a hosted page before the gateway has told us: say it is on its way.
    confirming = (
        view.can_pay
        and invoice.checkouts.filter(status=CheckoutSession.Status.OPEN).exists()
        and request.GET.get("from") == "checkout"
    )
    return render(
        request,
        "portal/invoice_detail.html",
        {
            "member": member,
            "view": view,
            "payments": invoice.payments.order_by("received_on", "pk"),
            "confirming": confirming,
        },
    )


@require_POST
@member_required
def invoice_pay(request: HttpRequest, member: Member, pk: int) -> HttpResponse:
    back = reverse("portal:invoice_detail", args=[pk])
    try:
        session = start_checkout(
            member=member,
            invoice_id=pk,
            success_url=request.build_absolute_uri(f"{back}?from=checkout"),
            cancel_url=request.build_absolute_uri(back),
        )
    except Invoice.DoesNotExist:
        raise Http404 from None
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(back)
    return redirect(session.url)
