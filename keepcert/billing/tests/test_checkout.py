"""Paying an invoice through a gateway's hosted page: the offline test gateway end to end,
and Stripe against a fake Stripe server on loopback with signed webhooks (no network)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import pytest
from django.db import connection
from django.test import Client
from stripe import WebhookSignature

from keepcert import testing
from keepcert.billing.models import CheckoutSession, Invoice, Payment
from keepcert.billing.services import start_checkout
from keepcert.certifications.models import Cycle
from keepcert.core.errors import NotAllowed
from keepcert.members.models import Member

pytestmark = pytest.mark.django_db

WEBHOOK_SECRET = "whsec_test_secret"


def checkout(member: Member, invoice: Invoice) -> CheckoutSession:
    return start_checkout(
        member=member, invoice_id=invoice.pk, success_url="/dashboard/", cancel_url="/dashboard/"
    )


# ---------------------------------------------------------------------- opening a page


def test_a_second_tab_gets_the_same_open_page(program: object) -> None:
    member = testing.make_member()
    invoice = testing.make_invoice(member)
    first = checkout(member, invoice)
    assert first.url == f"/pay/test/{first.session_id}/"
    assert checkout(member, invoice) == first
    assert CheckoutSession.objects.count() == 1


def test_another_members_invoice_cannot_be_paid(program: object) -> None:
    owner, other = testing.make_member(), testing.make_member(first_name="Bo")
    invoice = testing.make_invoice(owner)
    with pytest.raises(Invoice.DoesNotExist):
        checkout(other, invoice)
    assert not CheckoutSession.objects.exists()


def test_a_paid_or_void_invoice_has_nothing_to_pay(program: object) -> None:
    member = testing.make_member()
    invoice = testing.make_invoice(member)
    Invoice.objects.filter(pk=invoice.pk).update(status="void")
    with pytest.raises(NotAllowed, match="cancelled"):
        checkout(member, invoice)
    assert not CheckoutSession.objects.exists()


def test_the_closing_invoice_opens_the_day_after_the_points_are_met(
    program: object, frozen_now: Any
) -> None:
    member = testing.make_member()
    invoice = testing.make_invoice(member, closing=True)
    with pytest.raises(NotAllowed, match="day after you meet"):
        checkout(member, invoice)
    Cycle.objects.filter(pk=invoice.closing_cycle_id).update(met_on=member.program.today())
    with pytest.raises(NotAllowed):
        checkout(member, invoice)  # met today: payable tomorrow
    frozen_now.shift(timedelta(days=1))
    assert checkout(member, invoice).status == CheckoutSession.Status.OPEN


# ------------------------------------------------------------- the offline test gateway


def test_paying_on_the_offline_page_settles_the_invoice_once(program: object) -> None:
    member = testing.make_member()
    invoice = testing.make_invoice(member)
    session = checkout(member, invoice)
    client = testing.client_of(member)
    page = client.get(session.url)
    assert b"50.00 USD" in page.content and b"no real money" in page.content
    # The amount is the session's: a browser sending its own is not listened to.
    answer = client.post(session.url, {"action": "pay", "amount": "0.01"})
    assert answer.status_code == 302 and answer["Location"] == "/dashboard/"
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PAID
    assert list(Payment.objects.values_list("amount", flat=True)) == [Decimal("50.00")]
    # Pressing Pay again (back button, double click) pays nothing more.
    again = client.post(session.url, {"action": "pay"})
    assert again.status_code == 409 and b"no longer open" in again.content
    assert Payment.objects.count() == 1


def test_declining_or_cancelling_changes_nothing(program: object) -> None:
    member = testing.make_member()
    invoice = testing.make_invoice(member)
    session = checkout(member, invoice)
    client = testing.client_of(member)
    declined = client.post(session.url, {"action": "decline"})
    assert declined.status_code == 200 and b"declined" in declined.content
    cancelled = client.post(session.url, {"action": "cancel"})
    assert cancelled.status_code == 302
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.OPEN and not Payment.objects.exists()


def test_the_offline_page_is_only_the_invoice_owners(program: object) -> None:
    owner, other = testing.make_member(), testing.make_member(first_name="Bo")
    session = checkout(owner, testing.make_invoice(owner))
    assert testing.client_of(other).get(session.url).status_code == 404
    assert testing.client_of(other).post(session.url, {"action": "pay"}).status_code == 404
    assert Client().get(session.url).status_code == 302  # to sign-in
    assert not Payment.objects.exists()


# -------------------------------------------------------------------------- Stripe


class FakeStripe(BaseHTTPRequestHandler):
    """Answers POST /v1/checkout/sessions as Stripe does, remembering what it was sent."""

    received: list[dict[str, list[str]]] = []

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        form = parse_qs(self.rfile.read(length).decode())
        FakeStripe.received.append(form)
        number = len(FakeStripe.received)
        body = json.dumps(
            {
                "id": f"cs_test_{number}",
                "object": "checkout.session",
                "url": f"https://checkout.stripe.test/pay/cs_test_{number}",
                "expires_at": int(time.time()) + 3600,
                "payment_status": "unpaid",
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def stripe_site(settings: Any) -> Iterator[None]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeStripe)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    FakeStripe.received = []
    settings.KEEPCERT_PAYMENT_GATEWAY = "stripe"
    settings.KEEPCERT_STRIPE_SECRET_KEY = "sk_test_keepcert"
    settings.KEEPCERT_STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.KEEPCERT_STRIPE_API_BASE = f"http://127.0.0.1:{server.server_port}"
    yield
    server.shutdown()
    server.server_close()


def completed_event(session_id: str, *, amount: int = 5000, event_id: str = "evt_1") -> bytes:
    return json.dumps(
        {
            "id": event_id,
            "object": "event",
            "type": "checkout.session.completed",
            "created": int(time.time()),
            "data": {
                "object": {
                    "id": session_id,
                    "object": "checkout.session",
                    "payment_status": "paid",
                    "payment_intent": f"pi_for_{session_id}",
                    "amount_total": amount,
                    "currency": "usd",
                }
            },
        }
    ).encode()


def deliver(body: bytes, *, secret: str = WEBHOOK_SECRET, client: Client | None = None) -> Any:
    header = WebhookSignature.generate_signature_header(body.decode(), secret)
    return (client or Client()).post(
        "/webhooks/stripe/", body, content_type="application/json", HTTP_STRIPE_SIGNATURE=header
    )


def test_stripe_checkout_is_opened_for_the_amount_owed_in_cents(
    program: object, stripe_site: None
) -> None:
    member = testing.make_member()
    session = checkout(member, testing.make_invoice(member))
    assert session.url.startswith("https://checkout.stripe.test/")
    sent = FakeStripe.received[0]
    assert sent["line_items[0][price_data][unit_amount]"] == ["5000"]
    assert sent["line_items[0][price_data][currency]"] == ["usd"]
    assert sent["mode"] == ["payment"]


def test_a_signed_webhook_pays_once_however_often_it_is_delivered(
    program: object, stripe_site: None
) -> None:
    member = testing.make_member()
    invoice = testing.make_invoice(member)
    session = checkout(member, invoice)
    body = completed_event(session.session_id)
    assert deliver(body).json() == {"received": True, "applied": True}
    assert deliver(body).status_code == 200  # Stripe retries: acknowledged, nothing new
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PAID
    assert Payment.objects.get().gateway_payment_id == f"pi_for_{session.session_id}"


def test_a_webhook_with_a_bad_signature_or_for_nothing_we_opened_changes_nothing(
    program: object, stripe_site: None
) -> None:
    member = testing.make_member()
    invoice = testing.make_invoice(member)
    session = checkout(member, invoice)
    assert deliver(completed_event(session.session_id), secret="whsec_forged").status_code == 400
    unsigned = Client().post(
        "/webhooks/stripe/", completed_event(session.session_id), content_type="application/json"
    )
    assert unsigned.status_code == 400
    assert deliver(b"not json").status_code == 400
    assert deliver(completed_event("cs_someone_elses")).json()["applied"] is False
    other = json.loads(completed_event(session.session_id))
    other["type"] = "customer.created"
    assert deliver(json.dumps(other).encode()).json()["applied"] is False
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.OPEN and not Payment.objects.exists()


def test_the_webhook_is_closed_when_stripe_is_not_the_gateway(program: object) -> None:
    assert deliver(completed_event("cs_x")).status_code == 404


@pytest.mark.races
@pytest.mark.security
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real concurrency")
def test_concurrent_deliveries_of_one_webhook_record_one_payment(
    program: object, stripe_site: None
) -> None:
    from keepcert.activities.tests.test_races import racers

    member = testing.make_member()
    for burst in range(4):
        invoice = testing.make_invoice(member, due=date(2026 + burst, 5, 31))
        session = checkout(member, invoice)
        body = completed_event(session.session_id, event_id=f"evt_{burst}")
        with racers(6) as group:
            answers = group.burst([lambda body=body: deliver(body).status_code] * 6)
        assert answers == [200] * 6
        assert Payment.objects.filter(invoice=invoice).count() == 1
        invoice.refresh_from_db()
        assert invoice.status == Invoice.Status.PAID
