"""Changing the program (SPEC §2): loading the program file, idempotently, and
publishing a new dated version of the rules."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from keepcert.core.errors import DomainError
from keepcert.core.models import log_event
from keepcert.program.models import (
    FEE_GRACE_DAYS,
    GRANDFATHERED_UNPAID_YEARS,
    INVOICE_LEAD_DAYS,
    USUAL_MAX_POINTS,
    Category,
    CategoryRule,
    Credential,
    CredentialRule,
    Program,
    ProgramText,
    RuleSet,
    translation_problems,
)
from keepcert.program.selectors import forget_program_rules

RULE_SET_FIELDS = (
    "cycle_years",
    "ce_required_from",
    "grandfather_ends_on_reactivation_after",
    "recording_grace_days",
    "invoice_lead_days",
    "fee_grace_days",
    "grandfathered_unpaid_years",
    "max_points_per_entry",
    "attestation_text",
    "note",
    "translations",
)
# The fields of a credential's and a category's rules that a program file or a published
# version sets (the admin's rule-set form edits the same ones).
CREDENTIAL_RULE_FIELDS = (
    "name",
    "points_required",
    "annual_fee",
    "reactivation_fee_ce",
    "reactivation_fee_exam",
    "translations",
)
CATEGORY_RULE_FIELDS = (
    "name",
    "guidance",
    "unit",
    "points_per_unit",
    "max_points_per_cycle",
    "claimable_until",
    "evidence",
    "usual_max_points",
    "translations",
)
_TEXT_FIELDS = {"name", "guidance", "unit", "evidence", "note", "attestation_text"}
# What a key left out of the program file stands for, where that is not "unknown".
_DEFAULTS = {
    "usual_max_points": USUAL_MAX_POINTS,
    "invoice_lead_days": INVOICE_LEAD_DAYS,
    "fee_grace_days": FEE_GRACE_DAYS,
    "grandfathered_unpaid_years": GRANDFATHERED_UNPAID_YEARS,
}


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
        raise DomainError(_("Expected a number, got %(value)s.") % {"value": repr(value)})
    if isinstance(value, int):
        return Decimal(value)
    return value


def _translations(
    raw: dict[str, Any], model: type[ProgramText], where: str, *, besides: tuple[str, ...] = ()
) -> dict[str, dict[str, str]]:
    """The `[<table>.<language>]` tables of one place in the program file (the tables in
    `besides` are something else, such as `[program.contact]`), checked."""
    tables = {
        key: value
        for key, value in raw.items()
        if isinstance(value, dict) and key not in (*besides, "translations")
    }
    problems = translation_problems(tables, model.TRANSLATED_FIELDS)
    if problems:
        raise DomainError(
            " ".join(
                # Translators: %(where)s is a place in the program file, e.g. "credential
                # RMA"; %(problem)s what is wrong there.
                _("%(where)s: %(problem)s") % {"where": where, "problem": problem}
                for problem in problems
            )
        )
    return {
        language: {name: text.strip() for name, text in texts.items() if text.strip()}
        for language, texts in tables.items()
    }


def _values(
    raw: dict[str, Any], names: tuple[str, ...], where: str, model: type[ProgramText]
) -> dict[str, Any]:
    translations = _translations(raw, model, where)
    unknown = set(raw) - set(names) - {"code", "effective_from"} - set(translations)
    unknown |= {"translations"} & set(raw)  # the file gives them as tables, one a language
    if unknown:
        raise DomainError(
            # Translators: %(where)s is a place in the program file, e.g. "[rules]" or
            # "credential RMA"; %(names)s the keys it does not know.
            _("%(where)s: unknown keys %(names)s.")
            % {"where": where, "names": ", ".join(sorted(unknown))}
        )
    values: dict[str, Any] = {}
    for name in names:
        value = raw.get(name, _DEFAULTS.get(name))
        if name == "translations":
            values[name] = translations
        elif name in _TEXT_FIELDS:
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


# `[program.contact]` in the program file: the certifying body's contact for members.
CONTACT_FIELDS = ("name", "email", "phone", "address", "url")


def _contact_values(raw: Any) -> dict[str, str]:
    if not isinstance(raw, dict):
        raise DomainError(_("[program.contact] must be a table."))
    unknown = set(raw) - set(CONTACT_FIELDS)
    if unknown:
        raise DomainError(
            _("%(where)s: unknown keys %(names)s.")
            % {"where": "[program.contact]", "names": ", ".join(sorted(unknown))}
        )
    values = {f"contact_{name}": str(raw.get(name) or "").strip() for name in CONTACT_FIELDS}
    program = Program(**values)
    try:
        program.clean_fields(exclude=["code", "name", "short_name", "time_zone"])
    except ValidationError as error:
        raise DomainError(
            "[program.contact]: "
            + " ".join(f"{name}: {' '.join(m)}" for name, m in error.message_dict.items())
        ) from error
    return values


def parse_program_file(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle, parse_float=Decimal)
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise DomainError(
            _("Cannot read %(path)s: %(error)s") % {"path": path, "error": error}
        ) from error
    for section in ("program", "rules"):
        if not isinstance(data.get(section), dict):
            raise DomainError(
                _("%(path)s: the [%(section)s] table is missing.")
                % {"path": path, "section": section}
            )
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
        raise DomainError(_("[rules].effective_from must be a date such as 2006-01-01."))
    currency = meta.get("currency", "USD")
    if not (isinstance(currency, str) and re.fullmatch(r"[A-Z]{3}", currency)):
        raise DomainError(
            _("[program].currency must be an ISO 4217 code such as USD, not %(value)s.")
            % {"value": repr(currency)}
        )
    program_values = {
        "name": meta["name"],
        "short_name": str(meta.get("short_name") or "").strip(),
        "time_zone": meta.get("time_zone", "UTC"),
        "currency": currency,
        **_contact_values(meta.get("contact", {})),
        "translations": _translations(meta, Program, "[program]", besides=("contact",)),
    }
    program, created = Program.objects.get_or_create(code=meta["code"], defaults=program_values)
    report = LoadReport(program=program.code, effective_from=rule_data["effective_from"])
    if not created and _apply(program, program_values, "program", report):
        program.save()

    rule_values = _values(rule_data, RULE_SET_FIELDS, "[rules]", RuleSet)
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
        fields=CREDENTIAL_RULE_FIELDS,
        link="credential",
        report=report,
    )
    _load_rules(
        rule_set,
        data.get("categories", []),
        model=Category,
        rule_model=CategoryRule,
        fields=CATEGORY_RULE_FIELDS,
        link="category",
        report=report,
    )
    if report.changed:
        forget_program_rules()
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
            raise DomainError(
                _("Every credential needs a code.")
                if link == "credential"
                else _("Every category needs a code.")
            )
        values = _values(entry, fields, f"{link} {code}", rule_model)
        if rule_model is CategoryRule:
            values["position"] = position
        identity, _created = model.objects.get_or_create(program=rule_set.program, code=code)
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


# --- publishing a new version --------------------------------------------------------------

RuleChanges = Mapping[str, Any]


def check_effective_from(*, program: Program, effective_from: date) -> None:
    """Refuse a day a new version may not take effect on, with the reason to show.

    A version dated before today would change how cycles already under way were judged
    on days that have passed; a second version on one day would leave which one is in
    force undefined.
    """
    if RuleSet.objects.filter(program=program, effective_from=effective_from).exists():
        raise DomainError(
            _taken_day_message(), field_errors={"effective_from": [_taken_day_message()]}
        )
    today = program.today()
    if effective_from < today:
        message = _(
            "A new version cannot take effect before today (%(today)s): give today or a later day."
        ) % {"today": date_format(today, "F j, Y")}
        raise DomainError(
            message, field_errors={"effective_from": [message]}, code="effective_from_past"
        )


def _taken_day_message() -> str:
    return _(
        "A version effective on this day exists already. Saving makes a new version: "
        "give the day the change takes effect."
    )


@transaction.atomic
def publish_rule_set(
    *,
    base: RuleSet | None,
    effective_from: date,
    actor: Any,
    program: Program | None = None,
    rules: RuleChanges | None = None,
    credential_rules: Mapping[Credential, RuleChanges | None] | None = None,
    category_rules: Mapping[Category, RuleChanges | None] | None = None,
) -> RuleSet:
    """Publish a new version of the program's rules, in force from `effective_from`.

    The new version starts as a copy of `base` (or empty, for a program's first version
    made by hand) with the changes applied: `rules` sets rule set fields, and each entry
    of `credential_rules` / `category_rules` sets that credential's or category's terms,
    or removes them from the new version when it is None. `base` itself never changes:
    cycles that started under it are judged by it. The day must be today or later.
    Logs `program.rule_set.published` with what changed against `base`.
    """
    if base is not None:
        if program is not None and program.pk != base.program_id:
            raise DomainError(_("A new version belongs to the program of the version it copies."))
        program = base.program
    if program is None:
        raise DomainError(_("Choose the program the rules are for."))
    check_effective_from(program=program, effective_from=effective_from)

    before = {name: getattr(base, name) for name in RULE_SET_FIELDS} if base else {}
    values = {**before, **_known(rules or {}, RULE_SET_FIELDS, "rules")}
    _drop_stale_translations(before, values, RuleSet)
    rule_set = RuleSet(program=program, effective_from=effective_from, created_by=actor, **values)
    _validate(rule_set)
    try:
        with transaction.atomic():
            rule_set.save()
    except IntegrityError as error:  # another publication took the day meanwhile
        raise DomainError(
            _taken_day_message(), field_errors={"effective_from": [_taken_day_message()]}
        ) from error

    changes = [
        f"rules.{name}: {_shown(getattr(base, name, None))} → {_shown(value)}"
        for name, value in values.items()
        if base is None or getattr(base, name) != value
    ]
    base_credentials = base.credential_rules.select_related("credential") if base else []
    base_categories = base.category_rules.select_related("category") if base else []
    changes += _publish_rows(
        rule_set,
        {rule.credential: _row(rule, CREDENTIAL_RULE_FIELDS) for rule in base_credentials},
        credential_rules or {},
        model=CredentialRule,
        link="credential",
        fields=CREDENTIAL_RULE_FIELDS,
    )
    changes += _publish_rows(
        rule_set,
        {
            rule.category: _row(rule, (*CATEGORY_RULE_FIELDS, "position"))
            for rule in base_categories
        },
        category_rules or {},
        model=CategoryRule,
        link="category",
        fields=(*CATEGORY_RULE_FIELDS, "position"),
    )
    forget_program_rules()
    log_event(
        action="program.rule_set.published",
        subject=rule_set,
        actor=actor,
        data={
            "base": base.pk if base else None,
            "effective_from": effective_from.isoformat(),
            "changes": changes,
        },
    )
    return rule_set


def _publish_rows(
    rule_set: RuleSet,
    rows: dict[Any, dict[str, Any]],
    changes: Mapping[Any, RuleChanges | None],
    *,
    model: type[CredentialRule] | type[CategoryRule],
    link: str,
    fields: tuple[str, ...],
) -> list[str]:
    """Write the new version's rows for one kind (credential or category); say what changed."""
    described: list[str] = []
    for identity, change in changes.items():
        if identity.program_id != rule_set.program_id:
            raise DomainError(_("%(code)s is not part of this program.") % {"code": identity.code})
        before = rows.get(identity)
        if change is None:
            if rows.pop(identity, None) is not None:
                described.append(f"{link} {identity.code}: removed")
            continue
        after = {**(before or {}), **_known(change, fields, f"{link} {identity.code}")}
        _drop_stale_translations(before or {}, after, model)
        rows[identity] = after
        if before is None:
            described.append(f"{link} {identity.code}: added")
        else:
            described += [
                f"{link} {identity.code}.{name}: {_shown(before.get(name))} → {_shown(value)}"
                for name, value in after.items()
                if before.get(name) != value
            ]
    for identity, values in rows.items():
        row = model(rule_set=rule_set, **{link: identity}, **values)
        _validate(row, exclude=["rule_set"])
        row.save()
    return described


