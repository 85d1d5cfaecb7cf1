"""Recording CE (SPEC §4) through the services: every rule, the message a member reads, and
that a refused entry leaves nothing behind.

The clock is frozen at 2025-11-20 10:00 in Chicago (conftest). Alice holds RMA certified
2023-05-10, so her open cycle runs 2023-05-10 .. 2026-05-31.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from keepcert import testing
from keepcert.activities.models import Activity, CycleActivity
from keepcert.activities.selectors import (
    activity_history,
    change_lock,
    find_duplicates,
    recordable_cycles,
)
from keepcert.activities.services import (
    ActivityData,
    Attestation,
    delete_activity,
    record_activity,
    update_activity,
)
from keepcert.certifications.models import Cycle
from keepcert.certifications.selectors import member_summaries
from keepcert.core.errors import DomainError, NeedsConfirmation, NotAllowed
from keepcert.core.models import Event
from keepcert.members.models import Member
from keepcert.program.models import Category, CategoryRule, CredentialRule, Program, RuleSet
from keepcert.program.selectors import ProgramRules

CHICAGO = ZoneInfo("America/Chicago")
NOW = datetime(2025, 11, 20, 10, 0, tzinfo=CHICAGO)
TODAY = date(2025, 11, 20)
IP = "203.0.113.7"
ATTESTED = Attestation(accepted=True, ip_address=IP)
ATTESTATION_TEXT = (
    "I attest that the information I have entered is correct, that I completed this "
    "activity myself, and that I will keep documentation of it for an audit."
)


def entry(
    *,
    category: str = "professional-education",
    title: str = "Infection control update",
    start: date = date(2024, 3, 1),
    end: date | None = None,
    points: str = "3",
    cycles: list[Cycle] | None = None,
    **extra: Any,
) -> ActivityData:
    return ActivityData(
        category=testing.category(category),
        title=title,
        start_date=start,
        end_date=end or start,
        points=Decimal(points),
        cycles=cycles,
        **extra,
    )


def record(
    member: Member,
    data: ActivityData,
    *,
    attestation: Attestation = ATTESTED,
    confirm_duplicate: bool = False,
    confirm_large_points: bool = False,
) -> Activity:
    return record_activity(
        member=member,
        data=data,
        attestation=attestation,
        actor=member.user,
        confirm_duplicate=confirm_duplicate,
        confirm_large_points=confirm_large_points,
    )


def saved_rows() -> tuple[int, int, int]:
    """Everything recording writes: activities, their claims, and log events."""
    return Activity.objects.count(), CycleActivity.objects.count(), Event.objects.count()


def refused(
    member: Member, data: ActivityData, *, attestation: Attestation = ATTESTED
) -> DomainError:
    """Record `data`, expect a rule to refuse it, and check that nothing was saved."""
    before = saved_rows()
    with pytest.raises(DomainError) as caught:
        record(member, data, attestation=attestation)
    assert saved_rows() == before
    return caught.value


def rma_cycle(member: Member) -> Cycle:
    return testing.current_cycle(member.certifications.get(credential__code="RMA"))


# --- points -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("points", "message"),
    [
        ("0", "Enter more than 0 points."),
        ("-1", "Enter more than 0 points."),
        ("1.234", "Use at most two decimal places, for example 1.25."),
        (
            "100.01",
            "One entry can have at most 100 points. Record a larger activity as several entries.",
        ),
    ],
)
def test_points_outside_the_rules_are_refused(alice: Member, points: str, message: str) -> None:
    error = refused(alice, entry(points=points))
    assert error.field_errors == {"points": [message]}
    assert error.message == message


@pytest.mark.parametrize("points", ["100", "0.01", "1.25", "1.50"])
def test_points_inside_the_rules_are_recorded(alice: Member, points: str) -> None:
    # 100 is more than usual: confirmed, as a member does after the warning.
    activity = record(alice, entry(points=points), confirm_large_points=True)
    activity.refresh_from_db()
    assert activity.points == Decimal(points)
    progress = member_summaries(alice)[0].current
    assert progress is not None and progress.progress is not None
    assert progress.progress.counted == Decimal(points)


def test_a_huge_number_of_points_gets_the_maximum_message(alice: Member) -> None:
    error = refused(alice, entry(points="1e30"))
    assert error.field_errors == {
        "points": [
            "One entry can have at most 100 points. Record a larger activity as several entries."
        ]
    }


def test_a_missing_points_value_is_refused(alice: Member) -> None:
    data = ActivityData(
        category=testing.category(),
        title="Infection control update",
        start_date=date(2024, 3, 1),
        end_date=date(2024, 3, 1),
    )
    error = refused(alice, data)
    assert error.field_errors == {"points": ["Enter the points you earned."]}


# --- dates ------------------------------------------------------------------------------------


def test_an_end_before_the_start_is_refused(alice: Member) -> None:
    error = refused(alice, entry(start=date(2024, 3, 2), end=date(2024, 3, 1)))
    assert error.field_errors == {"end_date": ["The end date cannot be before the start date."]}


def test_an_activity_ending_tomorrow_is_refused(alice: Member) -> None:
    error = refused(alice, entry(start=TODAY, end=TODAY + timedelta(days=1)))
    assert error.field_errors == {
        "end_date": [
            "The end date cannot be in the future: record an activity once you have completed it."
        ]
    }


def test_an_activity_ending_today_is_recorded(alice: Member) -> None:
    activity = record(alice, entry(start=TODAY))
    assert list(activity.cycles.all()) == [rma_cycle(alice)]


def test_today_is_the_calendar_day_in_chicago_not_in_utc(alice: Member, frozen_now: Any) -> None:
    # 22:00 in Chicago is already November 21 in UTC; the member's day is still the 20th.
    frozen_now.move_to(datetime(2025, 11, 20, 22, 0, tzinfo=CHICAGO))
    error = refused(alice, entry(start=date(2025, 11, 21)))
    assert list(error.field_errors) == ["end_date"]
    assert record(alice, entry(start=date(2025, 11, 20))).pk


def test_an_activity_starting_the_day_before_the_cycle_is_refused(alice: Member) -> None:
    error = refused(alice, entry(start=date(2023, 5, 9), end=date(2023, 5, 12)))
    assert error.field_errors == {
        "start_date": [
            "The start date is before your RMA cycle began on May 10, 2023. "
            "Only activity completed inside the cycle counts."
        ]
    }


def test_the_cycle_start_day_is_inside_the_cycle(alice: Member) -> None:
    activity = record(alice, entry(start=date(2023, 5, 10)))
    assert list(activity.cycles.all()) == [rma_cycle(alice)]


def test_the_cycle_end_day_is_inside_the_cycle_and_the_next_day_is_not(
    alice: Member, frozen_now: Any
) -> None:
    # In the grace period, so both days are in the past.
    frozen_now.move_to(datetime(2026, 6, 10, 10, 0, tzinfo=CHICAGO))
    error = refused(alice, entry(start=date(2026, 5, 31), end=date(2026, 6, 1)))
    assert error.field_errors == {
        "end_date": ["The end date is after your RMA cycle ended on May 31, 2026."]
    }
    activity = record(alice, entry(start=date(2026, 5, 31)))
    assert list(activity.cycles.all()) == [rma_cycle(alice)]


def test_employment_verification_is_claimable_only_through_2020(
    program: Program, frozen_now: Any
) -> None:
    frozen_now.move_to(datetime(2021, 3, 1, 10, 0, tzinfo=CHICAGO))
    member = testing.make_member(first_name="Maria", last_name="Lopez")
    cycle = testing.current_cycle(testing.make_certification(member, "MLT", date(2018, 10, 10)))
    assert (cycle.start, cycle.end) == (date(2018, 10, 10), date(2021, 10, 31))

    error = refused(
        member,
        entry(
            category="employment-verification",
            title="Hospital laboratory",
            start=date(2020, 1, 1),
            end=date(2021, 1, 1),
            points="10",
        ),
    )
    assert error.field_errors == {
        "end_date": [
            "Employment Verification can only be claimed for activity up to December 31, 2020."
        ]
    }

    activity = record(
        member,
        entry(
            category="employment-verification",
            title="Hospital laboratory",
            start=date(2020, 1, 1),
            end=date(2020, 12, 31),
            points="10",
        ),
    )
    assert list(activity.cycles.all()) == [cycle]
    current = member_summaries(member)[0].current
    assert current is not None and current.progress is not None
    assert current.progress.counted == Decimal(10)


# --- attestation, category, title -------------------------------------------------------------


def test_the_attestation_is_required(alice: Member) -> None:
    error = refused(alice, entry(), attestation=Attestation(accepted=False, ip_address=IP))
    assert error.field_errors == {
        "attestation": ["Tick the attestation to confirm the information is correct."]
    }


def test_a_category_of_another_program_is_refused(alice: Member) -> None:
    other = Program.objects.create(code="other", name="Other body", time_zone="America/Chicago")
    foreign = Category.objects.create(program=other, code="professional-education")
    data = ActivityData(
        category=foreign,
        title="Infection control update",
        start_date=date(2024, 3, 1),
        end_date=date(2024, 3, 1),
        points=Decimal(3),
    )
    error = refused(alice, data)
    assert error.field_errors == {"category": ["Choose one of the program's activity categories."]}


def test_a_category_the_rules_do_not_define_is_refused(alice: Member, program: Program) -> None:
    unknown = Category.objects.create(program=program, code="made-up")
    data = ActivityData(
        category=unknown,
        title="Infection control update",
        start_date=date(2024, 3, 1),
        end_date=date(2024, 3, 1),
        points=Decimal(3),
    )
    error = refused(alice, data)
    assert error.field_errors == {"category": ["Choose one of the program's activity categories."]}


@pytest.mark.parametrize("title", ["", "   ", "\t\n"])
def test_an_empty_title_is_refused(alice: Member, title: str) -> None:
    error = refused(alice, entry(title=title))
    assert error.field_errors == {"title": ["Enter the activity's title."]}


def test_every_broken_rule_gets_its_own_message(alice: Member) -> None:
    error = refused(
        alice,
        entry(title=" ", points="0"),
        attestation=Attestation(accepted=False),
    )
    assert error.field_errors == {
        "title": ["Enter the activity's title."],
        "points": ["Enter more than 0 points."],
        "attestation": ["Tick the attestation to confirm the information is correct."],
    }


def test_the_title_is_stored_without_surrounding_spaces(alice: Member) -> None:
    activity = record(alice, entry(title="  Infection control update  "))
    activity.refresh_from_db()
    assert activity.title == "Infection control update"


# --- report once ------------------------------------------------------------------------------


@pytest.fixture
def robin(program: Program) -> Member:
    """A member holding RMA (cycle from 2023-05-10) and RPT (cycle from 2024-01-15)."""
    member = testing.make_member(first_name="Robin", last_name="Park")
    testing.make_certification(member, "RMA", date(2023, 5, 10))
    testing.make_certification(member, "RPT", date(2024, 1, 15))
    return member


def cycle_of(member: Member, code: str) -> Cycle:
    return testing.current_cycle(member.certifications.get(credential__code=code))


def counted(member: Member) -> dict[str, Decimal]:
    result = {}
    for summary in member_summaries(member):
        assert summary.current is not None and summary.current.progress is not None
        result[summary.certification.credential.code] = summary.current.progress.counted
    return result


def test_one_entry_counts_toward_every_cycle_that_contains_it(robin: Member) -> None:
    activity = record(robin, entry(start=date(2024, 3, 1), points="4"))

    assert Activity.objects.filter(member=robin).count() == 1
    assert set(activity.cycles.all()) == {cycle_of(robin, "RMA"), cycle_of(robin, "RPT")}
    assert CycleActivity.objects.filter(activity=activity).count() == 2
    assert counted(robin) == {"RMA": Decimal(4), "RPT": Decimal(4)}


def test_the_member_may_apply_an_entry_to_only_some_cycles(robin: Member) -> None:
    activity = record(robin, entry(start=date(2024, 3, 1), cycles=[cycle_of(robin, "RPT")]))

    assert list(activity.cycles.all()) == [cycle_of(robin, "RPT")]
    assert counted(robin) == {"RMA": Decimal(0), "RPT": Decimal(3)}


def test_an_entry_that_fits_one_cycle_goes_only_to_that_one(robin: Member) -> None:
    # August 2023 is inside the RMA cycle, before the RPT cycle began.
    activity = record(robin, entry(start=date(2023, 8, 1)))

    assert list(activity.cycles.all()) == [cycle_of(robin, "RMA")]
    assert counted(robin) == {"RMA": Decimal(3), "RPT": Decimal(0)}


def test_choosing_a_cycle_that_does_not_contain_the_dates_is_refused(robin: Member) -> None:
    error = refused(robin, entry(start=date(2023, 8, 1), cycles=[cycle_of(robin, "RPT")]))
    assert error.field_errors == {
        "start_date": [
            "The start date is before your RPT cycle began on January 15, 2024. "
            "Only activity completed inside the cycle counts."
        ]
    }


def test_choosing_no_cycle_is_refused(robin: Member) -> None:
    error = refused(robin, entry(cycles=[]))
    assert error.field_errors == {
        "cycles": ["Choose at least one certification to apply this activity to."]
    }


def test_another_members_cycle_cannot_be_chosen(alice: Member, mallory: Member) -> None:
    error = refused(alice, entry(cycles=[cycle_of(mallory, "RPT")]))
    assert error.field_errors == {
        "cycles": [
            "Your RPT cycle (January 15, 2024 – January 31, 2027) is not open for recording."
        ]
    }
    assert not CycleActivity.objects.filter(cycle__certification__member=mallory).exists()


# --- category maximum -------------------------------------------------------------------------


def new_rule_version(program: Program, *, effective_from: date, formal_cap: Decimal) -> RuleSet:
    """What an administrator's edit makes: a copy of the current rules with a new date and a
    per-cycle maximum on Formal Education."""
    base = RuleSet.objects.filter(program=program).order_by("-effective_from").first()
    assert base is not None
    credential_rules = list(CredentialRule.objects.filter(rule_set=base))
    category_rules = list(CategoryRule.objects.filter(rule_set=base).select_related("category"))
    base.pk = None
    base._state.adding = True
    base.effective_from = effective_from
    base.note = "Formal Education capped per cycle."
    base.save()
    for rule in credential_rules:
        rule.pk = None
        rule._state.adding = True
        rule.rule_set = base
        rule.save()
    for category_rule in category_rules:
        category_rule.pk = None
        category_rule._state.adding = True
        category_rule.rule_set = base
        if category_rule.category.code == "formal-education":
            category_rule.max_points_per_cycle = formal_cap
        category_rule.save()
    return base


def test_a_category_maximum_keeps_the_entry_and_explains_what_counted(
    alice: Member, program: Program
) -> None:
    new_rule_version(program, effective_from=date(2023, 1, 1), formal_cap=Decimal(10))
    first = record(alice, entry(category="formal-education", title="Anatomy I", points="8"))
    crossing = record(
        alice,
        entry(category="formal-education", title="Anatomy II", start=date(2024, 6, 1), points="5"),
    )
    after = record(
        alice,
        entry(category="formal-education", title="Anatomy III", start=date(2024, 9, 1), points="3"),
    )
    other = record(alice, entry(title="Infection control update", start=date(2024, 10, 1)))

    assert Activity.objects.filter(member=alice).count() == 4  # nothing was refused
    current = member_summaries(alice)[0].current
    assert current is not None and current.progress is not None
    progress = current.progress
    assert progress.entered == Decimal(19)
    assert progress.counted == Decimal(13)
    assert progress.remaining == Decimal(17)
    formal = next(c for c in progress.categories if c.code == "formal-education")
    assert (formal.name, formal.entered, formal.counted, formal.cap) == (
        "Formal Education",
        Decimal(16),
        Decimal(10),
        Decimal(10),
    )
    assert formal.cap_reached
    explanations = {line.activity.pk: line.result.explanation for line in current.lines}
    assert explanations == {
        first.pk: "Counted in full: 8 points.",
        crossing.pk: "2 of 5 points counted: Formal Education counts at most 10 points a cycle.",
        after.pk: "Not counted: Formal Education counts at most 10 points a cycle, "
        "and earlier activities already reached that.",
        other.pk: "Counted in full: 3 points.",
    }


def test_a_maximum_added_after_a_cycle_began_does_not_apply_to_it(
    alice: Member, program: Program
) -> None:
    # Alice's cycle began 2023-05-10: it keeps the rules in force then (grandfathering).
    new_rule_version(program, effective_from=date(2024, 1, 1), formal_cap=Decimal(10))
    record(alice, entry(category="formal-education", title="Anatomy I", points="8"))
    record(alice, entry(category="formal-education", title="Anatomy II", points="5"))

    current = member_summaries(alice)[0].current
    assert current is not None and current.progress is not None
    assert current.progress.counted == Decimal(13)
    formal = next(c for c in current.progress.categories if c.code == "formal-education")
    assert formal.cap is None


# --- likely duplicates ------------------------------------------------------------------------


def test_a_likely_duplicate_is_flagged_and_not_saved(alice: Member) -> None:
    original = testing.make_activity(
        alice, title="Infection control update", start=date(2024, 3, 1)
    )
    again = entry(title="  INFECTION CONTROL update ", start=date(2024, 3, 1), points="2")

    before = saved_rows()
    with pytest.raises(NeedsConfirmation) as caught:
        record(alice, again)
    assert saved_rows() == before
    assert caught.value.message == (
        "You already recorded “INFECTION CONTROL update” in this category with the same dates. "
        "Save it again only if it is a separate activity."
    )
    assert find_duplicates(member=alice, data=again) == [original]

    second = record(alice, again, confirm_duplicate=True)
    assert Activity.objects.filter(member=alice).count() == 2
    assert list(second.cycles.all()) == [rma_cycle(alice)]


def test_a_duplicate_differing_only_in_the_case_of_accented_letters_is_flagged(
    alice: Member, request: pytest.FixtureRequest
) -> None:
    testing.make_activity(alice, title="Ética médica", start=date(2024, 3, 1))
    before = saved_rows()
    with pytest.raises(NeedsConfirmation):
        record(alice, entry(title="ÉTICA MÉDICA", start=date(2024, 3, 1)))
    assert saved_rows() == before


@pytest.mark.parametrize(
    "changes",
    [
        {"category": "formal-education"},
        {"title": "Infection control update, part 2"},
        {"start": date(2024, 2, 29)},
        {"end": date(2024, 3, 2)},
    ],
)
def test_an_entry_differing_in_category_title_or_dates_is_not_a_duplicate(
    alice: Member, changes: dict[str, Any]
) -> None:
    testing.make_activity(alice, title="Infection control update", start=date(2024, 3, 1))
    record(
        alice, entry(**{"title": "Infection control update", "start": date(2024, 3, 1)} | changes)
    )
    assert Activity.objects.filter(member=alice).count() == 2


def test_another_members_entry_is_not_a_duplicate(alice: Member, mallory: Member) -> None:
    testing.make_activity(mallory, title="Infection control update", start=date(2024, 3, 1))
    record(alice, entry(title="Infection control update", start=date(2024, 3, 1)))
    assert Activity.objects.filter(member=alice).count() == 1


# --- edit, delete, history --------------------------------------------------------------------


def test_an_edit_changes_the_entry_and_its_history_shows_who_when_and_what(
    alice: Member, frozen_now: Any
) -> None:
    activity = testing.make_activity(alice, title="Infection control update", points="3")
    later = NOW + timedelta(hours=2)
    frozen_now.move_to(later)

    update_activity(
        activity=activity,
        data=entry(title="Infection control refresher", points="5", start=date(2024, 3, 1)),
        attestation=ATTESTED,
        actor=alice.user,
    )

    activity.refresh_from_db()
    assert (activity.title, activity.points) == ("Infection control refresher", Decimal(5))
    assert counted(alice) == {"RMA": Decimal(5)}
    history = activity_history(activity)
    assert [h.label for h in history] == ["Changed", "Recorded"]
    changed = history[0]
    assert changed.actor == alice.user
    assert changed.at == later
    changes = {name: (old, new) for name, old, new in changed.changes}
    assert changes["Title"] == ("Infection control update", "Infection control refresher")
    old_points, new_points = changes["Points"]
    assert (Decimal(old_points), Decimal(new_points)) == (Decimal(3), Decimal(5))
    assert history[1].actor == alice.user
    assert history[1].at == NOW


def test_an_edit_of_the_title_alone_lists_only_the_title(alice: Member) -> None:
    activity = testing.make_activity(alice, title="Infection control update", points="3")
    update_activity(
        activity=activity,
        data=entry(title="Infection control refresher", points="3"),
        attestation=ATTESTED,
        actor=alice.user,
    )
    assert activity_history(activity)[0].changes == [
        ("Title", "Infection control update", "Infection control refresher")
    ]


def test_saving_an_unchanged_entry_adds_no_history(alice: Member) -> None:
    activity = testing.make_activity(alice, title="Infection control update", points="3")
    update_activity(
        activity=activity,
        data=entry(title="Infection control update", points="3"),
        attestation=ATTESTED,
        actor=alice.user,
    )
    assert [h.label for h in activity_history(activity)] == ["Recorded"]


def test_an_edit_that_breaks_a_rule_changes_nothing(alice: Member) -> None:
    activity = testing.make_activity(alice, title="Infection control update", points="3")
    before = saved_rows()
    with pytest.raises(DomainError) as caught:
        update_activity(
            activity=activity,
            data=entry(title="Infection control update", points="0"),
            attestation=ATTESTED,
            actor=alice.user,
        )
    assert caught.value.field_errors == {"points": ["Enter more than 0 points."]}
    assert saved_rows() == before
    activity.refresh_from_db()
    assert activity.points == Decimal(3)


def test_an_edit_into_a_duplicate_needs_confirmation(alice: Member) -> None:
    testing.make_activity(alice, title="Wound care", start=date(2024, 3, 1))
    activity = testing.make_activity(
        alice, title="Infection control update", start=date(2024, 3, 1)
    )
    with pytest.raises(NeedsConfirmation):
        update_activity(
            activity=activity,
            data=entry(title="wound care", start=date(2024, 3, 1)),
            attestation=ATTESTED,
            actor=alice.user,
        )
    activity.refresh_from_db()
    assert activity.title == "Infection control update"
    # Editing an entry without making it match another is not a duplicate of itself.
    update_activity(
        activity=activity,
        data=entry(title="Infection control update", start=date(2024, 3, 1), points="4"),
        attestation=ATTESTED,
        actor=alice.user,
    )
    activity.refresh_from_db()
    assert activity.points == Decimal(4)


def test_a_delete_removes_the_entry_and_the_history_keeps_what_it_was(alice: Member) -> None:
    activity = testing.make_activity(alice, title="Infection control update", points="3")
    pk = activity.pk

    delete_activity(activity=activity, actor=alice.user, ip_address=IP)

    assert not Activity.objects.filter(pk=pk).exists()
    assert not CycleActivity.objects.filter(activity_id=pk).exists()
    assert counted(alice) == {"RMA": Decimal(0)}
    event = Event.objects.get(action="activities.activity.deleted", subject_id=str(pk))
    assert event.actor == alice.user
    assert event.member == alice
    assert event.ip_address == IP
    assert event.data["before"]["title"] == "Infection control update"
    assert Decimal(event.data["before"]["points"]) == Decimal(3)
    assert event.data["before"]["cycles"] == ["RMA cycle (May 10, 2023 – May 31, 2026)"]
    assert [h.label for h in activity_history(activity)] == ["Deleted", "Recorded"]


# --- grace period and locking -----------------------------------------------------------------


def test_recording_and_edits_stay_open_during_the_grace_period(
    alice: Member, frozen_now: Any
) -> None:
    activity = testing.make_activity(
        alice, title="Infection control update", start=date(2025, 11, 1)
    )
    cycle = rma_cycle(alice)
    rules = ProgramRules(alice.program)

    # The cycle ended May 31, 2026; 30 days' grace runs through June 30.
    for day in (date(2026, 6, 1), date(2026, 6, 30)):
        frozen_now.move_to(datetime(day.year, day.month, day.day, 10, 0, tzinfo=CHICAGO))
        assert recordable_cycles(alice, today=day, program_rules=rules) == [cycle]
        assert change_lock(activity, today=day, program_rules=rules) is None

    late = record(alice, entry(title=f"Late entry {day}", start=date(2026, 5, 20)))
    assert list(late.cycles.all()) == [cycle]
    update_activity(
        activity=activity,
        data=entry(title="Infection control update", start=date(2025, 11, 1), points="6"),
        attestation=ATTESTED,
        actor=alice.user,
    )
    activity.refresh_from_db()
    assert activity.points == Decimal(6)


def test_after_the_grace_period_the_cycle_is_locked(alice: Member, frozen_now: Any) -> None:
    activity = testing.make_activity(
        alice, title="Infection control update", start=date(2025, 11, 1)
    )
    rules = ProgramRules(alice.program)
    frozen_now.move_to(datetime(2026, 7, 1, 10, 0, tzinfo=CHICAGO))
    today = date(2026, 7, 1)
    locked = (
        "This activity can no longer be changed. It counts toward your RMA cycle "
        "(May 10, 2023 – May 31, 2026), which is closed for changes."
    )

    assert recordable_cycles(alice, today=today, program_rules=rules) == []
    lock = change_lock(activity, today=today, program_rules=rules)
    assert lock is not None
    assert lock.reason == (
        "It counts toward your RMA cycle (May 10, 2023 – May 31, 2026), "
        "which is closed for changes."
    )
    before = saved_rows()
    with pytest.raises(NotAllowed) as edit:
        update_activity(
            activity=activity,
            data=entry(title="Infection control update", start=date(2025, 11, 1), points="6"),
            attestation=ATTESTED,
            actor=alice.user,
        )
    assert edit.value.message == locked
    with pytest.raises(NotAllowed) as deletion:
        delete_activity(activity=activity, actor=alice.user)
    assert deletion.value.message == locked
    error = refused(alice, entry(title="Too late", start=date(2026, 5, 20)))
    assert error.field_errors == {
        "cycles": ["None of your certifications has a CE cycle open for recording."]
    }
    assert saved_rows() == before
    activity.refresh_from_db()
    assert activity.points == Decimal(3)


def test_a_completed_cycle_accepts_no_entries_even_in_its_grace_period(
    alice: Member, frozen_now: Any
) -> None:
    activity = testing.make_activity(
        alice, title="Infection control update", start=date(2025, 11, 1)
    )
    cycle = rma_cycle(alice)
    frozen_now.move_to(datetime(2026, 6, 10, 10, 0, tzinfo=CHICAGO))
    Cycle.objects.filter(pk=cycle.pk).update(status=Cycle.Status.COMPLIANT)

    with pytest.raises(NotAllowed):
        delete_activity(activity=activity, actor=alice.user)
    assert Activity.objects.filter(pk=activity.pk).exists()


# --- attestation ------------------------------------------------------------------------------


def test_the_attestation_keeps_its_text_time_and_address(alice: Member) -> None:
    activity = record(alice, entry())
    activity.refresh_from_db()
    assert activity.attestation_text == ATTESTATION_TEXT
    assert activity.attested_at == NOW
    assert activity.attested_from == IP
    event = Event.objects.get(action="activities.activity.recorded", subject_id=str(activity.pk))
    assert event.ip_address == IP
    assert event.actor == alice.user


def test_an_edit_attests_again(alice: Member, frozen_now: Any) -> None:
    activity = testing.make_activity(alice, title="Infection control update")
    later = NOW + timedelta(days=1)
    frozen_now.move_to(later)
    update_activity(
        activity=activity,
        data=entry(title="Infection control update", points="4"),
        attestation=Attestation(accepted=True, ip_address="2001:db8::1"),
        actor=alice.user,
    )
    activity.refresh_from_db()
    assert (activity.attested_at, activity.attested_from) == (later, "2001:db8::1")
    assert activity.attestation_text == ATTESTATION_TEXT


def test_ticking_a_certification_whose_cycle_misses_the_dates_says_which_to_untick(
    alice: Member,
) -> None:
    rpt = testing.make_certification(alice, "RPT", date(2024, 6, 1))
    both = [rma_cycle(alice), testing.current_cycle(rpt)]
    error = refused(alice, entry(start=date(2024, 3, 1), cycles=both))
    assert error.field_errors == {
        "cycles": [
            "These dates are outside your RPT cycle (June 1, 2024 – June 30, 2027). "
            "Untick RPT, or change the dates."
        ]
    }
    # Unticked, it counts toward RMA alone.
    activity = record(alice, entry(start=date(2024, 3, 1), cycles=both[:1]))
    assert list(activity.cycles.all()) == both[:1]
