"""Evidence under pressure (issue 5, finding 8): a storage failing halfway through a file
leaves nothing behind and tells the member so; each member's vault has a quota; and a
docx that is a zip bomb is refused without doing the work it asks for.

The clock is frozen at 2025-11-20 10:00 in Chicago (conftest); Alice's RMA cycle runs
2023-05-10 .. 2026-05-31. Every test stores its files under its own MEDIA_ROOT (conftest).
"""

from __future__ import annotations

import errno
import io
import threading
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import File
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from keepcert import testing
from keepcert.activities import filetypes
from keepcert.activities.evidence import EvidenceNotStored, attach_evidence
from keepcert.activities.models import Activity, Evidence
from keepcert.activities.services import ActivityData, Attestation, record_activity
from keepcert.core.errors import DomainError
from keepcert.members.models import Member
from keepcert.testing import make_upload

ATTESTED = Attestation(accepted=True, ip_address="203.0.113.7")
MB = 1024 * 1024
NOT_STORED = "We could not store your files just now. Nothing was saved; please try again."
NOT_A_DOCX = "the contents of this file are not a Word document, although its name says so."


def entry(title: str = "Wound care webinar") -> ActivityData:
    return ActivityData(
        category=testing.category(),
        title=title,
        start_date=date(2025, 10, 1),
        end_date=date(2025, 10, 1),
        points=Decimal(2),
    )


def stored_files(media_root: Path) -> list[Path]:
    return sorted(p for p in media_root.rglob("*") if p.is_file())


@pytest.fixture
def activity(alice: Member) -> Activity:
    return testing.make_activity(alice, title="Infection control update", start=date(2025, 9, 2))


def pdf(name: str, size: int) -> SimpleUploadedFile:
    head = make_upload("certificate.pdf").read()
    return make_upload(name, head + b"\n" * (size - len(head)))


# --- a full disk ------------------------------------------------------------------------------


class DiskFillsUp(FileSystemStorage):
    """A local storage whose disk fills up `room` bytes from now: the file being written
    then stays on disk, cut short, as a real full disk leaves it."""

    room = 0

    def _save(self, name: str, content: File[Any]) -> str:
        path = Path(self.path(name))
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as out:
            for chunk in content.chunks():
                if len(chunk) > DiskFillsUp.room:
                    out.write(chunk[: DiskFillsUp.room])
                    DiskFillsUp.room = 0
                    raise OSError(errno.ENOSPC, "No space left on device")
                out.write(chunk)
                DiskFillsUp.room -= len(chunk)
        return name


@pytest.fixture
def disk_fills_up(settings: Any) -> type[DiskFillsUp]:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": f"{__name__}.DiskFillsUp"},
    }
    return DiskFillsUp


@pytest.mark.security
@pytest.mark.parametrize(
    "room",
    [
        pytest.param(500, id="midway-through-the-first-file"),
        pytest.param(1 * MB + 500, id="midway-through-the-second-file"),
    ],
)
def test_a_disk_filling_up_during_an_upload_leaves_no_file_and_no_row(
    alice: Member, media_root: Path, disk_fills_up: type[DiskFillsUp], room: int
) -> None:
    disk_fills_up.room = room
    with pytest.raises(EvidenceNotStored) as refused:
        record_activity(
            member=alice,
            data=entry(),
            attestation=ATTESTED,
            actor=alice.user,
            files=[pdf("first.pdf", 1 * MB), pdf("second.pdf", 1 * MB)],
        )
    assert refused.value.message == NOT_STORED
    assert refused.value.field_errors == {"evidence": [NOT_STORED]}
    assert stored_files(media_root) == []  # the partly written file is gone too
    assert not Activity.objects.exists()
    assert not Evidence.objects.exists()


