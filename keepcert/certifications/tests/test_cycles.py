"""Certifications and their cycles (SPEC §3, §5): the dates a member sees, grandfathering,
the database's guarantees, and a dashboard read that does not grow with the record.

The clock is frozen at 2025-11-20 10:00 in Chicago (conftest).
"""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from keepcert import testing
from keepcert.certifications.models import Certification, Cycle
from keepcert.certifications.selectors import cycle_progress, member_summaries
from keepcert.certifications.services import create_certification
from keepcert.core.errors import DomainError
from keepcert.core.models import Event
from keepcert.members.models import Member
from keepcert.program.models import Credential, Program

CHICAGO = ZoneInfo("America/Chicago")


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 10, 0, tzinfo=CHICAGO)


@pytest.fixture
def member(program: Program) -> Member:
    return testing.make_member(first_name="Sam", last_name="Rivera")


def windows(certification: Certification) -> list[tuple[date, date, str]]:
    return [(c.start, c.end, c.status) for c in certification.cycles.order_by("start")]


OPEN, DONE = Cycle.Status.OPEN, Cycle.Status.COMPLIANT


# --- create_certification ---------------------------------------------------------------------


def test_the_spec_example_first_cycle(member: Member) -> None:
    certification = testing.make_certification(member, "RMA", date(2023, 5, 10))
    assert certification.status == Certification.Status.ACTIVE
    assert windows(certification) == [(date(2023, 5, 10), date(2026, 5, 31), OPEN)]


def test_the_cycle_is_still_open_on_its_last_day(member: Member, frozen_now: Any) -> None:
    frozen_now.move_to(at(date(2026, 5, 31)))
    certification = testing.make_certification(member, "RMA", date(2023, 5, 10))
    assert windows(certification) == [(date(2023, 5, 10), date(2026, 5, 31), OPEN)]


def test_the_spec_example_next_cycle_once_today_is_past_the_first_end(
    member: Member, frozen_now: Any
) -> None:
    frozen_now.move_to(at(date(2026, 6, 1)))
    certification = testing.make_certification(member, "RMA", date(2023, 5, 10))
    assert windows(certification) == [
        (date(2023, 5, 10), date(2026, 5, 31), DONE),
        (date(2026, 6, 1), date(2029, 5, 31), OPEN),
    ]


@pytest.mark.parametrize(
    ("certified_on", "expected"),
    [
        # A leap day has no anniversary in 2027: the cycle ends at February's end.
        (date(2024, 2, 29), [(date(2024, 2, 29), date(2027, 2, 28), OPEN)]),
        # A cycle ending in a leap February ends on the 29th; the next starts March 1.
        (
            date(2021, 2, 10),
            [
                (date(2021, 2, 10), date(2024, 2, 29), DONE),
                (date(2024, 3, 1), date(2027, 2, 28), OPEN),
            ],
        ),
        # Certified on a month's last day.
        (
            date(2022, 8, 31),
            [
                (date(2022, 8, 31), date(2025, 8, 31), DONE),
                (date(2025, 9, 1), date(2028, 8, 31), OPEN),
            ],
        ),
        # December: the next cycle starts in the new year.
        (
            date(2022, 12, 31),
            [(date(2022, 12, 31), date(2025, 12, 31), OPEN)],
        ),
    ],
)
def test_leap_days_and_month_ends(
    member: Member, certified_on: date, expected: list[tuple[date, date, str]]
) -> None:
    certification = testing.make_certification(member, "RMA", certified_on)
    assert windows(certification) == expected


def test_the_leap_day_certifications_next_cycle(member: Member, frozen_now: Any) -> None:
    frozen_now.move_to(at(date(2027, 3, 1)))
    certification = testing.make_certification(member, "RMA", date(2024, 2, 29))
    assert windows(certification) == [
        (date(2024, 2, 29), date(2027, 2, 28), DONE),
        (date(2027, 3, 1), date(2030, 2, 28), OPEN),
    ]


def test_a_certification_before_2006_is_exempt_with_no_cycles(member: Member) -> None:
    certification = testing.make_certification(member, "CMAS", date(2005, 12, 31))
    assert certification.status == Certification.Status.EXEMPT
    assert certification.is_exempt
    # Stored in English (the record, the API), translated where a member reads it.
    assert certification.status_reason == (
        "Certified before CE was required: CE is voluntary (grandfathered)."
    )
    assert not certification.cycles.exists()
    summary = member_summaries(member)[0]
    assert summary.current is None
    assert summary.past_cycles == ()


