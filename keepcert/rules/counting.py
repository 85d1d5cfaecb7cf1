"""Counting CE entries against a cycle: what counts, how much, and a sentence saying why.

The dashboard, the transcript, the daily compliance sweep and the audit all read the same
:class:`Progress`, so a member, a staff reviewer and a notice never disagree about a total.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import NamedTuple

from keepcert.rules.cycles import Window
from keepcert.rules.text import explain

__all__ = [
    "CategoryProgress",
    "Compliance",
    "CountingRule",
    "Entry",
    "EntryResult",
    "Outcome",
    "Progress",
    "Requirement",
    "compliance",
    "evaluate",
    "is_claimable",
]

_ZERO = Decimal(0)
_HUNDREDTH = Decimal("0.01")


def _has_at_most_two_places(value: Decimal) -> bool:
    """Whether ``value`` is a whole number of hundredths ("1.500" is; "1.005" is not).

    Read from the digits rather than by arithmetic so the answer never depends on the
    caller's decimal context.
    """
    if value.same_quantum(_HUNDREDTH):
        # Exponent -2, as every stored point is: a cheap answer that skips building
        # ``as_tuple()``'s digit tuple, the costliest step of making an Entry.
        return True
    _, digits, exponent = value.as_tuple()
    if not isinstance(exponent, int):  # NaN or infinity
        return False
    surplus = -2 - exponent
    return surplus <= 0 or all(digit == 0 for digit in digits[-surplus:])


@dataclass(frozen=True, slots=True)
class CountingRule:
    """One activity category as the program defines it for counting."""

    code: str
    name: str
    max_points: Decimal | None = None
    """Most points the category may count in one cycle; ``None`` means no cap."""
    claimable_until: date | None = None
    """Activities must end on or before this day to count (a rule retired on a date), as
    the rules the cycle is judged by set it."""
    later_limits: tuple[tuple[date, date | None], ...] = ()
    """``claimable_until`` as later versions of the rules set it: (the day a version took
    effect, its limit), earliest first. The limit is a rule dated by activity (SPEC §2): an
    entry is judged by the version in force on the day it ends, not when the cycle began."""

    def __post_init__(self) -> None:
        if self.max_points is not None and not (
            self.max_points.is_finite() and self.max_points >= 0
        ):
            raise ValueError(f"Category {self.code!r} has an invalid cap: {self.max_points}.")

    def claimable_until_for(self, end: date) -> date | None:
        """The ``claimable_until`` that judges activity ending on ``end``."""
        limit = self.claimable_until
        for effective_from, later in self.later_limits:
            if effective_from <= end:
                limit = later
        return limit


@dataclass(frozen=True, slots=True)
class Requirement:
    """What a credential asks for in one cycle: the points and the categories that count."""

    required: Decimal
    categories: tuple[CountingRule, ...]
    """In the order the program displays them; progress keeps that order."""
    _by_code: dict[str, CountingRule] = field(init=False, repr=False, compare=False)
    """The categories by code, derived once from ``categories`` for :meth:`category`."""

    def __post_init__(self) -> None:
        if not (self.required.is_finite() and self.required >= 0):
            raise ValueError(f"Required points must be zero or more, not {self.required}.")
        by_code = {rule.code: rule for rule in self.categories}
        if len(by_code) != len(self.categories):
            # An entry names its category by code; two rules with one code would make its
            # cap and deadline ambiguous.
            codes = [rule.code for rule in self.categories]
            raise ValueError(f"Category codes must be unique: {codes}.")
        # A frozen dataclass fills a derived field this way; it is set here and never again.
        object.__setattr__(self, "_by_code", by_code)

    def category(self, code: str) -> CountingRule | None:
        """The category with this code, or ``None`` when the program has no such category."""
        return self._by_code.get(code)


@dataclass(frozen=True, slots=True)
class Entry:
    """One activity a member entered, as the rules need to see it.

    Rejecting impossible entries here (instead of counting them as nothing) keeps a data
    error from being shown to a member as a rule they broke; the same limits are database
    constraints, so a stored activity always passes.
    """

    id: str
    """Opaque and unique within one evaluation; also the last tie-break of the order."""
    category: str
    title: str
    start: date
    end: date
    points: Decimal

    def __post_init__(self) -> None:
        if self.start > self.end:
            raise ValueError(
                f"Entry {self.id!r} ends ({self.end}) before it starts ({self.start})."
            )
        if not (self.points.is_finite() and self.points > 0):
            raise ValueError(f"Entry {self.id!r} must have more than 0 points, not {self.points}.")
        if not _has_at_most_two_places(self.points):
            raise ValueError(f"Entry {self.id!r} has more than two decimal places: {self.points}.")


class Outcome(StrEnum):
    """How an entry was counted; stable codes for the API, exports and translations."""

    COUNTED = "counted"
    PARTLY_CAPPED = "partly_capped"
    CAPPED = "capped"
    NOT_CLAIMABLE = "not_claimable"
    OUTSIDE_CYCLE = "outside_cycle"
    FUTURE = "future"
    UNKNOWN_CATEGORY = "unknown_category"


@dataclass(frozen=True, slots=True)
class EntryResult:
    """How one entry counted, with the sentence shown to the member beside it."""

    entry: Entry
    counted: Decimal
    outcome: Outcome
    rule: CountingRule | None
    """The entry's category as the requirement defines it; ``None`` if it has none."""
    window: Window

    @property
    def explanation(self) -> str:
        """Why the entry counted what it did, written by :func:`keepcert.rules.text.explain`.

        Written when read, not when counted: a page shows a few of a cycle's entries, and
        every one of them must be counted to know what the others count.
        """
        return _explanation(self.entry, self.counted, self.outcome, self.rule, self.window)


