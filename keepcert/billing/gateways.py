"""Payment gateways behind one small interface: open a hosted payment page, read what the
gateway reports back.

- :class:`StripeGateway`: Stripe Checkout through the ``stripe`` library; webhooks are
  believed only with a valid ``Stripe-Signature`` (the library's check, 5 minutes'
  tolerance). ``KEEPCERT_STRIPE_API_BASE`` points the client elsewhere (the tests' fake
  Stripe server on loopback).
- :class:`OfflineGateway`: the default for a local install. Its "hosted" page is served by
  KeepCert itself (:mod:`keepcert.portal.offline_gateway`) and can succeed, decline or be
  cancelled, so ``make run`` pays end to end without the network.

A gateway only talks to the provider. What a payment does to an invoice is
:mod:`keepcert.billing.services`' business; the amount always comes from the invoice or
the gateway's report, never from the member's browser.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

import stripe
from django.conf import settings
from django.urls import reverse
from stripe._base_address import BaseAddresses

from keepcert.rules.money import Money

# A hosted page open longer than this is not reused: Stripe's own sessions last 24 hours.
CHECKOUT_LIFETIME = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class HostedPage:
    session_id: str
    url: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class PaymentReport:
    """A gateway's word that a hosted page was paid: which session, its payment id, how
    much, and when."""

    session_id: str
    payment_id: str
    amount: Money
    paid_at: datetime


class BadWebhook(Exception):
    """A webhook that is not signed by the gateway, or not readable: refused, nothing done."""


class Gateway(Protocol):
    name: str

    def open_page(
        self, *, reference: str, description: str, amount: Money, success_url: str, cancel_url: str
    ) -> HostedPage: ...

    def read_webhook(self, body: bytes, signature: str | None) -> PaymentReport | None:
        """The payment a signed webhook reports; None for an event that reports none."""
        ...


class OfflineGateway:
    """A stand-in gateway whose hosted page is KeepCert's own (``/pay/test/<id>/``)."""

    name = "offline"

    def open_page(
        self, *, reference: str, description: str, amount: Money, success_url: str, cancel_url: str
    ) -> HostedPage:
        session_id = f"offline_cs_{secrets.token_urlsafe(18)}"
        return HostedPage(
            session_id=session_id,
            url=reverse("portal:offline_payment_page", args=[session_id]),
            expires_at=datetime.now(UTC) + CHECKOUT_LIFETIME,
        )

    def read_webhook(self, body: bytes, signature: str | None) -> PaymentReport | None:
        raise BadWebhook("The offline gateway sends no webhooks.")


class StripeGateway:
    name = "stripe"

    def __init__(self, api_key: str, webhook_secret: str, api_base: str | None = None) -> None:
        base: BaseAddresses | None = {"api": api_base} if api_base else None
        self._client = stripe.StripeClient(api_key, base_addresses=base, max_network_retries=2)
        self._webhook_secret = webhook_secret

    def open_page(
        self, *, reference: str, description: str, amount: Money, success_url: str, cancel_url: str
    ) -> HostedPage:
        session = self._client.v1.checkout.sessions.create(
            params={
                "mode": "payment",
                "client_reference_id": reference,
                "metadata": {"reference": reference},
                "line_items": [
                    {
                        "quantity": 1,
                        "price_data": {
                            "currency": amount.currency.lower(),
                            "unit_amount": amount.minor_units(),
                            "product_data": {"name": description},
                        },
                    }
                ],
                "success_url": success_url,
                "cancel_url": cancel_url,
                "expires_at": int((datetime.now(UTC) + CHECKOUT_LIFETIME).timestamp()) + 60,
            },
            options={"idempotency_key": f"checkout-{reference}"},
        )
        return HostedPage(
            session_id=session.id,
            url=str(session.url),
            expires_at=datetime.fromtimestamp(session.expires_at, UTC) - timedelta(minutes=1),
        )

    def read_webhook(self, body: bytes, signature: str | None) -> PaymentReport | None:
        try:
            event = self._client.construct_event(body, signature, self._webhook_secret)
        except (ValueError, stripe.SignatureVerificationError) as error:
            raise BadWebhook(str(error)) from None
        if event.type not in (
            "checkout.session.completed",
            "checkout.session.async_payment_succeeded",
        ):
            return None
        session = event.data.object.to_dict()
        if session.get("payment_status") != "paid":
            return None  # e.g. a bank debit still on its way: its own event follows
        return PaymentReport(
            session_id=session["id"],
            payment_id=str(session.get("payment_intent") or session["id"]),
            amount=Money.from_minor_units(
                int(session["amount_total"]), session["currency"].upper()
            ),
            paid_at=datetime.fromtimestamp(event.created, UTC),
        )


def stripe_gateway() -> StripeGateway:
    return StripeGateway(
        settings.KEEPCERT_STRIPE_SECRET_KEY,
        settings.KEEPCERT_STRIPE_WEBHOOK_SECRET,
        settings.KEEPCERT_STRIPE_API_BASE or None,
    )


def gateway() -> Gateway:
    """The gateway this deployment takes card payments through (``KEEPCERT_PAYMENT_GATEWAY``)."""
    if settings.KEEPCERT_PAYMENT_GATEWAY == "stripe":
        return stripe_gateway()
    return OfflineGateway()
