"""Turning (seed, member index) into rows, as the product would have recorded them.

The population's shape comes from ``bench/population.py``; every rule comes from the
program's rule sets and the rules core (``keepcert.rules``): cycle dates
(``first_cycle``/``next_cycle``), whether CE is required (``requires_ce``), the recording
deadline and which cycles an entry may count toward (``recording_deadline``,
``is_recording_open``, ``Window.contains_span``), and what counts and whether a cycle was
met (``evaluate`` against the requirement of the rule set in force when the cycle
started). Nothing here decides what counts.

Days are handled as ordinals while drawing and turned into ``date`` objects through
caches: at a million members the generator makes tens of millions of them.
"""

from __future__ import annotations

import random
from bisect import bisect
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from decimal import Decimal
from typing import TYPE_CHECKING

import population
from rows import ActivityRow, Batch, CertificationRow, CycleActivityRow, CycleRow, Ids, MemberRow

if TYPE_CHECKING:
    from keepcert import rules
    from keepcert.program.models import Program, RuleSet

_ONE_DAY = timedelta(days=1)


class Weighted[T]:
    """Items with relative weights, ready for :meth:`Dice.weighted`."""

    def __init__(self, weights: dict[T, int]) -> None:
        self.items = list(weights)
        self.cumulative: list[int] = []
        total = 0
        for weight in weights.values():
            total += weight
            self.cumulative.append(total)
        self.total = total


class Dice:
    """Draws from one seeded RNG, built on ``random()`` alone.

    ``Random.randint`` and ``choice`` cost ten times a ``random()`` call, and generating
    a million members makes several hundred million draws.
    """

    __slots__ = ("random",)

    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed).random

    def chance(self, probability: float) -> bool:
        return self.random() < probability

    def between(self, low: int, high: int) -> int:
        """An integer from ``low`` to ``high``, both included."""
        return low + int(self.random() * (high - low + 1))

    def pick[T](self, items: Sequence[T]) -> T:
        return items[int(self.random() * len(items))]

    def weighted[T](self, table: Weighted[T]) -> T:
        return table.items[bisect(table.cumulative, self.random() * table.total)]

    def count(self, trials: int, probability: float) -> int:
        """How many of ``trials`` succeed (binomial), for at most a few dozen trials."""
        random_ = self.random
        return sum(1 for _ in range(trials) if random_() < probability)

    def triangular(self, low: float, high: float, mode: float) -> float:
        u = self.random()
        c = (mode - low) / (high - low)
        if u > c:
            u, c, low, high = 1.0 - u, 1.0 - c, high, low
        return low + (high - low) * (u * c) ** 0.5


@dataclass(frozen=True)
class CycleRules:
    """What one rule set says about a cycle that starts while it is in force."""

    years: int
    grace_days: int
    ce_required_from: date
    requirements: dict[str, rules.Requirement | None]
    """Per credential code, as the dashboard judges the cycle; ``None`` when not set (PCT)."""
    last_claimable_day: dict[str, int | None]
    """Per category code, the ordinal of its ``claimable_until`` (``None``: no limit)."""


@dataclass(frozen=True)
class Context:
    """Everything generation needs from the database, read once."""

    program_id: int
    today: date
    credential_ids: dict[str, int]
    category_ids: dict[str, int]
    attestation_text: str
    rules_on: Callable[[date], CycleRules]
    """The rules in force on a day (a certification's, or a cycle's first)."""


