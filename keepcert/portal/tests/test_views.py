"""The member portal, page by page (SPEC §4, §5, §14): each view works, needs a sign-in,
answers 404 for another member's things and 403 for an account that is not a member's,
re-renders bad input with its message, and refuses a POST without a CSRF token.

The clock is frozen at 2025-11-20 10:00 in Chicago (conftest). Alice holds RMA certified
2023-05-10 (cycle 2023-05-10 .. 2026-05-31, 192 days left); Mallory holds RPT.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from keepcert import testing
from keepcert.activities.models import Activity, ActivityClaim
from keepcert.certifications.models import Cycle
from keepcert.core.models import Event
from keepcert.members.models import ApiToken, Member
from keepcert.members.services import create_api_token, member_for_api_token
from keepcert.program.models import Program

CHICAGO = ZoneInfo("America/Chicago")


def text(response: HttpResponse) -> str:
    """The page as a person reads it: tags dropped, entities decoded, spaces collapsed."""
    body = response.content.decode()
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def field_errors(response: HttpResponse, field: str) -> list[str]:
    """The messages shown beside one form field."""
    pattern = rf'<small class="field-error" id="id_{field}-error">(.*?)</small>'
    return [html.unescape(m) for m in re.findall(pattern, response.content.decode(), flags=re.S)]


def login_url(next_url: str) -> str:
    return f"{reverse('account_login')}?next={next_url}"


def rows() -> tuple[int, int, int, int]:
    """Everything a portal POST may write."""
    return (
        Activity.objects.count(),
        ActivityClaim.objects.count(),
        ApiToken.objects.filter(revoked_at__isnull=True).count(),
        Event.objects.count(),
    )


@pytest.fixture
def activity(alice: Member) -> Activity:
    return testing.make_activity(
        alice, title="Infection control update", points="3", start=date(2024, 3, 1)
    )


@pytest.fixture
def cycle(alice: Member) -> Cycle:
    return testing.current_cycle(alice.certifications.get())


@pytest.fixture
def token(alice: Member) -> ApiToken:
    token, _ = create_api_token(member=alice, name="my spreadsheet", actor=alice.user)
    return token


@pytest.fixture
def staff_client(program: Program) -> Client:
    """Signed in, but the account has no member record."""
    client = Client()
    client.force_login(testing.make_user("staff@example.org", staff=True))
    return client


def form_data(cycle: Cycle, **changes: Any) -> dict[str, Any]:
    data = {
        "category": testing.category("professional-education").pk,
        "title": "Wound care webinar",
        "provider": "AMT",
        "start_date": "2025-10-01",
        "end_date": "2025-10-01",
        "points": "2.5",
        "notes": "",
        "cycles": [cycle.pk],
        "attestation": "on",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    url: Callable[[Activity, Cycle, ApiToken], str]


MEMBER_ENDPOINTS = [
    Endpoint("dashboard", "get", lambda a, c, t: reverse("portal:dashboard")),
    Endpoint("cycle_detail", "get", lambda a, c, t: reverse("portal:cycle_detail", args=[c.pk])),
    Endpoint("activity_new", "get", lambda a, c, t: reverse("portal:activity_new")),
    Endpoint("activity_new", "post", lambda a, c, t: reverse("portal:activity_new")),
    Endpoint("activity_cycles", "get", lambda a, c, t: reverse("portal:activity_cycles")),
    Endpoint(
        "activity_detail", "get", lambda a, c, t: reverse("portal:activity_detail", args=[a.pk])
    ),
    Endpoint("activity_edit", "get", lambda a, c, t: reverse("portal:activity_edit", args=[a.pk])),
    Endpoint("activity_edit", "post", lambda a, c, t: reverse("portal:activity_edit", args=[a.pk])),
    Endpoint(
        "activity_delete", "get", lambda a, c, t: reverse("portal:activity_delete", args=[a.pk])
    ),
    Endpoint(
        "activity_delete", "post", lambda a, c, t: reverse("portal:activity_delete", args=[a.pk])
    ),
    Endpoint("profile", "get", lambda a, c, t: reverse("portal:profile")),
    Endpoint("token_create", "post", lambda a, c, t: reverse("portal:token_create")),
    Endpoint("token_revoke", "post", lambda a, c, t: reverse("portal:token_revoke", args=[t.pk])),
    Endpoint("token_revoke_all", "post", lambda a, c, t: reverse("portal:token_revoke_all")),
]
POSTS = [e for e in MEMBER_ENDPOINTS if e.method == "post"]


def ids(endpoint: Endpoint) -> str:
    return f"{endpoint.method}-{endpoint.name}"


def call(client: Client, endpoint: Endpoint, url: str, cycle: Cycle) -> HttpResponse:
    if endpoint.method == "get":
        return client.get(url)
    payload = {"name": "laptop"} if endpoint.name == "token_create" else form_data(cycle)
    return client.post(url, payload)


# --- needs login, wrong role, CSRF: every member page -----------------------------------------


@pytest.mark.parametrize("endpoint", MEMBER_ENDPOINTS, ids=ids)
def test_anonymous_visitors_are_sent_to_sign_in(
    client: Client, endpoint: Endpoint, activity: Activity, cycle: Cycle, token: ApiToken
) -> None:
    url = endpoint.url(activity, cycle, token)
    before = rows()
    response = call(client, endpoint, url, cycle)
    assert response.status_code == 302
    assert response["Location"] == login_url(url)
    assert rows() == before


@pytest.mark.parametrize("endpoint", MEMBER_ENDPOINTS, ids=ids)
def test_an_account_without_a_member_record_is_forbidden(
    staff_client: Client, endpoint: Endpoint, activity: Activity, cycle: Cycle, token: ApiToken
) -> None:
    before = rows()
    response = call(staff_client, endpoint, endpoint.url(activity, cycle, token), cycle)
    assert response.status_code == 403
    assert rows() == before


@pytest.mark.parametrize("endpoint", POSTS, ids=ids)
def test_a_post_without_a_csrf_token_is_refused(
    alice: Member, endpoint: Endpoint, activity: Activity, cycle: Cycle, token: ApiToken
) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice.user)
    before = rows()
    response = call(client, endpoint, endpoint.url(activity, cycle, token), cycle)
    assert response.status_code == 403
    assert rows() == before
    assert Activity.objects.get(pk=activity.pk).title == "Infection control update"


def test_a_post_with_the_pages_csrf_token_is_accepted(alice: Member, cycle: Cycle) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice.user)
    assert client.get(reverse("portal:activity_new")).status_code == 200
    csrf = client.cookies["csrftoken"].value
    response = client.post(
        reverse("portal:activity_new"), form_data(cycle) | {"csrfmiddlewaretoken": csrf}
    )
    assert response.status_code == 302
    assert Activity.objects.filter(member=alice, title="Wound care webinar").exists()


# --- not yours: another member's activity, cycle or token -------------------------------------


NOT_YOURS = [
    e for e in MEMBER_ENDPOINTS if e.name in {"cycle_detail", "activity_detail", "activity_edit"}
] + [e for e in MEMBER_ENDPOINTS if e.name in {"activity_delete", "token_revoke"}]


@pytest.mark.parametrize("endpoint", NOT_YOURS, ids=ids)
def test_another_members_things_are_not_found(
    mallory_client: Client,
    mallory: Member,
    endpoint: Endpoint,
    activity: Activity,
    cycle: Cycle,
    token: ApiToken,
) -> None:
    mallory_cycle = testing.current_cycle(mallory.certifications.get())
    before = rows()
    response = call(mallory_client, endpoint, endpoint.url(activity, cycle, token), mallory_cycle)
    assert response.status_code == 404
    assert rows() == before
    activity.refresh_from_db()
    assert (activity.title, activity.points) == ("Infection control update", Decimal(3))
    token.refresh_from_db()
    assert token.revoked_at is None
    assert b"Infection control update" not in response.content


def test_another_members_cycle_cannot_be_chosen_on_the_form(
    alice_client: Client, mallory: Member, cycle: Cycle
) -> None:
    mallory_cycle = testing.current_cycle(mallory.certifications.get())
    before = rows()
    response = alice_client.post(
        reverse("portal:activity_new"), form_data(cycle, cycles=[mallory_cycle.pk])
    )
    assert response.status_code == 422
    assert "Choose among your open cycles." in text(response)
    assert rows() == before


def test_the_cycle_choices_list_only_the_members_own_cycles(
    mallory_client: Client, alice: Member
) -> None:
    response = mallory_client.get(reverse("portal:activity_cycles"))
    assert response.status_code == 200
    assert "RPT cycle (January 15, 2024 – January 31, 2027)" in text(response)
    assert "RMA" not in text(response)


# --- home -------------------------------------------------------------------------------------


def test_home_invites_a_visitor_to_sign_in_or_set_up(client: Client, program: Program) -> None:
    response = client.get(reverse("portal:home"))
    assert response.status_code == 200
    page = text(response)
    assert "Keep your certification active" in page
    assert "Sign in" in page
    assert "Set up your online account" in page


def test_home_sends_a_member_to_their_dashboard(alice_client: Client) -> None:
    response = alice_client.get(reverse("portal:home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:dashboard")


def test_home_tells_an_account_without_a_member_record(staff_client: Client) -> None:
    response = staff_client.get(reverse("portal:home"))
    assert response.status_code == 200
    assert "This account is not linked to a member record." in text(response)


# --- dashboard --------------------------------------------------------------------------------


def test_the_dashboard_shows_counted_points_days_left_and_pace(
    alice_client: Client, alice: Member, activity: Activity
) -> None:
    response = alice_client.get(reverse("portal:dashboard"))
    assert response.status_code == 200
    page = text(response)
    assert f"Alice Nguyen · Member ID {alice.member_number}" in page
    assert "RMA Registered Medical Assistant" in page
    assert "Cycle May 10, 2023 – May 31, 2026 · 192 days left" in page
    assert "Required 30 Counted 3 Remaining 27" in page
    assert "10% of the requirement" in page
    assert 'aria-label="3 of 30 points counted (10%)"' in response.content.decode()
    assert (
        "Behind pace. By now about 24.85 points would be on pace. "
        "27 points in 7 months: about 3.9 a month." in page
    )
    assert "Infection control update March 1, 2024 · 3 pts Counted in full: 3 points." in page
    assert "Record CE" in page


def test_the_dashboard_breaks_points_down_by_category(alice_client: Client, alice: Member) -> None:
    testing.make_activity(alice, title="Anatomy I", points="8", category_code="formal-education")
    testing.make_activity(alice, title="Wound care", points="2", start=date(2025, 2, 3))
    response = alice_client.get(reverse("portal:dashboard"))
    page = text(response)
    assert "Category Entered Counted Maximum" in page
    assert "Professional Education 2 2 none" in page
    assert "Formal Education 8 8 none" in page
    assert "Authorship of Written Works 0 0 none" in page


def test_the_dashboard_says_when_a_member_is_on_track(alice_client: Client, alice: Member) -> None:
    testing.make_activity(alice, title="Conference", points="25")
    page = text(alice_client.get(reverse("portal:dashboard")))
    assert "On track. 5 points in 7 months: about 0.8 a month." in page
    assert "Behind pace" not in page


def test_the_dashboard_says_when_the_requirement_is_met(
    alice_client: Client, alice: Member
) -> None:
    testing.make_activity(alice, title="Conference", points="30")
    page = text(alice_client.get(reverse("portal:dashboard")))
    assert "Counted 30 Remaining 0" in page
    assert "100% of the requirement" in page
    assert "Requirement met. Requirement met: nothing more is needed this cycle." in page


def test_a_credential_without_points_set_shows_a_notice_not_a_percent(program: Program) -> None:
    member = testing.make_member(first_name="Pat", last_name="Carter")
    testing.make_certification(member, "PCT", date(2024, 6, 1))
    testing.make_activity(member, title="Patient safety", start=date(2024, 9, 1))
    client = Client()
    client.force_login(member.user)

    response = client.get(reverse("portal:dashboard"))
    assert response.status_code == 200
    page = text(response)
    assert (
        "The program has not yet set how many points PCT needs per cycle. "
        "Your activities are kept and will count once it does." in page
    )
    assert "% of the requirement" not in page
    assert 'data-testid="percent"' not in response.content.decode()
    assert "Patient safety" in page


def test_a_grandfathered_member_sees_that_ce_is_voluntary(program: Program) -> None:
    member = testing.make_member(first_name="Gloria", last_name="Hayes")
    testing.make_certification(member, "CMAS", date(2001, 6, 1))
    client = Client()
    client.force_login(member.user)

    page = text(client.get(reverse("portal:dashboard")))
    assert (
        "Exempt (grandfathered): Certified before January 1, 2006: CE is voluntary "
        "(grandfathered). · certified June 1, 2001" in page
    )
    assert (
        "CE is voluntary for your certification. Keep your annual fee paid to stay active." in page
    )
    assert "% of the requirement" not in page


def test_the_dashboard_lists_past_cycles(program: Program) -> None:
    member = testing.make_member(first_name="Maria", last_name="Lopez")
    testing.make_certification(member, "MLT", date(2019, 3, 15))
    client = Client()
    client.force_login(member.user)

    response = client.get(reverse("portal:dashboard"))
    page = text(response)
    assert "Past cycles April 1, 2022 – March 31, 2025 · Completed" in page
    assert "March 15, 2019 – March 31, 2022 · Completed" in page
    for past in Cycle.objects.filter(certification__member=member, status="compliant"):
        assert reverse("portal:cycle_detail", args=[past.pk]) in response.content.decode()


def test_a_member_without_certifications_is_told_so(program: Program) -> None:
    member = testing.make_member(first_name="Nia", last_name="Brooks")
    client = Client()
    client.force_login(member.user)
    response = client.get(reverse("portal:dashboard"))
    assert response.status_code == 200
    assert "No certification is on your record yet. If this is wrong, contact us." in text(response)


def test_what_a_member_typed_is_shown_as_text_not_markup(
    alice_client: Client, alice: Member
) -> None:
    activity = testing.make_activity(alice, title="<script>alert(1)</script> & more")
    for url in (
        reverse("portal:dashboard"),
        reverse("portal:activity_detail", args=[activity.pk]),
    ):
        response = alice_client.get(url)
        assert b"<script>alert(1)</script>" not in response.content
        assert "<script>alert(1)</script> & more" in text(response)


def test_the_dashboard_reads_in_a_fixed_number_of_queries(
    alice_client: Client, alice: Member
) -> None:
    testing.make_certification(alice, "RPT", date(2024, 1, 15))
    testing.make_certification(alice, "MLT", date(2019, 3, 15))

    def add(numbers: range) -> None:
        for n in numbers:
            testing.make_activity(
                alice, title=f"Course {n}", points="1", start=date(2025, 4, 1) + timedelta(days=n)
            )

    add(range(10))
    with CaptureQueriesContext(connection) as with_ten:
        response = alice_client.get(reverse("portal:dashboard"))
    assert "Counted 10" in text(response)
    add(range(10, 100))
    with CaptureQueriesContext(connection) as with_100:
        response = alice_client.get(reverse("portal:dashboard"))
    assert text(response).count("Counted 100") == 3
    assert len(with_100) == len(with_ten)
    assert len(with_ten) <= 12


# --- cycle detail -----------------------------------------------------------------------------


def test_the_cycle_page_shows_progress_and_each_activity(
    alice_client: Client, cycle: Cycle, activity: Activity
) -> None:
    response = alice_client.get(reverse("portal:cycle_detail", args=[cycle.pk]))
    assert response.status_code == 200
    page = text(response)
    assert "RMA Registered Medical Assistant" in page
    assert "Cycle May 10, 2023 – May 31, 2026 · 192 days left" in page
    assert "Required 30 Counted 3 Remaining 27" in page
    assert "Professional Education 3 3 none" in page
    assert "Counted in full: 3 points." in page
    assert reverse("portal:activity_detail", args=[activity.pk]) in response.content.decode()


def test_a_past_cycle_page_stays_available(program: Program) -> None:
    member = testing.make_member(first_name="Maria", last_name="Lopez")
    certification = testing.make_certification(member, "MLT", date(2019, 3, 15))
    past = certification.cycles.get(start=date(2019, 3, 15))
    client = Client()
    client.force_login(member.user)

    response = client.get(reverse("portal:cycle_detail", args=[past.pk]))
    assert response.status_code == 200
    page = text(response)
    assert "Cycle March 15, 2019 – March 31, 2022 · Completed" in page
    assert "days left" not in page
    assert "All cycles of this certification" in page
    assert "April 1, 2025 – March 31, 2028 · Open" in page


def test_a_completed_past_cycle_is_not_called_short(program: Program) -> None:
    member = testing.make_member(first_name="Maria", last_name="Lopez")
    certification = testing.make_certification(member, "MLT", date(2019, 3, 15))
    past = certification.cycles.get(start=date(2019, 3, 15))
    client = Client()
    client.force_login(member.user)

    page = text(client.get(reverse("portal:cycle_detail", args=[past.pk])))
    assert "· Completed" in page
    assert "Ended short" not in page


def test_an_unknown_cycle_is_not_found(alice_client: Client) -> None:
    assert alice_client.get(reverse("portal:cycle_detail", args=[999999])).status_code == 404


# --- recording an activity --------------------------------------------------------------------


def test_the_record_form_offers_the_categories_cycles_and_attestation(
    alice_client: Client, cycle: Cycle
) -> None:
    response = alice_client.get(reverse("portal:activity_new"))
    assert response.status_code == 200
    page = text(response)
    assert "Record CE" in page
    assert "Employment Verification" in page
    assert (
        "Employment Verification can only be claimed for activity up to December 31, 2020." in page
    )
    assert "RMA cycle (May 10, 2023 – May 31, 2026)" in page
    assert "I attest that the information I have entered is correct" in page
    checkbox = re.search(
        rf'<input[^>]*name="cycles"[^>]*value="{cycle.pk}"[^>]*>', response.content.decode()
    )
    assert checkbox is not None and "checked" in checkbox.group(0)


def test_recording_an_activity_counts_it_at_once(
    alice_client: Client, alice: Member, cycle: Cycle, activity: Activity
) -> None:
    response = alice_client.post(reverse("portal:activity_new"), form_data(cycle))
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:dashboard")

    saved = Activity.objects.get(member=alice, title="Wound care webinar")
    assert (saved.provider, saved.points) == ("AMT", Decimal("2.5"))
    assert list(saved.cycles.all()) == [cycle]
    assert saved.attested_from == "127.0.0.1"

    page = text(alice_client.get(response["Location"]))
    assert "Recorded “Wound care webinar”" in page
    assert "Required 30 Counted 5.5 Remaining 24.5" in page
    assert "Wound care webinar October 1, 2025 · 2.5 pts Counted in full: 2.5 points." in page


def test_the_recorded_message_writes_points_as_the_dashboard_does(
    alice_client: Client, cycle: Cycle
) -> None:
    response = alice_client.post(
        reverse("portal:activity_new"), form_data(cycle, points="2.50"), follow=True
    )
    assert "Recorded “Wound care webinar”: 2.5 points." in text(response)


def test_a_likely_duplicate_is_flagged_before_saving(
    alice_client: Client, alice: Member, cycle: Cycle, activity: Activity
) -> None:
    duplicate = form_data(
        cycle, title="infection control UPDATE", start_date="2024-03-01", end_date="2024-03-01"
    )
    before = rows()
    response = alice_client.post(reverse("portal:activity_new"), duplicate)
    assert response.status_code == 200
    page = text(response)
    assert "This looks like an activity you already recorded." in page
    assert "Save anyway" in page
    assert rows() == before
    assert re.search(
        r'<input type="hidden" name="confirm_duplicate" value="on"', response.content.decode()
    )

    response = alice_client.post(
        reverse("portal:activity_new"), duplicate | {"confirm_duplicate": "on"}
    )
    assert response.status_code == 302
    assert (
        Activity.objects.filter(member=alice, title__iexact="infection control update").count() == 2
    )


BAD_INPUT = [
    ("start_date", {"start_date": "2023-02-30"}, "Enter a real date, for example 2025-03-14."),
    ("end_date", {"end_date": "31/10/2025"}, "Enter a real date, for example 2025-03-14."),
    ("points", {"points": "abc"}, "Enter the points as a number, for example 1.5."),
    ("points", {"points": "0"}, "Enter more than 0 points."),
    ("points", {"points": "1.234"}, "Use at most two decimal places, for example 1.25."),
    (
        "points",
        {"points": "100.01"},
        "One entry can have at most 100 points. Record a larger activity as several entries.",
    ),
    ("points", {"points": ""}, "Enter the points you earned."),
    ("title", {"title": ""}, "Enter the activity's title."),
    ("title", {"title": "   "}, "Enter the activity's title."),
    ("category", {"category": ""}, "Choose the activity's category."),
    ("category", {"category": "999999"}, "Choose one of the listed categories."),
    (
        "attestation",
        {"attestation": None},
        "Tick the attestation to confirm the information is correct.",
    ),
    (
        "end_date",
        {"start_date": "2025-11-21", "end_date": "2025-11-21"},
        "The end date cannot be in the future: record an activity once you have completed it.",
    ),
    (
        "end_date",
        {"start_date": "2025-10-02", "end_date": "2025-10-01"},
        "The end date cannot be before the start date.",
    ),
    (
        "start_date",
        {"start_date": "2023-05-09", "end_date": "2023-05-09"},
        "The start date is before your RMA cycle began on May 10, 2023. "
        "Only activity completed inside the cycle counts.",
    ),
]


@pytest.mark.parametrize(("field", "changes", "message"), BAD_INPUT)
def test_bad_input_re_renders_the_form_with_the_message_and_saves_nothing(
    alice_client: Client, cycle: Cycle, field: str, changes: dict[str, Any], message: str
) -> None:
    before = rows()
    response = alice_client.post(reverse("portal:activity_new"), form_data(cycle, **changes))
    assert response.status_code == 422
    assert field_errors(response, field) == [message]
    assert "The activity was not saved" in text(response)
    assert rows() == before


def test_bad_input_keeps_what_the_member_typed(alice_client: Client, cycle: Cycle) -> None:
    response = alice_client.post(
        reverse("portal:activity_new"), form_data(cycle, points="abc", title="Wound care webinar")
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert 'value="Wound care webinar"' in body
    assert 'aria-invalid="true"' in body


def test_unticking_every_cycle_is_refused(alice_client: Client, cycle: Cycle) -> None:
    before = rows()
    response = alice_client.post(reverse("portal:activity_new"), form_data(cycle, cycles=None))
    assert response.status_code == 422
    assert "Choose at least one certification to apply this activity to." in text(response)
    assert rows() == before


def test_a_huge_number_of_points_is_bad_input_not_a_server_error(
    alice_client: Client, cycle: Cycle
) -> None:
    before = rows()
    response = alice_client.post(reverse("portal:activity_new"), form_data(cycle, points="1e30"))
    assert response.status_code == 422
    assert rows() == before


def test_a_member_with_no_open_cycle_is_told_so(program: Program) -> None:
    member = testing.make_member(first_name="Gloria", last_name="Hayes")
    testing.make_certification(member, "CMAS", date(2001, 6, 1))
    client = Client()
    client.force_login(member.user)
    response = client.get(reverse("portal:activity_new"))
    assert response.status_code == 200
    assert "None of your certifications has a CE cycle open for recording right now." in text(
        response
    )


# --- the htmx cycle choices -------------------------------------------------------------------


@pytest.fixture
def robin_client(program: Program) -> tuple[Client, Cycle, Cycle]:
    """A member with RMA (from 2023-05-10) and RPT (from 2024-01-15)."""
    member = testing.make_member(first_name="Robin", last_name="Park")
    rma = testing.current_cycle(testing.make_certification(member, "RMA", date(2023, 5, 10)))
    rpt = testing.current_cycle(testing.make_certification(member, "RPT", date(2024, 1, 15)))
    client = Client()
    client.force_login(member.user)
    return client, rma, rpt


def ticked(response: HttpResponse) -> dict[int, bool]:
    boxes = re.findall(r'<input[^>]*name="cycles"[^>]*>', response.content.decode())
    return {
        int(re.search(r'value="(\d+)"', box).group(1)): " checked" in box  # type: ignore[union-attr]
        for box in boxes
    }


@pytest.mark.parametrize(
    ("query", "rma_ticked", "rpt_ticked"),
    [
        ({"start_date": "2024-03-01", "end_date": "2024-03-01"}, True, True),
        ({"start_date": "2023-08-01", "end_date": "2023-08-01"}, True, False),
        ({"start_date": "2023-08-01"}, True, False),
        ({"start_date": "2023-12-20", "end_date": "2024-02-01"}, True, False),
        ({"start_date": "2023-02-30", "end_date": "2023-02-30"}, True, True),
        ({}, True, True),
    ],
)
def test_the_cycle_choices_tick_the_cycles_containing_the_dates(
    robin_client: tuple[Client, Cycle, Cycle],
    query: dict[str, str],
    rma_ticked: bool,
    rpt_ticked: bool,
) -> None:
    client, rma, rpt = robin_client
    response = client.get(reverse("portal:activity_cycles"), query, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert b"<html" not in response.content  # a fragment, not a page
    assert "Count it toward" in text(response)
    assert ticked(response) == {rma.pk: rma_ticked, rpt.pk: rpt_ticked}


def test_report_once_through_the_form_fills_both_cycles(
    robin_client: tuple[Client, Cycle, Cycle],
) -> None:
    client, rma, rpt = robin_client
    response = client.post(
        reverse("portal:activity_new"),
        form_data(rma, start_date="2024-03-01", end_date="2024-03-01", cycles=[rma.pk, rpt.pk]),
    )
    assert response.status_code == 302
    saved = Activity.objects.get(title="Wound care webinar")
    assert set(saved.cycles.all()) == {rma, rpt}
    page = text(client.get(reverse("portal:dashboard")))
    assert page.count("Counted 2.5") == 2


# --- activity detail, edit, delete ------------------------------------------------------------


def test_the_activity_page_shows_the_entry_its_cycles_and_history(
    alice_client: Client, activity: Activity, cycle: Cycle
) -> None:
    response = alice_client.get(reverse("portal:activity_detail", args=[activity.pk]))
    assert response.status_code == 200
    page = text(response)
    assert "Infection control update" in page
    assert "Category Professional Education" in page
    assert "Dates March 1, 2024" in page
    assert "Points 3" in page
    assert "Counts toward RMA cycle (May 10, 2023 – May 31, 2026)" in page
    assert "Attested November 20, 2025," in page
    assert "“I attest that the information I have entered is correct" in page
    assert re.search(r"Recorded November 20, 2025, [^ ]+ [ap]\.m\. by you", page)
    body = response.content.decode()
    assert reverse("portal:activity_edit", args=[activity.pk]) in body
    assert reverse("portal:activity_delete", args=[activity.pk]) in body
    assert reverse("portal:cycle_detail", args=[cycle.pk]) in body


def test_the_attestation_and_history_times_are_in_the_programs_time_zone(
    alice_client: Client, alice: Member, frozen_now: Any
) -> None:
    frozen_now.move_to(datetime(2025, 11, 20, 20, 0, tzinfo=CHICAGO))
    alice_client.force_login(alice.user)
    activity = testing.make_activity(alice, title="Evening webinar", start=date(2025, 11, 20))
    page = text(alice_client.get(reverse("portal:activity_detail", args=[activity.pk])))
    assert "Attested November 20, 2025, 8:00 p.m." in page
    assert "Recorded November 20, 2025, 8:00 p.m. by you" in page


def test_editing_shows_the_entry_and_saves_changes_into_the_history(
    alice_client: Client, activity: Activity, cycle: Cycle
) -> None:
    url = reverse("portal:activity_edit", args=[activity.pk])
    form = alice_client.get(url)
    assert form.status_code == 200
    assert 'value="Infection control update"' in form.content.decode()
    assert "Save changes" in text(form)

    response = alice_client.post(
        url,
        form_data(
            cycle,
            title="Infection control refresher",
            start_date="2024-03-01",
            end_date="2024-03-01",
            points="3.00",
            provider="",
        ),
    )
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.title == "Infection control refresher"

    detail = text(alice_client.get(reverse("portal:activity_detail", args=[activity.pk])))
    assert re.search(
        r"Changed November 20, 2025, [^ ]+ [ap]\.m\. by you "
        r"Title: “Infection control update” → “Infection control refresher”",
        detail,
    )
    assert "Points:" not in detail


def test_an_edit_with_bad_input_changes_nothing(
    alice_client: Client, activity: Activity, cycle: Cycle
) -> None:
    before = rows()
    response = alice_client.post(
        reverse("portal:activity_edit", args=[activity.pk]),
        form_data(cycle, title="", start_date="2024-03-01", end_date="2024-03-01"),
    )
    assert response.status_code == 422
    assert field_errors(response, "title") == ["Enter the activity's title."]
    assert rows() == before
    activity.refresh_from_db()
    assert activity.title == "Infection control update"


def test_deleting_asks_first_then_removes_the_entry(
    alice_client: Client, alice: Member, activity: Activity
) -> None:
    url = reverse("portal:activity_delete", args=[activity.pk])
    confirm = alice_client.get(url)
    assert confirm.status_code == 200
    assert "Delete “Infection control update”?" in text(confirm)
    assert "Its 3 points will stop counting." in text(confirm)
    assert Activity.objects.filter(pk=activity.pk).exists()

    response = alice_client.post(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:dashboard")
    assert not Activity.objects.filter(pk=activity.pk).exists()
    event = Event.objects.get(action="activities.activity.deleted", subject_id=str(activity.pk))
    assert event.data["before"]["title"] == "Infection control update"
    assert event.ip_address == "127.0.0.1"
    page = text(alice_client.get(response["Location"]))
    assert "Deleted “Infection control update”." in page
    assert "Counted 0" in page


def travel(frozen_now: Any, client: Client, member: Member, day: date) -> None:
    """Move the clock, and sign in again: months later the old session has expired."""
    frozen_now.move_to(datetime(day.year, day.month, day.day, 10, 0, tzinfo=CHICAGO))
    client.force_login(member.user)


@pytest.fixture
def after_grace(
    alice_client: Client, alice: Member, activity: Activity, frozen_now: Any
) -> Activity:
    """Alice's cycle ended May 31, 2026; its 30 days' grace ended June 30."""
    travel(frozen_now, alice_client, alice, date(2026, 7, 1))
    return activity


LOCKED = (
    "This activity can no longer be changed. It counts toward your RMA cycle "
    "(May 10, 2023 – May 31, 2026), which is closed for changes."
)


def test_a_locked_activity_shows_why_and_offers_no_edit(
    alice_client: Client, after_grace: Activity
) -> None:
    response = alice_client.get(reverse("portal:activity_detail", args=[after_grace.pk]))
    assert response.status_code == 200
    assert LOCKED in text(response)
    assert reverse("portal:activity_edit", args=[after_grace.pk]) not in response.content.decode()


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_locked_activity_cannot_be_edited(
    alice_client: Client, after_grace: Activity, cycle: Cycle, method: str
) -> None:
    url = reverse("portal:activity_edit", args=[after_grace.pk])
    before = rows()
    if method == "get":
        response = alice_client.get(url, follow=True)
    else:
        response = alice_client.post(url, form_data(cycle, title="Changed"), follow=True)
    assert response.redirect_chain == [
        (reverse("portal:activity_detail", args=[after_grace.pk]), 302)
    ]
    assert LOCKED in text(response)
    assert rows() == before
    after_grace.refresh_from_db()
    assert after_grace.title == "Infection control update"


def test_a_locked_activity_cannot_be_deleted(alice_client: Client, after_grace: Activity) -> None:
    before = rows()
    response = alice_client.post(
        reverse("portal:activity_delete", args=[after_grace.pk]), follow=True
    )
    assert response.redirect_chain == [
        (reverse("portal:activity_detail", args=[after_grace.pk]), 302)
    ]
    assert LOCKED in text(response)
    assert rows() == before


def test_the_delete_page_of_a_locked_activity_says_why_instead_of_asking(
    alice_client: Client, after_grace: Activity
) -> None:
    response = alice_client.get(
        reverse("portal:activity_delete", args=[after_grace.pk]), follow=True
    )
    assert response.redirect_chain == [
        (reverse("portal:activity_detail", args=[after_grace.pk]), 302)
    ]
    assert LOCKED in text(response)


def test_the_dashboard_after_the_grace_period_offers_no_recording(
    alice_client: Client, after_grace: Activity
) -> None:
    page = text(alice_client.get(reverse("portal:dashboard")))
    assert "Ended short. This cycle ended 27 points short." in page
    form = text(alice_client.get(reverse("portal:activity_new")))
    assert "None of your certifications has a CE cycle open for recording right now." in form


def test_during_the_grace_period_the_dashboard_says_recording_is_still_open(
    alice_client: Client, alice: Member, activity: Activity, frozen_now: Any
) -> None:
    travel(frozen_now, alice_client, alice, date(2026, 6, 15))
    page = text(alice_client.get(reverse("portal:dashboard")))
    assert "ended; you can still record activity dated inside it for a few more days" in page
    assert "Record CE" in page


# --- profile and API tokens -------------------------------------------------------------------


def test_the_profile_shows_the_members_details(alice_client: Client, alice: Member) -> None:
    response = alice_client.get(reverse("portal:profile"))
    assert response.status_code == 200
    page = text(response)
    assert "Name Alice Nguyen" in page
    assert f"Member ID {alice.member_number}" in page
    assert "Date of birth April 12, 1990" in page
    assert "You have no API tokens." in page


def test_a_new_token_is_shown_once_and_works_until_revoked(
    alice_client: Client, alice: Member
) -> None:
    response = alice_client.post(reverse("portal:token_create"), {"name": "my spreadsheet"})
    assert response.status_code == 200
    shown = re.search(r'<code data-testid="new-token">([^<]+)</code>', response.content.decode())
    assert shown is not None
    raw = shown.group(1)
    assert raw.startswith("kc_")
    assert "copy it now; it will not be shown again" in text(response)
    assert member_for_api_token(raw) == alice

    token = alice.api_tokens.get()
    later = alice_client.get(reverse("portal:profile"))
    assert raw not in later.content.decode()
    assert f"my spreadsheet {token.prefix}…" in text(later)
    assert raw not in alice_client.get(reverse("portal:dashboard")).content.decode()

    revoked = alice_client.post(reverse("portal:token_revoke", args=[token.pk]), follow=True)
    assert revoked.redirect_chain == [(reverse("portal:profile"), 302)]
    page = text(revoked)
    assert "Revoked the token “my spreadsheet”. It no longer works." in page
    assert "You have no API tokens." in page
    assert member_for_api_token(raw) is None


def test_a_revoked_token_cannot_be_revoked_again(alice_client: Client, token: ApiToken) -> None:
    url = reverse("portal:token_revoke", args=[token.pk])
    assert alice_client.post(url).status_code == 302
    events = Event.objects.count()
    assert alice_client.post(url).status_code == 404
    assert Event.objects.count() == events


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "Give the token a name."),
        ("   ", "Give the token a name."),
        ("x" * 81, "Keep the name to 80 characters or fewer."),
    ],
)
def test_a_token_needs_a_usable_name(alice_client: Client, name: str, message: str) -> None:
    before = rows()
    response = alice_client.post(reverse("portal:token_create"), {"name": name})
    assert response.status_code == 422
    assert field_errors(response, "name") == [message]
    assert 'data-testid="new-token"' not in response.content.decode()
    assert rows() == before


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("portal:dashboard", "post"),
        ("portal:activity_cycles", "post"),
        ("portal:profile", "post"),
        ("portal:token_create", "get"),
    ],
)
def test_a_wrong_method_is_refused_not_an_error(
    alice_client: Client, name: str, method: str
) -> None:
    before = rows()
    response = getattr(alice_client, method)(reverse(name))
    assert response.status_code == 405
    assert rows() == before
