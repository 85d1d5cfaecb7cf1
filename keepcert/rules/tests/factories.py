"""Small typed builders so each test states only the facts it is about."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

from keepcert.rules import CountingRule, Entry, Requirement, first_cycle

PROFESSIONAL = CountingRule("PE", "Professional Education")
FORMAL = CountingRule("FE", "Formal Education", max_points=Decimal(10))
AUTHORSHIP = CountingRule("AU", "Authorship of Written Works", max_points=Decimal(1))
EMPLOYMENT = CountingRule("EV", "Employment Verification", claimable_until=date(2020, 12, 31))

# The SPEC's example cycle: certified 2023-05-10.
CYCLE = first_cycle(date(2023, 5, 10))


def make_requirement(
    required: Decimal | int | str = 30,
    categories: tuple[CountingRule, ...] = (PROFESSIONAL, FORMAL, AUTHORSHIP, EMPLOYMENT),
) -> Requirement:
    return Requirement(Decimal(required), categories)


_ids = itertools.count(1)


def make_entry(
    points: Decimal | int | str = 1,
    *,
    category: str = "PE",
    start: date = date(2024, 1, 10),
    end: date | None = None,
    id: str | None = None,
    title: str = "Phlebotomy update",
) -> Entry:
    return Entry(
        id=f"entry-{next(_ids)}" if id is None else id,
        category=category,
        title=title,
        start=start,
        end=start if end is None else end,
        points=Decimal(points),
    )
