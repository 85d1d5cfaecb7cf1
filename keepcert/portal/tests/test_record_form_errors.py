"""The Record CE and edit forms: points typed with a comma, points that look mistyped, and
a refused submit that says so, at the top, all at once (issue 7, findings 1 and 2).

The clock is frozen at 2025-11-20 (conftest); Alice's RMA cycle runs 2023-05-10 ..
2026-05-31 and needs 30 points.
"""

from __future__ import annotations

import html
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from keepcert import testing
from keepcert.activities.models import Activity
from keepcert.certifications.models import Cycle
from keepcert.members.models import Member
from keepcert.portal.tests.pages import field_errors, form_data, rows, text

NEW = "portal:activity_new"


def summary(response: HttpResponse) -> list[tuple[str, str]]:
    """The error summary's items: (the id its link goes to, the message)."""
    found = re.search(
        r'<div class="notice error error-summary" id="error-summary" tabindex="-1" autofocus'
        r".*?<ul>(.*?)</ul>",
        response.content.decode(),
        flags=re.S,
    )
    assert found is not None, "no error summary, focused on load"
    return [
        (anchor, html.unescape(message))
        for anchor, message in re.findall(r'<li><a href="#([^"]+)">(.*?)</a></li>', found.group(1))
    ]


def test_points_typed_with_a_decimal_comma_are_recorded_as_decimals(
    alice_client: Client, alice: Member, cycle: Cycle
) -> None:
    response = alice_client.post(reverse(NEW), form_data(cycle, points="1,5"))
    assert response.status_code == 302
    assert Activity.objects.get(member=alice).points == Decimal("1.5")


def test_the_points_box_is_text_with_the_number_keypad(alice_client: Client, cycle: Cycle) -> None:
    page = alice_client.get(reverse(NEW)).content.decode()
    box = re.search(r'<input[^>]*name="points"[^>]*>', page)
    assert box is not None
    assert 'type="text"' in box.group(0) and 'inputmode="decimal"' in box.group(0)


@pytest.mark.parametrize("typed", ["1,500", "1,5,0"])
def test_a_comma_that_is_not_a_decimal_comma_is_refused(
    alice_client: Client, cycle: Cycle, typed: str
) -> None:
    before = rows()
    response = alice_client.post(reverse(NEW), form_data(cycle, points=typed))
    assert response.status_code == 422
    message = (
        f"“{typed}” is not clear: a comma can only mark decimals, with one or two digits "
        "after it (1,5 or 1,25). Write thousands without a comma."
    )
    assert field_errors(response, "points") == [message]
    assert summary(response) == [("id_points", message)]
    assert f'value="{typed}"' in response.content.decode()  # what was typed, to correct
    assert rows() == before


def test_large_points_ask_to_save_anyway_and_save_when_confirmed(
    alice_client: Client, alice: Member, cycle: Cycle
) -> None:
    data = form_data(cycle, points="15", category=testing.category("formal-education").pk)
    response = alice_client.post(reverse(NEW), data)
    assert response.status_code == 200
    page = text(response)
    assert (
        "Check the points. 15 points is more than one Formal Education activity usually earns "
        "(10). Check the number; if it is right, save anyway." in page
    )
    assert "Save anyway" in page
    assert not Activity.objects.filter(member=alice).exists()
    assert re.search(
        r'<div class="notice warning confirmation" role="alert" tabindex="-1" autofocus '
        r'id="large-points-warning">',
        response.content.decode(),
    )
    # The form comes back with the confirmation of these points: "Save anyway" records them.
    assert 'name="confirm_large_points" value="15|"' in response.content.decode()
    response = alice_client.post(reverse(NEW), {**data, "confirm_large_points": "15|"})
    assert response.status_code == 302
    assert Activity.objects.get(member=alice).points == Decimal(15)


