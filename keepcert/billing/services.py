"""Billing: issuing the annual invoices and applying the money received (SPEC §6).

Every change to an invoice or a payment happens here, under a lock on the invoice row,
and is logged. A payment is applied exactly once: the pair (gateway, gateway payment id)
is unique, so a provider that reports a payment twice, or two deliveries of one webhook
racing, record one payment, and the second report returns the first's result.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Sum

from keepcert.billing.models import Credit, Invoice, Payment
from keepcert.core.models import log_event
from keepcert.members.models import User
from keepcert.rules.money import Money, money


@dataclass(frozen=True, slots=True)
class Received:
    """Money a gateway (or billing staff, for a mailed check) says arrived for an invoice."""

    gateway: str
    gateway_payment_id: str
    amount: Money
    received_on: date


@dataclass(frozen=True, slots=True)
class Applied:
    payment: Payment
    created: bool  # False: this payment was already recorded; nothing changed


def paid_amount(invoice: Invoice) -> Decimal:
    """What the invoice's applied payments add up to, less what became credit."""
    applied = invoice.payments.filter(status=Payment.Status.APPLIED)
    total = applied.aggregate(total=Sum("amount"))["total"] or Decimal(0)
    credited = Credit.objects.filter(payment__in=applied).aggregate(total=Sum("amount"))["total"]
    return money(total - (credited or Decimal(0)))


def apply_payment(invoice_id: int, received: Received, *, actor: User | None = None) -> Applied:
    """Record ``received`` against the invoice once; settle it when paid in full.

    A payment beyond what is owed (or for an invoice already paid or void) becomes a
    credit on the member's record for billing staff. Amounts come from the gateway or from
    staff, never from the member's browser.
    """
    try:
        with transaction.atomic():
            return _apply(invoice_id, received, actor)
    except IntegrityError:
        # The same gateway payment arrived twice at once: the other one recorded it.
        existing = Payment.objects.get(
            gateway=received.gateway, gateway_payment_id=received.gateway_payment_id
        )
        return Applied(existing, created=False)


def _apply(invoice_id: int, received: Received, actor: User | None) -> Applied:
    invoice = (
        Invoice.objects.select_for_update()
        .select_related("certification__member")
        .get(pk=invoice_id)
    )
    existing = Payment.objects.filter(
        gateway=received.gateway, gateway_payment_id=received.gateway_payment_id
    ).first()
    if existing is not None:
        return Applied(existing, created=False)
    if received.amount.currency != invoice.currency:
        raise ValueError(f"A {received.amount.currency} payment for a {invoice.currency} invoice.")
    owed = (
        Decimal(0)
        if invoice.status != Invoice.Status.OPEN
        else money(invoice.amount - paid_amount(invoice))
    )
    payment = Payment.objects.create(
        invoice=invoice,
        gateway=received.gateway,
        gateway_payment_id=received.gateway_payment_id,
        amount=received.amount.amount,
        currency=received.amount.currency,
        received_on=received.received_on,
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    member = invoice.certification.member
    excess = money(received.amount.amount - owed)
    if excess > 0:
        Credit.objects.create(
            member=member, payment=payment, amount=excess, currency=invoice.currency
        )
    if invoice.status == Invoice.Status.OPEN and received.amount.amount >= owed:
        invoice.status = Invoice.Status.PAID
        invoice.paid_on = received.received_on
        invoice.save(update_fields=["status", "paid_on"])
    log_event(
        action="billing.payment.applied",
        subject=invoice,
        actor=actor,
        member=member,
        data={
            "payment": payment.pk,
            "gateway": payment.gateway,
            "amount": str(payment.amount),
            "currency": payment.currency,
            "credit": str(max(excess, Decimal(0))),
            "invoice_status": invoice.status,
        },
    )
    return Applied(payment, created=True)
