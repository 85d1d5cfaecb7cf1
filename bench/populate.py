"""Fill the database named by DATABASE_URL with a realistic member population.

    python bench/populate.py --members 100000 [--seed 1] [--today 2026-11-22]

``--members N`` is the size of the population, not an increment: population members are
numbered P00000001…, those already present are kept and only the missing ones are
added, so running the script twice does nothing the second time. Member *i* depends only
on the seed and *i* (and on "today"), so a population is reproducible from its seed.

What a member looks like:

* 1–3 certifications (credential mix weighted toward RMA and RPT), certified between
  1995 and 2025, more of them recent. Those dated before the program's
  ``ce_required_from`` (2006-01-01) are exempt and have no cycles.
* Every cycle from certification to the one containing today, dated with the rules
  core's ``first_cycle``/``next_cycle``; the current one is open. Cycles older than
  ``--history-cycles`` (default 3) are legacy imports: completed, with no activities,
  which is how ``create_certification`` brings in an existing record.
* 0–40 activities per cycle with history (the current cycle in proportion to how much of
  it has passed); past cycles are topped up to their requirement unless the member fell
  short, in which case the certification lapsed there and has no later cycles. Cycle
  statuses follow the points (compliant or ended short).
* Categories weighted toward professional education; 0.5–10 points with two decimals;
  dates inside the cycle and never after today; employment verification only up to its
  ``claimable_until`` (2020-12-31), as the recording service enforces.
* Each activity is claimed (ActivityClaim) against its cycle; members who use "report
  once" also claim it against their other certifications' cycles that contain it, as
  ``record_activity`` does by default — so a cycle can hold more than 40 claims.

Not generated: sign-in accounts (population members are unclaimed) and the event log.
Rows are written in batches with ``COPY`` on PostgreSQL (about ten times faster than
``bulk_create``) and ``bulk_create`` elsewhere, with ids assigned here so neither needs
rows back; sequences are reset and the tables analysed at the end.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from bisect import bisect
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from typing import TYPE_CHECKING, Any

from support import DEFAULT_SQLITE, ensure_schema, setup_django, sqlite_url

if TYPE_CHECKING:
    from django.db.models import Model

    from keepcert.program.models import Program
    from keepcert.rules import Window

POPULATION_PREFIX = "P"
_NUMBER_WIDTH = 8
_ONE_DAY = timedelta(days=1)
_MAX_ACTIVITIES_PER_CYCLE = 40

type Row = tuple[Any, ...]

FIRST_NAMES = [
    "Alice",
    "Maria",
    "Jose",
    "Wei",
    "Fatima",
    "Olga",
    "Noah",
    "Liam",
    "Emma",
    "Ava",
    "Sophia",
    "Mia",
    "Aiden",
    "Lucas",
    "Ethan",
    "Chloe",
    "Grace",
    "Priya",
    "Arjun",
    "Mateo",
    "Sofia",
    "Camila",
    "Diego",
    "Hannah",
    "Isaac",
    "Jamal",
    "Keisha",
    "Layla",
    "Omar",
    "Rosa",
    "Tomas",
    "Yuki",
    "Zoe",
    "Nia",
    "Kofi",
    "Ingrid",
    "Lars",
    "Anya",
    "Dmitri",
    "Mei",
]
LAST_NAMES = [
    "Nguyen",
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Sanchez",
    "Clark",
    "Ramirez",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Torres",
    "Hill",
    "Patel",
]
PLACES = (
    ("Chicago", "IL", "60601"),
    ("Rosemont", "IL", "60018"),
    ("Houston", "TX", "77002"),
    ("Phoenix", "AZ", "85004"),
    ("Atlanta", "GA", "30303"),
    ("Columbus", "OH", "43215"),
    ("Denver", "CO", "80202"),
    ("Seattle", "WA", "98101"),
    ("Miami", "FL", "33130"),
    ("Boston", "MA", "02108"),
    ("Nashville", "TN", "37203"),
    ("Omaha", "NE", "68102"),
    ("Fresno", "CA", "93721"),
    ("Tulsa", "OK", "74103"),
)
STREETS = ("Main St", "Oak Ave", "Maple Dr", "Cedar Ln", "Elm St", "Lake Rd", "Park Blvd")

# Relative frequency of each credential among certifications.
CREDENTIAL_WEIGHTS = {
    "RMA": 30,
    "RPT": 20,
    "MLT": 10,
    "MLS": 10,
    "CMAS": 8,
    "RDA": 6,
    "PCT": 6,
    "CMLA": 5,
    "AHI": 2,
    "MDT": 2,
    "CLC": 1,
}


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
class CategoryShape:
    """How members use one category: frequency, points (in cents) and length in days."""

    weight: int
    low: int
    high: int
    mode: int
    days: tuple[int, int]
    one_day_share: float
    titles: tuple[str, ...]


CATEGORY_SHAPES = {
    "professional-education": CategoryShape(
        weight=70,
        low=50,
        high=1000,
        mode=100,
        days=(1, 3),
        one_day_share=0.85,
        titles=(
            "Infection control update",
            "HIPAA privacy refresher",
            "Bloodborne pathogens",
            "Phlebotomy best practices",
            "Point-of-care testing webinar",
            "Medical terminology review",
            "Patient communication workshop",
            "Pharmacology for medical assistants",
            "Laboratory safety in-service",
            "Electronic health records training",
            "Diabetes management seminar",
            "Quality control in the clinical lab",
            "State society annual meeting session",
            "Ethics in allied health",
        ),
    ),
    "formal-education": CategoryShape(
        weight=6,
        low=300,
        high=1000,
        mode=500,
        days=(56, 120),
        one_day_share=0.0,
        titles=("Anatomy and Physiology II", "Microbiology", "Clinical Chemistry", "Statistics"),
    ),
    "authorship": CategoryShape(
        weight=2,
        low=200,
        high=1000,
        mode=500,
        days=(0, 0),
        one_day_share=1.0,
        titles=("Article: specimen handling errors", "Chapter: front-office workflows"),
    ),
    "instructional-presentations": CategoryShape(
        weight=7,
        low=100,
        high=500,
        mode=200,
        days=(0, 0),
        one_day_share=1.0,
        titles=("Presented: venipuncture technique", "Presented: lab safety for new staff"),
    ),
    "organizational-participation": CategoryShape(
        weight=5,
        low=100,
        high=500,
        mode=200,
        days=(30, 365),
        one_day_share=0.0,
        titles=("State society board member", "Education committee", "Annual convention delegate"),
    ),
    "employment-verification": CategoryShape(
        weight=10,
        low=300,
        high=1000,
        mode=600,
        days=(90, 365),
        one_day_share=0.0,
        titles=("Employment as a medical assistant", "Employment in the clinical laboratory"),
    ),
}
PROVIDERS = (
    "AMT",
    "AMT state society",
    "Employer in-service",
    "Community college",
    "CE webinar provider",
    "Hospital education department",
    "",
)

_MEMBER = [
    "id",
    "program_id",
    "member_number",
    "user_id",
    "first_name",
    "last_name",
    "date_of_birth",
    "email",
    "address_line1",
    "address_line2",
    "city",
    "region",
    "postal_code",
    "country",
    "created_at",
]
_CERTIFICATION = [
    "id",
    "member_id",
    "credential_id",
    "certified_on",
    "status",
    "status_reason",
    "status_changed_on",
]
_CYCLE = ["id", "certification_id", "start", "end", "status"]
_ACTIVITY = [
    "id",
    "member_id",
    "category_id",
    "title",
    "provider",
    "start_date",
    "end_date",
    "points",
    "units",
    "notes",
    "attestation_text",
    "attested_at",
    "attested_from",
    "created_at",
    "updated_at",
]
_CLAIM = ["id", "activity_id", "cycle_id"]


@dataclass
class Rows:
    """One batch of rows for each table, as tuples in the column order above."""

    members: list[Row] = field(default_factory=list)
    certifications: list[Row] = field(default_factory=list)
    cycles: list[Row] = field(default_factory=list)
    activities: list[Row] = field(default_factory=list)
    claims: list[Row] = field(default_factory=list)


@dataclass
class Ids:
    """The next primary key of each table; ids are assigned here, never read back."""

    member: int
    certification: int
    cycle: int
    activity: int
    claim: int


@dataclass(frozen=True)
class WindowRule:
    """What the rule set in force on a cycle's start says about it."""

    years: int
    grace_days: int


