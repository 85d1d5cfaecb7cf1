"""Which rules apply: every rule set of a program, cached per process.

Two questions, two names (SPEC §2): `ProgramRules.rule_set_for_cycle(cycle)` is what a
cycle is judged by (points required, caps, the per-entry maximum, the grace period): the
rule set in force when the cycle started, so a later change never rewrites a cycle under
way. `ProgramRules.rule_set_on(day)` is for what is dated: fees on an invoice's issue
day, notice schedules, a category's `claimable_until` by the activity's end date.

Get the rules with `rules_of(program)`, never by building `ProgramRules` yourself.
"""

from __future__ import annotations

import dataclasses
import threading
from datetime import date
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import get_language

from keepcert import rules
from keepcert.core.errors import DomainError
from keepcert.program.models import CategoryRule, CredentialRule, Program, RuleSet
from keepcert.rules.lifecycle import LifecyclePolicy

if TYPE_CHECKING:
    from keepcert.certifications.models import Cycle


class ProgramRules:
    """Every rule set of a program, loaded at once (three queries), answering which
    rules apply to a cycle or on a day. Versions are few (one per policy change)."""

    def __init__(self, program: Program) -> None:
        self.program = program
        self.rule_sets = list(
            RuleSet.objects.filter(program=program).with_rules().order_by("effective_from")
        )
        if not self.rule_sets:
            raise DomainError(f"The program {program.code} has no rules loaded yet.")
        # The key of the process cache: a publication makes a newer rule set.
        self.newest_id = max(rule_set.pk for rule_set in self.rule_sets)
        self._category_codes: dict[int, str] = {}
        # The newest version that has each category or credential: what names it when the
        # version asked about does not.
        self._newest_category_rules: dict[int, CategoryRule] = {}
        self._newest_credential_rules: dict[int, CredentialRule] = {}
        for rule_set in self.rule_sets:  # oldest first: a later version's name wins
            for rule in rule_set.category_rules.all():
                self._category_codes[rule.category_id] = rule.category.code
                self._newest_category_rules[rule.category_id] = rule
            for credential_rule in rule_set.credential_rules.all():
                self._newest_credential_rules[credential_rule.credential_id] = credential_rule
        # Worked out once per language, as the rules stay the same while cached: pages
        # ask per cycle. Keyed by (rule set, language): names follow the member's language.
        self._names_by_rule_set: dict[tuple[int, str], dict[str, str]] = {}
        self._requirements: dict[tuple[int, int, str], rules.Requirement | None] = {}

    def rule_set_on(self, day: date) -> RuleSet:
        """The rule set in force on `day`; the earliest one for days before any version."""
        current = self.rule_sets[0]
        for rule_set in self.rule_sets:
            if rule_set.effective_from <= day:
                current = rule_set
        return current

    def rule_set_for_cycle(self, cycle: Cycle) -> RuleSet:
        """What `cycle` is judged by: the rule set in force on the day it started."""
        return self.rule_set_on(cycle.start)

    def counting_rules(self, rule_set: RuleSet) -> tuple[rules.CountingRule, ...]:
        """The categories of a cycle judged by `rule_set`, for the rules core: caps as
        `rule_set` sets them, and each category's `claimable_until` also as every later
        version sets it, since that limit is dated by the activity (SPEC §2)."""
        later = [r for r in self.rule_sets if r.effective_from > rule_set.effective_from]
        return tuple(
            dataclasses.replace(
                rule.as_rule(),
                later_limits=tuple(
                    (version.effective_from, later_rule.claimable_until)
                    for version in later
                    if (later_rule := version.category_rule(rule.category_id)) is not None
                ),
            )
            for rule in rule_set.category_rules.all()
        )

    def lifecycle_policy(self, rule_set: RuleSet) -> LifecyclePolicy:
        """The renewal settings of `rule_set` as the rules core's lifecycle takes them."""
        return LifecyclePolicy(
            recording_grace_days=rule_set.recording_grace_days,
            fee_grace_days=rule_set.fee_grace_days,
            grandfathered_unpaid_years=rule_set.grandfathered_unpaid_years,
            invoice_lead_days=rule_set.invoice_lead_days,
        )

    def requirement(self, rule_set: RuleSet, credential_id: int) -> rules.Requirement | None:
        """What a cycle judged by `rule_set` needs of a credential; None while the program
        has not set its points. Built once per process and language, as the rules stay as
        loaded."""
        # Per language too: the rules core's sentences quote the categories' names.
        key = (rule_set.pk, credential_id, get_language() or "")
        if key not in self._requirements:
            credential_rule = rule_set.credential_rule(credential_id)
            if credential_rule is None or credential_rule.points_required is None:
                self._requirements[key] = None
            else:
                self._requirements[key] = rules.Requirement(
                    required=credential_rule.points_required,
                    categories=self.counting_rules(rule_set),
                )
        return self._requirements[key]

    def category_code(self, category_id: int) -> str:
        """A category's code, from the rules already loaded (no query per activity)."""
        return self._category_codes.get(category_id, f"category-{category_id}")

    def category_name(self, category_id: int, *, on: date) -> str:
        """A category's name as members read it, in their language where the program
        translates it: as the rule set in force on `on` names it, else as the newest
        version that has it, else its code. The one place a category is named."""
        rule = self.rule_set_on(on).category_rule(category_id)
        rule = rule or self._newest_category_rules.get(category_id)
        return rule.text("name") if rule else self.category_code(category_id)

    def category_names(self, *, on: date) -> dict[str, str]:
        """Every category's name by code, as of `on` (see `category_name`)."""
        rule_set = self.rule_set_on(on)
        key = (rule_set.pk, get_language() or "")
        if key not in self._names_by_rule_set:
            self._names_by_rule_set[key] = {
                code: self.category_name(category_id, on=rule_set.effective_from)
                for category_id, code in self._category_codes.items()
            }
        return dict(self._names_by_rule_set[key])

    def credential_name(self, credential_id: int, *, on: date) -> str:
        """A credential's name as members read it, in their language where the program
        translates it: as the rule set in force on `on` names it, else as the newest
        version that has it, else "" (show its code). The one place a credential is named."""
        rule = self.rule_set_on(on).credential_rule(credential_id)
        rule = rule or self._newest_credential_rules.get(credential_id)
        return rule.text("name") if rule else ""

    def latest(self) -> RuleSet:
        return self.rule_sets[-1]


_cache: dict[int, ProgramRules] = {}
_cache_lock = threading.Lock()


def rules_of(program: Program) -> ProgramRules:
    """The program's rules, from this process's cache while they are current.

    One query reads the id of the program's newest rule set; when it differs from the
    cached one (a version was published, by any process), the rules are loaded again.
    So every web and task worker sees a publication on its next request, at the cost of
    one indexed query. Editing a version in place (`load_program_file` on an existing
    date) clears the cache of the process that loads; other workers see it when they
    restart, as after the deploy that ships the edited file.
    """
    newest = (
        RuleSet.objects.filter(program_id=program.pk)
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first()
    )
    cached = _cache.get(program.pk)
    if cached is not None and cached.newest_id == newest:
        return cached
    loaded = ProgramRules(program)
    with _cache_lock:
        _cache[program.pk] = loaded
    return loaded


def forget_program_rules() -> None:
    """Drop the cached rules now and again once the current transaction commits, so no
    read between the change and its commit leaves this process with the old rules."""
    _clear()
    transaction.on_commit(_clear)


def _clear() -> None:
    with _cache_lock:
        _cache.clear()