def _drop_stale_translations(
    before: Mapping[str, Any], after: dict[str, Any], model: type[ProgramText]
) -> None:
    """A text the new version changes, while its translations stay as they were, is not
    translated any more: the old translation would tell members the old rule. It is left
    out of `after`, so members read the new text until someone translates it."""
    if "translations" in after and not after["translations"]:
        after["translations"] = {}  # an emptied box in the admin
    if not before or before.get("translations") != after.get("translations"):
        return
    changed = {name for name in model.TRANSLATED_FIELDS if before.get(name) != after.get(name)}
    if not changed:
        return
    kept = {
        language: {name: text for name, text in texts.items() if name not in changed}
        for language, texts in (after.get("translations") or {}).items()
    }
    after["translations"] = {language: texts for language, texts in kept.items() if texts}


def _row(rule: Model, fields: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(rule, name) for name in fields}


def _known(values: RuleChanges, names: tuple[str, ...], where: str) -> dict[str, Any]:
    unknown = set(values) - set(names)
    if unknown:
        raise DomainError(
            _("%(where)s: unknown fields %(names)s.")
            % {"where": where, "names": ", ".join(sorted(unknown))}
        )
    return dict(values)


def _validate(obj: Model, exclude: list[str] | None = None) -> None:
    """The model's own field checks, as a DomainError naming each field."""
    try:
        obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=True)
    except ValidationError as error:
        raise DomainError(
            " ".join(error.messages),
            field_errors={
                name: messages
                for name, messages in error.message_dict.items()
                if name != NON_FIELD_ERRORS
            },
        ) from error


def _shown(value: Any) -> str:
    return "(empty)" if value is None or value == "" else str(value)
