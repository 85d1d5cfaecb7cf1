"""What the API reads: request bodies parsed strictly into types.

A date is an ISO date string, a flag is a JSON boolean, unknown fields are refused;
whether the values make an acceptable entry is the services' business. The OpenAPI
document is as strict as the rules: `category` lists the codes of the program's
categories, and `attest` is documented as required and `true`.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from django.conf import settings
from django.utils.translation import gettext as _
from ninja.params.functions import Query
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    StrictBool,
    StrictInt,
    StrictStr,
    WithJsonSchema,
    field_validator,
)
from pydantic_core import PydanticCustomError

from keepcert.activities.limits import MAX_NOTES_LENGTH, MAX_PROVIDER_LENGTH, MAX_TITLE_LENGTH
from keepcert.activities.validation import (
    NOT_A_NUMBER,
    NUMBER_TEXT_PATTERN,
    UNSAVABLE_TEXT,
    is_storable_text,
    parse_number,
)
from keepcert.core.errors import DomainError
from keepcert.core.pagination import DEFAULT_LIMIT, MAX_LIMIT
from keepcert.program.models import Program
from keepcert.program.selectors import rules_of

# ---------------------------------------------------------------------------- parsing

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# Far above any points or units the columns can hold (under 100,000), and far below the
# size from which rounding to hundredths overflows the 28-digit decimal context.
_TOO_LARGE = Decimal(1_000_000)


def _text(value: str) -> str:
    # Refused here as well as by the service: a category code or any text reaching a query
    # with NUL or an unpaired surrogate would surface as a server error.
    if not is_storable_text(value):
        raise PydanticCustomError("unsavable_text", str(UNSAVABLE_TEXT))
    return value


def _iso_date(value: object) -> date:
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        raise PydanticCustomError(
            "date_format", _("Enter the date as YYYY-MM-DD, e.g. 2025-03-14.")
        )
    try:
        return date.fromisoformat(value)
    except ValueError:
        # Written here, not by pydantic: the value is quoted, never read as a template.
        message = _("%(value)s is not a real date.") % {"value": value}
        raise PydanticCustomError("date_invalid", message) from None


def _decimal(value: object) -> Decimal:
    number: Decimal | None = None
    if isinstance(value, bool):
        pass  # JSON true is not 1 point
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        # repr is the shortest text that reads back as this float: what the client
        # wrote (1.234), not its binary approximation (1.2339999…).
        number = Decimal(repr(value))
    elif isinstance(value, str):
        # Read as the web form reads it ("1,5" is 1.5): one rule, in the service layer.
        try:
            number = parse_number(value)
        except DomainError as error:
            raise PydanticCustomError("decimal", error.message) from None
    if number is None or not number.is_finite():
        raise PydanticCustomError("decimal", str(NOT_A_NUMBER))
    if abs(number) >= _TOO_LARGE:
        raise PydanticCustomError("decimal_too_large", _("That number is too large."))
    return number


Text = Annotated[StrictStr, AfterValidator(_text)]
IsoDate = Annotated[
    date,
    PlainValidator(_iso_date),
    WithJsonSchema({"type": "string", "format": "date", "examples": ["2025-03-14"]}),
]
DecimalIn = Annotated[
    Decimal,
    PlainValidator(_decimal),
    WithJsonSchema(
        {
            "anyOf": [{"type": "number"}, {"type": "string", "pattern": NUMBER_TEXT_PATTERN}],
            "examples": ["1.25", "1,5", 3],
        }
    ),
]


def _drop_null_from_schema(schema: dict[str, Any]) -> None:
    """Optional fields are typed `X | None` in Python (None: left out), but null is refused."""
    for prop in schema.get("properties", {}).values():
        if "default" in prop and prop["default"] is None:
            del prop["default"]
        variants = prop.get("anyOf")
        if variants:
            kept = [v for v in variants if v.get("type") != "null"]
            if len(kept) == 1:
                del prop["anyOf"]
                prop.update(kept[0])
            else:
                prop["anyOf"] = kept


def _attest_must_be_true(schema: dict[str, Any]) -> None:
    """`attest` is documented as the rules have it: required, and true.

    At run time a missing or false `attest` is left to the service, so the member reads
    its one sentence ("Tick the attestation…") alongside the entry's other errors,
    exactly as the web form shows them; either way the request is refused with a 422.
    """
    prop = schema.get("properties", {}).get("attest")
    if prop is None:
        return
    prop.pop("default", None)
    prop["const"] = True
    schema["required"] = [*schema.get("required", []), "attest"]


def _input_schema(schema: dict[str, Any]) -> None:
    _drop_null_from_schema(schema)
    _attest_must_be_true(schema)


def category_codes() -> list[str]:
    """Codes of the categories that can be recorded today in this deployment's program."""
    program = Program.objects.filter(code=settings.KEEPCERT_PROGRAM).first()
    if program is None:
        return []
    try:
        rule_set = rules_of(program).rule_set_on(program.today())
    except DomainError:  # a program without rules yet
        return []
    return [rule.category.code for rule in rule_set.category_rules.all()]


