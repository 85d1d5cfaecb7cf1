"""KeepCert benchmarks: each figure printed next to its floor, measured in the same run.

    python bench/run.py [--members N[,N…]] [--skip-dashboard] [--skip-sweep] [--repetitions R]

Runs against DATABASE_URL, or a SQLite file at bench/out/bench.sqlite3 when it is unset,
and writes the figures to bench/out/latest.json. A floor is the cheapest way to get the
same answer without KeepCert's code in the way; the ratio to it says how much that code
costs, and comparing ratios rather than seconds keeps runs on different machines (or on a
busy one) comparable. No figure is asserted: this script measures, it does not test.

a. Rules core — ``rules.evaluate`` + ``rules.assess_pace`` on one cycle of 100 claims,
   against a hand-written loop doing the same counting over the same claims (earliest
   finished first, eligibility by dates and ``claimable_until``, caps, per-category
   totals) and nothing else: no explanations, no pace, no result objects.
b. Dashboard — one GET of ``portal:dashboard`` for a member with 3 certifications and
   100 activities (time and SQL queries), against a bare view behind the same middleware
   that runs one query. The floor is what any signed-in page costs in this stack
   (session, user, CSRF, CSP, allauth, axes); the rest is the dashboard's own. The two
   are timed interleaved, each repetition one loop of each.
c. Progress sweep — every open cycle's standing (required, counted, pace) among the first
   N population members (each N of ``--members``), from the product's selector
   (``keepcert.certifications.sweep.open_cycle_standings``, which sums per cycle in SQL
   with eligibility and caps applied there and asks the rules core only for the pace),
   consumed as the daily scheduler will, against one SQL ``GROUP BY cycle, category``
   summing the same claims' points. The aggregate reads every row the sweep reads and
   returns the numbers a cap-free program would need, so it is the floor for any
   per-cycle total. The three are timed interleaved, each repetition one of each. A
   second line replays the selector's SQL alone (rows fetched, nothing built), splitting
   the cost into database and Python, and a sample of ``member_summaries`` calls shows
   what the per-member dashboard selector would cost at N.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import statistics
import sys
import time
import types
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from support import (
    DEFAULT_SQLITE,
    OUT,
    Timing,
    database_label,
    ensure_schema,
    measure,
    measure_interleaved,
    measure_once,
    setup_django,
    sqlite_url,
)

if TYPE_CHECKING:
    from django.db.models import Q
    from django.http import HttpRequest, HttpResponse

    from keepcert import rules
    from keepcert.members.models import Member
    from keepcert.program.models import Program

DASHBOARD_MEMBER_NUMBER = "BENCH-DASH"
DASHBOARD_EMAIL = "bench.dashboard@example.org"
BENCH_URLCONF = "keepcert_bench_urls"
SWEEP_CHUNK = 10_000
SUMMARY_SAMPLE = 200


@dataclass
class Line:
    """One row of the printed table."""

    name: str
    measured: str
    floor: str
    ratio: str
    repetitions: str


@dataclass
class Report:
    lines: list[Line] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    figures: dict[str, Any] = field(default_factory=dict)


def _seconds(value: float) -> str:
    if value >= 1:
        return f"{value:.2f} s"
    if value >= 1e-3:
        return f"{value * 1e3:.2f} ms"
    return f"{value * 1e6:.1f} µs"


def _ratio(measured: float, floor: float) -> float:
    return measured / floor if floor > 0 else float("inf")


def _reps(timing: Timing) -> str:
    return f"{timing.repetitions}×{timing.loops}"


# a. Rules core ---------------------------------------------------------------------------


def hundred_claims(requirement: rules.Requirement) -> tuple[rules.Window, list[rules.Entry], date]:
    """A 3-year cycle, "today" in its third year, and 100 claims that hit every outcome.

    Mostly counted; a dozen end after today, five are employment verification after its
    claimable-until day and two start before the cycle, so each branch of ``evaluate``
    runs. (The program sets no category caps, so nothing is capped.)
    """
    from keepcert import rules

    window = rules.Window(date(2019, 6, 1), date(2022, 6, 30))
    today = date(2022, 3, 1)
    codes = [c.code for c in requirement.categories]
    weights = [70 if c == "professional-education" else 6 for c in codes]
    draw = random.Random(100)
    claims = []
    for number in range(100):
        end = window.start + timedelta(days=draw.randint(0, window.days - 1))
        start = end - timedelta(days=draw.choice((0, 0, 0, 1, 30)))
        start = max(start, window.start)
        cents = draw.randint(50, 1000)
        category = draw.choices(codes, weights)[0]
        if number < 5:  # employment after 2020: no longer claimable
            category = "employment-verification"
            end = date(2021, 1, 1) + timedelta(days=draw.randint(0, 400))
            start = end - timedelta(days=90)
        elif number < 7:  # began before the cycle
            start, end = window.start - timedelta(days=10), window.start + timedelta(days=5)
        claims.append(
            rules.Entry(
                id=str(number),
                category=category,
                title=f"Activity {number}",
                start=start,
                end=end,
                points=Decimal(cents).scaleb(-2),
            )
        )
    return window, claims, today


def bench_rules_core(program: Program, report: Report) -> None:
    from keepcert import rules
    from keepcert.program.models import Credential
    from keepcert.program.selectors import ProgramRules

    rma = Credential.objects.get(program=program, code="RMA")
    program_rules = ProgramRules(program)
    requirement = program_rules.requirement(program_rules.latest(), rma.pk)
    assert requirement is not None, "RMA has points_required in programs/amt-ccp.toml"
    window, claims, today = hundred_claims(requirement)

    def core() -> rules.Pace:
        return rules.assess_pace(rules.evaluate(requirement, window, claims, today), today)

    counting = {c.code: (c.max_points, c.claimable_until) for c in requirement.categories}

    def floor() -> dict[str, Decimal]:
        return hand_counted(counting, window, claims, today)

    progress = rules.evaluate(requirement, window, claims, today)
    assert floor() == {c.code: c.counted for c in progress.categories}, "not the same counting"
    outcomes = Counter(r.outcome.value for r in progress.entries)
    core_timing = measure(core)
    floor_timing = measure(floor)
    ratio = _ratio(core_timing.seconds, floor_timing.seconds)
    report.lines.append(
        Line(
            "a. rules core: evaluate + assess_pace, 100 claims",
            _seconds(core_timing.seconds),
            f"{_seconds(floor_timing.seconds)} hand-written counting loop",
            f"{ratio:.1f}×",
            f"{_reps(core_timing)} / {_reps(floor_timing)}",
        )
    )
    report.figures["rules_core"] = {
        "claims": len(claims),
        "outcomes": dict(outcomes),
        "evaluate_and_pace": core_timing.as_json(),
        "floor_counting_loop": floor_timing.as_json(),
        "ratio": ratio,
        "per_claim_seconds": core_timing.seconds / len(claims),
    }


def hand_counted(
    counting: dict[str, tuple[Decimal | None, date | None]],
    window: rules.Window,
    claims: list[rules.Entry],
    today: date,
) -> dict[str, Decimal]:
    """The rules core's counting as plain code: points counted per category code.

    ``counting`` is each category's cap and ``claimable_until``, looked up once as
    ``Requirement`` does when it is made.
    """
    counted = dict.fromkeys(counting, Decimal(0))
    for claim in sorted(claims, key=lambda claim: (claim.end, claim.start, claim.id)):
        if claim.category not in counting:
            continue
        cap, until = counting[claim.category]
        if (
            claim.start < window.start
            or claim.end > window.end
            or claim.end > today
            or (until is not None and claim.end > until)
        ):
            continue
        so_far = counted[claim.category]
        if cap is None:
            counted[claim.category] = so_far + claim.points
        else:
            counted[claim.category] = min(so_far + claim.points, cap)
    return counted


# b. Dashboard ----------------------------------------------------------------------------


def floor_view(request: HttpRequest) -> HttpResponse:
    """The cheapest signed-in page: one query for the member's name."""
    from django.http import HttpResponse

    from keepcert.members.models import Member

    name = Member.objects.filter(user_id=request.user.pk).values_list("first_name", flat=True)
    return HttpResponse(f"Hello {name.first()}")