@pytest.mark.security
def test_a_full_disk_when_attaching_keeps_the_activity_as_it_was(
    activity: Activity, media_root: Path, disk_fills_up: type[DiskFillsUp]
) -> None:
    disk_fills_up.room = 2 * MB + 10
    with pytest.raises(EvidenceNotStored):
        attach_evidence(
            activity=activity,
            files=[pdf("a.pdf", 1 * MB), pdf("b.pdf", 1 * MB), pdf("c.pdf", 1 * MB)],
            actor=activity.member.user,
        )
    assert stored_files(media_root) == []
    assert not Evidence.objects.exists()


@pytest.mark.security
def test_the_portal_shows_the_full_disk_as_a_message_beside_the_files(
    alice_client: Any, alice: Member, media_root: Path, disk_fills_up: type[DiskFillsUp]
) -> None:
    from django.urls import reverse

    from keepcert.portal.tests.pages import field_errors, form_data

    disk_fills_up.room = 100
    cycle = testing.current_cycle(alice.certifications.get())
    response = alice_client.post(
        reverse("portal:activity_new"), form_data(cycle, evidence=[pdf("a.pdf", 1 * MB)])
    )
    assert response.status_code == 422  # the form again, not a server error
    assert field_errors(response, "evidence") == [NOT_STORED]
    assert stored_files(media_root) == []
    assert not Activity.objects.exists()


# --- the quota --------------------------------------------------------------------------------


@pytest.mark.security
def test_a_file_that_would_pass_the_members_quota_is_refused_saying_what_is_left(
    alice: Member, activity: Activity, media_root: Path, settings: Any
) -> None:
    settings.KEEPCERT_EVIDENCE_QUOTA_MB = 20
    other = testing.make_activity(alice, title="Ethics module", start=date(2025, 8, 4))
    # 18 MB kept over two activities: the quota is the member's, not the activity's.
    attach_evidence(activity=other, files=[pdf("a.pdf", 9 * MB)], actor=alice.user)
    attach_evidence(activity=activity, files=[pdf("b.pdf", 9 * MB)], actor=alice.user)
    before = stored_files(media_root)

    with pytest.raises(DomainError) as refused:
        attach_evidence(
            activity=activity,
            files=[pdf("small.pdf", 1 * MB), pdf("big.pdf", 3 * MB)],
            actor=alice.user,
        )
    message = (
        "big.pdf: there is not enough room in your evidence space. It holds 20 MB, 1 MB of it "
        "is left, and this file is 3 MB. Remove files you no longer need, or attach a "
        "smaller copy."
    )
    assert refused.value.field_errors == {"evidence": [message]}
    assert refused.value.code == "quota"
    assert stored_files(media_root) == before  # small.pdf, which fitted, was not kept either
    assert Evidence.objects.count() == 2

    # What still fits is accepted: exactly up to the quota.
    attach_evidence(activity=activity, files=[pdf("fits.pdf", 2 * MB)], actor=alice.user)
    assert Evidence.objects.count() == 3


def test_another_members_files_do_not_count_toward_the_quota(
    alice: Member, mallory: Member, activity: Activity, settings: Any
) -> None:
    settings.KEEPCERT_EVIDENCE_QUOTA_MB = 10
    theirs = testing.make_activity(mallory, title="Phlebotomy", start=date(2025, 8, 4))
    attach_evidence(activity=theirs, files=[pdf("a.pdf", 10 * MB)], actor=mallory.user)
    attach_evidence(activity=activity, files=[pdf("b.pdf", 10 * MB)], actor=alice.user)
    assert Evidence.objects.count() == 2


