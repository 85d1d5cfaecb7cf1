"""Counting CE claims against a cycle: what counts, how much, and a sentence saying why.

The dashboard, the transcript, the daily compliance sweep and the audit all read the same
:class:`Progress`, so a member, a staff reviewer and a notice never disagree about a total.

The daily sweep runs :func:`evaluate` over every member's cycle and reads only the totals,
so the work per claim is kept to what the numbers need: claims are filled through their
slots (see :mod:`keepcert.rules._slots`), the per-claim and per-category objects of a
:class:`Progress` are made when first read, and a claim's sentence when it is read.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from operator import attrgetter

from keepcert.rules._slots import slot_setters
from keepcert.rules.cycles import Window
from keepcert.rules.text import format_date, format_points, points_phrase

__all__ = [
    "CategoryProgress",
    "CategoryRule",
    "Claim",
    "ClaimResult",
    "Outcome",
    "Progress",
    "Requirement",
    "evaluate",
]

_ZERO = Decimal(0)
_HUNDREDTH = Decimal("0.01")
_HUNDRED = Decimal(100)


def _has_at_most_two_places(value: Decimal) -> bool:
    """Whether ``value`` is a whole number of hundredths ("1.500" is; "1.005" is not).

    Read from the digits rather than by arithmetic so the answer never depends on the
    caller's decimal context.
    """
    if value.same_quantum(_HUNDREDTH):
        # Exponent -2, as every stored point is: a cheap answer that skips building
        # ``as_tuple()``'s digit tuple, the costliest step of making a Claim.
        return True
    _, digits, exponent = value.as_tuple()
    if not isinstance(exponent, int):  # NaN or infinity
        return False
    surplus = -2 - exponent
    return surplus <= 0 or all(digit == 0 for digit in digits[-surplus:])


@dataclass(frozen=True, slots=True)
class CategoryRule:
    """One activity category as the program defines it for counting."""

    code: str
    name: str
    max_points: Decimal | None = None
    """Most points the category may count in one cycle; ``None`` means no cap."""
    claimable_until: date | None = None
    """Activities must end on or before this day to count (a rule retired on a date)."""

    def __post_init__(self) -> None:
        if self.max_points is not None and not (
            self.max_points.is_finite() and self.max_points >= 0
        ):
            raise ValueError(f"Category {self.code!r} has an invalid cap: {self.max_points}.")


@dataclass(frozen=True, slots=True)
class Requirement:
    """What a credential asks for in one cycle: the points and the categories that count."""

    required: Decimal
    categories: tuple[CategoryRule, ...]
    """In the order the program displays them; progress keeps that order."""
    _by_code: dict[str, CategoryRule] = field(init=False, repr=False, compare=False)
    """The categories by code, built once rather than in every evaluation."""

    def __post_init__(self) -> None:
        if not (self.required.is_finite() and self.required >= 0):
            raise ValueError(f"Required points must be zero or more, not {self.required}.")
        by_code = {rule.code: rule for rule in self.categories}
        if len(by_code) != len(self.categories):
            # A claim names its category by code; two rules with one code would make its
            # cap and deadline ambiguous.
            codes = [rule.code for rule in self.categories]
            raise ValueError(f"Category codes must be unique: {codes}.")
        object.__setattr__(self, "_by_code", by_code)

    def category(self, code: str) -> CategoryRule | None:
        """The category with this code, or ``None`` when the program has no such category."""
        return self._by_code.get(code)


@dataclass(frozen=True, slots=True, init=False)
class Claim:
    """One activity a member entered, as the rules need to see it.

    Rejecting impossible claims here (instead of counting them as nothing) keeps a data
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

    def __init__(
        self, id: str, category: str, title: str, start: date, end: date, points: Decimal
    ) -> None:
        set_id, set_category, set_title, set_start, set_end, set_points = _CLAIM_SETTERS
        set_id(self, id)
        set_category(self, category)
        set_title(self, title)
        set_start(self, start)
        set_end(self, end)
        set_points(self, points)
        if start > end:
            raise ValueError(f"Claim {id!r} ends ({end}) before it starts ({start}).")
        if not (points.is_finite() and points > _ZERO):
            raise ValueError(f"Claim {id!r} must have more than 0 points, not {points}.")
        if not _has_at_most_two_places(points):
            raise ValueError(f"Claim {id!r} has more than two decimal places: {points}.")


