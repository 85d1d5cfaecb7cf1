"""Billing: issuing the annual invoices and applying the money received (SPEC §6).

Every change to an invoice or a payment happens here, under a lock on the invoice row,
and is logged. A payment is applied exactly once: the pair (gateway, gateway payment id)
is unique, so a provider that reports a payment twice, or two deliveries of one webhook
racing, record one payment, and the second report returns the first's result.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from keepcert.billing.gateways import Gateway, PaymentReport, gateway
from keepcert.billing.models import CheckoutSession, Credit, Invoice, Payment
from keepcert.certifications.models import Certification, Cycle
from keepcert.core.errors import DomainError, NotAllowed
from keepcert.core.models import log_event
from keepcert.members.models import Member, User
from keepcert.program.models import Program
from keepcert.program.selectors import rules_of
from keepcert.rules.lifecycle import CycleFacts, closing_invoice_payable_from, invoice_due_dates
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
        raise DomainError(
            # Translators: %(paid)s and %(owed)s are currency codes, "EUR", "USD".
            _("A payment in %(paid)s cannot settle an invoice in %(owed)s.")
            % {"paid": received.amount.currency, "owed": invoice.currency}
        )
    still_owed = owed(invoice)
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
    excess = money(received.amount.amount - still_owed)
    if excess > 0:
        Credit.objects.create(
            member=member, payment=payment, amount=excess, currency=invoice.currency
        )
    if invoice.status == Invoice.Status.OPEN and received.amount.amount >= still_owed:
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


def payable_from(invoice: Invoice) -> date | None:
    """The first day the invoice may be paid: at once, except the closing invoice of a
    cycle, from the day after the cycle's requirement was met (None: not met yet)."""
    cycle = invoice.closing_cycle
    if cycle is None:
        return invoice.issued_on
    return closing_invoice_payable_from(CycleFacts(cycle.window, cycle.met_on))


def owed(invoice: Invoice) -> Decimal:
    """What is left to pay on an open invoice."""
    if invoice.status != Invoice.Status.OPEN:
        return Decimal(0)
    return max(money(invoice.amount - paid_amount(invoice)), Decimal(0))


@transaction.atomic
def start_checkout(
    *,
    member: Member,
    invoice_id: int,
    success_url: str,
    cancel_url: str,
    through: Gateway | None = None,
) -> CheckoutSession:
    """Open (or reuse) the gateway's hosted payment page for what is owed on one of the
    member's invoices. Another member's invoice is not found (Invoice.DoesNotExist)."""
    invoice = (
        Invoice.objects.select_for_update(of=("self",))
        .select_related("certification__credential", "closing_cycle")
        .get(pk=invoice_id, certification__member=member)
    )
    if invoice.status == Invoice.Status.PAID:
        raise NotAllowed(_("This invoice is already paid."))
    if invoice.status == Invoice.Status.VOID:
        raise NotAllowed(_("This invoice was cancelled: there is nothing to pay."))
    unlock = payable_from(invoice)
    if unlock is None or unlock > member.program.today():
        raise NotAllowed(
            _("This invoice can be paid from the day after you meet this cycle's CE requirement.")
        )
    now = timezone.now()
    open_session = invoice.checkouts.filter(status=CheckoutSession.Status.OPEN).first()
    if open_session is not None:
        if open_session.expires_at > now:
            return open_session  # a second tab: the same page, so it cannot pay twice
        open_session.status = CheckoutSession.Status.ENDED
        open_session.save(update_fields=["status"])
    provider = through or gateway()
    amount = Money(owed(invoice), invoice.currency)
    page = provider.open_page(
        reference=f"invoice-{invoice.pk}-{invoice.checkouts.count() + 1}",
        # Translators: what the payment page lists, "RMA annual fee, due May 31, 2026".
        description=_("%(credential)s annual fee, due %(due)s")
        % {"credential": invoice.certification.credential.code, "due": invoice.due.isoformat()},
        amount=amount,
        success_url=success_url,
        cancel_url=cancel_url,
    )
    session = CheckoutSession.objects.create(
        invoice=invoice,
        gateway=provider.name,
        session_id=page.session_id,
        url=page.url,
        success_url=success_url,
        cancel_url=cancel_url,
        amount=amount.amount,
        currency=amount.currency,
        expires_at=page.expires_at,
    )
    log_event(
        action="billing.checkout.opened",
        subject=invoice,
        actor=member.user,
        member=member,
        data={"gateway": provider.name, "session": page.session_id, "amount": str(amount.amount)},
    )
    return session


