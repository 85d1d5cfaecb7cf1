"""Points as a member types them, and points that look mistyped (issue 7, finding 1).

A number field once dropped the comma of "1,5" and recorded 15 points, attested and
counted at once. Now the service reads a decimal comma, refuses a comma it cannot read,
and asks the member to confirm points larger than the category usually earns or than
their cycle still needs. The clock is frozen at 2025-11-20 (conftest): Alice holds RMA,
cycle 2023-05-10 .. 2026-05-31, 30 points required.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from keepcert import testing
from keepcert.activities.models import Activity
from keepcert.activities.services import (
    ActivityChanges,
    ActivityData,
    Attestation,
    record_activity,
    update_activity,
)
from keepcert.activities.tests.test_recording import ATTESTED, record
from keepcert.activities.validation import parse_number
from keepcert.core.errors import DomainError, NeedsConfirmation
from keepcert.members.models import Member
from keepcert.program.models import CategoryRule

UNCLEAR = (
    "“{}” is not clear: a comma can only mark decimals, with one or two digits after it "
    "(1,5 or 1,25). Write thousands without a comma."
)


@pytest.mark.parametrize(
    ("typed", "points"),
    [
        ("1,5", Decimal("1.5")),
        ("1,25", Decimal("1.25")),
        (",5", Decimal("0.5")),  # what a member means by it: half a point
        ("1.5", Decimal("1.5")),
        (".5", Decimal("0.5")),
        (" 2 ", Decimal(2)),
        ("15", Decimal(15)),
    ],
)
def test_a_decimal_comma_or_point_is_read_as_decimals(typed: str, points: Decimal) -> None:
    assert parse_number(typed) == points


@pytest.mark.parametrize("typed", ["1,500", "1,5,0", "1,", "1,234", "1,5.0", ","])
def test_any_other_comma_is_refused_with_what_was_typed(typed: str) -> None:
    with pytest.raises(DomainError) as caught:
        parse_number(typed)
    assert caught.value.message == UNCLEAR.format(typed)


@pytest.mark.parametrize("typed", ["abc", "", "1e3", "1.2.3", "NaN", "1" * 41])
def test_text_that_is_no_number_is_refused(typed: str) -> None:
    with pytest.raises(DomainError) as caught:
        parse_number(typed)
    assert caught.value.message == "Enter a number, for example 1.5."


def entry(points: str, category: str = "formal-education", **extra: object) -> ActivityData:
    return ActivityData(
        category=testing.category(category),
        title="Anatomy II",
        start_date=date(2025, 9, 1),
        end_date=date(2025, 9, 1),
        points=Decimal(points),
        **extra,  # type: ignore[arg-type]
    )


def asked(member: Member, data: ActivityData) -> str:
    """Record `data` unconfirmed: expect the service to ask, and nothing to be saved."""
    before = Activity.objects.count()
    with pytest.raises(NeedsConfirmation) as caught:
        record(member, data)
    assert caught.value.code == "large_points"
    assert Activity.objects.count() == before
    return caught.value.message


def change(activity: Activity, **changes: object) -> None:
    update_activity(
        activity=activity,
        data=ActivityChanges(**changes),  # type: ignore[arg-type]
        attestation=ATTESTED,
        actor=activity.member.user,
    )
    activity.refresh_from_db()


def test_more_points_than_the_category_usually_earns_asks_first(alice: Member) -> None:
    assert asked(alice, entry("15")) == (
        "15 points is more than one Formal Education activity usually earns (10). "
        "Check the number; if it is right, save anyway."
    )
    saved = record(alice, entry("15"), confirm_large_points=True)
    assert saved.points == Decimal(15)


def test_the_usual_maximum_is_the_categorys_own(alice: Member) -> None:
    # The test program gives Organizational Participation 20; Authorship says nothing: 10.
    assert record(alice, entry("15", "organizational-participation")).points == Decimal(15)
    assert "usually earns (20)" in asked(alice, entry("21", "organizational-participation"))
    assert "usually earns (10)" in asked(alice, entry("11", "authorship"))
    assert record(alice, entry("10", "authorship")).points == Decimal(10)


def test_more_points_than_the_cycle_still_needs_asks_first(alice: Member) -> None:
    testing.make_activity(alice, points="18", category_code="organizational-participation")
    testing.make_activity(alice, points="8", title="Second", start=date(2024, 4, 1))
    # 26 of 30 counted: 4 remain.
    assert asked(alice, entry("5", "organizational-participation")) == (
        "5 points is more than your RMA cycle (May 10, 2023 – May 31, 2026) still needs "
        "(4 points). Check the number; if it is right, save anyway."
    )
    assert record(alice, entry("4", "organizational-participation")).points == Decimal(4)


def test_a_cycle_already_met_does_not_ask(alice: Member) -> None:
    testing.make_activity(alice, points="20", category_code="organizational-participation")
    testing.make_activity(alice, points="10", title="Second", start=date(2024, 4, 1))
    assert record(alice, entry("3")).points == Decimal(3)


def test_changing_other_fields_of_a_confirmed_entry_does_not_ask_again(alice: Member) -> None:
    activity = record(alice, entry("15"), confirm_large_points=True)
    change(activity, title="Anatomy and physiology II")
    assert activity.title == "Anatomy and physiology II"
    with pytest.raises(NeedsConfirmation):
        change(activity, points=Decimal(16))
    activity.refresh_from_db()
    assert activity.points == Decimal(15)


def test_an_entry_changed_to_its_cycles_last_points_does_not_count_itself(alice: Member) -> None:
    activity = record(alice, entry("10"))
    testing.make_activity(alice, points="18", category_code="organizational-participation")
    # 28 counted, 10 of them this entry's: without it 12 remain, so 9 does not ask (it
    # would if the entry were counted against itself: 2 remain with it).
    change(activity, points=Decimal(9))
    assert activity.points == Decimal(9)


def test_a_refused_entry_reports_its_errors_before_asking(alice: Member) -> None:
    with pytest.raises(DomainError) as caught:
        record_activity(
            member=alice,
            data=entry("15"),
            attestation=Attestation(accepted=False),
            actor=alice.user,
        )
    assert not isinstance(caught.value, NeedsConfirmation)
    assert list(caught.value.field_errors) == ["attestation"]


def test_the_program_files_usual_maximum_is_loaded(program: object) -> None:
    usual = dict(
        CategoryRule.objects.filter(rule_set__program__code=testing.PROGRAM_CODE).values_list(
            "category__code", "usual_max_points"
        )
    )
    assert usual["formal-education"] == Decimal(10)
    assert usual["organizational-participation"] == Decimal(20)
    assert usual["authorship"] == Decimal(10)  # left out of the file: the default