_CLAIM_SETTERS = slot_setters(Claim)


class Outcome(StrEnum):
    """How a claim was counted; stable codes for the API, exports and translations."""

    COUNTED = "counted"
    PARTLY_CAPPED = "partly_capped"
    CAPPED = "capped"
    NOT_CLAIMABLE = "not_claimable"
    OUTSIDE_CYCLE = "outside_cycle"
    FUTURE = "future"
    UNKNOWN_CATEGORY = "unknown_category"


@dataclass(frozen=True, slots=True, init=False, eq=False, repr=False)
class ClaimResult:
    """How one claim counted, with the sentence shown to the member beside it.

    The sentence is written when :attr:`explanation` is read, from the outcome and the
    category rule and cycle it was decided against: a sweep over every member reads only
    the numbers, and writing a sentence for each claim was a fifth of ``evaluate``.
    Results compare and hash by claim, points counted, outcome and sentence.
    """

    claim: Claim
    counted: Decimal
    outcome: Outcome
    _rule: CategoryRule | None
    """The claim's category; ``None`` only for ``UNKNOWN_CATEGORY``."""
    _window: Window
    """The cycle evaluated."""

    def __init__(
        self,
        claim: Claim,
        counted: Decimal,
        outcome: Outcome,
        rule: CategoryRule | None,
        window: Window,
    ) -> None:
        set_claim, set_counted, set_outcome, set_rule, set_window = _RESULT_SETTERS
        set_claim(self, claim)
        set_counted(self, counted)
        set_outcome(self, outcome)
        set_rule(self, rule)
        set_window(self, window)

    @property
    def explanation(self) -> str:
        """The sentence shown beside the claim, saying why it counted what it did."""
        claim, outcome = self.claim, self.outcome
        if outcome is Outcome.UNKNOWN_CATEGORY:
            return "Not counted: this category is not part of the program."
        if outcome is Outcome.OUTSIDE_CYCLE:
            window = self._window
            return (
                "Not counted: the dates are outside this cycle "
                f"({format_date(window.start)} \N{EN DASH} {format_date(window.end)})."
            )
        if outcome is Outcome.FUTURE:
            return "Not counted yet: the activity ends after today."
        if outcome is Outcome.COUNTED:
            return f"Counted in full: {points_phrase(claim.points)}."
        rule = self._rule
        assert rule is not None  # every other outcome came from the claim's category rule
        if outcome is Outcome.NOT_CLAIMABLE:
            assert rule.claimable_until is not None
            return (
                f"Not counted: {rule.name} can only be claimed for activity up to "
                f"{format_date(rule.claimable_until)}."
            )
        assert rule.max_points is not None  # only a capped category caps a claim
        cap_text = f"{rule.name} counts at most {points_phrase(rule.max_points)} a cycle"
        if outcome is Outcome.PARTLY_CAPPED:
            return (
                f"{format_points(self.counted)} of {points_phrase(claim.points)} counted: "
                f"{cap_text}."
            )
        if rule.max_points == 0:
            # No earlier activity is to blame when the category counts nothing at all.
            return f"Not counted: {rule.name} counts no points in a cycle."
        return f"Not counted: {cap_text}, and earlier activities already reached that."

    def _key(self) -> tuple[Claim, Decimal, Outcome, str]:
        return (self.claim, self.counted, self.outcome, self.explanation)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, ClaimResult)
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (
            f"ClaimResult(claim={self.claim!r}, counted={self.counted!r}, "
            f"outcome={self.outcome!r}, explanation={self.explanation!r})"
        )


_RESULT_SETTERS = slot_setters(ClaimResult)


