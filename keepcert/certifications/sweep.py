"""Every open cycle's standing at once, for the daily scheduler and the notices (SPEC §5).

Set-based, as DESIGN.md asks of whatever runs over every member: one statement returns one
row per open cycle with the points entered against it and the points it counts, the
eligibility rules written as a ``FILTER`` and each capped category's cap as
``LEAST(sum, cap)``. Python receives one row per cycle, never a row per activity, and
asks the rules core only for what SQL does not say: the pace, from the two totals
(:class:`keepcert.rules.PaceClock`). The per-member reader,
:func:`keepcert.certifications.selectors.cycle_progress`, explains the same numbers line
by line; ``tests/test_sweep.py`` proves on random populations that the two agree.

Which rules a cycle is judged by (SPEC §2): the rule set in force on the cycle's start
date, for points required and caps; a category's ``claimable_until`` is dated by the
activity instead, the limit in force on the day the activity ended. Rule sets are few;
they are loaded once per sweep and both choices are written into the query as ``CASE``
expressions: on the cycle's start date, and per category on the activity's end date.

The plan is the same at every population size: each open cycle's links to its activities
(``CycleActivity`` rows) are read from their unique index, which leads with the cycle and
holds the activity (so the links' table is not read), and each activity by its primary
key; the work grows with the open cycles swept, never with the program's history. Left to
itself, PostgreSQL reckons an open cycle has as many links as the average cycle (open
cycles have fewer)
and, at 100,000 members, hashes a sequential scan of every activity in the program
instead: measured 1.6 times slower, and worse the more history there is. So the
statement runs with hash and merge joins off, and JIT off (compiling costs more than it
saves here); the settings end with the statement. It is a plain query, not a
server-side cursor: PostgreSQL never runs a cursor's query with parallel workers, and
through one it measured 1.2–1.3 times slower at every size. The driver holds the rows
(measured 22 MB for 110,000 open cycles), which become Python objects one batch at a
time; the connection is free between batches.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Q, QuerySet

from keepcert import rules
from keepcert.activities.models import Activity, CycleActivity
from keepcert.certifications.models import Cycle
from keepcert.program.models import CategoryRule, Program, RuleSet
from keepcert.program.selectors import ProgramRules, rules_of

__all__ = ["DEFAULT_BATCH", "Standing", "open_cycle_standings"]

DEFAULT_BATCH = 5_000
"""Cycles per batch: large enough that a batch's overhead is noise, small enough that a
batch stays small in memory."""

_ZERO = Decimal(0)
_HUNDREDTH = Decimal("0.01")
_STATEMENT_SETTINGS = {"jit": "off", "enable_hashjoin": "off", "enable_mergejoin": "off"}
"""What the statement runs with on PostgreSQL (see the module's docstring)."""


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
    """Its ``plan`` sentence is written only when read."""

    @property
    def compliant(self) -> bool:
        return self.required is not None and rules.compliance(self.required, self.counted).compliant

    @property
    def remaining(self) -> Decimal | None:
        if self.required is None:
            return None
        return rules.compliance(self.required, self.counted).remaining


@dataclass(frozen=True, slots=True)
class _Judged:
    """What a cycle's standing takes from its dates and credential alone."""

    window: rules.Window
    rule_set_id: int
    required: Decimal | None
    clock: rules.PaceClock | None
    """``None`` when nothing is required (no pace then)."""


class _Judge:
    """Judges cycles by their dates and credential, once for each combination: cycles
    share few windows and credentials and a requirement takes a while to build."""

    def __init__(self, loaded: ProgramRules, today: date) -> None:
        self.loaded, self.today = loaded, today
        self.judged: dict[tuple[Any, Any, int], _Judged] = {}
        self.requirements: dict[tuple[int, int], rules.Requirement | None] = {}

    def __call__(self, start: Any, end: Any, credential_id: int) -> _Judged:
        key = (start, end, credential_id)
        judged = self.judged.get(key)
        if judged is None:
            judged = self.judged[key] = self._judge(_date(start), _date(end), credential_id)
        return judged

    def _judge(self, start: date, end: date, credential_id: int) -> _Judged:
        window = rules.Window(start, end)
        rule_set = self.loaded.rule_set_on(start)  # the rule set in force when it started
        key = (rule_set.pk, credential_id)
        if key not in self.requirements:
            self.requirements[key] = self.loaded.requirement(rule_set, credential_id)
        requirement = self.requirements[key]
        if requirement is None:
            return _Judged(window, rule_set.pk, None, None)
        clock = rules.PaceClock.at(window, requirement.required, self.today)
        return _Judged(window, rule_set.pk, requirement.required, clock)


def _date(value: Any) -> date:
    """A date column: PostgreSQL returns dates, SQLite the ISO text it stores."""
    return value if isinstance(value, date) else date.fromisoformat(value)


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


def _claimable_sql(rule_sets: Sequence[RuleSet]) -> tuple[str, list[Any]]:
    """SQL that is true when the activity may count under its category's ``claimable_until``.

    That limit is dated by the activity (SPEC §2), as ``CountingRule.claimable_until_for``
    has it: the limit of the newest rule set in force on the activity's end date that has
    the category. Written per category that ever had a limit; every other category is
    claimable whatever its dates.
    """
    versions: dict[int, list[tuple[date, date | None]]] = {}
    for rule_set in sorted(rule_sets, key=lambda rule_set: rule_set.effective_from):
        for category_rule in rule_set.category_rules.all():
            versions.setdefault(category_rule.category_id, []).append(
                (rule_set.effective_from, category_rule.claimable_until)
            )
    branches, params = [], []
    for category_id, limits in versions.items():
        if all(until is None for _, until in limits):
            continue
        # Newest first; the oldest also judges days before every version.
        conditions, limit_params = [], []
        for effective_from, until in reversed(limits[1:]):
            test = "activity.end_date <= %s" if until else "TRUE"
            conditions.append(f"WHEN activity.end_date >= %s THEN {test}")
            limit_params += [effective_from, *([until] if until else [])]
        oldest = limits[0][1]
        oldest_test = "activity.end_date <= %s" if oldest else "TRUE"
        limit_params += [oldest] if oldest else []
        test = f"CASE {' '.join(conditions)} ELSE {oldest_test} END" if conditions else oldest_test
        branches.append(f"WHEN %s THEN ({test})")
        params += [category_id, *limit_params]
    if not branches:
        return "TRUE", []
    return f"(CASE activity.category_id {' '.join(branches)} ELSE TRUE END)", params


def _standings_sql(
    cycles: QuerySet[Cycle], loaded: ProgramRules, today: date
) -> tuple[str, list[Any]]:
    """One statement: per open cycle in id order, its certification, credential and dates,
    the points entered and the points counted.

    An activity is eligible as ``rules.evaluate`` decides before caps: its category is one
    the cycle's rule set has (the rule row joins), it lies wholly inside the cycle, it
    ended by today and by the category's ``claimable_until``. ``entered`` is every point,
    unknown categories included. ``counted`` adds the eligible points of the uncapped
    categories and, for each capped category rule of any rule set, its eligible points
    up to its cap; a rule of another rule set than the cycle's matches no row and adds 0.
    """
    q = connection.ops.quote_name
    claim, activity = q(CycleActivity._meta.db_table), q(Activity._meta.db_table)
    rule, end = q(CategoryRule._meta.db_table), q("end")
    columns = ("pk", "certification_id", "certification__credential_id", "start", "end")
    chosen, chosen_params = cycles.values_list(*columns).order_by().query.sql_with_params()
    rule_set_sql, rule_set_params = _rule_set_case(loaded.rule_sets, "cycle.start")
    least = "LEAST" if connection.vendor == "postgresql" else "MIN"
    claimable_sql, claimable_params = _claimable_sql(loaded.rule_sets)
    eligible = f"""
        activity.start_date >= cycle.start AND activity.end_date <= cycle.{end}
        AND activity.end_date <= %s AND {claimable_sql}
    """
    eligible_params = [today, *claimable_params]
    counted = [
        f"""COALESCE(SUM(activity.points) FILTER (
            WHERE category_rule.id IS NOT NULL
              AND category_rule.max_points_per_cycle IS NULL AND {eligible}), 0)"""
    ]
    counted_params: list[Any] = [*eligible_params]
    capped = [
        category_rule.pk
        for rule_set in loaded.rule_sets
        for category_rule in rule_set.category_rules.all()
        if category_rule.max_points_per_cycle is not None
    ]
    for rule_id in capped:
        # The cap is read from the rule row, so a cycle without such an activity adds
        # LEAST(0, 0); the rule's id comes first so the rest is tested on its rows only.
        counted.append(
            f"""{least}(
                COALESCE(SUM(activity.points) FILTER (
                    WHERE category_rule.id = %s AND {eligible}), 0),
                COALESCE(MIN(category_rule.max_points_per_cycle) FILTER (
                    WHERE category_rule.id = %s), 0))"""
        )
        counted_params += [rule_id, *eligible_params, rule_id]
    # Only quoted table names and SQL built here are interpolated; every value is a parameter.
    sql = f"""
        WITH cycle (id, certification_id, credential_id, start, {end}) AS ({chosen})
        SELECT cycle.id, cycle.certification_id, cycle.credential_id, cycle.start, cycle.{end},
               SUM(activity.points), {" + ".join(counted)}
        FROM cycle
        LEFT JOIN {claim} AS claim ON claim.cycle_id = cycle.id
        LEFT JOIN {activity} AS activity ON activity.id = claim.activity_id
        LEFT JOIN {rule} AS category_rule
               ON category_rule.rule_set_id = {rule_set_sql}
              AND category_rule.category_id = activity.category_id
        GROUP BY cycle.id, cycle.certification_id, cycle.credential_id, cycle.start, cycle.{end}
        ORDER BY cycle.id
    """  # noqa: S608
    return sql, [*chosen_params, *counted_params, *rule_set_params]


def open_cycle_standings(
    program: Program,
    *,
    today: date | None = None,
    batch_size: int = DEFAULT_BATCH,
    among: Q | None = None,
) -> Iterator[list[Standing]]:
    """Every open cycle of ``program`` with its standing today, in batches in cycle order.

    A generator: Python objects are made one batch at a time, and a caller may stop early
    or use the connection between batches. ``among`` narrows the cycles (a ``Q`` on
    ``Cycle``, e.g. one region's members); the benchmark uses it to sweep the first N
    members of a larger population.
    """
    if batch_size < 1:
        raise ValueError(f"A batch holds at least one cycle, not {batch_size}.")
    today = today or program.today()
    loaded = rules_of(program)
    cycles = Cycle.objects.open().filter(certification__member__program=program)
    if among is not None:
        cycles = cycles.filter(among)
    sql, params = _standings_sql(cycles, loaded, today)
    judge = _Judge(loaded, today)
    judged = judge.judged
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with transaction.atomic():
                cursor.execute(
                    "SELECT " + ", ".join(["set_config(%s, %s, true)"] * len(_STATEMENT_SETTINGS)),
                    [value for setting in _STATEMENT_SETTINGS.items() for value in setting],
                )
                cursor.execute(sql, params)
                # The rows are already here; rolling back ends the settings with the
                # statement, also inside a caller's transaction (a savepoint then).
                transaction.set_rollback(True)
        else:
            cursor.execute(sql, params)
        while rows := cursor.fetchmany(batch_size):
            batch = []
            for cycle_id, certification_id, credential_id, start, end, entered, counted in rows:
                how = judged.get((start, end, credential_id)) or judge(start, end, credential_id)
                counted = _points(counted)
                pace = None if how.clock is None else how.clock.assess(counted)
                batch.append(
                    Standing(
                        cycle_id,
                        certification_id,
                        how.window,
                        how.rule_set_id,
                        how.required,
                        _points(entered),
                        counted,
                        pace,
                    )
                )
            yield batch
