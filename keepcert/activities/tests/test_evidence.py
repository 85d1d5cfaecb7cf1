"""Evidence files kept with an activity (SPEC §4): which files are accepted and what the
member reads when one is not, that a refusal stores nothing, that the member's own file
name never reaches the disk, and that removed files leave the storage once committed.

The clock is frozen at 2025-11-20 10:00 in Chicago (conftest); Alice's RMA cycle runs
2023-05-10 .. 2026-05-31. Every test stores its files under its own MEDIA_ROOT (conftest).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from keepcert import testing
from keepcert.activities import evidence as vault
from keepcert.activities.models import Activity, Evidence
from keepcert.activities.selectors import activity_history
from keepcert.activities.services import (
    ActivityData,
    Attestation,
    attach_evidence,
    delete_activity,
    record_activity,
    remove_evidence,
    update_activity,
)
from keepcert.core.errors import DomainError, NotAllowed
from keepcert.core.models import Event
from keepcert.members.models import Member
from keepcert.testing import EXECUTABLE, make_upload

CHICAGO = ZoneInfo("America/Chicago")
ATTESTED = Attestation(accepted=True, ip_address="203.0.113.7")
MB = 1024 * 1024
WRONG_TYPE = "only PDF, JPEG, PNG, HEIC, TXT or DOCX files can be attached."
LOCKED = (
    "This activity can no longer be changed. It counts toward your RMA cycle "
    "(May 10, 2023 – May 31, 2026), which is closed for changes."
)


def entry(title: str = "Wound care webinar", points: str = "2") -> ActivityData:
    return ActivityData(
        category=testing.category(),
        title=title,
        start_date=date(2025, 10, 1),
        end_date=date(2025, 10, 1),
        points=Decimal(points),
    )


def stored_files(media_root: Path) -> list[Path]:
    return sorted(p for p in media_root.rglob("*") if p.is_file())


def saved(media_root: Path) -> tuple[int, int, int, int]:
    """Everything attaching may write: activities, evidence rows, events, stored files."""
    return (
        Activity.objects.count(),
        Evidence.objects.count(),
        Event.objects.count(),
        len(stored_files(media_root)),
    )


@pytest.fixture
def activity(alice: Member) -> Activity:
    return testing.make_activity(alice, title="Infection control update", start=date(2025, 9, 2))


def attach(activity: Activity, *files: SimpleUploadedFile) -> list[Evidence]:
    return attach_evidence(
        activity=activity, files=list(files), actor=activity.member.user, ip_address="203.0.113.7"
    )


# --- works ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("certificate.pdf", "application/pdf"),
        ("photo.jpg", "image/jpeg"),
        ("PHOTO.JPEG", "image/jpeg"),
        ("scan.png", "image/png"),
        ("iphone.heic", "image/heic"),
        ("letter.txt", "text/plain"),
        (
            "transcript.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
    ],
)
def test_each_accepted_type_is_kept_with_the_type_its_contents_show(
    activity: Activity, media_root: Path, name: str, content_type: str
) -> None:
    upload = make_upload(name)
    content = upload.read()
    upload.seek(0)

    [evidence] = attach(activity, upload)

    evidence.refresh_from_db()
    assert evidence.activity == activity
    assert evidence.original_name == name
    assert evidence.content_type == content_type  # not the browser's "application/octet-stream"
    assert evidence.size == len(content)
    assert (media_root / evidence.file.name).read_bytes() == content


def test_the_stored_name_is_random_under_the_member_never_the_members_file_name(
    alice: Member, activity: Activity, media_root: Path
) -> None:
    first, second = attach(
        activity, make_upload("My Certificate.PDF"), make_upload("My Certificate.PDF")
    )
    uuid4 = "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}"
    pattern = rf"evidence/{alice.pk}/{uuid4}\.pdf"
    assert re.fullmatch(pattern, first.file.name)
    assert re.fullmatch(pattern, second.file.name)
    assert first.file.name != second.file.name
    assert "Certificate" not in " ".join(str(p) for p in stored_files(media_root))
    assert [e.original_name for e in activity.evidence.all()] == ["My Certificate.PDF"] * 2


def test_control_and_direction_characters_are_dropped_from_the_shown_name(
    activity: Activity,
) -> None:
    # U+202E would show "evil\u202etxt.pdf" as "eviltxt.fdp"-style reversed text.
    [evidence] = attach(activity, make_upload("cert\r\nificate\u202e.pdf"))
    assert evidence.original_name == "certificate.pdf"


def test_attaching_is_logged_and_shown_in_the_history(alice: Member, activity: Activity) -> None:
    attach(activity, make_upload("certificate.pdf"), make_upload("letter.txt"))

    event = Event.objects.get(action="activities.evidence.attached")
    assert event.subject_id == str(activity.pk)
    assert (event.actor, event.member, event.ip_address) == (alice.user, alice, "203.0.113.7")
    assert [(f["name"], f["content_type"]) for f in event.data["files"]] == [
        ("certificate.pdf", "application/pdf"),
        ("letter.txt", "text/plain"),
    ]
    assert [h.label for h in activity_history(activity)] == [
        "Attached certificate.pdf, letter.txt",
        "Recorded",
    ]


def test_recording_with_files_keeps_them_in_the_same_step(alice: Member, media_root: Path) -> None:
    activity = record_activity(
        member=alice,
        data=entry(),
        attestation=ATTESTED,
        actor=alice.user,
        files=[make_upload("certificate.pdf"), make_upload("photo.jpg")],
    )
    assert [e.original_name for e in activity.evidence.all()] == ["certificate.pdf", "photo.jpg"]
    assert len(stored_files(media_root)) == 2
    assert [h.label for h in activity_history(activity)] == [
        "Attached certificate.pdf, photo.jpg",
        "Recorded",
    ]


def test_editing_with_files_adds_them_to_those_already_kept(
    alice: Member, activity: Activity
) -> None:
    attach(activity, make_upload("certificate.pdf"))
    update_activity(
        activity=activity,
        data=ActivityData(
            category=testing.category(),
            title="Infection control update",
            start_date=date(2025, 9, 2),
            end_date=date(2025, 9, 2),
            points=Decimal(3),
        ),
        attestation=ATTESTED,
        actor=alice.user,
        files=[make_upload("letter.txt")],
    )
    assert [e.original_name for e in activity.evidence.all()] == ["certificate.pdf", "letter.txt"]
    # Nothing else changed: the history shows the files, not an empty change.
    assert [h.label for h in activity_history(activity)][:2] == [
        "Attached letter.txt",
        "Attached certificate.pdf",
    ]


def test_five_files_is_the_most_an_activity_keeps(activity: Activity) -> None:
    attach(activity, *[make_upload(f"page-{n}.png") for n in range(5)])
    assert activity.evidence.count() == 5


# --- bad input: a message naming the file, and nothing saved ---------------------------------


def refusal(name: str, content: bytes, message: str) -> Any:
    return pytest.param(name, content, message, id=name)


NOT_WHAT_ITS_NAME_SAYS = "the contents of this file are not {}, although its name says so."


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        refusal("scan.exe", EXECUTABLE, f"scan.exe: {WRONG_TYPE}"),
        refusal("notes.html", b"<script>alert(1)</script>", f"notes.html: {WRONG_TYPE}"),
        refusal("README", b"plain words", f"README: {WRONG_TYPE}"),
        refusal("letter.doc", b"\xd0\xcf\x11\xe0", f"letter.doc: {WRONG_TYPE}"),
        refusal(
            "certificate.pdf",
            EXECUTABLE,
            "certificate.pdf: " + NOT_WHAT_ITS_NAME_SAYS.format("a PDF document"),
        ),
        refusal(
            "photo.jpg",
            testing.SAMPLE_CONTENTS[".png"],
            "photo.jpg: " + NOT_WHAT_ITS_NAME_SAYS.format("a JPEG image"),
        ),
        refusal(
            "notes.txt",
            b"MZ\x90\x00\x03\x00",
            "notes.txt: " + NOT_WHAT_ITS_NAME_SAYS.format("plain text"),
        ),
        refusal(
            "transcript.docx",
            b"PK\x03\x04 not really a zip",
            "transcript.docx: " + NOT_WHAT_ITS_NAME_SAYS.format("a Word document"),
        ),
        refusal(
            "movie.heic",
            (20).to_bytes(4, "big") + b"ftypisom" + bytes(12),
            "movie.heic: " + NOT_WHAT_ITS_NAME_SAYS.format("a HEIC image"),
        ),
        refusal("blank.pdf", b"", "blank.pdf: the file is empty."),
        refusal(
            "huge.pdf",
            b"%PDF-" + bytes(10 * MB - 4),
            "huge.pdf: the file is 10.1 MB; each file can be at most 10 MB.",
        ),
    ],
)
def test_a_file_that_breaks_a_rule_is_refused_by_name(
    activity: Activity, media_root: Path, name: str, content: bytes, message: str
) -> None:
    before = saved(media_root)
    with pytest.raises(DomainError) as caught:
        attach(activity, make_upload("certificate.pdf"), make_upload(name, content))
    assert caught.value.field_errors == {"evidence": [message]}
    assert caught.value.message == message
    assert saved(media_root) == before  # not even the good file


def test_a_file_of_exactly_ten_megabytes_is_accepted(activity: Activity) -> None:
    [evidence] = attach(activity, make_upload("big.pdf", b"%PDF-" + bytes(10 * MB - 5)))
    assert evidence.size == 10 * MB


def test_every_problem_is_named_at_once(activity: Activity) -> None:
    with pytest.raises(DomainError) as caught:
        attach(activity, make_upload("scan.exe", EXECUTABLE), make_upload("blank.pdf", b""))
    assert caught.value.field_errors == {
        "evidence": [f"scan.exe: {WRONG_TYPE}", "blank.pdf: the file is empty."]
    }


def test_a_sixth_file_is_refused(activity: Activity, media_root: Path) -> None:
    attach(activity, *[make_upload(f"page-{n}.png") for n in range(3)])
    with pytest.raises(DomainError) as caught:
        attach(activity, *[make_upload(f"more-{n}.png") for n in range(3)])
    assert caught.value.field_errors == {
        "evidence": [
            "An activity can keep at most 5 files. It has 3, so choose at most 2 more "
            "(you chose 3)."
        ]
    }
    assert activity.evidence.count() == 3
    attach(activity, *[make_upload(f"more-{n}.png") for n in range(2)])
    with pytest.raises(DomainError) as full:
        attach(activity, make_upload("sixth.png"))
    assert full.value.message == (
        "This activity already has 5 files, the most it can keep: remove one before attaching "
        "another."
    )
    assert activity.evidence.count() == 5
    assert len(stored_files(media_root)) == 5


def test_attaching_no_file_is_refused(activity: Activity) -> None:
    with pytest.raises(DomainError) as caught:
        attach(activity)
    assert caught.value.field_errors == {"evidence": ["Choose at least one file to attach."]}


def test_a_bad_file_records_no_activity_either(alice: Member, media_root: Path) -> None:
    before = saved(media_root)
    with pytest.raises(DomainError) as caught:
        record_activity(
            member=alice,
            data=entry(),
            attestation=ATTESTED,
            actor=alice.user,
            files=[make_upload("certificate.pdf"), make_upload("scan.pdf", EXECUTABLE)],
        )
    assert caught.value.field_errors == {
        "evidence": [
            "scan.pdf: the contents of this file are not a PDF document, although its name says so."
        ]
    }
    assert saved(media_root) == before
    assert not Activity.objects.exists()


def test_six_files_on_recording_are_refused(alice: Member, media_root: Path) -> None:
    before = saved(media_root)
    with pytest.raises(DomainError) as caught:
        record_activity(
            member=alice,
            data=entry(),
            attestation=ATTESTED,
            actor=alice.user,
            files=[make_upload(f"page-{n}.png") for n in range(6)],
        )
    assert caught.value.field_errors == {
        "evidence": ["An activity can keep at most 5 files: you chose 6."]
    }
    assert saved(media_root) == before
    assert not Activity.objects.exists()


def test_the_files_problems_come_with_the_entrys(alice: Member, media_root: Path) -> None:
    before = saved(media_root)
    with pytest.raises(DomainError) as caught:
        record_activity(
            member=alice,
            data=entry(points="0"),
            attestation=ATTESTED,
            actor=alice.user,
            files=[make_upload("scan.exe", EXECUTABLE)],
        )
    assert caught.value.field_errors == {
        "points": ["Enter more than 0 points."],
        "evidence": [f"scan.exe: {WRONG_TYPE}"],
    }
    assert saved(media_root) == before
    assert not Activity.objects.exists()


def test_a_bad_file_on_editing_changes_nothing(
    alice: Member, activity: Activity, media_root: Path
) -> None:
    before = saved(media_root)
    with pytest.raises(DomainError):
        update_activity(
            activity=activity,
            data=entry(title="Renamed"),
            attestation=ATTESTED,
            actor=alice.user,
            files=[make_upload("blank.pdf", b"")],
        )
    assert saved(media_root) == before
    activity.refresh_from_db()
    assert activity.title == "Infection control update"


def test_a_failure_after_storing_leaves_no_file_behind(
    activity: Activity, media_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing_log_event(**kwargs: Any) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(vault, "log_event", failing_log_event)
    before = saved(media_root)
    with pytest.raises(RuntimeError):
        attach(activity, make_upload("certificate.pdf"), make_upload("photo.jpg"))
    assert saved(media_root) == before


# --- removing, and deleting the activity ------------------------------------------------------


def test_removing_a_file_deletes_it_from_storage_once_committed(
    alice: Member,
    activity: Activity,
    media_root: Path,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    keep, drop = attach(activity, make_upload("certificate.pdf"), make_upload("photo.jpg"))

    with django_capture_on_commit_callbacks() as callbacks:
        remove_evidence(evidence=drop, actor=alice.user, ip_address="203.0.113.7")
        # Not before the commit: a rolled-back removal must still find its file.
        assert (media_root / drop.file.name).exists()
    for callback in callbacks:
        callback()

    assert list(activity.evidence.all()) == [keep]
    assert stored_files(media_root) == [media_root / keep.file.name]
    event = Event.objects.get(action="activities.evidence.removed")
    assert event.data["files"][0]["name"] == "photo.jpg"
    assert (event.actor, event.ip_address) == (alice.user, "203.0.113.7")
    assert activity_history(activity)[0].label == "Removed photo.jpg"


def test_deleting_the_activity_deletes_its_files_once_committed(
    alice: Member,
    activity: Activity,
    media_root: Path,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    attach(activity, make_upload("certificate.pdf"), make_upload("photo.jpg"))
    other = testing.make_activity(alice, title="Other", start=date(2025, 9, 3))
    [kept] = attach(other, make_upload("letter.txt"))

    with django_capture_on_commit_callbacks(execute=True):
        delete_activity(activity=activity, actor=alice.user)

    assert not Evidence.objects.filter(activity_id=activity.pk).exists()
    assert stored_files(media_root) == [media_root / kept.file.name]
    event = Event.objects.get(action="activities.activity.deleted")
    assert [f["name"] for f in event.data["evidence_removed"]] == ["certificate.pdf", "photo.jpg"]


# --- locked: the cycle is past its grace period -----------------------------------------------


def test_a_locked_activity_refuses_new_and_removed_files(
    alice: Member, activity: Activity, media_root: Path, frozen_now: Any
) -> None:
    [evidence] = attach(activity, make_upload("certificate.pdf"))
    frozen_now.move_to(datetime(2026, 7, 1, 10, 0, tzinfo=CHICAGO))
    before = saved(media_root)

    with pytest.raises(NotAllowed) as adding:
        attach(activity, make_upload("photo.jpg"))
    assert adding.value.message == LOCKED
    with pytest.raises(NotAllowed) as removing:
        remove_evidence(evidence=evidence, actor=alice.user)
    assert removing.value.message == LOCKED

    assert saved(media_root) == before
    assert (media_root / evidence.file.name).exists()