def install_bench_urlconf() -> str:
    """Register a URLconf module: the real URLs plus the floor view at /bench/floor/.

    Built at run time because ``include("keepcert.urls")`` imports the project's URLs,
    which needs Django set up first.
    """
    from django.contrib.auth.decorators import login_required
    from django.urls import include, path

    module = types.ModuleType(BENCH_URLCONF)
    module.urlpatterns = [  # type: ignore[attr-defined]
        path("bench/floor/", login_required(floor_view), name="bench-floor"),
        path("", include("keepcert.urls")),
    ]
    sys.modules[BENCH_URLCONF] = module
    return BENCH_URLCONF


def dashboard_member(program: Program, log: Callable[[str], None]) -> Member:
    """The member the dashboard is timed for, made once per database with the real services.

    Three certifications whose current cycles began about 13, 23 and 33 months ago, and
    100 activities spread over those 33 months. Each is claimed against every open cycle
    that contains it (the "report once" default): the oldest cycle holds all 100, the
    others the ones dated inside them, about 200 claims in all. Made in one transaction,
    so an interrupted run leaves no half-made member to be reused.
    """
    from django.db import transaction

    from keepcert.members.models import Member

    member = Member.objects.filter(member_number=DASHBOARD_MEMBER_NUMBER).first()
    if member is not None:
        return member
    log("Creating the dashboard member (3 certifications, 100 activities) …")
    with transaction.atomic():
        return _make_dashboard_member(program)


