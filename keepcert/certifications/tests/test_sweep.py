"""The sweep (``certifications/sweep.py``) agrees with the rules core on random populations.

Each seed builds a small program population straight in the database: members with
several certifications (one without a points requirement), cycles judged by two rule sets
(the second, from 2023-06-01, caps two categories, one at zero, retires a category on a
date and drops another), activities dated inside and outside their cycles, some after
"today", claimed against one or several cycles ("report once"), open or closed. Every
open cycle's standing from the sweep must equal what ``cycle_progress`` (which calls
``rules.evaluate`` and ``rules.assess_pace``) says about it, batch boundaries included.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from keepcert import testing
from keepcert.activities.models import Activity, CycleActivity
from keepcert.certifications.models import Cycle
from keepcert.certifications.selectors import cycle_progress
from keepcert.certifications.sweep import Standing, open_cycle_standings
from keepcert.members.models import Member
from keepcert.program.models import (
    Category,
    CategoryRule,
    CredentialRule,
    Program,
    RuleSet,
)

CODES = (
    "professional-education",
    "formal-education",
    "authorship",
    "instructional-presentations",
    "organizational-participation",
    "employment-verification",
)


def later_rules(program: Program) -> RuleSet:
    """A second rule set, in force for cycles starting from 2023-06-01: formal education
    capped at 5 points a cycle, presentations at 0, employment claimable only for activity
    ending by 2024-06-30, authorship gone, and RMA asking 20 points instead of 30."""
    first = RuleSet.objects.get(program=program)
    later = RuleSet.objects.create(
        program=program,
        effective_from=date(2023, 6, 1),
        ce_required_from=first.ce_required_from,
        cycle_years=first.cycle_years,
    )
    for rule in CredentialRule.objects.filter(rule_set=first):
        points = Decimal(20) if rule.credential.code == "RMA" else rule.points_required
        CredentialRule.objects.create(
            rule_set=later, credential=rule.credential, name=rule.name, points_required=points
        )
    changes = {
        "formal-education": {"max_points_per_cycle": Decimal(5)},
        "instructional-presentations": {"max_points_per_cycle": Decimal(0)},
        "employment-verification": {"claimable_until": date(2024, 6, 30)},
    }
    for rule in CategoryRule.objects.filter(rule_set=first).select_related("category"):
        if rule.category.code == "authorship":
            continue
        CategoryRule.objects.create(
            rule_set=later,
            category=rule.category,
            name=rule.name,
            position=rule.position,
            **changes.get(rule.category.code, {"claimable_until": rule.claimable_until}),
        )
    return later


def populate(draw: random.Random, members: int) -> list[Member]:
    categories = {c.code: c for c in Category.objects.filter(code__in=CODES)}
    made = []
    for _ in range(members):
        member = testing.make_member(with_account=False)
        made.append(member)
        # Certified 2017–2025: open cycles started under either rule set, past cycles too.
        for code in draw.sample(["RMA", "CMAS", "RPT", "MLT", "PCT"], draw.randint(1, 3)):
            certified_on = date(2017, 1, 1) + timedelta(days=draw.randint(0, 365 * 8 + 300))
            testing.make_certification(member, code, certified_on)
        cycles = list(Cycle.objects.for_member(member.pk))
        for number in range(draw.randint(0, 14)):
            home = draw.choice(cycles)
            # Mostly inside the cycle; some start before it or end after it or after today.
            start = home.start + timedelta(days=draw.randint(-60, (home.end - home.start).days))
            end = start + timedelta(days=draw.choice((0, 0, 0, 2, 45, 400)))
            activity = Activity.objects.create(
                member=member,
                category=categories[draw.choice(CODES)],
                title=f"Activity {number}",
                start_date=start,
                end_date=end,
                points=Decimal(draw.randint(1, 1200)).scaleb(-2),
                attestation_text="I attest.",
                attested_at=timezone.now(),
            )
            claimed = {home, *draw.sample(cycles, draw.randint(0, min(2, len(cycles))))}
            CycleActivity.objects.bulk_create(
                CycleActivity(activity=activity, cycle=cycle) for cycle in claimed
            )
    return made


def expected(cycle: Cycle, today: date) -> tuple[object, ...]:
    progress = cycle_progress(cycle, today=today)
    if progress.progress is None:
        return (cycle.pk, cycle.certification_id, None, None, None, False, None, None)
    totals, pace = progress.progress, progress.pace
    assert pace is not None
    return (
        cycle.pk,
        cycle.certification_id,
        totals.required,
        totals.entered,
        totals.counted,
        totals.compliant,
        pace.status,
        pace.plan,
    )


def actual(standing: Standing) -> tuple[object, ...]:
    if standing.required is None:
        # No requirement set: no progress to compare, as on the dashboard.
        assert standing.pace is None and not standing.compliant
        return (standing.cycle_id, standing.certification_id, None, None, None, False, None, None)
    assert standing.pace is not None
    return (
        standing.cycle_id,
        standing.certification_id,
        standing.required,
        standing.entered,
        standing.counted,
        standing.compliant,
        standing.pace.status,
        standing.pace.plan,
    )


@pytest.mark.parametrize("seed", range(6))
def test_the_sweep_agrees_with_the_rules_core(program: Program, seed: int) -> None:
    draw = random.Random(seed)
    later_rules(program)
    populate(draw, members=draw.randint(3, 6))
    today = date(2025, 1, 1) + timedelta(days=draw.randint(0, 500))
    batch_size = draw.randint(1, 4)

    batches = list(open_cycle_standings(program, today=today, batch_size=batch_size))

    standings = [standing for batch in batches for standing in batch]
    assert all(0 < len(batch) <= batch_size for batch in batches)
    assert [s.cycle_id for s in standings] == sorted(
        Cycle.objects.open().values_list("pk", flat=True)
    )
    cycles = Cycle.objects.select_related("certification__member__program").in_bulk(
        [s.cycle_id for s in standings]
    )
    assert [actual(s) for s in standings] == [
        expected(cycles[s.cycle_id], today) for s in standings
    ]
    # The population did exercise what the sweep must get right.
    outcomes = {
        result.outcome
        for cycle in cycles.values()
        if (progress := cycle_progress(cycle, today=today).progress) is not None
        for result in progress.entries
    }
    assert len(outcomes) >= 3, outcomes


def test_the_random_populations_reach_every_rule(program: Program) -> None:
    """Across the seeds, every outcome the sweep must reproduce in SQL occurs."""
    later_rules(program)
    draw = random.Random(99)
    populate(draw, members=12)
    today = date(2025, 11, 20)
    outcomes = {
        result.outcome.value
        for cycle in Cycle.objects.open().select_related("certification__member__program")
        if (progress := cycle_progress(cycle, today=today).progress) is not None
        for result in progress.entries
    }
    assert outcomes >= {
        "counted",
        "capped",
        "outside_cycle",
        "future",
        "unknown_category",
        "not_claimable",
    }, outcomes
    standings = [s for batch in open_cycle_standings(program, today=today) for s in batch]
    assert [actual(s) for s in standings] == [
        expected(
            Cycle.objects.select_related("certification__member__program").get(pk=s.cycle_id), today
        )
        for s in standings
    ]


def test_one_statement_sums_every_batch_and_rule_sets_load_once(program: Program) -> None:
    later_rules(program)
    populate(random.Random(5), members=4)
    with CaptureQueriesContext(connection) as queries:
        batches = list(open_cycle_standings(program, batch_size=2))
    statements = [query["sql"] for query in queries.captured_queries]
    assert len(batches) >= 3
    assert sum("FROM cycle" in sql for sql in statements) == 1
    # The rest is fixed: the rules (four queries at most) and, on PostgreSQL, the
    # statement's planner settings and the savepoint around them (the test runs in a
    # transaction). Nothing is read per batch or per cycle.
    fixed = 4 + 1 + (3 if connection.vendor == "postgresql" else 0)
    assert len(statements) <= fixed, statements


def test_the_connection_is_free_between_batches_and_keeps_its_settings(
    program: Program,
) -> None:
    populate(random.Random(5), members=4)
    before = planner_settings()
    standings = open_cycle_standings(program, batch_size=1)
    first = next(standings)
    # What the scheduler does between batches: read and write on the same connection.
    assert Cycle.objects.open().filter(pk=first[0].cycle_id).exists()
    rest = [standing for batch in standings for standing in batch]
    assert len(rest) == Cycle.objects.open().count() - 1
    # The statement's planner settings ended with it, although the test's transaction
    # is still open.
    assert planner_settings() == before


def planner_settings() -> tuple[object, ...] | None:
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('jit'), current_setting('enable_hashjoin'),"
            " current_setting('enable_mergejoin')"
        )
        return cursor.fetchone()


def test_among_narrows_the_sweep(program: Program) -> None:
    first, *_ = populate(random.Random(7), members=3)
    standings = [
        s
        for batch in open_cycle_standings(program, among=Q(certification__member=first))
        for s in batch
    ]
    assert {s.cycle_id for s in standings} == set(
        Cycle.objects.open().for_member(first.pk).values_list("pk", flat=True)
    )


def test_no_open_cycle_gives_no_batch(program: Program) -> None:
    assert list(open_cycle_standings(program)) == []
