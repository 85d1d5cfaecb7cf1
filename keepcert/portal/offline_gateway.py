"""The offline test gateway's "hosted" payment page (KEEPCERT_PAYMENT_GATEWAY=offline).

It stands in for a card provider's page on a local install, so a member can pay end to
end without the network: Pay succeeds (reported to billing exactly as a provider's
webhook would be), Decline changes nothing, Cancel goes back. Only the member whose
invoice it is can open it, and the amount is the one the session was opened for.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from keepcert.billing.gateways import OfflineGateway, PaymentReport
from keepcert.billing.models import CheckoutSession
from keepcert.billing.services import record_gateway_payment
from keepcert.members.models import Member
from keepcert.portal.views import member_required
from keepcert.rules.money import Money


def _local(request: HttpRequest, url: str) -> str:
    """Only a URL on this site: the session's return addresses were written by KeepCert,
    and a stale row never sends the member elsewhere."""
    allowed = url_has_allowed_host_and_scheme(url, {request.get_host()}, request.is_secure())
    return url if allowed else "/"


@require_http_methods(["GET", "POST"])
@member_required
def offline_payment_page(request: HttpRequest, member: Member, session_id: str) -> HttpResponse:
    session = (
        CheckoutSession.objects.select_related("invoice__certification__credential")
        .filter(
            gateway=OfflineGateway.name,
            session_id=session_id,
            invoice__certification__member=member,
        )
        .first()
    )
    if session is None:
        raise Http404
    usable = session.status == CheckoutSession.Status.OPEN and session.expires_at > timezone.now()
    declined = False
    if request.method == "POST" and usable:
        action = request.POST.get("action")
        if action == "pay":
            record_gateway_payment(
                OfflineGateway.name,
                PaymentReport(
                    session_id=session.session_id,
                    payment_id=session.session_id.replace("offline_cs_", "offline_pi_", 1),
                    amount=Money(session.amount, session.currency),
                    paid_at=timezone.now(),
                ),
            )
            return redirect(_local(request, session.success_url))
        if action == "cancel":
            return redirect(_local(request, session.cancel_url))
        declined = action == "decline"
    return render(
        request,
        "portal/offline_payment_page.html",
        {"session": session, "usable": usable, "declined": declined},
        status=200 if usable or request.method == "GET" else 409,
    )
