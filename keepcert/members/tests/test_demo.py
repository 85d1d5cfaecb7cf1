"""The demo members (`manage.py load_demo`) show what the README's table says they show.

The clock is frozen at 2025-11-20 (conftest); the demo's dates are relative to today.
"""

from __future__ import annotations

import pytest
from django.core.management import call_command

from keepcert import testing
from keepcert.billing.selectors import InvoiceState, member_invoices
from keepcert.certifications.selectors import member_summaries
from keepcert.certifications.standing import State
from keepcert.members.models import Member
from keepcert.program.services import load_program_file


@pytest.fixture
def demo(db: None, frozen_now: object) -> None:
    load_program_file(path=testing.PROGRAM_FILE)
    call_command("load_demo", quiet=True)


@pytest.mark.parametrize(
    ("email", "states"),
    [
        ("dana@keepcert.localhost", [State.BEHIND]),
        ("ben@keepcert.localhost", [State.BEHIND]),
        ("gary@keepcert.localhost", [State.EXEMPT]),
        ("gina@keepcert.localhost", [State.GRACE]),
        ("leo@keepcert.localhost", [State.LAPSED]),
    ],
)
def test_each_demo_member_shows_their_banner(demo: None, email: str, states: list[State]) -> None:
    member = Member.objects.get(email=email)
    assert [s.standing.state for s in member_summaries(member)] == states


def test_the_demo_past_cycles_were_brought_in(demo: None) -> None:
    tara = Member.objects.get(email="tara@keepcert.localhost")
    rma = next(s for s in member_summaries(tara) if s.certification.credential.code == "RMA")
    assert [(c.origin, c.brought_in_points) for c in rma.past_cycles] == [("brought_in", 32)]
    leo = Member.objects.get(email="leo@keepcert.localhost")
    (lapsed,) = member_summaries(leo)
    assert lapsed.current is not None and lapsed.current.cycle.origin == "recorded"
    assert lapsed.current.progress is not None and lapsed.current.progress.remaining == 9


def test_the_demo_has_an_invoice_to_pay_and_one_that_waits_for_points(demo: None) -> None:
    dana = Member.objects.get(email="dana@keepcert.localhost")
    ben = Member.objects.get(email="ben@keepcert.localhost")
    (waiting,) = member_invoices(dana)
    (payable,) = member_invoices(ben)
    assert waiting.state == InvoiceState.LOCKED
    assert waiting.locked_because.startswith("Record 2 more points; you can pay from the day")
    assert payable.can_pay and payable.owed == payable.invoice.amount > 0