def test_a_certification_on_2006_01_01_requires_ce(member: Member) -> None:
    certification = testing.make_certification(member, "CMAS", date(2006, 1, 1))
    assert certification.status == Certification.Status.ACTIVE
    cycles = windows(certification)
    assert cycles[0] == (date(2006, 1, 1), date(2009, 1, 31), DONE)
    assert cycles[-1] == (date(2024, 2, 1), date(2027, 1, 31), OPEN)
    assert len(cycles) == 7
    # Every cycle starts the day after the one before it ends: no day is lost or doubled.
    for (_, end, _), (start, _, _) in itertools.pairwise(cycles):
        assert start == end + timedelta(days=1)


def test_a_future_certification_date_is_refused(member: Member) -> None:
    events = Event.objects.count()
    with pytest.raises(DomainError) as caught:
        testing.make_certification(member, "RMA", date(2025, 11, 21))
    assert caught.value.message == "The certification date cannot be in the future."
    assert caught.value.field_errors == {
        "certified_on": ["The certification date cannot be in the future."]
    }
    assert not member.certifications.exists()
    assert Event.objects.count() == events


def test_a_certification_dated_today_is_accepted(member: Member) -> None:
    certification = testing.make_certification(member, "RMA", date(2025, 11, 20))
    assert windows(certification) == [(date(2025, 11, 20), date(2028, 11, 30), OPEN)]


def test_a_second_certification_of_the_same_credential_is_refused(alice: Member) -> None:
    with pytest.raises(DomainError) as caught:
        testing.make_certification(alice, "RMA", date(2024, 1, 1))
    assert caught.value.message == f"{alice} already holds RMA."
    assert alice.certifications.count() == 1
    assert Cycle.objects.filter(certification__member=alice).count() == 1


def test_a_credential_of_another_program_is_refused(member: Member) -> None:
    other = Program.objects.create(code="other", name="Other body")
    foreign = Credential.objects.create(program=other, code="RMA")
    with pytest.raises(DomainError) as caught:
        create_certification(member=member, credential=foreign, certified_on=date(2024, 1, 1))
    assert caught.value.message == "That credential belongs to another program."
    assert not member.certifications.exists()


def test_creating_a_certification_is_logged(member: Member) -> None:
    certification = testing.make_certification(member, "RPT", date(2024, 1, 15))
    event = Event.objects.for_subject(certification).get()
    assert event.action == "certifications.certification.created"
    assert event.member == member
    assert event.data == {"credential": "RPT", "certified_on": "2024-01-15", "status": "active"}


# --- database guarantees ----------------------------------------------------------------------


def test_the_database_holds_one_open_cycle_per_certification(alice: Member) -> None:
    certification = alice.certifications.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Cycle.objects.create(
            certification=certification, start=date(2026, 6, 1), end=date(2029, 5, 31)
        )
    # A completed cycle beside the open one is fine.
    Cycle.objects.create(
        certification=certification,
        start=date(2020, 5, 1),
        end=date(2023, 5, 9),
        status=Cycle.Status.COMPLIANT,
    )
    assert certification.cycles.filter(status=Cycle.Status.OPEN).count() == 1


def test_the_database_refuses_a_cycle_ending_before_it_starts(alice: Member) -> None:
    certification = alice.certifications.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Cycle.objects.create(
            certification=certification,
            start=date(2030, 1, 2),
            end=date(2030, 1, 1),
            status=Cycle.Status.COMPLIANT,
        )
    # A one-day cycle is allowed: both ends are inclusive.
    Cycle.objects.create(
        certification=certification,
        start=date(2030, 1, 1),
        end=date(2030, 1, 1),
        status=Cycle.Status.COMPLIANT,
    )


# --- member_summaries and past cycles ---------------------------------------------------------


def test_past_cycles_are_listed_and_viewable(member: Member) -> None:
    certification = testing.make_certification(member, "MLT", date(2019, 3, 15))

    summary = member_summaries(member)[0]
    assert summary.credential_name == "Medical Laboratory Technician"
    assert summary.current is not None
    assert (summary.current.cycle.start, summary.current.cycle.end) == (
        date(2025, 4, 1),
        date(2028, 3, 31),
    )
    assert [(c.start, c.end) for c in summary.past_cycles] == [
        (date(2022, 4, 1), date(2025, 3, 31)),
        (date(2019, 3, 15), date(2022, 3, 31)),
    ]
    assert all(c.certification == certification for c in summary.past_cycles)

    past = cycle_progress(summary.past_cycles[-1])
    assert past.cycle.status == Cycle.Status.COMPLIANT
    assert not past.is_current
    assert not past.recording_open
    assert past.days_left == 0
    assert past.progress is not None
    assert past.progress.required == Decimal(45)


