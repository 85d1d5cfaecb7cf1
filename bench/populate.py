"""Fill the database named by DATABASE_URL with a realistic member population.

    python bench/populate.py --members 100000 [--seed 1] [--today 2026-11-22]

``--members N`` is the size of the population, not an increment: population members are
numbered P00000001…, those already present are kept and only the missing ones are
added, so running the script twice does nothing the second time. Member *i* depends only
on the seed and *i* (and on "today"), so a population is reproducible from its seed.

Three modules beside this one do the work, and this one runs them in batches:

* ``population.py`` describes the population (names, credentials, habits, categories);
* ``generator.py`` draws members from it, taking every rule from the rule sets and the
  rules core, into the named row types of ``rows.py``;
* ``writers.py`` writes each batch in one transaction, with ``COPY`` on PostgreSQL (about
  ten times faster than ``bulk_create``) and ``bulk_create`` elsewhere; sequences are
  reset and the tables analysed at the end.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import astuple, dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from generator import MemberGenerator, load_context
from population import POPULATION_PREFIX
from rows import TABLES, Batch, Ids
from support import DEFAULT_SQLITE, ensure_schema, setup_django, sqlite_url
from writers import writer_for_connection

if TYPE_CHECKING:
    from django.db.models import Model


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
    from django.apps import apps
    from django.db.models import Max

    def after(model: type[Model]) -> int:
        top = model._default_manager.aggregate(top=Max("pk"))["top"]  # type: ignore[attr-defined]
        return int(top or 0) + 1

    return Ids(*(after(apps.get_model(table.model_label)) for table in TABLES))


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
    started = time.perf_counter()
    program = ensure_schema()
    before = population_size()
    rows_written = {table.name: 0 for table in TABLES}
    if before >= members:
        log(f"The population already has {before:,} members (≥ {members:,}): nothing to add.")
        return PopulateReport(before, before, rows_written, time.perf_counter() - started)

    context = load_context(program, today or program.today())
    generator = MemberGenerator(context, seed, history_cycles)
    ids = _next_ids()
    writer = writer_for_connection(Ids(*astuple(ids)))
    log(
        f"Adding members {before + 1:,}–{members:,} (seed {seed}, today {context.today}, "
        f"{type(writer).__name__}) …"
    )
    batches_per_report = max(1, round((members - before) / batch_members / 10))
    phases = {"setup": time.perf_counter() - started, "generate": 0.0, "write": 0.0}
    for indexes in _batches(before, members, batch_members):
        batch = Batch()
        mark = time.perf_counter()
        for index in indexes:
            generator.member(index, ids, batch)
        phases["generate"] += time.perf_counter() - mark
        mark = time.perf_counter()
        writer.write(batch)
        phases["write"] += time.perf_counter() - mark
        for table in TABLES:
            rows_written[table.name] += len(batch.rows(table))
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
