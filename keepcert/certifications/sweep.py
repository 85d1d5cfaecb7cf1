"""Every open cycle's standing at once, for the daily scheduler and the notices (SPEC §5).

Set-based, as DESIGN.md asks of whatever runs over every member: the open cycles stream
from one query, and for each batch of them one more statement sums each (cycle,
category)'s eligible points with the eligibility rules as a ``FILTER`` and the category's
cap applied as ``LEAST(sum, cap)``, then adds the capped sums up per cycle. Python
receives one row per cycle, never a row per activity, and asks the rules core only for
what SQL cannot say: the pace and its plan. The per-member reader,
:func:`keepcert.certifications.selectors.cycle_progress`, explains the same numbers line
by line; ``tests/test_sweep.py`` proves on random populations that the two agree.

Which rules a cycle is judged by (SPEC §2): the rule set in force on the cycle's start
date, for points required and caps and for each category's ``claimable_until`` (compared
with the activity's end date). Rule sets are few; they are loaded once per sweep and the
choice (``ProgramRules.rule_set_for_cycle``) is written into the query as a ``CASE`` on the
cycle's start date.

The plan is the same at every population size. The open cycles are read by one query in
id order, streamed (a server-side cursor on PostgreSQL), so its joins and filters are paid
once, not once per batch as a keyset page (``id > last ORDER BY id LIMIT n``) would pay
them: measured, a page cost a third of its batch's time at N = 10,000, and pages made the
sweep grow with batches × N. Each batch of cycle ids is then one statement that reaches
its claims through the claims' ``cycle_id`` index and the activities' primary key, so a
batch costs the same whether the program has a thousand members or a million.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Q

from keepcert import rules
from keepcert.activities.models import Activity, ActivityClaim
from keepcert.certifications.models import Cycle
from keepcert.program.models import CategoryRule, Program, RuleSet
from keepcert.program.selectors import rules_of
from keepcert.rules.counting import _percent

__all__ = ["DEFAULT_BATCH", "Standing", "open_cycle_standings"]

DEFAULT_BATCH = 5_000
"""Cycles per batch: large enough that a statement's round trip is noise, small enough
that a batch stays small in memory."""

_ZERO = Decimal(0)
_HUNDREDTH = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class Standing:
    """Where one open cycle stands today, in the figures the scheduler acts on.

    ``required`` is ``None`` when the program has not set the credential's points yet
    (the dashboard shows no progress then either); such a cycle has no pace and is never
    compliant.
    """

    cycle_id: int
    certification_id: int
    window: rules.Window
    rule_set_id: int
    required: Decimal | None
    entered: Decimal
    """Every point entered against the cycle, counted or not (``Progress.entered``)."""
    counted: Decimal
    pace: rules.Pace | None

    @property
    def compliant(self) -> bool:
        return self.required is not None and self.counted >= self.required

    @property
    def remaining(self) -> Decimal | None:
        return None if self.required is None else max(_ZERO, self.required - self.counted)

    @property
    def pace_status(self) -> rules.PaceStatus | None:
        return None if self.pace is None else self.pace.status


def _points(value: Any) -> Decimal:
    """A summed points column as an exact two-place Decimal.

    PostgreSQL sums ``numeric`` exactly; SQLite stores decimals with numeric affinity and
    sums them as floats, whose error (far below a hundredth) the quantize removes.
    """
    if value is None:
        return _ZERO
    if isinstance(value, Decimal):
        return value
    return Decimal(repr(value)).quantize(_HUNDREDTH)


def _rule_set_case(rule_sets: Sequence[RuleSet], column: str) -> tuple[str, list[Any]]:
    """SQL naming the rule set in force on ``column`` (a date), as ``ProgramRules.rule_set_on``
    does: the newest effective on or before it, the earliest for days before them all."""
    ordered = sorted(rule_sets, key=lambda rule_set: rule_set.effective_from)
    if len(ordered) == 1:
        return "%s", [ordered[0].pk]
    branches, params = [], []
    for rule_set in reversed(ordered[1:]):
        branches.append(f"WHEN {column} >= %s THEN %s")
        params += [rule_set.effective_from, rule_set.pk]
    return f"CASE {' '.join(branches)} ELSE %s END", [*params, ordered[0].pk]


def _sums_sql(rule_set_sql: str, batch: int) -> str:
    """One statement for a batch: per cycle, the points claimed and counted (capped).

    Per cycle and category, ``eligible`` is what ``rules.evaluate`` counts before caps: a
    category the cycle's rule set has (its rule row exists), the activity wholly inside
    the cycle, ended by today and by the category's ``claimable_until``; ``claimed`` is
    every point, unknown categories included. Each category's eligible sum is capped
    with ``LEAST(sum, cap)`` and the categories are added up.

    On PostgreSQL the per-category sums are a ``LATERAL`` subquery per cycle: the planner
    must then walk each cycle's claims by the ``cycle_id`` index and fetch each activity
    by its primary key. Written as a plain join, it estimates an open cycle's claims from
    the average cycle's (open cycles have fewer) and at a few thousand cycles switches to
    hashing a sequential scan of every activity in the program: measured 0.83 s for a
    5,000-cycle batch that the index plan reads in about 0.1 s. SQLite always joins by
    nested loops, so there the plain join is the same plan.
    """
    q = connection.ops.quote_name
    claim, activity = q(ActivityClaim._meta.db_table), q(Activity._meta.db_table)
    cycle, rule = q(Cycle._meta.db_table), q(CategoryRule._meta.db_table)
    postgresql = connection.vendor == "postgresql"
    # SQLite joins the cycle here; on PostgreSQL it is the LATERAL subquery's outer row.
    join_cycle = "" if postgresql else f"JOIN {cycle} AS cycle ON cycle.id = claim.cycle_id"
    per_category = f"""
        SUM(activity.points) AS claimed,
        COALESCE(SUM(activity.points) FILTER (
            WHERE category_rule.id IS NOT NULL
              AND activity.start_date >= cycle.start
              AND activity.end_date <= cycle.{q("end")}
              AND activity.end_date <= %s
              AND (category_rule.claimable_until IS NULL
                   OR activity.end_date <= category_rule.claimable_until)
        ), 0) AS eligible,
        MIN(category_rule.max_points_per_cycle) AS cap
        FROM {claim} AS claim
        {join_cycle}
        JOIN {activity} AS activity ON activity.id = claim.activity_id
        LEFT JOIN {rule} AS category_rule
               ON category_rule.rule_set_id = {rule_set_sql}
              AND category_rule.category_id = activity.category_id
    """
    # Only quoted table names and SQL built here are interpolated; every value is a parameter.
    if postgresql:
        return f"""
            SELECT cycle.id, SUM(per_category.claimed),
                   SUM(LEAST(per_category.eligible,
                             COALESCE(per_category.cap, per_category.eligible)))
            FROM {cycle} AS cycle
            CROSS JOIN LATERAL (
                SELECT {per_category}
                WHERE claim.cycle_id = cycle.id
                GROUP BY activity.category_id
            ) AS per_category
            WHERE cycle.id = ANY(%s)
            GROUP BY cycle.id
        """  # noqa: S608
    return f"""
        SELECT per_category.cycle_id, SUM(per_category.claimed),
               SUM(MIN(per_category.eligible, COALESCE(per_category.cap, per_category.eligible)))
        FROM (
            SELECT claim.cycle_id AS cycle_id, {per_category}
            WHERE claim.cycle_id IN ({", ".join(["%s"] * batch)})
            GROUP BY claim.cycle_id, activity.category_id
        ) AS per_category
        GROUP BY per_category.cycle_id
    """  # noqa: S608


def _sums(
    ids: list[int], rule_set_sql: str, rule_set_params: list[Any], today: date
) -> dict[int, tuple[Any, Any]]:
    """Points claimed and counted (capped) per cycle, for the cycles with any claim."""
    postgresql = connection.vendor == "postgresql"
    params = [today, *rule_set_params, *([ids] if postgresql else ids)]
    sql = _sums_sql(rule_set_sql, len(ids))
    with transaction.atomic(), connection.cursor() as cursor:
        if postgresql:
            # The planner reckons a cycle has as many claims as the average cycle, open and
            # closed; at a few thousand cycles that estimate crosses the JIT threshold and
            # compiling (~100 ms) would cost more than the statement. Off for this one.
            cursor.execute("SET LOCAL jit = off")
        cursor.execute(sql, params)
        return {cycle_id: (claimed, counted) for cycle_id, claimed, counted in cursor.fetchall()}


def open_cycle_standings(
    program: Program,
    *,
    today: date | None = None,
    batch_size: int = DEFAULT_BATCH,
    among: Q | None = None,
) -> Iterator[list[Standing]]:
    """Every open cycle of ``program`` with its standing today, in batches in cycle order.

    A generator: memory holds one batch, and a caller may stop early. ``among`` narrows
    the cycles (a ``Q`` on ``Cycle``, e.g. one region's members); the benchmark uses it to
    sweep the first N members of a larger population.

    The cycles come from one query streamed in id order (a server-side cursor on
    PostgreSQL), so its joins and filters are paid once whatever the number of batches;
    each batch's sums are one more query by the batch's cycle ids.
    """
    if batch_size < 1:
        raise ValueError(f"A batch holds at least one cycle, not {batch_size}.")
    if connection.vendor != "postgresql":  # the ids go one parameter each
        batch_size = min(batch_size, (connection.features.max_query_params or 999) - 10)
    today = today or program.today()
    loaded = rules_of(program)
    requirements: dict[tuple[int, int], rules.Requirement | None] = {}
    rule_set_sql, rule_set_params = _rule_set_case(loaded.rule_sets, "cycle.start")
    judged_by: dict[date, RuleSet] = {}
    windows: dict[tuple[date, date], rules.Window] = {}

    cycles = Cycle.objects.open().filter(certification__member__program=program)
    if among is not None:
        cycles = cycles.filter(among)
    stream = (
        cycles.order_by("pk")
        .values_list("pk", "certification_id", "certification__credential_id", "start", "end")
        .iterator(chunk_size=batch_size)
    )
    for page in itertools.batched(stream, batch_size):
        sums = _sums([row[0] for row in page], rule_set_sql, rule_set_params, today)
        batch = []
        for cycle_id, certification_id, credential_id, start, end in page:
            rule_set = judged_by.get(start)
            if rule_set is None:
                rule_set = judged_by[start] = loaded.rule_set_on(start)
            key = (rule_set.pk, credential_id)
            if key not in requirements:
                requirements[key] = rule_set.requirement(credential_id)
            requirement = requirements[key]
            window = windows.get((start, end))
            if window is None:
                window = windows[start, end] = rules.Window(start, end)
            entered, counted = sums.get(cycle_id, (None, None))
            entered, counted = _points(entered), _points(counted)
            pace = None
            if requirement is not None:
                progress = _totals(window, requirement.required, entered, counted)
                pace = rules.assess_pace(progress, today)
            batch.append(
                Standing(
                    cycle_id=cycle_id,
                    certification_id=certification_id,
                    window=window,
                    rule_set_id=rule_set.pk,
                    required=None if requirement is None else requirement.required,
                    entered=entered,
                    counted=counted,
                    pace=pace,
                )
            )
        yield batch


def _totals(
    window: rules.Window, required: Decimal, entered: Decimal, counted: Decimal
) -> rules.Progress:
    """A :class:`rules.Progress` of totals only (no per-category or per-entry results),
    which is all :func:`rules.assess_pace` reads."""
    return rules.Progress(
        window=window,
        required=required,
        entered=entered,
        counted=counted,
        remaining=max(_ZERO, required - counted),
        percent=_percent(counted, required),
        compliant=counted >= required,
        categories=(),
        entries=(),
    )