@dataclass(frozen=True)
class Context:
    """Everything generation needs from the database, read once."""

    program_id: int
    today: date
    ce_required_from: Callable[[date], date]
    """The first certification day that must earn CE, under the rules in force that day."""
    credential_ids: dict[str, int]
    points_required: dict[str, int | None]
    """Per credential, in cents; ``None`` when the program has not set it (PCT)."""
    category_ids: dict[str, int]
    category_caps: dict[str, int | None]
    claimable_until: dict[str, date | None]
    attestation_text: str
    window_rule: Callable[[date], WindowRule]


def load_context(program: Program, today: date) -> Context:
    from keepcert.program.selectors import ProgramRules

    program_rules = ProgramRules(program)
    latest = program_rules.latest()
    credential_rules = {r.credential.code: r for r in latest.credential_rules.all()}
    category_rules = {r.category.code: r for r in latest.category_rules.all()}
    missing = set(CATEGORY_SHAPES) - set(category_rules)
    if missing:
        raise SystemExit(f"The program has no categories {sorted(missing)}: update populate.py.")

    def cents(value: Any) -> int | None:
        return None if value is None else int(value * 100)

    def window_rule(day: date) -> WindowRule:
        rule_set = program_rules.on(day)
        return WindowRule(rule_set.cycle_years, rule_set.recording_grace_days)

    return Context(
        program_id=program.pk,
        today=today,
        ce_required_from=lambda day: program_rules.on(day).ce_required_from,
        credential_ids={code: r.credential_id for code, r in credential_rules.items()},
        points_required={code: cents(r.points_required) for code, r in credential_rules.items()},
        category_ids={code: r.category_id for code, r in category_rules.items()},
        category_caps={code: cents(r.max_points_per_cycle) for code, r in category_rules.items()},
        claimable_until={code: r.claimable_until for code, r in category_rules.items()},
        attestation_text=latest.attestation_text,
        window_rule=window_rule,
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


@dataclass(slots=True)
class _Cycle:
    id: int
    certification_id: int
    credential: str
    window: Window
    start: int
    end: int
    deadline: int
    """The last day entries could be recorded against it (end plus the grace period)."""
    history: bool
    short: bool = False
    """The member fell short here and the certification lapsed."""
    activities: list[_Activity] = field(default_factory=list)

    def contains(self, start: int, end: int) -> bool:
        return self.start <= start and end <= self.end


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


class MemberGenerator:
    """Turns (seed, member index) into rows. Every draw for a member comes from its own RNG.

    Days are handled as ordinals and turned into ``date`` objects only for the rows,
    through caches: at a million members the generator makes tens of millions of them.
    """

    def __init__(self, context: Context, seed: int, history_cycles: int) -> None:
        from keepcert import rules
        from keepcert.rules.text import format_date

        self.context = context
        self.seed = seed
        self.history_cycles = history_cycles
        self.first_cycle = rules.first_cycle
        self.next_cycle = rules.next_cycle
        self.requires_ce = rules.requires_ce
        self.format_date = format_date
        self.today = context.today.toordinal()
        self.credentials = Weighted(
            {c: w for c, w in CREDENTIAL_WEIGHTS.items() if c in context.credential_ids}
        )
        self.certification_counts = Weighted({1: 60, 2: 30, 3: 10})
        self.categories = Weighted({code: s.weight for code, s in CATEGORY_SHAPES.items()})
        self.fallback_category = "professional-education"
        self.claimable_until = {
            code: None if day is None else day.toordinal()
            for code, day in context.claimable_until.items()
        }
        self.addresses = tuple(f"10.0.{n // 250}.{n % 250 + 1}" for n in range(1000))
        self.days = _Days()
        self.stamps = _Stamps()
        self.first_of_year = {year: date(year, 1, 1).toordinal() for year in range(1995, 2026)}

    def member(self, index: int, ids: Ids, rows: Rows) -> None:
        dice = Dice(self.seed * 1_000_003 + index)
        days = self.days
        member_id = ids.member
        ids.member += 1
        first, last = dice.pick(FIRST_NAMES), dice.pick(LAST_NAMES)
        number = f"{POPULATION_PREFIX}{index + 1:0{_NUMBER_WIDTH}d}"
        city, region, postal = dice.pick(PLACES)

        wanted = min(dice.weighted(self.certification_counts), len(self.credentials.items))
        codes: list[str] = []
        while len(codes) < wanted:
            code = dice.weighted(self.credentials)
            if code not in codes:
                codes.append(code)
        certified = sorted(self._certification_day(dice) for _ in codes)
        rows.members.append(
            (
                member_id,
                self.context.program_id,
                number,
                None,
                first,
                last,
                days[certified[0] - dice.between(19 * 365, 45 * 365)],
                f"{first}.{last}.{number}@example.org".lower(),
                f"{dice.between(1, 9999)} {dice.pick(STREETS)}",
                "",
                city,
                region,
                postal,
                "US",
                self.stamps[certified[0] * 24 + 12],
            )
        )

        engagement = dice.pick((6, 10, 14, 20, 28))  # activities in a full cycle, on average
        report_once = dice.chance(0.6)
        cycles: list[_Cycle] = []
        for code, certified_ordinal in zip(codes, certified, strict=True):
            certification_id = ids.certification
            ids.certification += 1
            certified_on = days[certified_ordinal]
            required_from = self.context.ce_required_from(certified_on)
            if not self.requires_ce(certified_on, required_from):
                # The wording create_certification gives an exempt certification.
                reason = (
                    f"Certified before {self.format_date(required_from)}: "
                    "CE is voluntary (grandfathered)."
                )
                status, changed = "exempt", certified_on
            else:
                status, reason, changed = "active", "Certified.", certified_on
                lapsed_on = self._cycles(
                    dice, code, certification_id, certified_on, engagement, ids, cycles
                )
                if lapsed_on is not None:
                    status, reason, changed = (
                        "lapsed",
                        "The CE requirement was not met by the end of the cycle.",
                        days[lapsed_on],
                    )
            rows.certifications.append(
                (
                    certification_id,
                    member_id,
                    self.context.credential_ids[code],
                    certified_on,
                    status,
                    reason,
                    changed,
                )
            )

        claims: dict[int, list[_Activity]] = {c.id: list(c.activities) for c in cycles}
        if report_once and len({c.certification_id for c in cycles}) > 1:
            self._report_once(cycles, claims)
        attestation = self.context.attestation_text
        category_ids = self.context.category_ids
        stamps = self.stamps
        today = self.today
        add_activity = rows.activities.append
        add_claim = rows.claims.append
        for cycle in cycles:
            rows.cycles.append(
                (
                    cycle.id,
                    cycle.certification_id,
                    cycle.window.start,
                    cycle.window.end,
                    self._status(cycle, claims[cycle.id]),
                )
            )
            for activity in cycle.activities:
                shape = CATEGORY_SHAPES[activity.category]
                attested = stamps[
                    activity.attested_on * 24
                    + (0 if activity.attested_on >= today else dice.between(13, 23))
                ]
                add_activity(
                    (
                        activity.id,
                        member_id,
                        category_ids[activity.category],
                        dice.pick(shape.titles),
                        dice.pick(PROVIDERS),
                        days[activity.start],
                        days[activity.end],
                        f"{activity.cents // 100}.{activity.cents % 100:02d}",
                        None,
                        "",
                        attestation,
                        attested,
                        dice.pick(self.addresses),
                        attested,
                        attested,
                    )
                )
            claim_id = ids.claim
            for activity in claims[cycle.id]:
                add_claim((claim_id, activity.id, cycle.id))
                claim_id += 1
            ids.claim = claim_id

    def _certification_day(self, dice: Dice) -> int:
        # More certifications in recent years, as the program grows.
        year = 1995 + min(30, int(31 * dice.random() ** 0.7))
        return min(self.first_of_year[year] + dice.between(0, 364), self.today)

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
        today = self.context.today
        rule = self.context.window_rule(certified_on)
        window = self.first_cycle(certified_on, rule.years)
        windows = [(window, rule.grace_days)]
        while window.end < today:
            rule = self.context.window_rule(window.end + _ONE_DAY)
            window = self.next_cycle(window, rule.years)
            windows.append((window, rule.grace_days))
        first_with_history = len(windows) - self.history_cycles
        required = self.context.points_required.get(code)
        for position, (window, grace) in enumerate(windows):
            end = window.end.toordinal()
            cycle = _Cycle(
                id=ids.cycle,
                certification_id=certification_id,
                credential=code,
                window=window,
                start=window.start.toordinal(),
                end=end,
                deadline=end + grace,
                history=position >= first_with_history,
            )
            ids.cycle += 1
            out.append(cycle)
            if not cycle.history:
                continue
            falls_short = end < self.today and required is not None and dice.chance(0.04)
            self._activities(dice, cycle, engagement, required, falls_short, ids)
            if falls_short and self._counted(cycle.activities) < (required or 0):
                cycle.short = True
                return cycle.deadline + 1
        return None

    def _activities(
        self,
        dice: Dice,
        cycle: _Cycle,
        engagement: int,
        required: int | None,
        falls_short: bool,
        ids: Ids,
    ) -> None:
        last_day = min(cycle.end, self.today)
        elapsed = (last_day - cycle.start + 1) / (cycle.end - cycle.start + 1)
        mean = engagement * elapsed * (0.3 if falls_short else 1.0)
        count = dice.count(_MAX_ACTIVITIES_PER_CYCLE, min(1.0, mean / _MAX_ACTIVITIES_PER_CYCLE))
        for _ in range(count):
            self._activity(dice, cycle, ids)
        if cycle.end < self.today and required is not None and not falls_short:
            # A member still certified met the past cycle: keep recording until they did.
            while (
                len(cycle.activities) < _MAX_ACTIVITIES_PER_CYCLE
                and self._counted(cycle.activities) < required
            ):
                self._activity(dice, cycle, ids)

    def _activity(self, dice: Dice, cycle: _Cycle, ids: Ids) -> None:
        # Conditional expressions rather than min()/max(): this runs tens of millions of times.
        category = dice.weighted(self.categories)
        today = self.today
        last_day = cycle.end if cycle.end < today else today
        until = self.claimable_until.get(category)
        if until is not None:
            if until < cycle.start:
                category = self.fallback_category
            elif until < last_day:
                last_day = until
        shape = CATEGORY_SHAPES[category]
        end = dice.between(cycle.start, last_day)
        start = end if dice.chance(shape.one_day_share) else end - dice.between(*shape.days)
        if start < cycle.start:
            start = cycle.start
        cents = int(dice.triangular(shape.low, shape.high, shape.mode))
        if dice.chance(0.5):  # many providers award whole or quarter points
            cents = round(cents / 25) * 25
            if cents < shape.low:
                cents = shape.low
        attested_on = end + dice.between(0, 21)
        if attested_on > today:
            attested_on = today
        if attested_on > cycle.deadline:
            attested_on = cycle.deadline
        cycle.activities.append(_Activity(ids.activity, category, start, end, cents, attested_on))
        ids.activity += 1

    def _counted(self, activities: Sequence[_Activity]) -> int:
        """Points (cents) that count: claimable by date and within each category's cap."""
        by_category: dict[str, int] = {}
        claimable_until = self.claimable_until
        for activity in activities:
            until = claimable_until.get(activity.category)
            if until is None or activity.end <= until:
                by_category[activity.category] = (
                    by_category.get(activity.category, 0) + activity.cents
                )
        total = 0
        for category, cents in by_category.items():
            cap = self.context.category_caps.get(category)
            total += cents if cap is None else min(cap, cents)
        return total

    @staticmethod
    def _report_once(cycles: list[_Cycle], claims: dict[int, list[_Activity]]) -> None:
        """Claim each activity against the member's other cycles that contain it too.

        Only cycles that were open for recording on the day it was entered qualify, and
        never a cycle that ended short (that would change why the certification lapsed).
        """
        for cycle in cycles:
            for other in cycles:
                if other.certification_id == cycle.certification_id or not other.history:
                    continue
                if other.short:
                    continue
                claims[other.id].extend(
                    activity
                    for activity in cycle.activities
                    if other.contains(activity.start, activity.end)
                    and activity.attested_on <= other.deadline
                )

    def _status(self, cycle: _Cycle, claimed: list[_Activity]) -> str:
        if cycle.end >= self.today:
            return "open"
        required = self.context.points_required.get(cycle.credential)
        if not cycle.history or required is None:
            return "compliant"  # a legacy record, or no requirement to fall short of
        return "compliant" if self._counted(claimed) >= required else "noncompliant"


class Writer:
    """Writes a batch of rows per transaction; subclasses choose COPY or bulk_create."""

    def __init__(self, first_ids: Ids) -> None:
        from keepcert.activities.models import Activity, ActivityClaim
        from keepcert.certifications.models import Certification, Cycle
        from keepcert.members.models import Member

        self.tables: list[tuple[str, type[Model], list[str]]] = [
            ("members", Member, _MEMBER),
            ("certifications", Certification, _CERTIFICATION),
            ("cycles", Cycle, _CYCLE),
            ("activities", Activity, _ACTIVITY),
            ("claims", ActivityClaim, _CLAIM),
        ]
        for _, model, columns in self.tables:
            _check_columns(model, columns)
        self.first_ids = first_ids

    def begin(self) -> None:
        """Prepare the transaction that is about to receive one batch."""

    def write(self, rows: Rows) -> None:
        from django.db import transaction

        with transaction.atomic():
            self.begin()
            for attribute, model, columns in self.tables:
                batch = getattr(rows, attribute)
                if batch:
                    self.write_table(model, columns, batch)

    def write_table(self, model: type[Model], columns: list[str], rows: list[Row]) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        """Bring the sequences past the ids used here and refresh the planner's statistics."""
        from django.core.management.color import no_style
        from django.db import connection

        models = [model for _, model, _ in self.tables]
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(statement)
            for model in models:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def _check_columns(model: type[Model], columns: list[str]) -> None:
    """Fail with a clear message when a model gained a column the generator does not fill.

    Another developer adding a field should see which script to update, not a NOT NULL
    error from the middle of a COPY.
    """
    known = {f.attname for f in model._meta.concrete_fields}
    if set(columns) != known:
        raise SystemExit(
            f"bench/populate.py is out of date with {model.__name__}: "
            f"missing {sorted(known - set(columns))}, unknown {sorted(set(columns) - known)}."
        )


class CopyWriter(Writer):
    """PostgreSQL: one ``COPY … FROM STDIN`` per table and batch.

    Row-by-row foreign-key triggers cost more than the COPY itself (10 s of 16 s for
    2,000 members), so when the role may, batches are loaded with
    ``session_replication_role = replica``, which skips them, and :meth:`finish` then
    checks every new row's references with one anti-join per foreign key instead.
    """

    def __init__(self, first_ids: Ids) -> None:
        from django.db import connection

        super().__init__(first_ids)
        with connection.cursor() as cursor:
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            row = cursor.fetchone()
        self.skip_triggers = bool(row and row[0])

    def begin(self) -> None:
        from django.db import connection

        if self.skip_triggers:
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = replica")

    def finish(self) -> None:
        super().finish()
        if self.skip_triggers:
            self.check_references()

    def check_references(self) -> None:
        """Fail if any row written here points at a row that does not exist."""
        from django.db import connection
        from django.db.models import ForeignKey

        quote = connection.ops.quote_name
        first = {
            "members": self.first_ids.member,
            "certifications": self.first_ids.certification,
            "cycles": self.first_ids.cycle,
            "activities": self.first_ids.activity,
            "claims": self.first_ids.claim,
        }
        dangling: list[str] = []
        with connection.cursor() as cursor:
            for attribute, model, _ in self.tables:
                for fk in model._meta.concrete_fields:
                    if not isinstance(fk, ForeignKey):
                        continue
                    target = fk.related_model._meta
                    cursor.execute(
                        f"SELECT count(*) FROM {quote(model._meta.db_table)} AS child "
                        f"WHERE child.id >= %s AND child.{quote(fk.column)} IS NOT NULL "
                        f"AND NOT EXISTS (SELECT 1 FROM {quote(target.db_table)} AS parent "
                        f"WHERE parent.{quote(fk.target_field.column)} = child.{quote(fk.column)})",
                        [first[attribute]],
                    )
                    (count,) = cursor.fetchone()
                    if count:
                        dangling.append(f"{model.__name__}.{fk.name}: {count:,}")
        if dangling:
            raise SystemExit(f"Rows with dangling references: {'; '.join(dangling)}.")

    def write_table(self, model: type[Model], columns: list[str], rows: list[Row]) -> None:
        from django.db import connection

        quote = connection.ops.quote_name
        names = ", ".join(quote(model._meta.get_field(c).column) for c in columns)
        sql = f"COPY {quote(model._meta.db_table)} ({names}) FROM STDIN"
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)


