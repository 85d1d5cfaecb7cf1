"""The rows the generator makes, one named type per table.

A row's fields are its table's columns (model attribute names), in the order COPY
receives them: ``bench/writers.py`` derives every column list from these types and checks
them against the models, so a field added to a model fails with a message naming this
file rather than a NOT NULL error in the middle of a COPY. NamedTuples, because
psycopg's ``copy.write_row`` takes them as they are and a million members make tens of
millions of rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import NamedTuple


class MemberRow(NamedTuple):
    id: int
    program_id: int
    member_number: str
    user_id: int | None
    first_name: str
    last_name: str
    date_of_birth: date
    email: str
    address_line1: str
    address_line2: str
    city: str
    region: str
    postal_code: str
    country: str
    created_at: datetime


class CertificationRow(NamedTuple):
    id: int
    member_id: int
    credential_id: int
    certified_on: date
    status: str
    status_reason: str
    status_changed_on: date


class CycleRow(NamedTuple):
    id: int
    certification_id: int
    start: date
    end: date
    status: str


class ActivityRow(NamedTuple):
    id: int
    member_id: int
    category_id: int
    title: str
    provider: str
    start_date: date
    end_date: date
    points: Decimal
    units: Decimal | None
    notes: str
    attestation_text: str
    attested_at: datetime
    attested_from: str
    created_at: datetime
    updated_at: datetime


class CycleActivityRow(NamedTuple):
    """An CycleActivity: one activity counting toward one cycle."""

    id: int
    activity_id: int
    cycle_id: int


@dataclass(frozen=True)
class Table:
    """Where one row type is written: the batch attribute holding its rows, and the model."""

    name: str
    row_type: type[tuple[object, ...]]
    model_label: str


TABLES = (
    Table("members", MemberRow, "members.Member"),
    Table("certifications", CertificationRow, "certifications.Certification"),
    Table("cycles", CycleRow, "certifications.Cycle"),
    Table("activities", ActivityRow, "activities.Activity"),
    Table("claims", CycleActivityRow, "activities.CycleActivity"),
)
"""In the order they are written, parents before children."""


@dataclass
class Batch:
    """The rows of one batch of members, per table (attributes named as in ``TABLES``)."""

    members: list[MemberRow] = field(default_factory=list)
    certifications: list[CertificationRow] = field(default_factory=list)
    cycles: list[CycleRow] = field(default_factory=list)
    activities: list[ActivityRow] = field(default_factory=list)
    claims: list[CycleActivityRow] = field(default_factory=list)

    def rows(self, table: Table) -> list[tuple[object, ...]]:
        rows: list[tuple[object, ...]] = getattr(self, table.name)
        return rows


@dataclass
class Ids:
    """The next primary key of each table; ids are assigned here, never read back."""

    member: int
    certification: int
    cycle: int
    activity: int
    claim: int
