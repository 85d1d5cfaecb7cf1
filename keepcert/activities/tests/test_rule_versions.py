"""A new version of the rules published mid-cycle: recording and counting agree (SPEC §2).

A cycle is judged by the rules in force when it started (`rule_set_for_cycle`): the
entry form refuses only what that cycle's progress would refuse, and whatever it
accepts counts on the dashboard under those same rules.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from keepcert import testing
from keepcert.activities.models import Activity
from keepcert.activities.services import ActivityData, Attestation, record_activity
from keepcert.certifications.selectors import member_summaries
from keepcert.core.errors import DomainError
from keepcert.members.models import Member
from keepcert.program.models import Program, RuleSet
from keepcert.program.selectors import rules_of
from keepcert.program.services import publish_rule_set

TODAY = date(2025, 11, 20)  # conftest's NOW


def _record(member: Member, *, points: str, category: str = "professional-education") -> Activity:
    return record_activity(
        member=member,
        data=ActivityData(
            category=testing.category(category),
            title=f"{category} {points} {Activity.objects.count()}",
            start_date=TODAY,
            end_date=TODAY,
            points=Decimal(points),
        ),
        attestation=Attestation(accepted=True),
        actor=member.user,
        confirm_large_points=True,  # the maximum per entry is under test, not the warning
    )


def _counted(member: Member) -> tuple[Decimal, Decimal]:
    current = member_summaries(member)[0].current
    assert current is not None and current.progress is not None
    formal = next(c for c in current.progress.categories if c.code == "formal-education")
    return current.progress.counted, formal.counted


@pytest.fixture
def stricter(program: Program) -> RuleSet:
    """Published today: at most 20 points an entry, Formal Education capped at 10 a cycle."""
    return publish_rule_set(
        base=RuleSet.objects.get(program=program),
        effective_from=TODAY,
        actor=None,
        rules={"max_points_per_entry": Decimal(20)},
        category_rules={
            testing.category("formal-education"): {"max_points_per_cycle": Decimal(10)}
        },
    )


@pytest.fixture
def newcomer(program: Program) -> Member:
    """Certified today: her first cycle starts under whatever is in force today."""
    member = testing.make_member(first_name="Nora", last_name="Okafor")
    testing.make_certification(member, "RMA", TODAY)
    return member


def test_a_cycle_under_way_keeps_the_rules_it_started_under(
    alice: Member, stricter: RuleSet
) -> None:
    # Alice's cycle began 2023-05-10: 100 points an entry, no cap on Formal Education.
    _record(alice, points="50")
    _record(alice, points="8", category="formal-education")
    _record(alice, points="8", category="formal-education")

    assert _counted(alice) == (Decimal(66), Decimal(16))


def test_a_cycle_started_under_the_new_rules_is_judged_by_them(
    newcomer: Member, stricter: RuleSet
) -> None:
    with pytest.raises(DomainError) as refused:
        _record(newcomer, points="50")
    assert refused.value.field_errors == {
        "points": [
            "One entry can have at most 20 points. Record a larger activity as several entries."
        ]
    }
    _record(newcomer, points="20")
    _record(newcomer, points="8", category="formal-education")
    _record(newcomer, points="8", category="formal-education")

    # The dashboard applies the same version: the cap the form's rules set.
    assert _counted(newcomer) == (Decimal(30), Decimal(10))


def test_one_entry_for_two_cycles_meets_the_stricter_maximum(
    alice: Member, stricter: RuleSet
) -> None:
    testing.make_certification(alice, "RPT", TODAY)  # a cycle starting today: 20 points an entry

    with pytest.raises(DomainError) as refused:
        _record(alice, points="50")
    assert "at most 20 points" in refused.value.message
    assert not Activity.objects.filter(member=alice).exists()


def test_a_version_published_by_another_process_is_seen_on_the_next_read(
    alice: Member, program: Program
) -> None:
    before = rules_of(program)
    assert rules_of(program) is before  # cached: one query, no reload
    # As another worker would, without this process's cache being told.
    base = RuleSet.objects.get(program=program)
    RuleSet.objects.create(
        program=program,
        effective_from=TODAY,
        ce_required_from=base.ce_required_from,
        max_points_per_entry=Decimal(20),
    )

    after = rules_of(program)
    assert after is not before
    assert after.rule_set_on(TODAY).max_points_per_entry == Decimal(20)


def _line(member: Member, activity: Activity) -> str:
    current = member_summaries(member)[0].current
    assert current is not None
    return next(
        line.result.explanation for line in current.lines if line.activity.pk == activity.pk
    )


def test_a_date_limit_is_judged_by_the_version_in_force_when_the_activity_ended(
    alice: Member, program: Program
) -> None:
    # Alice's cycle began under a version that retired Employment Verification after
    # 2020-12-31. A version from today lifts that limit: the limit is dated by activity
    # (SPEC §2), so the form accepts employment ending today and the dashboard counts it.
    employment = testing.category("employment-verification")
    publish_rule_set(
        base=RuleSet.objects.get(program=program),
        effective_from=TODAY,
        actor=None,
        category_rules={employment: {"claimable_until": None}},
    )
    activity = _record(alice, points="4", category="employment-verification")

    assert _counted(alice)[0] == Decimal(4)
    assert _line(alice, activity) == "Counted in full: 4 points."


def test_a_date_limit_set_by_a_new_version_stops_counting_what_the_form_now_refuses(
    alice: Member, program: Program
) -> None:
    recorded = _record(alice, points="5")  # professional education, ending today
    publish_rule_set(
        base=RuleSet.objects.get(program=program),
        effective_from=TODAY,
        actor=None,
        category_rules={
            testing.category("professional-education"): {"claimable_until": date(2025, 11, 19)}
        },
    )
    limit = "Professional Education can only be claimed for activity up to November 19, 2025."

    with pytest.raises(DomainError) as refused:
        _record(alice, points="2")
    assert refused.value.field_errors["end_date"] == [limit]
    assert _counted(alice)[0] == Decimal(0)
    assert _line(alice, recorded) == f"Not counted: {limit}"
