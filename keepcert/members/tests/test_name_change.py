"""A legal name change goes through staff (SPEC §13; issue 7, finding 11): the member asks
from the profile, one request waits at a time, the program's contact address is told, and
staff approve or decline it in the admin, through the service, which tells the member.

The clock is frozen at 2025-11-20 10:00 in Chicago (conftest). The test program's contact
address is ccp@example.org.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.http import HttpRequest
from django.test import Client, RequestFactory

from keepcert.core.errors import DomainError
from keepcert.core.models import Event
from keepcert.members.models import Member, NameChangeRequest, User
from keepcert.members.services import decide_name_change, request_name_change
from keepcert.members.tests.test_emails import subject_of
from keepcert.program.models import Program
from keepcert.testing_mail import Inbox, text_of

pytestmark = pytest.mark.usefixtures("in_english")


def web_request(user: Any) -> HttpRequest:
    request = RequestFactory().post("/", REMOTE_ADDR="203.0.113.7")
    request.user = user
    return request


def ask(member: Member, **typed: Any) -> NameChangeRequest:
    data = {
        "first_name": "Alice",
        "last_name": "Tran",
        "reason": "Marriage",
        "will_send_document": True,
        **typed,
    }
    return request_name_change(
        request=web_request(member.user), member=member, actor=member.user, **data
    )  # type: ignore[arg-type]


def test_a_request_waits_for_staff_and_the_programs_contact_is_told(
    alice: Member, smtp: Inbox, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        change = ask(alice)
    assert (change.current_name, change.requested_name, change.status) == (
        "Alice Nguyen",
        "Alice Tran",
        NameChangeRequest.Status.PENDING,
    )
    alice.refresh_from_db()
    assert alice.full_name == "Alice Nguyen"  # nothing changes before staff decide
    event = Event.objects.get(action="members.name_change.requested")
    assert event.data == {
        "before": "Alice Nguyen",
        "requested": "Alice Tran",
        "reason": "Marriage",
        "will_send_document": True,
    }
    (message,) = smtp.messages
    assert message["To"] == "ccp@example.org"
    number = alice.member_number
    assert subject_of(message) == f"TCCP: Legal name change to decide for member {number}"
    body = text_of(message)
    assert (
        f"Member {number} asks to change their legal name from Alice Nguyen to Alice Tran." in body
    )
    assert "The member says they will send the supporting document." in body
    assert f"http://testserver/admin/members/namechangerequest/{change.pk}/change/" in body


def test_without_a_contact_address_the_request_is_kept_and_no_email_sent(
    alice: Member, smtp: Inbox, django_capture_on_commit_callbacks: Any
) -> None:
    Program.objects.update(contact_email="")
    alice.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        ask(alice)
    assert NameChangeRequest.objects.filter(member=alice).count() == 1
    assert not smtp.messages


def test_one_request_waits_at_a_time(alice: Member) -> None:
    ask(alice)
    with pytest.raises(DomainError) as refused:
        ask(alice, last_name="Nguyen-Tran")
    assert refused.value.code == "pending"
    assert "You already have a name change waiting for staff, sent on Nov. 20, 2025." in (
        refused.value.message
    )
    assert NameChangeRequest.objects.filter(member=alice).count() == 1


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        (
            {"first_name": " ", "last_name": "", "reason": ""},
            {
                "reason": ["Say why your name changed, for example marriage or a court order."],
                "first_name": ["Enter your new first name."],
                "last_name": ["Enter your new last name."],
            },
        ),
        (
            {"last_name": "T" * 101, "reason": "x" * 1001},
            {
                "last_name": ["Keep this to 100 characters or fewer."],
                "reason": ["Keep this to 1,000 characters or fewer."],
            },
        ),
        (
            {"reason": "Marriage\x00"},
            {"reason": ["This text contains characters that cannot be saved."]},
        ),
    ],
)
def test_a_request_with_problems_says_them_all_and_is_not_sent(
    alice: Member, typed: dict[str, str], expected: dict[str, list[str]]
) -> None:
    events = Event.objects.count()
    with pytest.raises(DomainError) as refused:
        ask(alice, **typed)
    assert refused.value.field_errors == expected
    assert not NameChangeRequest.objects.exists()
    assert Event.objects.count() == events


def test_the_name_on_file_is_not_a_change(alice: Member) -> None:
    with pytest.raises(DomainError) as refused:
        ask(alice, first_name=" Alice ", last_name="Nguyen")
    assert refused.value.message == "This is the name on your record already."


def test_staff_approval_changes_the_name_logs_it_and_tells_the_member(
    alice: Member, smtp: Inbox, django_capture_on_commit_callbacks: Any
) -> None:
    change = ask(alice)
    staff = User.objects.create_user("staff@example.org", "x", is_staff=True)
    with django_capture_on_commit_callbacks(execute=True):
        decide_name_change(
            request=web_request(staff), change=change, approve=True, staff_reason="", actor=staff
        )
    alice.refresh_from_db()
    assert alice.full_name == "Alice Tran"
    assert alice.user is not None and alice.user.last_name == "Tran"
    change.refresh_from_db()
    assert (change.status, change.decided_by, change.decided_at is not None) == (
        "approved",
        staff,
        True,
    )
    event = Event.objects.get(action="members.name_change.approved")
    assert (event.actor, event.member, event.data) == (
        staff,
        alice,
        {"before": "Alice Nguyen", "after": "Alice Tran", "staff_reason": ""},
    )
    (message,) = smtp.to(alice.email)
    assert subject_of(message) == "TCCP: Your legal name change was approved"
    assert "the name on your record is now Alice Tran" in text_of(message)

    with pytest.raises(DomainError) as again:
        decide_name_change(
            request=web_request(staff), change=change, approve=False, staff_reason="x", actor=staff
        )
    assert again.value.code == "decided"


def test_a_decline_needs_a_reason_which_the_member_reads(
    alice: Member, smtp: Inbox, django_capture_on_commit_callbacks: Any
) -> None:
    Member.objects.filter(pk=alice.pk).update(language="es")
    change = ask(alice)
    staff = User.objects.create_user("staff@example.org", "x", is_staff=True)
    with pytest.raises(DomainError) as refused:
        decide_name_change(
            request=web_request(staff), change=change, approve=False, staff_reason=" ", actor=staff
        )
    assert refused.value.field_errors == {
        "staff_reason": ["Say why the request is declined: the member reads it."]
    }
    with django_capture_on_commit_callbacks(execute=True):
        decide_name_change(
            request=web_request(staff),
            change=change,
            approve=False,
            staff_reason="The document shows another name.",
            actor=staff,
        )
    alice.refresh_from_db()
    assert alice.full_name == "Alice Nguyen"
    (message,) = smtp.to(alice.email)
    assert subject_of(message) == "TCCP: No se aprobó su cambio de nombre legal"
    assert "The document shows another name." in text_of(message)
    # Decided: the member may ask again.
    assert ask(alice, last_name="Nguyen Tran").status == "pending"


# --- the admin: staff decide there, and change nothing else ---------------------------------


def _url(change: NameChangeRequest) -> str:
    return f"/admin/members/namechangerequest/{change.pk}/change/"


def test_staff_approve_in_the_admin_through_the_service(
    alice: Member, admin_client: Client, administrator: User
) -> None:
    change = ask(alice)
    page = admin_client.get(_url(change)).content.decode()
    assert "Marriage" in page and 'name="decision"' in page
    assert 'name="requested_last_name"' not in page  # shown, not editable
    posted = admin_client.post(
        _url(change),
        {"decision": "approve", "staff_reason": "", "requested_last_name": "Hacked", "_save": "1"},
    )
    assert posted.status_code == 302
    alice.refresh_from_db()
    assert alice.full_name == "Alice Tran"
    assert Event.objects.get(action="members.name_change.approved").actor == administrator
    # Decided: read-only from now on.
    assert 'name="decision"' not in admin_client.get(_url(change)).content.decode()
    again = admin_client.post(_url(change), {"decision": "decline", "staff_reason": "x"})
    assert again.status_code == 403
    change.refresh_from_db()
    assert change.status == "approved"


def test_a_decline_without_a_reason_is_refused_in_the_admin(
    alice: Member, admin_client: Client
) -> None:
    change = ask(alice)
    refused = admin_client.post(
        _url(change), {"decision": "decline", "staff_reason": "", "_save": "1"}
    )
    assert refused.status_code == 200
    assert "Say why the request is declined: the member reads it." in refused.content.decode()
    change.refresh_from_db()
    assert change.status == "pending"


def test_requests_cannot_be_added_or_deleted_in_the_admin(
    alice: Member, admin_client: Client
) -> None:
    change = ask(alice)
    assert admin_client.post("/admin/members/namechangerequest/add/", {}).status_code == 403
    delete = f"/admin/members/namechangerequest/{change.pk}/delete/"
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert NameChangeRequest.objects.filter(pk=change.pk).exists()