def load_context(program: Program, today: date) -> Context:
    from keepcert.program.selectors import ProgramRules

    program_rules = ProgramRules(program)
    latest = program_rules.latest()
    credential_ids = {r.credential.code: r.credential_id for r in latest.credential_rules.all()}
    category_ids = {r.category.code: r.category_id for r in latest.category_rules.all()}
    missing = set(population.CATEGORY_SHAPES) - set(category_ids)
    if missing:
        raise SystemExit(
            f"The program has no categories {sorted(missing)}: update bench/population.py."
        )
    by_rule_set: dict[int, CycleRules] = {}

    def cycle_rules(rule_set: RuleSet) -> CycleRules:
        categories = [r.as_rule() for r in rule_set.category_rules.all()]
        return CycleRules(
            years=rule_set.cycle_years,
            grace_days=rule_set.recording_grace_days,
            ce_required_from=rule_set.ce_required_from,
            requirements={
                code: program_rules.requirement(rule_set, credential_id)
                for code, credential_id in credential_ids.items()
            },
            last_claimable_day={
                c.code: None if c.claimable_until is None else c.claimable_until.toordinal()
                for c in categories
            },
        )

    def rules_on(day: date) -> CycleRules:
        rule_set = program_rules.rule_set_on(day)
        if rule_set.pk not in by_rule_set:
            by_rule_set[rule_set.pk] = cycle_rules(rule_set)
        return by_rule_set[rule_set.pk]

    return Context(
        program_id=program.pk,
        today=today,
        credential_ids=credential_ids,
        category_ids=category_ids,
        attestation_text=latest.attestation_text,
        rules_on=rules_on,
    )


@dataclass(slots=True)
class _Activity:
    """An activity being generated; days are ordinals (``date.toordinal()``)."""

    id: int
    category: str
    start: int
    end: int
    cents: int
    attested_on: int
    claim: rules.Entry
    """How the rules core sees it."""


@dataclass(slots=True)
class _Cycle:
    id: int
    certification_id: int
    window: rules.Window
    cycle_rules: CycleRules
    requirement: rules.Requirement | None
    start: int
    end: int
    deadline: int
    """The last day entries could be recorded against it (end plus the grace period)."""
    history: bool
    short: bool = False
    """The member fell short here and the certification lapsed."""
    activities: list[_Activity] = field(default_factory=list)
    progress: tuple[int, rules.Progress] | None = None
    """The last evaluation, and of how many claims: see :meth:`MemberGenerator._progress`."""


class _Days(dict[int, date]):
    """Dates by ordinal, made once: building a ``date`` costs more than all the arithmetic."""

    def __missing__(self, ordinal: int) -> date:
        day = self[ordinal] = date.fromordinal(ordinal)
        return day


class _Stamps(dict[int, datetime]):
    """Attestation times (a day's ordinal × 24 + hour, UTC) made once each."""

    def __missing__(self, key: int) -> datetime:
        ordinal, hour = divmod(key, 24)
        stamp = self[key] = datetime.combine(date.fromordinal(ordinal), clock(hour), tzinfo=UTC)
        return stamp


class _Points(dict[int, Decimal]):
    """Points by hundredths, made once, with the two places every stored point has."""

    def __missing__(self, cents: int) -> Decimal:
        points = self[cents] = Decimal(f"{cents // 100}.{cents % 100:02d}")
        return points


