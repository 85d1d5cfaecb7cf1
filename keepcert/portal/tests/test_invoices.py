"""The member's invoices: what is owed and why a closing invoice waits; paying through the
offline gateway end to end; nobody else's invoice."""

from __future__ import annotations

import html
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client

from keepcert import testing
from keepcert.billing.models import Invoice, Payment
from keepcert.certifications.models import Cycle

pytestmark = pytest.mark.django_db


def test_the_list_says_what_is_due_and_why_the_closing_invoice_waits(program: object) -> None:
    member = testing.make_member()
    testing.make_certification(member)
    testing.make_activity(member, points="26")
    yearly = testing.make_invoice(member, due=date(2025, 5, 31))
    closing = testing.make_invoice(member, closing=True)
    page = testing.client_of(member).get("/invoices/").content.decode()
    assert "RMA annual fee" in page and "50.00 USD" in page
    assert f'action="/invoices/{yearly.pk}/pay/"' in page
    assert f'action="/invoices/{closing.pk}/pay/"' not in page
    assert "Record 4 more points; you can pay from the day after you reach 30 points." in page


def test_met_today_the_closing_invoice_says_from_which_day(program: object) -> None:
    member = testing.make_member()
    closing = testing.make_invoice(member, closing=True)
    testing.make_activity(member, points="30")
    assert Cycle.objects.get(pk=closing.closing_cycle_id).met_on == member.program.today()
    page = html.unescape(testing.client_of(member).get(f"/invoices/{closing.pk}/").content.decode())
    assert "You met this cycle's requirement. You can pay from November 21, 2025." in page


def test_paying_through_the_offline_gateway_end_to_end(program: object) -> None:
    member = testing.make_member()
    invoice = testing.make_invoice(member)
    client = testing.client_of(member)
    to_gateway = client.post(f"/invoices/{invoice.pk}/pay/")
    assert to_gateway.status_code == 302 and to_gateway["Location"].startswith("/pay/test/")
    back = client.post(to_gateway["Location"], {"action": "pay"})
    assert back["Location"].endswith(f"/invoices/{invoice.pk}/?from=checkout")
    page = client.get(back["Location"]).content.decode()
    assert "Paid on November 20, 2025" in page
    assert "50.00 USD received on November 20, 2025 (Card (test gateway))" in page
    assert "being confirmed" not in page  # the offline gateway reports at once


def test_a_locked_or_paid_invoice_cannot_be_paid_and_says_why(program: object) -> None:
    member = testing.make_member()
    closing = testing.make_invoice(member, closing=True)
    client = testing.client_of(member)
    answer = client.post(f"/invoices/{closing.pk}/pay/", follow=True)
    assert "can be paid from the day after you meet" in answer.content.decode()
    paid = testing.make_invoice(member, due=date(2025, 5, 31))
    Invoice.objects.filter(pk=paid.pk).update(status="paid", paid_on=member.program.today())
    answer = client.post(f"/invoices/{paid.pk}/pay/", follow=True)
    assert "This invoice is already paid." in answer.content.decode()
    assert not Payment.objects.exists()


def test_another_members_invoice_is_not_found(program: object) -> None:
    owner, other = testing.make_member(), testing.make_member(first_name="Bo")
    invoice = testing.make_invoice(owner)
    client = testing.client_of(other)
    assert client.get(f"/invoices/{invoice.pk}/").status_code == 404
    assert client.post(f"/invoices/{invoice.pk}/pay/").status_code == 404
    assert "RMA annual fee" not in client.get("/invoices/").content.decode()
    assert Client().get("/invoices/").status_code == 302


def test_the_day_after_meeting_it_the_closing_invoice_can_be_paid(
    program: object, frozen_now: Any
) -> None:
    member = testing.make_member()
    closing = testing.make_invoice(member, closing=True)
    testing.make_activity(member, points="30")
    frozen_now.shift(timedelta(days=1))
    answer = testing.client_of(member).post(f"/invoices/{closing.pk}/pay/")
    assert answer["Location"].startswith("/pay/test/")