def test_a_past_cycle_keeps_its_activities_and_how_they_counted(
    alice: Member, frozen_now: Any
) -> None:
    first = testing.make_activity(alice, title="Infection control update", points="3")
    second = testing.make_activity(alice, title="Wound care", points="2.5", start=date(2025, 1, 6))
    cycle = testing.current_cycle(alice.certifications.get())
    # Roll-over: the cycle completed and the next one opened.
    frozen_now.move_to(at(date(2026, 8, 1)))
    Cycle.objects.filter(pk=cycle.pk).update(status=Cycle.Status.COMPLIANT)
    Cycle.objects.create(
        certification=cycle.certification, start=date(2026, 6, 1), end=date(2029, 5, 31)
    )

    summary = member_summaries(alice)[0]
    assert summary.current is not None
    assert summary.current.cycle.start == date(2026, 6, 1)
    assert summary.current.progress is not None
    assert summary.current.progress.counted == Decimal(0)
    assert [c.pk for c in summary.past_cycles] == [cycle.pk]

    past = cycle_progress(summary.past_cycles[0])
    assert past.progress is not None
    assert past.progress.counted == Decimal("5.5")
    assert not past.recording_open
    assert [(line.activity.pk, line.result.explanation) for line in past.lines] == [
        (second.pk, "Counted in full: 2.5 points."),
        (first.pk, "Counted in full: 3 points."),
    ]


def test_the_current_cycle_has_days_left_and_a_pace(alice: Member) -> None:
    testing.make_activity(alice, title="Infection control update", points="3")
    view = member_summaries(alice)[0].current
    assert view is not None and view.progress is not None and view.pace is not None
    assert view.is_current
    assert view.recording_open
    assert view.days_left == 192  # 2025-11-20 .. 2026-05-31
    assert (view.progress.required, view.progress.counted, view.progress.remaining) == (
        Decimal(30),
        Decimal(3),
        Decimal(27),
    )
    assert view.progress.percent == 10
    assert view.pace.status == "behind"
    assert view.pace.plan == ("Record 27 more points by May 31, 2026: 4 points a month will do it.")


def test_a_credential_without_points_set_has_no_progress_but_keeps_its_activities(
    member: Member,
) -> None:
    testing.make_certification(member, "PCT", date(2024, 6, 1))
    activity = testing.make_activity(member, title="Patient safety", start=date(2024, 9, 1))
    view = member_summaries(member)[0].current
    assert view is not None
    assert view.progress is None
    assert view.pace is None
    assert [line.activity.pk for line in view.lines] == [activity.pk]
    assert view.lines[0].result.explanation == "Counted in full: 3 points."


# --- a dashboard read in a fixed number of queries --------------------------------------------


CATEGORIES = (
    "professional-education",
    "formal-education",
    "authorship",
    "instructional-presentations",
    "organizational-participation",
)


def add_activities(member: Member, numbers: range) -> None:
    # Dates inside every current cycle: RMA from 2023-05-10, RPT from 2024-01-15,
    # MLT from 2025-04-01; all up to today, 2025-11-20.
    for n in numbers:
        testing.make_activity(
            member,
            title=f"Course {n}",
            points="1.25",
            start=date(2025, 4, 1) + timedelta(days=n % 200),
            category_code=CATEGORIES[n % len(CATEGORIES)],
        )


def test_the_dashboard_reads_in_a_fixed_number_of_queries(
    member: Member, django_assert_max_num_queries: Any
) -> None:
    testing.make_certification(member, "RMA", date(2023, 5, 10))
    testing.make_certification(member, "RPT", date(2024, 1, 15))
    testing.make_certification(member, "MLT", date(2019, 3, 15))  # with past cycles
    member = Member.objects.select_related("program").get(pk=member.pk)

    add_activities(member, range(10))
    with CaptureQueriesContext(connection) as with_ten:
        summaries = member_summaries(member)
    assert [s.current.progress.counted for s in summaries if s.current and s.current.progress] == [
        Decimal("12.5")
    ] * 3

    add_activities(member, range(10, 100))
    with (
        django_assert_max_num_queries(len(with_ten)),
        CaptureQueriesContext(connection) as with_100,
    ):
        summaries = member_summaries(member)
    assert len(with_100) == len(with_ten)
    assert len(with_ten) <= 8
    assert [s.certification.credential.code for s in summaries] == ["MLT", "RMA", "RPT"]
    for summary in summaries:
        assert summary.current is not None and summary.current.progress is not None
        assert summary.current.progress.entered == Decimal(125)
        assert len(summary.current.lines) == 100
    assert len(summaries[0].past_cycles) == 2
