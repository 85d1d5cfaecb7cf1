from __future__ import annotations

from datetime import date

from keepcert.core.errors import DomainError
from keepcert.program.models import Program, RuleSet


class ProgramRules:
    """Every rule set of a program, loaded once, answering "which rules apply on day X".

    Loading all versions up front costs three queries however many cycles a page
    shows, and versions are few (one per policy change).
    """

    def __init__(self, program: Program) -> None:
        self.program = program
        self.rule_sets = list(
            RuleSet.objects.filter(program=program).with_rules().order_by("effective_from")
        )
        if not self.rule_sets:
            raise DomainError(f"The program {program.code} has no rules loaded yet.")
        self._category_codes = {
            rule.category_id: rule.category.code
            for rule_set in self.rule_sets
            for rule in rule_set.category_rules.all()
        }

    def on(self, day: date) -> RuleSet:
        """The rule set in force on `day`; the earliest one for days before any version."""
        current = self.rule_sets[0]
        for rule_set in self.rule_sets:
            if rule_set.effective_from <= day:
                current = rule_set
        return current

    def category_code(self, category_id: int) -> str:
        """A category's code, from the rules already loaded (no query per activity)."""
        return self._category_codes.get(category_id, f"category-{category_id}")

    def latest(self) -> RuleSet:
        return self.rule_sets[-1]