def _make_dashboard_member(program: Program) -> Member:
    from keepcert import testing
    from keepcert.members.models import Member

    member = Member.objects.create(
        program=program,
        member_number=DASHBOARD_MEMBER_NUMBER,
        first_name="Dana",
        last_name="Benchmark",
        date_of_birth=date(1985, 7, 3),
        email=DASHBOARD_EMAIL,
    )
    member.user = testing.make_user(DASHBOARD_EMAIL)
    member.save(update_fields=["user"])
    today = program.today()
    for code, days_ago in (("RMA", 400), ("CMAS", 700), ("RPT", 1000)):
        testing.make_certification(member, code, today - timedelta(days=days_ago))
    draw = random.Random(3)
    categories = [
        "professional-education",
        "professional-education",
        "professional-education",
        "formal-education",
        "instructional-presentations",
        "organizational-participation",
    ]
    for number in range(100):
        end = today - timedelta(days=draw.randint(0, 990))
        testing.make_activity(
            member,
            title=f"Benchmark activity {number + 1}",
            points=str(Decimal(draw.randint(50, 600)).scaleb(-2)),
            start=end,
            end=end,
            category_code=draw.choice(categories),
        )
    return member


def bench_dashboard(program: Program, report: Report, log: Callable[[str], None]) -> None:
    from django.conf import settings
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from keepcert.activities.models import CycleActivity

    member = dashboard_member(program, log)
    assert member.user is not None
    claims = CycleActivity.objects.filter(cycle__certification__member=member, cycle__status="open")
    overrides: dict[str, Any] = {
        "ROOT_URLCONF": install_bench_urlconf(),
        "ALLOWED_HOSTS": [*settings.ALLOWED_HOSTS, "testserver"],
    }
    manifest = settings.STATIC_ROOT / "staticfiles.json"
    if not manifest.exists():
        # Without collectstatic the manifest storage cannot resolve {% static %}; the
        # plain storage differs only by a dictionary lookup per tag.
        overrides["STORAGES"] = {
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
        report.notes.append("Dashboard: no collectstatic manifest, so plain static storage.")
    with override_settings(**overrides):
        client = Client()
        client.force_login(member.user)
        dashboard_url, floor_url = reverse("portal:dashboard"), reverse("bench-floor")
        response = client.get(dashboard_url)
        page = response.content.decode()
        real = response.status_code == 200 and (
            'data-testid="counted"' in page or "Counted" in page
        )
        if not real:
            report.notes.append(
                f"Dashboard: GET {dashboard_url} answered {response.status_code} without "
                "progress figures: the view is still a placeholder; re-run once it is real."
            )
        if response.status_code >= 400:
            report.figures["dashboard"] = {"status": response.status_code, "real": False}
            report.lines.append(
                Line("b. dashboard GET", f"HTTP {response.status_code}: not timed", "", "", "")
            )
            return
        figures: dict[str, Any] = {"real": real, "status": response.status_code}
        urls = {"dashboard": dashboard_url, "floor": floor_url}
        for name, url in urls.items():
            with CaptureQueriesContext(connection) as queries:
                client.get(url)
            # Read now: each request of the timing loop empties the connection's query log.
            figures[name] = {"queries": len(queries.captured_queries)}
        timings = measure_interleaved(
            {name: (lambda url=url: client.get(url)) for name, url in urls.items()},
            repetitions=7,
            min_seconds=0.5,
        )
        for name, timing in timings.items():
            figures[name].update(timing.as_json())
    dash, floor = figures["dashboard"], figures["floor"]
    figures["ratio"] = _ratio(dash["seconds"], floor["seconds"])
    figures["certifications"] = member.certifications.count()
    figures["activities"] = member.activities.count()
    figures["claims_in_open_cycles"] = claims.count()
    figures["page_bytes"] = len(response.content)
    report.figures["dashboard"] = figures
    label = "b. dashboard GET" + ("" if real else " (PLACEHOLDER view)")
    report.lines.append(
        Line(
            f"{label}: 3 certifications, {figures['activities']} activities",
            f"{_seconds(dash['seconds'])}, {dash['queries']} queries",
            f"{_seconds(floor['seconds'])}, {floor['queries']} queries",
            f"{figures['ratio']:.1f}×",
            f"{dash['repetitions']}×{dash['loops']} / {floor['repetitions']}×{floor['loops']}",
        )
    )


# c. Progress sweep -----------------------------------------------------------------------


def population_range(members: int) -> tuple[str, str]:
    """Member numbers of the first ``members`` population members (fixed width: sortable)."""
    from population import member_number

    return member_number(0), member_number(members - 1)


@dataclass
class SweepResult:
    cycles: int = 0
    batches: int = 0
    without_requirement: int = 0
    pace: Counter[str] = field(default_factory=Counter)
    counted: Decimal = Decimal(0)
    """Sum of every evaluated cycle's counted points: a checksum between runs."""


def _among(numbers: tuple[str, str]) -> Q:
    from django.db.models import Q

    return Q(certification__member__member_number__range=numbers)


def progress_sweep(program: Program, numbers: tuple[str, str], today: date) -> SweepResult:
    """Every open cycle's standing from the product's sweep selector, consumed as the
    daily scheduler would: each batch read, each cycle's pace tallied."""
    from keepcert.certifications.sweep import open_cycle_standings

    result = SweepResult()
    for batch in open_cycle_standings(program, today=today, among=_among(numbers)):
        result.batches += 1
        for standing in batch:
            result.cycles += 1
            if standing.pace is None:
                result.without_requirement += 1
                continue
            result.pace[standing.pace.status.value] += 1
            result.counted += standing.counted
    return result


def sweep_statements(program: Program, numbers: tuple[str, str], today: date) -> list[str]:
    """What the selector sends, as the database received it, to replay: the rules, the
    statement's planner settings and the statement itself."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from keepcert.certifications.sweep import open_cycle_standings

    with CaptureQueriesContext(connection) as queries:
        for _ in open_cycle_standings(program, today=today, among=_among(numbers)):
            pass
    statements = [query["sql"].strip() for query in queries.captured_queries]
    return [sql for sql in statements if sql.startswith(("SELECT", "WITH", "SET"))]


def replay(statements: list[str]) -> int:
    """The selector's SQL alone: every statement run, in one transaction so the settings
    apply as they did, and its rows fetched."""
    from django.db import connection, transaction

    rows = 0
    with transaction.atomic(), connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
            if cursor.description is not None:
                rows += len(cursor.fetchall())
        transaction.set_rollback(True)  # the settings end here, as in the selector
    return rows


def floor_aggregate(numbers: tuple[str, str]) -> int:
    """The raw SQL floor: points per open cycle and category, every row fetched."""
    from django.db import connection

    from keepcert.activities.models import Activity, CycleActivity
    from keepcert.certifications.models import Certification, Cycle
    from keepcert.members.models import Member

    q = connection.ops.quote_name
    sql = (
        f"SELECT claim.cycle_id, activity.category_id, SUM(activity.points) "
        f"FROM {q(CycleActivity._meta.db_table)} AS claim "
        f"JOIN {q(Activity._meta.db_table)} AS activity ON activity.id = claim.activity_id "
        f"JOIN {q(Cycle._meta.db_table)} AS cycle ON cycle.id = claim.cycle_id "
        f"JOIN {q(Certification._meta.db_table)} AS cert ON cert.id = cycle.certification_id "
        f"JOIN {q(Member._meta.db_table)} AS member ON member.id = cert.member_id "
        f"WHERE cycle.status = %s AND member.member_number BETWEEN %s AND %s "
        f"GROUP BY claim.cycle_id, activity.category_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [Cycle.Status.OPEN, *numbers])
        return len(cursor.fetchall())


def summaries_sample(program: Program, numbers: tuple[str, str], size: int) -> tuple[float, int]:
    """Seconds per member of ``member_summaries`` over a sample of population members."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from keepcert.certifications.selectors import member_summaries
    from keepcert.members.models import Member

    sample = list(
        Member.objects.filter(member_number__range=numbers)
        .select_related("program")
        .order_by("member_number")[:size]
    )
    if not sample:
        return 0.0, 0
    with CaptureQueriesContext(connection) as queries:
        member_summaries(sample[0])
    count = len(queries.captured_queries)
    started = time.perf_counter()
    for member in sample:
        member_summaries(member)
    return (time.perf_counter() - started) / len(sample), count


def ensure_population(members: int, seed: int, report: Report, log: Callable[[str], None]) -> None:
    """Top the population up to ``members`` (it keeps what it has: see populate.py)."""
    from populate import populate, population_size

    have = population_size()
    if have < members:
        log(f"The population has {have:,} members; populating to {members:,} …")
        populated = populate(members=members, seed=seed, log=log)
        report.figures["populate"] = populated.as_json()


def bench_sweep(
    program: Program,
    members: int,
    repetitions: int,
    report: Report,
    log: Callable[[str], None],
) -> None:
    numbers = population_range(members)
    today = program.today()
    log(f"Sweeping the open cycles of {members:,} members …")
    statements = sweep_statements(program, numbers, today)
    # Interleaved, so a change in the machine's load touches all three alike.
    sweep_samples: list[float] = []
    sql_samples: list[float] = []
    floor_samples: list[float] = []
    outcome, groups = SweepResult(), 0
    progress_sweep(program, numbers, today)  # warm-up: caches, the rules' first load
    floor_aggregate(numbers)
    for _ in range(repetitions):
        sweep, outcome = measure_once(
            lambda: progress_sweep(program, numbers, today), repetitions=1
        )
        sql, _ = measure_once(lambda: replay(statements), repetitions=1)
        floor, groups = measure_once(lambda: floor_aggregate(numbers), repetitions=1)
        sweep_samples.append(sweep.seconds)
        sql_samples.append(sql.seconds)
        floor_samples.append(floor.seconds)
    sweep_s, sql_s, floor_s = (
        statistics.median(samples) for samples in (sweep_samples, sql_samples, floor_samples)
    )
    ratios = sorted(_ratio(s, f) for s, f in zip(sweep_samples, floor_samples, strict=True))
    per_member, summary_queries = summaries_sample(program, numbers, SUMMARY_SAMPLE)
    ratio = _ratio(sweep_s, floor_s)
    evaluated = outcome.cycles - outcome.without_requirement
    report.figures.setdefault("sweep", {})[str(members)] = {
        "members": members,
        "cycles": outcome.cycles,
        "cycles_evaluated": evaluated,
        "cycles_without_requirement": outcome.without_requirement,
        "batches": outcome.batches,
        "pace": dict(outcome.pace),
        "counted_checksum": str(outcome.counted),
        "sweep": {"seconds": sweep_s, "samples": sweep_samples},
        "selector_sql": {"seconds": sql_s, "samples": sql_samples},
        "floor_group_by": {"seconds": floor_s, "samples": floor_samples, "rows": groups},
        "ratio": ratio,
        "ratio_range": [ratios[0], ratios[-1]],
        "selector_sql_ratio": _ratio(sql_s, floor_s),
        "member_summaries_per_member": {
            "seconds": per_member,
            "queries": summary_queries,
            "sample": SUMMARY_SAMPLE,
            "extrapolated_seconds": per_member * members,
        },
    }
    paced = ", ".join(f"{k} {v:,}" for k, v in sorted(outcome.pace.items()))
    spread = f" ({ratios[0]:.2f}–{ratios[-1]:.2f})" if len(ratios) > 1 else ""
    report.lines.append(
        Line(
            f"c. sweep selector: N={members:,}, {outcome.cycles:,} open cycles "
            f"in {outcome.batches} batches",
            _seconds(sweep_s),
            f"{_seconds(floor_s)} GROUP BY ({groups:,} rows)",
            f"{ratio:.2f}×{spread}",
            f"{repetitions} / {repetitions}",
        )
    )
    report.lines.append(
        Line(
            "   of which the selector's SQL alone (replayed, rows fetched)",
            _seconds(sql_s),
            f"{_seconds(floor_s)} GROUP BY",
            f"{_ratio(sql_s, floor_s):.2f}×",
            f"{repetitions} / {repetitions}",
        )
    )
    report.lines.append(
        Line(
            f"   member_summaries per member ({SUMMARY_SAMPLE} sampled, {summary_queries} queries)",
            f"{_seconds(per_member)} → {_seconds(per_member * members)} at N",
            f"{_seconds(floor_s)} GROUP BY",
            f"{_ratio(per_member * members, floor_s):.0f}×",
            f"1×{SUMMARY_SAMPLE}",
        )
    )
    report.notes.append(
        f"Sweep: pace {paced}; {outcome.without_requirement:,} open cycles have no "
        "requirement set (e.g. PCT): no pace."
    )


# Output ----------------------------------------------------------------------------------


def print_table(report: Report, header: str) -> None:
    columns = ("benchmark", "measured", "floor", "ratio", "repetitions")
    rows = [columns, *[(x.name, x.measured, x.floor, x.ratio, x.repetitions) for x in report.lines]]
    widths = [max(len(row[i]) for row in rows) for i in range(len(columns))]
    print()
    print(header)
    for index, row in enumerate(rows):
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )
        if index == 0:
            print("  ".join("-" * width for width in widths))
    if report.notes:
        print()
        for note in report.notes:
            print(f"* {note}")
    print("Ratios are measured ÷ floor; repetitions are runs × calls per run (median taken).")