def _category_enum(prop: dict[str, Any]) -> None:
    # Called each time the document is generated (ninja builds it per request), so a
    # program loaded or changed later shows without a restart.
    codes = category_codes()
    if codes:  # an empty enum would document that nothing is valid
        prop["enum"] = codes


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra=_input_schema)

    @field_validator("*", mode="before")
    @classmethod
    def _refuse_null(cls, value: object) -> object:
        if value is None:
            raise PydanticCustomError("null", _("Give a value here, not null."))
        return value


_CATEGORY = "The category's code, e.g. `professional-education` (see GET /me)."
_POINTS = (
    "Points earned: a JSON number or a decimal string, more than 0, at most two decimal "
    "places, at most the program's per-entry maximum. In a string, a comma followed by one "
    'or two digits marks the decimals (`"1,5"` is 1.5); any other comma is refused.'
)
_UNITS = "Units (e.g. contact hours) for a category with a calculator, instead of points."
_CERTIFICATIONS = (
    "Ids of your certifications this activity counts toward; each must have a cycle open "
    "for recording. Left out: every cycle open for recording whose dates contain the activity."
)
_TITLE = f"Up to {MAX_TITLE_LENGTH:,} characters."
_PROVIDER = f"Up to {MAX_PROVIDER_LENGTH:,} characters."
_NOTES = f"Up to {MAX_NOTES_LENGTH:,} characters."
_ATTEST = "Must be true: you attest that the information is correct (the program's text)."
_CONFIRM = "Send true to save an entry that looks like one already recorded (a 409 `duplicate`)."
_CONFIRM_LARGE = (
    "Send true to save points that look too large (a 409 `large_points`): more than one "
    "activity of the category usually earns, or more than the cycles it counts toward "
    "still need."
)


class ActivityIn(_Input):
    """A CE activity to record."""

    category: Text = Field(description=_CATEGORY, json_schema_extra=_category_enum)
    title: Text = Field(description=_TITLE)
    provider: Text = Field("", description=_PROVIDER)
    start_date: IsoDate
    end_date: IsoDate = Field(description="On or after the start date; not after today.")
    points: DecimalIn | None = Field(None, description=_POINTS)
    units: DecimalIn | None = Field(None, description=_UNITS)
    notes: Text = Field("", description=_NOTES)
    certifications: list[StrictInt] | None = Field(None, max_length=50, description=_CERTIFICATIONS)
    attest: StrictBool = Field(False, description=_ATTEST)
    confirm_duplicate: StrictBool = Field(False, description=_CONFIRM)
    confirm_large_points: StrictBool = Field(False, description=_CONFIRM_LARGE)


class ActivityPatch(_Input):
    """Changes to a CE activity: fields left out keep their values.

    Sending `points` without `units` drops the units (and the other way round); sending
    `certifications` replaces the cycles the activity counts toward.
    """

    category: Text | None = Field(None, description=_CATEGORY, json_schema_extra=_category_enum)
    title: Text | None = None
    provider: Text | None = None
    start_date: IsoDate | None = None
    end_date: IsoDate | None = None
    points: DecimalIn | None = Field(None, description=_POINTS)
    units: DecimalIn | None = Field(None, description=_UNITS)
    notes: Text | None = None
    certifications: list[StrictInt] | None = Field(None, max_length=50, description=_CERTIFICATIONS)
    attest: StrictBool = Field(False, description=_ATTEST + " Every change is attested anew.")
    confirm_duplicate: StrictBool = Field(False, description=_CONFIRM)
    confirm_large_points: StrictBool = Field(False, description=_CONFIRM_LARGE)


# ---------------------------------------------------------------------------- query

Limit = Annotated[
    int | None,
    Query(
        None,
        ge=1,
        le=MAX_LIMIT,
        description=f"Items a page: {DEFAULT_LIMIT} unless you ask, at most {MAX_LIMIT}.",
    ),
]
Cursor = Annotated[
    str | None,
    Query(
        None,
        max_length=1000,
        description="The `next` of the previous page; leave it out for the first page.",
    ),
]