@dataclass(frozen=True, slots=True)
class CategoryProgress:
    """One category's share of a cycle."""

    code: str
    name: str
    claimed: Decimal
    """Points of this category's claims whose dates lie inside the cycle."""
    counted: Decimal
    cap: Decimal | None

    @property
    def cap_reached(self) -> bool:
        """Whether more activities in this category would count nothing this cycle."""
        return self.cap is not None and self.counted >= self.cap


class _Tally:
    """One category's running totals while :func:`evaluate` walks the claims."""

    __slots__ = ("claimed", "counted", "rule")

    def __init__(self, rule: CategoryRule) -> None:
        self.rule = rule
        self.claimed = _ZERO
        self.counted = _ZERO


type _Counting = tuple[Claim, Decimal, Outcome, CategoryRule | None]
"""How :func:`evaluate` counted one claim: the claim, its points counted, the outcome and
the category rule it was judged by (``None`` for an unknown category)."""


@dataclass(frozen=True, slots=True, init=False, eq=False, repr=False)
class Progress:
    """Where a member stands in one cycle, down to each claim.

    Made by :func:`evaluate`, which works out every figure but leaves the objects of
    :attr:`categories` and :attr:`claims` to be made when first read: the daily sweep reads
    only the totals of every member's cycle, and making an object for each of its claims
    and categories was about a third of the sweep's time in the rules core. Progresses
    compare and hash by all their public attributes.
    """

    window: Window
    required: Decimal
    claimed: Decimal
    """Every point entered against the cycle, whether it counted or not."""
    counted: Decimal
    remaining: Decimal
    percent: int
    compliant: bool
    _tallies: tuple[_Tally, ...]
    """Each category's totals, in the order the program displays them."""
    _counting: tuple[_Counting, ...]
    """Each claim as counted, in canonical order."""
    _categories: tuple[CategoryProgress, ...] | None
    """``categories`` once read."""
    _claims: tuple[ClaimResult, ...] | None
    """``claims`` once read."""

    def __init__(
        self,
        window: Window,
        required: Decimal,
        claimed: Decimal,
        counted: Decimal,
        remaining: Decimal,
        percent: int,
        compliant: bool,
        tallies: tuple[_Tally, ...],
        counting: tuple[_Counting, ...],
    ) -> None:
        (
            set_window,
            set_required,
            set_claimed,
            set_counted,
            set_remaining,
            set_percent,
            set_compliant,
            set_tallies,
            set_counting,
            set_categories,
            set_claims,
        ) = _PROGRESS_SETTERS
        set_window(self, window)
        set_required(self, required)
        set_claimed(self, claimed)
        set_counted(self, counted)
        set_remaining(self, remaining)
        set_percent(self, percent)
        set_compliant(self, compliant)
        set_tallies(self, tallies)
        set_counting(self, counting)
        set_categories(self, None)
        set_claims(self, None)

    @property
    def categories(self) -> tuple[CategoryProgress, ...]:
        """Each category's share of the cycle, in the order the program displays them."""
        categories = self._categories
        if categories is None:
            categories = tuple(
                CategoryProgress(
                    code=tally.rule.code,
                    name=tally.rule.name,
                    claimed=tally.claimed,
                    counted=tally.counted,
                    cap=tally.rule.max_points,
                )
                for tally in self._tallies
            )
            object.__setattr__(self, "_categories", categories)
        return categories

    @property
    def claims(self) -> tuple[ClaimResult, ...]:
        """How each claim counted, in canonical order: by end, then start, then id."""
        claims = self._claims
        if claims is None:
            window = self.window
            claims = tuple(
                ClaimResult(claim, counted, outcome, rule, window)
                for claim, counted, outcome, rule in self._counting
            )
            object.__setattr__(self, "_claims", claims)
        return claims

    def result_for(self, claim_id: str) -> ClaimResult:
        """The result for one claim; ``KeyError`` if it was not part of the evaluation."""
        for result in self.claims:
            if result.claim.id == claim_id:
                return result
        raise KeyError(claim_id)

    def _key(self) -> tuple[object, ...]:
        return (
            self.window,
            self.required,
            self.claimed,
            self.counted,
            self.remaining,
            self.percent,
            self.compliant,
            self.categories,
            self.claims,
        )

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, Progress)
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (
            f"Progress(window={self.window!r}, required={self.required!r}, "
            f"claimed={self.claimed!r}, counted={self.counted!r}, "
            f"remaining={self.remaining!r}, percent={self.percent!r}, "
            f"compliant={self.compliant!r}, categories={self.categories!r}, "
            f"claims={self.claims!r})"
        )