def record_gateway_payment(gateway_name: str, report: PaymentReport) -> Applied | None:
    """Apply what a gateway reports paid on one of our hosted pages, once, however often
    it is reported; None for a session KeepCert did not open (nothing is changed)."""
    session = (
        CheckoutSession.objects.select_related("invoice__certification__member__program")
        .filter(gateway=gateway_name, session_id=report.session_id)
        .first()
    )
    if session is None:
        return None
    program = session.invoice.certification.member.program
    received_on = report.paid_at.astimezone(ZoneInfo(program.time_zone)).date()
    applied = apply_payment(
        session.invoice_id, Received(gateway_name, report.payment_id, report.amount, received_on)
    )
    CheckoutSession.objects.filter(pk=session.pk, status=CheckoutSession.Status.OPEN).update(
        status=CheckoutSession.Status.COMPLETE
    )
    return applied


# Certifications that pay no annual fee: their status is final until a reactivation.
_NOT_BILLED = (
    Certification.Status.LAPSED,
    Certification.Status.REVOKED,
    Certification.Status.RETIRED,
)
_BATCH = 2000


def issue_invoices(*, program: Program, day: date) -> list[Invoice]:
    """Issue every annual invoice whose issue day has come by ``day``: for each billed
    certification, the due date (the last day of its anniversary month) from ``day`` to
    the lead time ahead. Each is issued once (unique per certification and due date), so
    a second run for the same day, or a run after a gap of days, issues nothing twice and
    misses nothing. A due date already past is never invoiced here: a record brought in
    without its invoices is not billed for years before KeepCert. The amount is the fee
    table's on ``day``, in the program's currency; a credential with no fee set gets no
    invoice (never one for $0)."""
    program_rules = rules_of(program)
    rule_set = program_rules.rule_set_on(day)
    horizon = day + timedelta(days=rule_set.invoice_lead_days)
    fees = {rule.credential_id: rule.annual_fee for rule in rule_set.credential_rules.all()}
    issued: list[Invoice] = []
    certifications = (
        Certification.objects.filter(member__program=program)
        .exclude(status__in=_NOT_BILLED)
        .order_by("pk")
        .values_list("pk", "certified_on", "credential_id", "member_id")
    )
    last_pk = 0
    while batch := list(certifications.filter(pk__gt=last_pk)[:_BATCH]):
        last_pk = batch[-1][0]
        wanted: dict[int, tuple[date, Decimal, int]] = {}
        for pk, certified_on, credential_id, member_id in batch:
            dues = [due for due in invoice_due_dates(certified_on, horizon) if due >= day]
            fee = fees.get(credential_id)
            if dues and fee is not None:
                wanted[pk] = (dues[0], fee, member_id)
        have = set(
            Invoice.objects.filter(certification_id__in=wanted).values_list(
                "certification_id", "due"
            )
        )
        for pk, (due, fee, member_id) in wanted.items():
            if (pk, due) not in have:
                invoice = _issue(pk, due, fee, program, day, member_id)
                if invoice is not None:
                    issued.append(invoice)
    return issued


def _issue(
    certification_id: int,
    due: date,
    fee: Decimal,
    program: Program,
    day: date,
    member_id: int,
) -> Invoice | None:
    closing = Cycle.objects.filter(certification_id=certification_id, end=due).first()
    try:
        with transaction.atomic():
            invoice = Invoice.objects.create(
                certification_id=certification_id,
                due=due,
                issued_on=day,
                amount=money(fee),
                currency=program.currency,
                closing_cycle=closing,
            )
            log_event(
                action="billing.invoice.issued",
                subject=invoice,
                member=Member(pk=member_id),
                data={
                    "due": due.isoformat(),
                    "amount": str(invoice.amount),
                    "closing": bool(closing),
                },
            )
    except IntegrityError:
        return None  # another run issued it at the same moment
    return invoice
