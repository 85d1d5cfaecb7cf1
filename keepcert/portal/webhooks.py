"""Where a payment provider reports back (Stripe's webhook).

A delivery is believed only with the provider's valid signature; anything else is
refused with a 400 and changes nothing. A payment is applied once however often it is
delivered (billing's unique gateway payment id). Events that report no payment are
acknowledged and ignored, so the provider stops resending them.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from keepcert.billing.gateways import BadWebhook, stripe_gateway
from keepcert.billing.services import record_gateway_payment
from keepcert.core.errors import DomainError

logger = logging.getLogger(__name__)


@csrf_exempt  # signed by the provider instead
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    if settings.KEEPCERT_PAYMENT_GATEWAY != "stripe":
        return JsonResponse({"detail": "Stripe is not this site's gateway."}, status=404)
    gateway = stripe_gateway()
    try:
        report = gateway.read_webhook(request.body, request.headers.get("Stripe-Signature"))
    except BadWebhook:
        logger.warning("Refused a Stripe webhook without a valid signature.")
        return JsonResponse({"detail": "Invalid signature."}, status=400)
    if report is None:
        return JsonResponse({"received": True, "applied": False})
    try:
        applied = record_gateway_payment(gateway.name, report)
    except DomainError as error:
        logger.error("A Stripe payment could not be applied: %s", error.message)
        return JsonResponse({"detail": error.message}, status=422)
    if applied is None:
        logger.warning("A Stripe payment for an unknown session %s.", report.session_id)
    return JsonResponse({"received": True, "applied": applied is not None})
