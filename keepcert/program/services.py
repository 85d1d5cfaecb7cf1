"""Loading the program file (SPEC §2) into the database, idempotently."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Model

from keepcert.core.errors import DomainError
from keepcert.core.models import log_event
from keepcert.program.models import (
    Category,
    CategoryRule,
    Credential,
    CredentialRule,
    Program,
    RuleSet,
)

_RULE_FIELDS = (
    "cycle_years",
    "ce_required_from",
    "grandfather_ends_on_reactivation_after",
    "recording_grace_days",
    "max_points_per_entry",
    "attestation_text",
    "note",
)
_CREDENTIAL_FIELDS = (
    "name",
    "points_required",
    "annual_fee",
    "reactivation_fee_ce",
    "reactivation_fee_exam",
)
_CATEGORY_FIELDS = (
    "name",
    "guidance",
    "unit",
    "points_per_unit",
    "max_points_per_cycle",
    "claimable_until",
    "evidence",
)
_TEXT_FIELDS = {"name", "guidance", "unit", "evidence", "note", "attestation_text"}


@dataclass
class LoadReport:
    program: str
    effective_from: date
    created: bool = False
    changes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.created or bool(self.changes)


def _decimal_or_none(value: Any) -> Any:
    if isinstance(value, bool):
        raise DomainError(f"Expected a number, got {value!r}.")
    if isinstance(value, int):
        return Decimal(value)
    return value


def _values(raw: dict[str, Any], names: tuple[str, ...], where: str) -> dict[str, Any]:
    unknown = set(raw) - set(names) - {"code", "effective_from"}
    if unknown:
        raise DomainError(f"{where}: unknown keys {', '.join(sorted(unknown))}.")
    values: dict[str, Any] = {}
    for name in names:
        value = raw.get(name)
        if name in _TEXT_FIELDS:
            values[name] = "" if value is None else str(value)
        else:
            values[name] = _decimal_or_none(value)
    return values


def _apply(obj: Model, values: dict[str, Any], label: str, report: LoadReport) -> bool:
    changed = [n for n, v in values.items() if getattr(obj, n) != v]
    for name in changed:
        report.changes.append(f"{label}.{name}: {getattr(obj, name)!r} → {values[name]!r}")
        setattr(obj, name, values[name])
    return bool(changed)


def parse_program_file(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle, parse_float=Decimal)
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise DomainError(f"Cannot read {path}: {error}") from error
    for section in ("program", "rules"):
        if not isinstance(data.get(section), dict):
            raise DomainError(f"{path}: the [{section}] table is missing.")
    return data


@transaction.atomic
def load_program_file(*, path: Path) -> LoadReport:
    """Create or update the program and the rule set the file defines.

    The file defines one dated version (`[rules].effective_from`). Loading it again
    changes nothing; loading an edited file updates that version and reports what
    changed. Versions made in the admin are left alone.
    """
    data = parse_program_file(path)
    meta, rule_data = data["program"], data["rules"]
    if not isinstance(rule_data.get("effective_from"), date):
        raise DomainError("[rules].effective_from must be a date such as 2006-01-01.")
    program, created = Program.objects.get_or_create(
        code=meta["code"],
        defaults={"name": meta["name"], "time_zone": meta.get("time_zone", "UTC")},
    )
    report = LoadReport(program=program.code, effective_from=rule_data["effective_from"])
    if not created and _apply(
        program,
        {"name": meta["name"], "time_zone": meta.get("time_zone", "UTC")},
        "program",
        report,
    ):
        program.save()

    rule_values = _values(rule_data, _RULE_FIELDS, "[rules]")
    rule_set = RuleSet.objects.filter(
        program=program, effective_from=rule_data["effective_from"]
    ).first()
    if rule_set is None:
        rule_set = RuleSet.objects.create(
            program=program, effective_from=rule_data["effective_from"], **rule_values
        )
        report.created = True
    elif _apply(rule_set, rule_values, "rules", report):
        rule_set.save()

    _load_rules(
        rule_set,
        data.get("credentials", []),
        model=Credential,
        rule_model=CredentialRule,
        fields=_CREDENTIAL_FIELDS,
        link="credential",
        report=report,
    )
    _load_rules(
        rule_set,
        data.get("categories", []),
        model=Category,
        rule_model=CategoryRule,
        fields=_CATEGORY_FIELDS,
        link="category",
        report=report,
    )
    if report.changed:
        log_event(
            action="program.rule_set.loaded",
            subject=rule_set,
            data={"file": str(path), "created": report.created, "changes": report.changes},
        )
    return report


def _load_rules(
    rule_set: RuleSet,
    entries: list[dict[str, Any]],
    *,
    model: type[Credential] | type[Category],
    rule_model: type[CredentialRule] | type[CategoryRule],
    fields: tuple[str, ...],
    link: str,
    report: LoadReport,
) -> None:
    seen: set[int] = set()
    for position, entry in enumerate(entries):
        code = entry.get("code")
        if not code:
            raise DomainError(f"Every {link} needs a code.")
        values = _values(entry, fields, f"{link} {code}")
        if rule_model is CategoryRule:
            values["position"] = position
        identity, _ = model.objects.get_or_create(program=rule_set.program, code=code)
        rule = rule_model.objects.filter(rule_set=rule_set, **{link: identity}).first()
        if rule is None:
            rule_model.objects.create(rule_set=rule_set, **{link: identity}, **values)
            if not report.created:
                report.changes.append(f"{link} {code}: added")
        elif _apply(rule, values, f"{link} {code}", report):
            rule.save()
        seen.add(identity.pk)
    stale = rule_model.objects.filter(rule_set=rule_set).exclude(**{f"{link}__in": seen})
    for rule in stale.select_related(link):
        report.changes.append(f"{link} {getattr(rule, link).code}: removed")
    stale.delete()