SWEEP_SIZES = {"postgresql": (1_000, 10_000, 100_000), "sqlite": (1_000, 2_000)}
"""The sweep's N when ``--members`` is not given: the issue's three sizes on PostgreSQL,
and on SQLite (``make bench``'s default) sizes that populate in half a minute."""


def member_counts(text: str) -> tuple[int, ...]:
    """``--members``: one N or several, comma-separated ("1000,10000,100000")."""
    try:
        counts = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number or a list of numbers: {text!r}") from None
    if any(count < 1 for count in counts):
        raise argparse.ArgumentTypeError("each N must be at least 1")
    return counts


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "--members",
        type=member_counts,
        help="population sizes to sweep, comma-separated; the population is topped up to the "
        "largest (default: 1000,10000,100000 on PostgreSQL, 1000,2000 on SQLite)",
    )
    parser.add_argument("--seed", type=int, default=1, help="seed when populating")
    parser.add_argument("--repetitions", type=int, default=3, help="sweep repetitions")
    parser.add_argument("--skip-dashboard", action="store_true")
    parser.add_argument("--skip-sweep", action="store_true")
    args = parser.parse_args(argv)
    if args.repetitions < 1:
        parser.error("--repetitions must be at least 1")

    setup_django(default_database_url=sqlite_url(DEFAULT_SQLITE))
    import django
    from django.db import connection

    def log(message: str) -> None:
        print(message, flush=True)

    program = ensure_schema()
    report = Report()
    started = datetime.now(UTC)
    log(f"Database: {database_label()}")
    bench_rules_core(program, report)
    if not args.skip_dashboard:
        bench_dashboard(program, report, log)
    if not args.skip_sweep:
        sizes = args.members or SWEEP_SIZES.get(connection.vendor, SWEEP_SIZES["sqlite"])
        ensure_population(max(sizes), args.seed, report, log)
        for members in sorted(sizes):
            bench_sweep(program, members, args.repetitions, report, log)

    header = (
        f"KeepCert benchmarks · {database_label()} · Python {platform.python_version()} · "
        f"Django {django.get_version()} · {started:%Y-%m-%d %H:%M} UTC"
    )
    print_table(report, header)
    document = {
        "run_at": started.isoformat(),
        "database": database_label(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "machine": platform.machine(),
        **report.figures,
        "notes": report.notes,
    }
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / "latest.json"
    path.write_text(json.dumps(document, indent=2, default=str) + "\n")
    print(f"Figures written to {path.relative_to(OUT.parent.parent)}")


if __name__ == "__main__":
    main()
