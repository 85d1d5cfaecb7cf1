"""A member's invoices as they read them: what is owed, whether it can be paid today, and
if not, why and from when (SPEC §6)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from keepcert.billing.models import Invoice, Payment
from keepcert.billing.services import owed, paid_amount, payable_from
from keepcert.certifications.selectors import cycle_progress
from keepcert.members.models import Member
from keepcert.rules.text import format_date, format_points, points_phrase


class InvoiceState(StrEnum):
    PAYABLE = "payable"
    LOCKED = "locked"
    PART_PAID = "part_paid"
    PAID = "paid"
    VOID = "void"


@dataclass(frozen=True)
class InvoiceView:
    invoice: Invoice
    state: InvoiceState
    paid: Decimal
    owed: Decimal
    locked_because: str = ""

    @property
    def can_pay(self) -> bool:
        return self.state in (InvoiceState.PAYABLE, InvoiceState.PART_PAID)


def _locked_because(invoice: Invoice, today: date) -> str:
    cycle = invoice.closing_cycle
    assert cycle is not None
    unlock = payable_from(invoice)
    if unlock is not None:
        # Met today: payable tomorrow.
        return _("You met this cycle's requirement. You can pay from %(day)s.") % {
            "day": format_date(unlock)
        }
    progress = cycle_progress(cycle, today=today).progress
    if progress is None:
        return _(
            "This invoice closes your cycle. It can be paid from the day after the cycle's CE "
            "requirement is met; the program has not set that requirement yet."
        )
    remaining = progress.remaining
    # Translators: %(number)s is a number of points, "4" or "2.5"; %(required)s is
    # "30 points".
    return ngettext(
        "Record %(number)s more point; you can pay from the day after you reach %(required)s.",
        "Record %(number)s more points; you can pay from the day after you reach %(required)s.",
        1 if remaining == 1 else 2,
    ) % {"number": format_points(remaining), "required": points_phrase(progress.required)}


def invoice_view(invoice: Invoice, *, today: date) -> InvoiceView:
    paid = paid_amount(invoice)
    if invoice.status == Invoice.Status.VOID:
        return InvoiceView(invoice, InvoiceState.VOID, paid, Decimal(0))
    if invoice.status == Invoice.Status.PAID:
        return InvoiceView(invoice, InvoiceState.PAID, paid, Decimal(0))
    unlock = payable_from(invoice)
    if unlock is None or unlock > today:
        return InvoiceView(
            invoice, InvoiceState.LOCKED, paid, owed(invoice), _locked_because(invoice, today)
        )
    state = InvoiceState.PART_PAID if paid > 0 else InvoiceState.PAYABLE
    return InvoiceView(invoice, state, paid, owed(invoice))


def member_invoices(member: Member) -> list[InvoiceView]:
    """Every invoice of the member, newest due first."""
    today = member.program.today()
    invoices = (
        Invoice.objects.filter(certification__member=member)
        .select_related(
            "certification__credential",
            "certification__member__program",
            "closing_cycle__certification__member__program",
        )
        .prefetch_related(Prefetch("payments", queryset=Payment.objects.order_by("received_on")))
        .order_by("-due", "certification__credential__code")
    )
    return [invoice_view(invoice, today=today) for invoice in invoices]