class BulkCreateWriter(Writer):
    """Any other database: ``bulk_create`` in the largest batches the backend allows."""

    def write_table(self, model: type[Model], columns: list[str], rows: list[Row]) -> None:
        from decimal import Decimal

        converters: dict[str, Callable[[Any], Any]] = {"points": Decimal}
        objects = [
            model(
                **{
                    column: converters[column](value) if column in converters else value
                    for column, value in zip(columns, row, strict=True)
                }
            )
            for row in rows
        ]
        model._default_manager.bulk_create(objects)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class PopulateReport:
    population_before: int
    population_after: int
    rows: dict[str, int]
    seconds: float
    phases: dict[str, float] = field(default_factory=dict)
    """Seconds spent setting up, generating rows in Python, writing them, and finishing."""

    def as_json(self) -> dict[str, Any]:
        return {
            "population_before": self.population_before,
            "population_after": self.population_after,
            "rows": self.rows,
            "seconds": round(self.seconds, 3),
            "phases": {name: round(seconds, 3) for name, seconds in self.phases.items()},
        }


def population_size() -> int:
    """How many population members (P…) the database holds: the highest number used."""
    from keepcert.members.models import Member

    highest = (
        Member.objects.filter(member_number__startswith=POPULATION_PREFIX)
        .order_by("-member_number")
        .values_list("member_number", flat=True)
        .first()
    )
    return int(highest[len(POPULATION_PREFIX) :]) if highest else 0


