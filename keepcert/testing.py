"""Small typed builders for tests and benchmarks: make_* functions over the real services."""

from __future__ import annotations

import io
import itertools
import zipfile
from datetime import date, timedelta  # date is re-exported for tests
from decimal import Decimal
from pathlib import Path, PurePath

from allauth.account.models import EmailAddress
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from keepcert.activities.models import Activity
from keepcert.activities.services import ActivityData, Attestation, record_activity
from keepcert.billing.models import Invoice
from keepcert.certifications.models import Certification, Cycle
from keepcert.certifications.services import create_certification
from keepcert.members.models import Member, User
from keepcert.program.models import Category, Credential, Program
from keepcert.program.services import load_program_file

# The shipped program; the tests run on their own small one (see testing_program.toml).
PROGRAM_FILE = Path(__file__).resolve().parent.parent / "programs" / "amt-ccp.toml"
TEST_PROGRAM_FILE = Path(__file__).resolve().parent / "testing_program.toml"
PROGRAM_CODE = "test-ccp"
PASSWORD = "correct horse battery staple"  # noqa: S105 - the test members' password
_numbers = itertools.count(100001)


def make_program() -> Program:
    load_program_file(path=TEST_PROGRAM_FILE)
    return Program.objects.get(code=PROGRAM_CODE)


def credential(code: str, program: Program | None = None) -> Credential:
    """A credential of `program` (the tests' own program by default)."""
    if program is None:
        return Credential.objects.get(program__code=PROGRAM_CODE, code=code)
    return Credential.objects.get(program=program, code=code)


def category(code: str = "professional-education", program: Program | None = None) -> Category:
    """A category of `program` (the tests' own program by default)."""
    if program is None:
        return Category.objects.get(program__code=PROGRAM_CODE, code=code)
    return Category.objects.get(program=program, code=code)


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
        program=program or Program.objects.get(code=PROGRAM_CODE),
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
    member: Member,
    code: str = "RMA",
    certified_on: date = date(2023, 5, 10),
    *,
    brought_in_points: Decimal | str | None = None,
) -> Certification:
    """A certification with its cycles up to today; the cycles that ended before today are
    brought in (completed before the record came to KeepCert), with `brought_in_points`
    each when given."""
    certification = create_certification(
        member=member, credential=credential(code, member.program), certified_on=certified_on
    )
    if brought_in_points is not None:
        certification.cycles.filter(origin=Cycle.Origin.BROUGHT_IN).update(
            brought_in_points=Decimal(brought_in_points)
        )
    return certification


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
            category=category(category_code, member.program),
            title=title,
            start_date=start,
            end_date=end or start,
            points=Decimal(points),
            cycles=cycles,
        ),
        attestation=Attestation(accepted=True, ip_address="127.0.0.1"),
        actor=member.user,
        confirm_duplicate=True,
        confirm_large_points=True,
    )


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


# The smallest contents each evidence type is recognised by.
SAMPLE_CONTENTS = {
    ".pdf": b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n",
    ".jpg": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + bytes(32),
    ".jpeg": b"\xff\xd8\xff\xe1\x00\x10Exif\x00\x00" + bytes(32),
    ".png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(17),
    ".heic": (24).to_bytes(4, "big") + b"ftypheic" + bytes(4) + b"mif1heic" + bytes(32),
    ".txt": b"Certificate of completion\r\nWound care webinar, 2 contact hours.\n",
    ".docx": _docx(),
}
EXECUTABLE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + bytes(54) + b"This program cannot be run in DOS mode."
)


def make_upload(name: str = "certificate.pdf", content: bytes | None = None) -> SimpleUploadedFile:
    """An uploaded file as a browser sends it; by default with real contents for its type."""
    if content is None:
        content = SAMPLE_CONTENTS[PurePath(name).suffix.lower()]
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def make_member_with_record(
    *, first_name: str, certifications: int, activities: int
) -> tuple[Member, Cycle]:
    """A member with 1–3 certifications (RMA, then RPT and MLT) and `activities` one-point
    activities from June 2025, each counting toward every open cycle its dates fall in;
    and their open RMA cycle. For tests that compare a small record with a large one."""
    member = make_member(first_name=first_name, last_name="Record")
    make_certification(member, "RMA")
    if certifications >= 2:
        make_certification(member, "RPT", date(2024, 1, 15))
    if certifications >= 3:
        make_certification(member, "MLT", date(2019, 3, 15))
    for n in range(activities):
        make_activity(
            member, title=f"Course {n}", points="1", start=date(2025, 6, 1) + timedelta(days=n)
        )
    return member, current_cycle(member.certifications.get(credential__code="RMA"))


def make_invoice(
    member: Member, *, due: date | None = None, closing: bool = False, amount: str = "50.00"
) -> Invoice:
    """An open USD invoice of the member's first certification: the closing invoice of its
    current cycle when `closing`, else due on `due` (May 31, 2026); issued 60 days before
    it is due, or five days ago if that is earlier."""
    certification = member.certifications.first() or make_certification(member)
    cycle = current_cycle(certification)
    due = cycle.end if closing else (due or date(2026, 5, 31))
    return Invoice.objects.create(
        certification=certification,
        due=due,
        issued_on=min(member.program.today() - timedelta(days=5), due - timedelta(days=60)),
        amount=Decimal(amount),
        currency="USD",
        closing_cycle=cycle if closing else None,
    )


def client_of(member: Member) -> Client:
    """A test client signed in as the member."""
    assert member.user is not None, "the member has no account"
    client = Client()
    client.force_login(member.user)
    return client