@dataclass(frozen=True, slots=True)
class CategoryProgress:
    """One category's share of a cycle."""

    code: str
    name: str
    entered: Decimal
    """Points of this category's entries whose dates lie inside the cycle."""
    counted: Decimal
    cap: Decimal | None

    @property
    def cap_reached(self) -> bool:
        """Whether more activities in this category would count nothing this cycle."""
        return self.cap is not None and self.counted >= self.cap


@dataclass(frozen=True, slots=True)
class Progress:
    """Where a member stands in one cycle, down to each entry."""

    window: Window
    required: Decimal
    entered: Decimal
    """Every point entered against the cycle, whether it counted or not, unknown categories
    and dates outside the cycle included: not the sum of the categories' ``entered``."""
    counted: Decimal
    remaining: Decimal
    percent: int
    compliant: bool
    categories: tuple[CategoryProgress, ...]
    """In the order the program displays them."""
    entries: tuple[EntryResult, ...]
    """In canonical order: by end, then start, then id."""

    @property
    def has_caps(self) -> bool:
        """Whether any category has a maximum in this cycle."""
        return any(c.cap is not None for c in self.categories)

    def result_for(self, entry_id: str) -> EntryResult:
        """The result for one entry; ``KeyError`` if it was not part of the evaluation."""
        for result in self.entries:
            if result.entry.id == entry_id:
                return result
        raise KeyError(entry_id)


def _canonical_key(entry: Entry) -> tuple[date, date, str]:
    # Earliest finished first: a cap is filled by what the member completed first, and the
    # result never depends on the order the database happened to return rows in.
    return (entry.end, entry.start, entry.id)


class Compliance(NamedTuple):
    """What a number of counted points means against the points required."""

    remaining: Decimal
    """Points still to count; never negative, so extra points are not "remaining"."""
    percent: int
    """Counted as a whole percentage of required, floored and clamped to 0–100."""
    compliant: bool


