"""Annual invoices and the payments that settle them (SPEC §6, billing).

An invoice is one certification's fee for one anniversary year, due the last day of the
anniversary month; its amount and currency are fixed when it is issued. A payment is
money received through a gateway (an online card payment, or a mailed check recorded by
billing staff) and is unique per (gateway, the gateway's payment id), so a provider that
reports one payment twice records it once. Whether an invoice is paid is worked out from
its applied payments (:mod:`keepcert.billing.services`), never typed in.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


def _amount() -> models.DecimalField[Decimal, Decimal]:
    return models.DecimalField(max_digits=10, decimal_places=2)


class Invoice(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("invoice status", "Open")
        PAID = "paid", pgettext_lazy("invoice status", "Paid")
        VOID = "void", pgettext_lazy("invoice status", "Void")

    certification = models.ForeignKey(
        "certifications.Certification", on_delete=models.PROTECT, related_name="invoices"
    )
    due = models.DateField(help_text="The last day of the anniversary month it is for.")
    issued_on = models.DateField()
    amount = _amount()
    currency = models.CharField(max_length=3)
    # The invoice due at a cycle's end: payable from the day after its points are met.
    closing_cycle = models.ForeignKey(
        "certifications.Cycle",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="closing_invoices",
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    paid_on = models.DateField(null=True, blank=True, help_text="The day it was paid in full.")
    void_reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["certification", "-due"]
        constraints = [
            models.UniqueConstraint(
                fields=["certification", "due"], name="invoice_once_per_certification_year"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="invoice_amount_positive"),
            models.CheckConstraint(
                condition=Q(issued_on__lte=models.F("due")), name="invoice_issued_before_due"
            ),
            models.CheckConstraint(
                condition=Q(status="paid", paid_on__isnull=False)
                | (~Q(status="paid") & Q(paid_on__isnull=True)),
                name="invoice_paid_on_when_paid",
            ),
        ]
        indexes = [models.Index(fields=["status", "due"], name="invoice_status_due_idx")]

    def __str__(self) -> str:
        return f"{self.certification_id} due {self.due:%Y-%m-%d}"


class Payment(models.Model):
    class Gateway(models.TextChoices):
        STRIPE = "stripe", _("Card")
        OFFLINE = "offline", _("Card (test gateway)")
        MAIL = "mail", _("Check or money order by mail")

    class Status(models.TextChoices):
        APPLIED = "applied", pgettext_lazy("payment status", "Applied")
        REFUNDED = "refunded", pgettext_lazy("payment status", "Refunded")
        VOIDED = "voided", pgettext_lazy("payment status", "Voided")
        DISPUTED = "disputed", pgettext_lazy("payment status", "Disputed")

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="payments")
    gateway = models.CharField(max_length=16, choices=Gateway.choices)
    gateway_payment_id = models.CharField(
        max_length=200, help_text="The gateway's id, or the check or money-order number."
    )
    amount = _amount()
    currency = models.CharField(max_length=3)
    received_on = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.APPLIED)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["invoice", "received_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["gateway", "gateway_payment_id"], name="payment_once_per_gateway_id"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.gateway}:{self.gateway_payment_id}"


class Credit(models.Model):
    """Money received beyond what an invoice asked: billing staff decide what becomes of it."""

    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="credits")
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="credits")
    amount = _amount()
    currency = models.CharField(max_length=3)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="credit_amount_positive"),
            models.UniqueConstraint(fields=["payment"], name="credit_once_per_payment"),
        ]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency} for {self.member_id}"


class CheckoutSession(models.Model):
    """A hosted payment page opened for an invoice at a gateway. An invoice has at most one
    open session, which a second tab reuses, so it cannot be paid twice at once."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("checkout status", "Open")
        COMPLETE = "complete", pgettext_lazy("checkout status", "Paid")
        ENDED = "ended", pgettext_lazy("checkout status", "Ended")

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="checkouts")
    gateway = models.CharField(max_length=16, choices=Payment.Gateway.choices)
    session_id = models.CharField(max_length=200)
    url = models.URLField(max_length=2000)
    # Where the hosted page sends the member back (the offline gateway reads them here).
    success_url = models.CharField(max_length=2000)
    cancel_url = models.CharField(max_length=2000)
    amount = _amount()
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["gateway", "session_id"], name="checkout_once_per_gateway_id"
            ),
            models.UniqueConstraint(
                fields=["invoice"], condition=Q(status="open"), name="checkout_one_open_per_invoice"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.gateway}:{self.session_id}"
