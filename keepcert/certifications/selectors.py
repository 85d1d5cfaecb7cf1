"""Where a member stands: each cycle's progress, computed by the rules core (SPEC §5).

The dashboard, the cycle page and the API all read progress from here, so the
same numbers and explanations appear everywhere. A member's whole dashboard is
read in a fixed number of queries, however many activities there are.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from keepcert import rules
from keepcert.activities.models import Activity
from keepcert.activities.selectors import ACTIVITY_ORDER
from keepcert.certifications.models import Certification, Cycle
from keepcert.certifications.standing import Standing, standing_of
from keepcert.core.pagination import Page, paginate_rows
from keepcert.members.models import Member
from keepcert.program.models import CredentialRule, RuleSet
from keepcert.program.selectors import ProgramRules, rules_of


class ActivityRow(NamedTuple):
    """The columns of an activity that progress and its line need, read as values (the
    page only shows them). Named as on `Activity`, so `ACTIVITY_ORDER` sorts rows alike."""

    pk: int
    title: str
    start_date: date
    end_date: date
    points: Decimal
    category_id: int


@dataclass(frozen=True, slots=True)
class ActivityLine:
    """One activity in a cycle and how it counted there. The category is named as the
    cycle's rules name it (`ProgramRules.category_name`)."""

    activity: ActivityRow
    result: rules.EntryResult
    category_code: str
    category_name: str


@dataclass(frozen=True)
class CycleProgress:
    """One cycle as a member sees it. `progress` is None when the program has not
    set the credential's points yet (the activities are still listed)."""

    cycle: Cycle
    rule_set: RuleSet
    credential_rule: CredentialRule | None
    progress: rules.Progress | None
    pace: rules.Pace | None
    lines: tuple[ActivityLine, ...]
    recording_open: bool
    today: date
    program_rules: ProgramRules

    @property
    def certification(self) -> Certification:
        return self.cycle.certification

    @property
    def credential_name(self) -> str:
        return (
            self.program_rules.credential_name(
                self.cycle.certification.credential_id, on=self.cycle.start
            )
            or self.cycle.certification.credential.code
        )

    @property
    def days_left(self) -> int:
        return max(0, (self.cycle.end - self.today).days)

    @property
    def is_current(self) -> bool:
        return self.cycle.window.contains(self.today)

    @property
    def recording_deadline(self) -> date:
        """The last day activity dated inside the cycle may be recorded."""
        return rules.recording_deadline(self.cycle.window, self.rule_set.recording_grace_days)


@dataclass(frozen=True)
class CertificationSummary:
    certification: Certification
    credential_name: str
    current: CycleProgress | None
    standing: Standing
    past_cycles: tuple[Cycle, ...] = field(default_factory=tuple)


def _evaluate(
    cycle: Cycle,
    claimed: Iterable[ActivityRow],
    program_rules: ProgramRules,
    today: date,
) -> CycleProgress:
    rule_set = program_rules.rule_set_for_cycle(cycle)
    credential_id = cycle.certification.credential_id
    activities = {str(a.pk): a for a in claimed}
    requirement = program_rules.requirement(rule_set, credential_id)
    claim_list = [
        rules.Entry(
            id=key,
            category=program_rules.category_code(a.category_id),
            title=a.title,
            start=a.start_date,
            end=a.end_date,
            points=a.points,
        )
        for key, a in activities.items()
    ]
    if requirement is None:
        # Without a requirement, still explain each line (caps, dates) against zero.
        requirement_for_lines = rules.Requirement(
            required=Decimal(0),
            categories=program_rules.counting_rules(rule_set),
        )
        evaluated = rules.evaluate(requirement_for_lines, cycle.window, claim_list, today)
        progress, pace = None, None
    else:
        evaluated = rules.evaluate(requirement, cycle.window, claim_list, today)
        progress = evaluated
        # Pace is advice for a cycle still running; a closed cycle's outcome is its status.
        pace = rules.assess_pace(evaluated, today) if cycle.status == Cycle.Status.OPEN else None
    # Newest first, as members scan for what they did last.
    category_names = program_rules.category_names(on=cycle.start)
    lines = tuple(
        ActivityLine(
            activity=activities[r.entry.id],
            result=r,
            category_code=r.entry.category,
            category_name=category_names.get(r.entry.category, r.entry.category),
        )
        for r in reversed(evaluated.entries)
    )
    return CycleProgress(
        cycle=cycle,
        rule_set=rule_set,
        credential_rule=rule_set.credential_rule(credential_id),
        progress=progress,
        pace=pace,
        lines=lines,
        recording_open=cycle.status == Cycle.Status.OPEN
        and rules.is_recording_open(cycle.window, today, rule_set.recording_grace_days),
        today=today,
        program_rules=program_rules,
    )


def _activities_by_cycle(cycle_ids: list[int]) -> dict[int, list[ActivityRow]]:
    """The activities claimed against each cycle, in one query of only the columns the
    progress and the activity lines need."""
    rows = (
        Activity.objects.filter(cycle_links__cycle_id__in=cycle_ids)
        .values_list(
            "cycle_links__cycle_id",
            "pk",
            "title",
            "start_date",
            "end_date",
            "points",
            "category_id",
        )
        .order_by()  # the rules core orders entries its own way
    )
    grouped: dict[int, list[ActivityRow]] = defaultdict(list)
    for cycle_id, pk, title, start_date, end_date, points, category_id in rows:
        grouped[cycle_id].append(ActivityRow(pk, title, start_date, end_date, points, category_id))
    return grouped


CERTIFICATION_ORDER = ("credential__code", "pk")
"""The order certifications are listed in (a total one, for `keepcert.core.pagination`)."""

CYCLE_ORDER = ("-start", "-pk")
"""A certification's cycles, newest first."""