def test_points_changed_after_the_warning_are_checked_again(
    alice_client: Client, alice: Member, cycle: Cycle
) -> None:
    data = form_data(cycle, points="15", category=testing.category("formal-education").pk)
    # "Save anyway" was offered for 15; the member typed 51 before pressing it.
    response = alice_client.post(
        reverse(NEW), {**data, "points": "51", "confirm_large_points": "15|"}
    )
    assert response.status_code == 200
    assert "51 points is more than one Formal Education activity usually earns" in text(response)
    assert 'name="confirm_large_points" value="51|"' in response.content.decode()
    assert not Activity.objects.filter(member=alice).exists()


def test_every_problem_is_reported_in_one_round_listed_and_linked_at_the_top(
    alice_client: Client, cycle: Cycle
) -> None:
    """Before, a missing title stopped the form before the service: the missing points
    and attestation only complained on the second try."""
    before = rows()
    response = alice_client.post(
        reverse(NEW), form_data(cycle, title="", points="", attestation=None, end_date="")
    )
    assert response.status_code == 422
    assert summary(response) == [
        ("id_title", "Enter the activity's title."),
        ("id_end_date", "Enter the date the activity ended."),
        ("id_points", "Enter the points you earned."),
        ("id_attestation", "Tick the attestation to confirm the information is correct."),
    ]
    page = text(response)
    assert "There is a problem The activity was not saved. Correct these and submit again:" in (
        page
    )
    assert field_errors(response, "points") == ["Enter the points you earned."]
    assert field_errors(response, "attestation") == [
        "Tick the attestation to confirm the information is correct."
    ]
    assert rows() == before


def test_an_unreadable_date_is_reported_with_the_other_problems(
    alice_client: Client, cycle: Cycle
) -> None:
    response = alice_client.post(
        reverse(NEW), form_data(cycle, start_date="2025-02-30", category="", attestation=None)
    )
    assert [anchor for anchor, _ in summary(response)] == [
        "id_category",
        "id_start_date",
        "id_attestation",
    ]
    # The date's own message only: no "enter the date" for a date that was typed.
    assert len(field_errors(response, "start_date")) == 1


def test_a_choice_of_cycles_in_error_links_to_its_first_box(
    alice_client: Client, cycle: Cycle
) -> None:
    response = alice_client.post(reverse(NEW), form_data(cycle, cycles=[]))
    assert summary(response) == [
        ("id_cycles_0", "Choose at least one certification to apply this activity to.")
    ]
    assert 'id="id_cycles_0"' in response.content.decode()


def test_the_edit_form_shows_the_summary_too(
    alice_client: Client, alice: Member, cycle: Cycle
) -> None:
    activity = testing.make_activity(alice)
    response = alice_client.post(
        reverse("portal:activity_edit", args=[activity.pk]),
        form_data(cycle, title="", attestation=None),
    )
    assert response.status_code == 422
    assert [anchor for anchor, _ in summary(response)] == ["id_title", "id_attestation"]


def test_files_chosen_before_a_refusal_are_named_next_to_the_file_field(
    alice_client: Client, cycle: Cycle
) -> None:
    upload = SimpleUploadedFile("certificate.pdf", b"%PDF-1.4 test", "application/pdf")
    response = alice_client.post(reverse(NEW), form_data(cycle, title="", evidence=[upload]))
    assert response.status_code == 422
    page = response.content.decode()
    note = re.search(
        r'<p class="notice warning choose-again" id="id_evidence-again">(.*?)</p>',
        page,
    )
    assert note is not None
    assert html.unescape(re.sub(r"<[^>]+>", "", note.group(1))) == (
        "Nothing was saved, so the files you chose were not kept: choose them again before "
        "you submit. You had chosen: certificate.pdf"
    )
    assert 'aria-describedby="id_evidence-again id_evidence_helptext"' in page
    assert summary(response)[-1] == (
        "id_evidence",
        "Choose your evidence files again: they were not kept.",
    )