class MemberGenerator:
    """Turns (seed, member index) into rows. Every draw for a member comes from its own RNG,
    so member *i* depends only on the seed, *i* and today."""

    def __init__(self, context: Context, seed: int, history_cycles: int) -> None:
        from keepcert import rules
        from keepcert.certifications.models import Certification, Cycle

        self.rules = rules
        self.format_date = rules.format_date
        self.certification_status = Certification.Status
        self.cycle_status = Cycle.Status
        self.context = context
        self.seed = seed
        self.history_cycles = history_cycles
        self.today = context.today.toordinal()
        self.credentials = Weighted(
            {c: w for c, w in population.CREDENTIAL_WEIGHTS.items() if c in context.credential_ids}
        )
        self.certification_counts = Weighted(population.CERTIFICATIONS_PER_MEMBER)
        self.categories = Weighted(
            {code: s.weight for code, s in population.CATEGORY_SHAPES.items()}
        )
        first_year, last_year = population.CERTIFIED_YEARS
        self.first_of_year = {
            year: date(year, 1, 1).toordinal() for year in range(first_year, last_year + 1)
        }
        self.days = _Days()
        self.stamps = _Stamps()
        self.points = _Points()

    def member(self, index: int, ids: Ids, batch: Batch) -> None:
        """Add population member ``index`` (from 0) and everything they recorded to ``batch``."""
        dice = Dice(self.seed * 1_000_003 + index)
        member_id = ids.member
        ids.member += 1
        row, codes, certified = self._person(dice, index, member_id)
        batch.members.append(row)
        engagement = dice.pick(population.ACTIVITIES_PER_CYCLE)
        report_once = dice.chance(population.REPORT_ONCE_SHARE)
        cycles: list[_Cycle] = []
        for code, certified_on in zip(codes, certified, strict=True):
            batch.certifications.append(
                self._certification(dice, member_id, code, certified_on, engagement, ids, cycles)
            )
        claims = {cycle.id: list(cycle.activities) for cycle in cycles}
        if report_once and len({cycle.certification_id for cycle in cycles}) > 1:
            self._report_once(cycles, claims)
        for cycle in cycles:
            batch.cycles.append(
                CycleRow(
                    cycle.id,
                    cycle.certification_id,
                    cycle.window.start,
                    cycle.window.end,
                    self._status(cycle, claims[cycle.id]),
                )
            )
            self._activity_rows(dice, member_id, cycle, batch)
            for activity in claims[cycle.id]:
                batch.claims.append(CycleActivityRow(ids.claim, activity.id, cycle.id))
                ids.claim += 1

    def _person(
        self, dice: Dice, index: int, member_id: int
    ) -> tuple[MemberRow, list[str], list[int]]:
        """The member's row, credential codes and certification days (ordinals, ascending)."""
        first, last = dice.pick(population.FIRST_NAMES), dice.pick(population.LAST_NAMES)
        number = population.member_number(index)
        city, region, postal = dice.pick(population.PLACES)
        wanted = min(dice.weighted(self.certification_counts), len(self.credentials.items))
        codes: list[str] = []
        while len(codes) < wanted:
            code = dice.weighted(self.credentials)
            if code not in codes:
                codes.append(code)
        certified = sorted(self._certification_day(dice) for _ in codes)
        row = MemberRow(
            id=member_id,
            program_id=self.context.program_id,
            member_number=number,
            user_id=None,
            first_name=first,
            last_name=last,
            date_of_birth=self.days[certified[0] - dice.between(*population.AGE_AT_CERTIFICATION)],
            email=f"{first}.{last}.{number}@example.org".lower(),
            address_line1=f"{dice.between(1, 9999)} {dice.pick(population.STREETS)}",
            address_line2="",
            city=city,
            region=region,
            postal_code=postal,
            country="US",
            created_at=self.stamps[certified[0] * 24 + 12],
        )
        return row, codes, certified

    def _certification_day(self, dice: Dice) -> int:
        first_year, last_year = population.CERTIFIED_YEARS
        span = last_year - first_year
        year = first_year + min(
            span, int((span + 1) * dice.random() ** population.CERTIFIED_RECENT_SKEW)
        )
        return min(self.first_of_year[year] + dice.between(0, 364), self.today)

    def _certification(
        self,
        dice: Dice,
        member_id: int,
        code: str,
        certified_ordinal: int,
        engagement: int,
        ids: Ids,
        cycles: list[_Cycle],
    ) -> CertificationRow:
        """The certification's row; its cycles (and their activities) go to ``cycles``."""
        status = self.certification_status
        certification_id = ids.certification
        ids.certification += 1
        certified_on = self.days[certified_ordinal]
        required_from = self.context.rules_on(certified_on).ce_required_from
        if not self.rules.requires_ce(certified_on, required_from):
            # The wording create_certification gives an exempt certification.
            reason = (
                f"Certified before {self.format_date(required_from)}: "
                "CE is voluntary (grandfathered)."
            )
            state, changed = status.EXEMPT, certified_on
        else:
            state, reason, changed = status.ACTIVE, "Certified.", certified_on
            lapsed_on = self._cycles(
                dice, code, certification_id, certified_on, engagement, ids, cycles
            )
            if lapsed_on is not None:
                state, reason, changed = (
                    status.LAPSED,
                    "The CE requirement was not met by the end of the cycle.",
                    self.days[lapsed_on],
                )
        return CertificationRow(
            certification_id,
            member_id,
            self.context.credential_ids[code],
            certified_on,
            state.value,
            reason,
            changed,
        )

    def _windows(self, certified_on: date) -> list[tuple[rules.Window, CycleRules]]:
        """Every cycle from certification to the one containing today, with its rules."""
        today = self.context.today
        cycle_rules = self.context.rules_on(certified_on)
        window = self.rules.first_cycle(certified_on, cycle_rules.years)
        windows = [(window, cycle_rules)]
        while window.end < today:
            cycle_rules = self.context.rules_on(window.end + _ONE_DAY)
            window = self.rules.next_cycle(window, cycle_rules.years)
            windows.append((window, cycle_rules))
        return windows

    def _cycles(
        self,
        dice: Dice,
        code: str,
        certification_id: int,
        certified_on: date,
        engagement: int,
        ids: Ids,
        out: list[_Cycle],
    ) -> int | None:
        """Append the certification's cycles; return the day it lapsed, if it did."""
        windows = self._windows(certified_on)
        first_with_history = len(windows) - self.history_cycles
        for position, (window, cycle_rules) in enumerate(windows):
            cycle = _Cycle(
                id=ids.cycle,
                certification_id=certification_id,
                window=window,
                cycle_rules=cycle_rules,
                requirement=cycle_rules.requirements.get(code),
                start=window.start.toordinal(),
                end=window.end.toordinal(),
                deadline=self.rules.recording_deadline(window, cycle_rules.grace_days).toordinal(),
                history=position >= first_with_history,
            )
            ids.cycle += 1
            out.append(cycle)
            if not cycle.history:
                continue
            falls_short = (
                cycle.end < self.today
                and cycle.requirement is not None
                and dice.chance(population.SHORTFALL_CHANCE)
            )
            self._activities(dice, cycle, engagement, falls_short, ids)
            if falls_short and not self._progress(cycle, cycle.activities).compliant:
                cycle.short = True
                return cycle.deadline + 1
        return None

    def _activities(
        self, dice: Dice, cycle: _Cycle, engagement: int, falls_short: bool, ids: Ids
    ) -> None:
        most = population.MAX_ACTIVITIES_PER_CYCLE
        last_day = min(cycle.end, self.today)
        elapsed = (last_day - cycle.start + 1) / (cycle.end - cycle.start + 1)
        mean = engagement * elapsed * (population.SHORTFALL_EFFORT if falls_short else 1.0)
        for _ in range(dice.count(most, min(1.0, mean / most))):
            self._activity(dice, cycle, ids)
        requirement = cycle.requirement
        if cycle.end < self.today and requirement is not None and not falls_short:
            # A member still certified met the past cycle: keep recording until they did.
            # An entry raises the counted total by at most its points, so the rules core is
            # asked again only once the entries could have closed the gap.
            ceiling = sum([a.entry.points for a in cycle.activities], Decimal(0))
            while len(cycle.activities) < most:
                if ceiling >= requirement.required:
                    progress = self._progress(cycle, cycle.activities)
                    if progress.compliant:
                        break
                    ceiling = progress.counted
                ceiling += self._activity(dice, cycle, ids).entry.points

    def _activity(self, dice: Dice, cycle: _Cycle, ids: Ids) -> _Activity:
        # Conditional expressions rather than min()/max(): this runs tens of millions of times.
        category = dice.weighted(self.categories)
        today = self.today
        last_day = cycle.end if cycle.end < today else today
        until = cycle.cycle_rules.last_claimable_day.get(category)
        if until is not None:
            # The recording service refuses an end date after the category's last day.
            if until < cycle.start:
                category = population.FALLBACK_CATEGORY
            elif until < last_day:
                last_day = until
        category_shape = population.CATEGORY_SHAPES[category]
        end = dice.between(cycle.start, last_day)
        if dice.chance(category_shape.one_day_share):
            start = end
        else:
            start = end - dice.between(*category_shape.days)
        if start < cycle.start:
            start = cycle.start
        cents = int(dice.triangular(category_shape.low, category_shape.high, category_shape.mode))
        if dice.chance(population.ROUNDED_POINTS_SHARE):
            cents = round(cents / 25) * 25
            if cents < category_shape.low:
                cents = category_shape.low
        attested_on = end + dice.between(0, population.ATTESTED_WITHIN_DAYS)
        if attested_on > today:
            attested_on = today
        if attested_on > cycle.deadline:
            attested_on = cycle.deadline
        days = self.days
        claim = self.rules.Entry(
            id=str(ids.activity),
            category=category,
            title="",  # drawn with the row; counting never reads it
            start=days[start],
            end=days[end],
            points=self.points[cents],
        )
        activity = _Activity(ids.activity, category, start, end, cents, attested_on, claim)
        cycle.activities.append(activity)
        ids.activity += 1
        return activity

    def _progress(self, cycle: _Cycle, activities: Sequence[_Activity]) -> rules.Progress:
        """The cycle's progress with these claims, as the dashboard counts them.

        Claim lists only grow, so the last answer is kept for its length and reused when
        the cycle's status asks about the same claims again.
        """
        assert cycle.requirement is not None
        if cycle.progress is not None and cycle.progress[0] == len(activities):
            return cycle.progress[1]
        progress = self.rules.evaluate(
            cycle.requirement, cycle.window, [a.entry for a in activities], self.context.today
        )
        cycle.progress = (len(activities), progress)
        return progress

    def _report_once(self, cycles: list[_Cycle], claims: dict[int, list[_Activity]]) -> None:
        """Claim each activity against the member's other cycles that contain it too.

        As ``record_activity`` does by default: every other cycle whose dates contain the
        activity and that was open for recording on the day it was entered. Never a cycle
        that ended short, which would change why the certification lapsed.
        """
        is_recording_open, days = self.rules.is_recording_open, self.days
        for cycle in cycles:
            for other in cycles:
                if other.certification_id == cycle.certification_id:
                    continue
                if not other.history or other.short:
                    continue
                window, grace = other.window, other.cycle_rules.grace_days
                claims[other.id].extend(
                    activity
                    for activity in cycle.activities
                    if window.contains_span(activity.entry.start, activity.entry.end)
                    and is_recording_open(window, days[activity.attested_on], grace)
                )

    def _status(self, cycle: _Cycle, claimed: list[_Activity]) -> str:
        status = self.cycle_status
        if cycle.end >= self.today:
            return status.OPEN.value
        if not cycle.history or cycle.requirement is None:
            return status.COMPLIANT.value  # a legacy record, or no requirement to fall short of
        if cycle.progress is not None and cycle.progress[1].compliant:
            # Met with its own entries; claims reported from other cycles never lower the
            # counted total (a property the rules core's tests hold).
            return status.COMPLIANT.value
        met = self._progress(cycle, claimed).compliant
        return (status.COMPLIANT if met else status.NONCOMPLIANT).value

    def _activity_rows(self, dice: Dice, member_id: int, cycle: _Cycle, batch: Batch) -> None:
        today, stamps, days = self.today, self.stamps, self.days
        attestation = self.context.attestation_text
        category_ids = self.context.category_ids
        add = batch.activities.append
        for activity in cycle.activities:
            titles = population.CATEGORY_SHAPES[activity.category].titles
            hour = 0 if activity.attested_on >= today else dice.between(13, 23)
            attested = stamps[activity.attested_on * 24 + hour]
            add(
                ActivityRow(
                    id=activity.id,
                    member_id=member_id,
                    category_id=category_ids[activity.category],
                    title=dice.pick(titles),
                    provider=dice.pick(population.PROVIDERS),
                    start_date=days[activity.start],
                    end_date=days[activity.end],
                    points=self.points[activity.cents],
                    units=None,
                    notes="",
                    attestation_text=attestation,
                    attested_at=attested,
                    attested_from=dice.pick(population.ADDRESSES),
                    created_at=attested,
                    updated_at=attested,
                )
            )
