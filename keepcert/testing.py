"""Small typed builders for tests and benchmarks: make_* functions over the real services."""

from __future__ import annotations

import itertools
from datetime import date  # re-exported for tests
from decimal import Decimal
from pathlib import Path

from allauth.account.models import EmailAddress

from keepcert.activities.models import Activity
from keepcert.activities.services import ActivityData, Attestation, record_activity
from keepcert.certifications.models import Certification, Cycle
from keepcert.certifications.services import create_certification
from keepcert.members.models import Member, User
from keepcert.program.models import Category, Credential, Program
from keepcert.program.services import load_program_file

PROGRAM_FILE = Path(__file__).resolve().parent.parent / "programs" / "amt-ccp.toml"
PASSWORD = "correct horse battery staple"  # noqa: S105 - the test members' password
_numbers = itertools.count(100001)


def make_program() -> Program:
    load_program_file(path=PROGRAM_FILE)
    return Program.objects.get(code="amt-ccp")


def credential(code: str) -> Credential:
    return Credential.objects.get(program__code="amt-ccp", code=code)


def category(code: str = "professional-education") -> Category:
    return Category.objects.get(program__code="amt-ccp", code=code)


def make_user(email: str, *, password: str = PASSWORD, staff: bool = False) -> User:
    user = User.objects.create_user(
        email=email, password=password, is_staff=staff, is_superuser=staff
    )
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
    return user


def make_member(
    *,
    first_name: str = "Alice",
    last_name: str = "Nguyen",
    email: str | None = None,
    date_of_birth: date = date(1990, 4, 12),
    with_account: bool = True,
    program: Program | None = None,
) -> Member:
    number = f"{next(_numbers)}"
    email = email or f"{first_name.lower()}.{number}@example.org"
    member = Member.objects.create(
        program=program or Program.objects.get(code="amt-ccp"),
        member_number=number,
        first_name=first_name,
        last_name=last_name,
        date_of_birth=date_of_birth,
        email=email,
    )
    if with_account:
        member.user = make_user(email)
        member.save(update_fields=["user"])
    return member


def make_certification(
    member: Member, code: str = "RMA", certified_on: date = date(2023, 5, 10)
) -> Certification:
    return create_certification(
        member=member, credential=credential(code), certified_on=certified_on
    )


def current_cycle(certification: Certification) -> Cycle:
    return certification.cycles.get(status=Cycle.Status.OPEN)


def make_activity(
    member: Member,
    *,
    title: str = "Infection control update",
    points: Decimal | str = "3",
    start: date = date(2024, 3, 1),
    end: date | None = None,
    category_code: str = "professional-education",
    cycles: list[Cycle] | None = None,
) -> Activity:
    return record_activity(
        member=member,
        data=ActivityData(
            category=category(category_code),
            title=title,
            start_date=start,
            end_date=end or start,
            points=Decimal(points),
            cycles=cycles,
        ),
        attestation=Attestation(accepted=True, ip_address="127.0.0.1"),
        actor=member.user,
        confirm_duplicate=True,
    )