def compliance(required: Decimal, counted: Decimal) -> Compliance:
    """Remaining, percent and compliant from the two totals alone.

    The one place these are decided: :func:`evaluate` asks here for a cycle it explains
    claim by claim, and a caller that summed the counted points elsewhere (the daily
    sweep sums them in SQL) asks here too, so the two never disagree.
    """
    if counted >= required:
        return Compliance(_ZERO, 100, True)
    # Integer division of exact decimals floors without a rounded intermediate, so 29.99
    # of 30 shows 99%, never a premature 100%.
    percent = max(0, int((counted * 100) // required))
    return Compliance(required - counted, percent, False)


def is_claimable(end: date, *, until: date | None) -> bool:
    """Whether activity ending on `end` may count in a category whose `claimable_until`
    is `until` (``None``: no such limit). The one place this is decided: counting, and the
    service that refuses such an entry, both ask here."""
    return until is None or end <= until


def _ineligible(entry: Entry, rule: CountingRule, window: Window, today: date) -> Outcome | None:
    """Why an entry counts nothing whatever the caps, or ``None`` if it may count.

    The checks run in order of what a member should fix first: wrong dates before a date
    that has not come yet, before a category retired on a date.
    """
    if not window.contains_span(entry.start, entry.end):
        return Outcome.OUTSIDE_CYCLE
    if entry.end > today:
        return Outcome.FUTURE
    if not is_claimable(entry.end, until=rule.claimable_until_for(entry.end)):
        return Outcome.NOT_CLAIMABLE
    return None


def _apply_cap(
    points: Decimal, cap: Decimal | None, already_counted: Decimal
) -> tuple[Decimal, Outcome]:
    """Count an eligible entry against what is left of its category's cap."""
    if cap is None or already_counted + points <= cap:
        return points, Outcome.COUNTED
    left = cap - already_counted  # never negative: nothing counts past the cap
    if left > 0:
        return left, Outcome.PARTLY_CAPPED
    return _ZERO, Outcome.CAPPED


def _explanation(
    entry: Entry, counted: Decimal, outcome: Outcome, rule: CountingRule | None, window: Window
) -> str:
    """The sentence for an entry's outcome, quoting the rule or cycle that decided it."""
    if outcome is Outcome.COUNTED:
        return explain("entry.counted", points=entry.points)
    if outcome is Outcome.OUTSIDE_CYCLE:
        return explain("entry.outside_cycle", start=window.start, end=window.end)
    if outcome is Outcome.FUTURE:
        return explain("entry.future")
    if outcome is Outcome.UNKNOWN_CATEGORY:
        return explain("entry.unknown_category")
    assert rule is not None  # every other outcome came from the entry's category rule
    if outcome is Outcome.NOT_CLAIMABLE:
        until = rule.claimable_until_for(entry.end)
        assert until is not None
        limit = explain("category.claimable_until", category=rule.name, until=until)
        return explain("entry.not_claimable", limit=limit)
    assert rule.max_points is not None  # only a capped category caps an entry
    if outcome is Outcome.PARTLY_CAPPED:
        return explain(
            "entry.partly_capped",
            counted=counted,
            points=entry.points,
            category=rule.name,
            cap=rule.max_points,
        )
    if rule.max_points == 0:
        return explain("entry.capped_at_zero", category=rule.name)
    return explain("entry.capped", category=rule.name, cap=rule.max_points)


def evaluate(
    requirement: Requirement, window: Window, entries: Iterable[Entry], today: date
) -> Progress:
    """Count ``entries`` against one cycle as of ``today``.

    An entry counts nothing when its category is unknown, its dates leave the cycle, it ends
    after today, or it ends after its category's ``claimable_until``. Eligible entries of a
    capped category fill the cap earliest-finished first; the one that crosses the cap
    counts what is left. Nothing here rounds: points are exact two-place decimals.
    """
    ordered = sorted(entries, key=_canonical_key)
    ids = [entry.id for entry in ordered]
    if len(set(ids)) != len(ids):
        raise ValueError("Entry ids must be unique within one evaluation.")

    codes = [rule.code for rule in requirement.categories]
    entered_by_category = dict.fromkeys(codes, _ZERO)
    counted_by_category = dict.fromkeys(codes, _ZERO)
    results: list[EntryResult] = []
    for entry in ordered:
        rule = requirement.category(entry.category)
        if rule is None:
            counted, outcome = _ZERO, Outcome.UNKNOWN_CATEGORY
        else:
            ineligible = _ineligible(entry, rule, window, today)
            if ineligible is not Outcome.OUTSIDE_CYCLE:
                entered_by_category[rule.code] += entry.points  # whether or not it counts
            if ineligible is None:
                counted, outcome = _apply_cap(
                    entry.points, rule.max_points, counted_by_category[rule.code]
                )
                counted_by_category[rule.code] += counted
            else:
                counted, outcome = _ZERO, ineligible
        results.append(EntryResult(entry, counted, outcome, rule, window))

    counted_total = sum(counted_by_category.values(), _ZERO)
    totals = compliance(requirement.required, counted_total)
    return Progress(
        window=window,
        required=requirement.required,
        entered=sum((entry.points for entry in ordered), _ZERO),
        counted=counted_total,
        remaining=totals.remaining,
        percent=totals.percent,
        compliant=totals.compliant,
        categories=tuple(
            CategoryProgress(
                code=rule.code,
                name=rule.name,
                entered=entered_by_category[rule.code],
                counted=counted_by_category[rule.code],
                cap=rule.max_points,
            )
            for rule in requirement.categories
        ),
        entries=tuple(results),
    )