_PROGRESS_SETTERS = slot_setters(Progress)


# Earliest finished first: a cap is filled by what the member completed first, and the
# result never depends on the order the database happened to return rows in.
_canonical_key = attrgetter("end", "start", "id")


def _percent(counted: Decimal, required: Decimal) -> int:
    if required == 0:
        return 100
    # Integer division of exact decimals floors without a rounded intermediate, so 29.99
    # of 30 shows 99%, never a premature 100%.
    return max(0, min(100, int((counted * _HUNDRED) // required)))


def _ineligible(claim: Claim, rule: CategoryRule, window: Window, today: date) -> Outcome | None:
    """Why a claim counts nothing whatever the caps, or ``None`` if it may count.

    The checks run in order of what a member should fix first: wrong dates before a date
    that has not come yet, before a category retired on a date.
    """
    if not window.contains_span(claim.start, claim.end):
        return Outcome.OUTSIDE_CYCLE
    if claim.end > today:
        return Outcome.FUTURE
    if rule.claimable_until is not None and claim.end > rule.claimable_until:
        return Outcome.NOT_CLAIMABLE
    return None


def _apply_cap(
    points: Decimal, cap: Decimal | None, already_counted: Decimal
) -> tuple[Decimal, Outcome]:
    """Count an eligible claim against what is left of its category's cap."""
    if cap is None or already_counted + points <= cap:
        return points, Outcome.COUNTED
    left = cap - already_counted  # never negative: nothing counts past the cap
    if left > 0:
        return left, Outcome.PARTLY_CAPPED
    return _ZERO, Outcome.CAPPED


def evaluate(
    requirement: Requirement, window: Window, claims: Iterable[Claim], today: date
) -> Progress:
    """Count ``claims`` against one cycle as of ``today``.

    A claim counts nothing when its category is unknown, its dates leave the cycle, it ends
    after today, or it ends after its category's ``claimable_until``. Eligible claims of a
    capped category fill the cap earliest-finished first; the one that crosses the cap
    counts what is left. Nothing here rounds: points are exact two-place decimals.
    """
    ordered = sorted(claims, key=_canonical_key)
    if len({claim.id for claim in ordered}) != len(ordered):
        raise ValueError("Claim ids must be unique within one evaluation.")

    # In the program's display order, which the categories of the progress keep.
    tallies = {code: _Tally(rule) for code, rule in requirement._by_code.items()}
    counting: list[_Counting] = []
    for claim in ordered:
        tally = tallies.get(claim.category)
        if tally is None:
            counting.append((claim, _ZERO, Outcome.UNKNOWN_CATEGORY, None))
            continue
        rule = tally.rule
        outcome = _ineligible(claim, rule, window, today)
        if outcome is not Outcome.OUTSIDE_CYCLE:
            tally.claimed += claim.points  # claimed, whether or not it counts
        if outcome is None:
            counted, outcome = _apply_cap(claim.points, rule.max_points, tally.counted)
            tally.counted += counted
        else:
            counted = _ZERO
        counting.append((claim, counted, outcome, rule))

    claimed = sum([claim.points for claim in ordered], _ZERO)
    counted_total = sum([tally.counted for tally in tallies.values()], _ZERO)
    return Progress(
        window=window,
        required=requirement.required,
        claimed=claimed,
        counted=counted_total,
        remaining=max(_ZERO, requirement.required - counted_total),
        percent=_percent(counted_total, requirement.required),
        compliant=counted_total >= requirement.required,
        tallies=tuple(tallies.values()),
        counting=tuple(counting),
    )