def member_summaries(
    member: Member,
    *,
    today: date | None = None,
    certifications: Sequence[Certification] | None = None,
) -> list[CertificationSummary]:
    """Every certification of the member (or only `certifications`, the member's, with
    `credential` selected: a page of them) with its current cycle's progress and past
    cycles."""
    today = today or member.program.today()
    program_rules = rules_of(member.program)
    if certifications is None:
        certifications = list(
            member.certifications.select_related("credential").order_by(*CERTIFICATION_ORDER)
        )
    certifications_by_pk = {c.pk: c for c in certifications}
    cycles = (
        Cycle.objects.begun()
        .filter(certification__member=member, certification__in=list(certifications_by_pk))
        .order_by("-start")
    )
    by_certification: dict[int, list[Cycle]] = defaultdict(list)
    for cycle in cycles:
        cycle.certification = certifications_by_pk[cycle.certification_id]  # no join again
        by_certification[cycle.certification_id].append(cycle)
    current_cycles = {
        cert_id: next((c for c in cert_cycles if c.status == Cycle.Status.OPEN), cert_cycles[0])
        for cert_id, cert_cycles in by_certification.items()
    }
    claimed = _activities_by_cycle([c.pk for c in current_cycles.values()])
    summaries = []
    for certification in certifications:
        current = current_cycles.get(certification.pk)
        current_progress = (
            _evaluate(current, claimed[current.pk], program_rules, today) if current else None
        )
        summaries.append(
            CertificationSummary(
                certification=certification,
                credential_name=program_rules.credential_name(certification.credential_id, on=today)
                or certification.credential.code,
                current=current_progress,
                standing=standing_of(certification, current_progress, program_rules),
                past_cycles=tuple(c for c in by_certification[certification.pk] if c != current),
            )
        )
    return summaries


@dataclass(frozen=True)
class SharedActivity:
    """One activity on the dashboard, listed once, with how it counted toward each
    current cycle it was reported to (a member with two credentials reports once)."""

    activity: ActivityRow
    counts: tuple[tuple[str, ActivityLine], ...]
    """(credential code, the activity's line in that credential's current cycle)."""

    @property
    def credential_codes(self) -> list[str]:
        return [code for code, _line in self.counts]

    @property
    def explanations(self) -> list[tuple[str, str]]:
        """How it counted: one sentence when every cycle says the same, else one per
        credential ("" for the code of the single sentence)."""
        sentences = [(code, line.result.explanation) for code, line in self.counts]
        if len({sentence for _code, sentence in sentences}) == 1:
            return [("", sentences[0][1])]
        return sentences


@dataclass(frozen=True)
class LatestActivities:
    """The dashboard's latest activities across the member's current cycles."""

    items: tuple[SharedActivity, ...]
    several_credentials: bool
    """More than one current cycle: each activity names the credentials it counts toward."""


def latest_activities(summaries: Sequence[CertificationSummary], *, limit: int) -> LatestActivities:
    """The `limit` latest activities of the summaries' current cycles, each once, latest
    first: the latest of all are among each cycle's own latest `limit`."""
    counts: dict[int, list[tuple[str, ActivityLine]]] = defaultdict(list)
    rows: dict[int, ActivityRow] = {}
    current = [s for s in summaries if s.current is not None]
    for summary in current:
        assert summary.current is not None
        code = summary.certification.credential.code
        for line in lines_page(summary.current, limit=limit).items:
            counts[line.activity.pk].append((code, line))
            rows[line.activity.pk] = line.activity
    page = paginate_rows(
        list(rows.values()),
        key=lambda row: row,
        ordering=ACTIVITY_ORDER,
        name="dashboard-activities",
        limit=limit,
    )
    return LatestActivities(
        items=tuple(SharedActivity(row, tuple(counts[row.pk])) for row in page.items),
        several_credentials=len(current) > 1,
    )


def can_record(summaries: Sequence[CertificationSummary]) -> bool:
    """Whether any current cycle is open for recording (the dashboard's Record CE)."""
    return any(s.current is not None and s.current.recording_open for s in summaries)


def lines_page(
    result: CycleProgress, *, limit: int | None = None, cursor: str | None = None
) -> Page[ActivityLine]:
    """A page of the cycle's activity lines, latest first. The lines are all counted
    (caps depend on every claim) before one page of them is shown."""
    return paginate_rows(
        result.lines,
        key=lambda line: line.activity,
        ordering=ACTIVITY_ORDER,
        name=f"cycle-{result.cycle.pk}-activities",
        limit=limit,
        cursor=cursor,
    )


def cycle_progress(cycle: Cycle, *, today: date | None = None) -> CycleProgress:
    """Progress of one cycle (current or past) with a line per activity.

    Needs `certification__member__program` selected (or costs a query each)."""
    program = cycle.certification.member.program
    return cycles_progress([cycle], program_rules=rules_of(program), today=today)[cycle.pk]


def cycle_page_standing(result: CycleProgress, latest_cycle: Cycle) -> Standing | None:
    """The certification's banner on the page of one of its cycles: on its current cycle's
    page (the latest, open or not), none on an earlier cycle's."""
    if result.cycle.pk != latest_cycle.pk:
        return None
    return standing_of(result.certification, result, result.program_rules)


def cycles_progress(
    cycles: Iterable[Cycle], *, program_rules: ProgramRules, today: date | None = None
) -> dict[int, CycleProgress]:
    """Progress of each cycle by id under `program_rules`, the activities of
    all of them read in one query."""
    cycles = list(cycles)
    today = today or program_rules.program.today()
    claimed = _activities_by_cycle([cycle.pk for cycle in cycles])
    return {cycle.pk: _evaluate(cycle, claimed[cycle.pk], program_rules, today) for cycle in cycles}