@pytest.mark.security
@pytest.mark.races
@pytest.mark.django_db(transaction=True)
def test_two_uploads_at_once_cannot_both_slip_past_the_quota(
    frozen_now: Any, media_root: Path, settings: Any
) -> None:
    """Two uploads of 6 MB to two activities, released together, with 10 MB left: one is
    kept. Meaningful on PostgreSQL only: SQLite lets one writer in at a time anyway, and
    its shared in-memory test database refuses a second connection's writes outright."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL")
    testing.make_program()
    member = testing.make_member()
    testing.make_certification(member, "RMA")
    settings.KEEPCERT_EVIDENCE_QUOTA_MB = 10
    activities = [
        testing.make_activity(member, title=f"Course {n}", start=date(2025, 9, n + 1))
        for n in range(2)
    ]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def upload(activity: Activity) -> None:
        try:
            barrier.wait(timeout=10)
            attach_evidence(activity=activity, files=[pdf("a.pdf", 6 * MB)], actor=member.user)
            outcomes.append("kept")
        except DomainError as error:
            outcomes.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=upload, args=(a,)) for a in activities]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["kept", "quota"]
    assert Evidence.objects.count() == 1
    assert len(stored_files(media_root)) == 1


# --- zip bombs --------------------------------------------------------------------------------


def docx(*, extra_entries: int = 0, bomb_bytes: int = 0) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
        for n in range(extra_entries):
            # Empty, stored, short names: 118,000 of them fit within the 10 MB rule.
            archive.writestr(str(n), b"", compress_type=zipfile.ZIP_STORED)
        if bomb_bytes:
            archive.writestr("word/bomb.xml", b"\0" * bomb_bytes)
    return buffer.getvalue()


class CountedZipFile(zipfile.ZipFile):
    """zipfile.ZipFile, counting the directory entries it parses."""

    entries_read = 0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # parses the whole central directory
        CountedZipFile.entries_read += len(self.filelist)


@pytest.fixture
def counted_zip(monkeypatch: pytest.MonkeyPatch) -> type[CountedZipFile]:
    CountedZipFile.entries_read = 0
    monkeypatch.setattr(filetypes.zipfile, "ZipFile", CountedZipFile)
    return CountedZipFile


def is_docx(content: bytes) -> bool:
    return filetypes.contents_match(filetypes.type_for_name("x.docx"), io.BytesIO(content))  # type: ignore[arg-type]


def test_a_word_document_with_a_few_hundred_parts_is_accepted(
    counted_zip: type[CountedZipFile],
) -> None:
    assert is_docx(docx(extra_entries=400))
    assert counted_zip.entries_read == 402


@pytest.mark.security
def test_a_docx_of_118000_entries_is_refused_without_reading_its_directory(
    activity: Activity, counted_zip: type[CountedZipFile], media_root: Path
) -> None:
    bomb = docx(extra_entries=118_000)
    assert len(bomb) < 10 * MB  # within the size rule: only the type check can refuse it
    with pytest.raises(DomainError) as refused:
        attach_evidence(
            activity=activity, files=[make_upload("bomb.docx", bomb)], actor=activity.member.user
        )
    assert refused.value.field_errors == {"evidence": [f"bomb.docx: {NOT_A_DOCX}"]}
    # Refused from the archive's end record: not one of its 118,002 entries was parsed.
    assert counted_zip.entries_read == 0
    assert stored_files(media_root) == []


@pytest.mark.security
def test_a_docx_whose_end_record_understates_its_entries_is_still_refused(
    counted_zip: type[CountedZipFile],
) -> None:
    bomb = bytearray(docx(extra_entries=2_000))
    end = bomb.rfind(b"PK\x05\x06")
    bomb[end + 8 : end + 12] = (3).to_bytes(2, "little") * 2  # "3 entries"
    assert not is_docx(bytes(bomb))
    assert counted_zip.entries_read <= 2_002  # a bounded directory: at most 256 KiB of it


@pytest.mark.security
def test_a_docx_that_unpacks_to_far_more_than_it_weighs_is_refused(
    counted_zip: type[CountedZipFile],
) -> None:
    bomb = docx(bomb_bytes=50 * MB)  # 50 MB of zeros deflate to about 50 KB
    assert len(bomb) < 1 * MB
    assert not is_docx(bomb)


def test_a_docx_that_is_not_a_zip_is_refused() -> None:
    assert not is_docx(b"PK\x03\x04" + b"\0" * 100)