def _next_ids() -> Ids:
    from django.db.models import Max

    from keepcert.activities.models import Activity, ActivityClaim
    from keepcert.certifications.models import Certification, Cycle
    from keepcert.members.models import Member

    def after(model: type[Model]) -> int:
        top = model._default_manager.aggregate(top=Max("pk"))["top"]  # type: ignore[attr-defined]
        return int(top or 0) + 1

    return Ids(
        after(Member), after(Certification), after(Cycle), after(Activity), after(ActivityClaim)
    )


def _batches(start: int, stop: int, size: int) -> Iterator[range]:
    for first in range(start, stop, size):
        yield range(first, min(stop, first + size))


def populate(
    *,
    members: int,
    seed: int = 1,
    today: date | None = None,
    history_cycles: int = 3,
    batch_members: int = 5_000,
    log: Callable[[str], None] = print,
) -> PopulateReport:
    """Grow the population to ``members`` members; return what was written and how fast."""
    from django.db import connection

    started = time.perf_counter()
    program = ensure_schema()
    before = population_size()
    rows_written = dict.fromkeys(("members", "certifications", "cycles", "activities", "claims"), 0)
    if before >= members:
        log(f"The population already has {before:,} members (≥ {members:,}): nothing to add.")
        return PopulateReport(before, before, rows_written, time.perf_counter() - started)

    context = load_context(program, today or program.today())
    generator = MemberGenerator(context, seed, history_cycles)
    ids = _next_ids()
    first_ids = Ids(**vars(ids))
    writer: Writer = (
        CopyWriter(first_ids) if connection.vendor == "postgresql" else BulkCreateWriter(first_ids)
    )
    log(
        f"Adding members {before + 1:,}–{members:,} (seed {seed}, today {context.today}, "
        f"{type(writer).__name__}) …"
    )
    batches_per_report = max(1, round((members - before) / batch_members / 10))
    phases = {"setup": time.perf_counter() - started, "generate": 0.0, "write": 0.0}
    for indexes in _batches(before, members, batch_members):
        rows = Rows()
        mark = time.perf_counter()
        for index in indexes:
            generator.member(index, ids, rows)
        phases["generate"] += time.perf_counter() - mark
        mark = time.perf_counter()
        writer.write(rows)
        phases["write"] += time.perf_counter() - mark
        for name in rows_written:
            rows_written[name] += len(getattr(rows, name))
        done = (indexes.start - before) // batch_members + 1
        if done % batches_per_report == 0 or indexes.stop == members:
            elapsed = time.perf_counter() - started
            log(
                f"  {indexes.stop:>12,} members  {rows_written['activities']:>13,} activities"
                f"  {elapsed:8.1f} s"
            )
    mark = time.perf_counter()
    writer.finish()
    phases["finish"] = time.perf_counter() - mark
    return PopulateReport(before, members, rows_written, time.perf_counter() - started, phases)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--members", type=int, required=True, help="population size wanted")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--today",
        type=date.fromisoformat,
        default=None,
        help="generate as of this day (default: today in the program's time zone)",
    )
    parser.add_argument(
        "--history-cycles",
        type=int,
        default=3,
        help="cycles per certification, newest first, that have activities (default 3)",
    )
    parser.add_argument("--batch", type=int, default=5_000, help="members per transaction")
    args = parser.parse_args(argv)
    if args.members < 0 or args.history_cycles < 1 or args.batch < 1:
        parser.error("--members must be ≥ 0, --history-cycles and --batch ≥ 1")

    url = setup_django(default_database_url=sqlite_url(DEFAULT_SQLITE))
    from support import database_label

    print(f"Database: {database_label()} ({url.split('@')[-1]})")
    report = populate(
        members=args.members,
        seed=args.seed,
        today=args.today,
        history_cycles=args.history_cycles,
        batch_members=args.batch,
    )
    print("Rows created:")
    for name, count in report.rows.items():
        print(f"  {name:<15}{count:>14,}")
    total = sum(report.rows.values())
    rate = total / report.seconds if report.seconds else 0.0
    print(f"Time taken: {report.seconds:.1f} s ({rate:,.0f} rows/s)")
    if report.phases:
        print(
            "  " + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in report.phases.items())
        )


if __name__ == "__main__":
    sys.exit(main())
