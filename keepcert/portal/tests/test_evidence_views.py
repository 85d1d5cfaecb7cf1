"""Evidence files in the member portal (SPEC §4): attached on the Record CE and Edit forms,
listed on the activity's page, downloaded and removed by their member only.

The clock is frozen at 2025-11-20 10:00 in Chicago (conftest); Alice's RMA cycle runs
2023-05-10 .. 2026-05-31. Every test stores its files under its own MEDIA_ROOT (conftest).
"""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from keepcert import testing
from keepcert.activities.models import Activity, Evidence
from keepcert.activities.services import attach_evidence
from keepcert.certifications.models import Cycle
from keepcert.members.models import Member
from keepcert.portal.tests.pages import field_errors, form_data, login_url, text
from keepcert.testing import EXECUTABLE, make_upload

CHICAGO = ZoneInfo("America/Chicago")
MB = 1024 * 1024
HELP = (
    "Certificate, transcript or letter: PDF, JPEG, PNG, HEIC, TXT or DOCX, up to 10 MB each. "
    "Only you can see these, unless your activity is audited."
)


def stored_files(media_root: Path) -> list[Path]:
    return sorted(p for p in media_root.rglob("*") if p.is_file())


def saved(media_root: Path) -> tuple[int, int, int]:
    return Activity.objects.count(), Evidence.objects.count(), len(stored_files(media_root))


@pytest.fixture
def activity(alice: Member) -> Activity:
    return testing.make_activity(alice, title="Infection control update", start=date(2025, 9, 2))


@pytest.fixture
def evidence(activity: Activity) -> Evidence:
    [kept] = attach_evidence(
        activity=activity, files=[make_upload("certificate.pdf")], actor=activity.member.user
    )
    return kept


def download_url(evidence: Evidence) -> str:
    return reverse("portal:evidence_download", args=[evidence.activity_id, evidence.pk])


def remove_url(evidence: Evidence) -> str:
    return reverse("portal:evidence_remove", args=[evidence.activity_id, evidence.pk])


def edit_data(activity: Activity, **changes: Any) -> dict[str, Any]:
    data = {
        "cycles": [c.pk for c in activity.cycles.all()],
        "category": testing.category().pk,
        "title": "Infection control update",
        "start_date": "2025-09-02",
        "end_date": "2025-09-02",
        "points": "3",
        "attestation": "on",
    }
    return {**data, **changes}


def untouched(evidence: Evidence, media_root: Path) -> bool:
    return (
        Evidence.objects.filter(pk=evidence.pk).exists()
        and (media_root / evidence.file.name).read_bytes() == testing.SAMPLE_CONTENTS[".pdf"]
    )


# --- works ------------------------------------------------------------------------------------


def test_the_record_form_offers_an_optional_multiple_file_input(alice_client: Client) -> None:
    response = alice_client.get(reverse("portal:activity_new"))
    body = response.content.decode()
    assert 'enctype="multipart/form-data"' in body
    assert (
        '<input type="file" name="evidence" accept=".pdf,.jpg,.jpeg,.png,.heic,.heif,.txt,.docx" '
        'multiple aria-describedby="id_evidence_helptext" id="id_evidence">' in body
    )
    assert f"Evidence (optional) {HELP}" in text(response)


def test_files_chosen_on_the_record_form_are_kept_with_the_activity(
    alice_client: Client, alice: Member, cycle: Cycle, media_root: Path
) -> None:
    response = alice_client.post(
        reverse("portal:activity_new"),
        form_data(cycle, evidence=[make_upload("certificate.pdf"), make_upload("photo.jpg")]),
    )
    assert response.status_code == 302
    activity = Activity.objects.get(member=alice, title="Wound care webinar")
    assert [e.original_name for e in activity.evidence.all()] == ["certificate.pdf", "photo.jpg"]
    assert len(stored_files(media_root)) == 2


def test_recording_without_files_still_works(
    alice_client: Client, alice: Member, cycle: Cycle
) -> None:
    response = alice_client.post(reverse("portal:activity_new"), form_data(cycle))
    assert response.status_code == 302
    assert not Activity.objects.get(member=alice).evidence.exists()


def test_files_chosen_on_the_edit_form_are_added(
    alice_client: Client, activity: Activity, evidence: Evidence
) -> None:
    url = reverse("portal:activity_edit", args=[activity.pk])
    page = text(alice_client.get(url))
    assert "Already attached: certificate.pdf. Files you choose are added to these (1 of 5" in page

    response = alice_client.post(url, edit_data(activity, evidence=[make_upload("letter.txt")]))

    assert response.status_code == 302
    assert [e.original_name for e in activity.evidence.all()] == ["certificate.pdf", "letter.txt"]


def test_the_activity_page_lists_its_files_with_download_and_remove(
    alice_client: Client, activity: Activity, evidence: Evidence
) -> None:
    response = alice_client.get(reverse("portal:activity_detail", args=[activity.pk]))
    page = text(response)
    size = len(testing.SAMPLE_CONTENTS[".pdf"])
    assert f"Evidence certificate.pdf · {size} bytes · added November 20, 2025 Remove" in page
    assert "Only you can see these files, unless your activity is audited." in page
    assert "Attached certificate.pdf November 20, 2025" in page  # the history
    body = response.content.decode()
    assert f'<a href="{download_url(evidence)}">certificate.pdf</a>' in body
    # "Remove" leads to a question, not straight to the removal (issue 7, finding 11).
    assert f'<a href="{remove_url(evidence)}" role="button"' in body
    assert f'action="{remove_url(evidence)}"' not in body


def test_an_activity_without_files_says_so(alice_client: Client, activity: Activity) -> None:
    page = text(alice_client.get(reverse("portal:activity_detail", args=[activity.pk])))
    assert (
        "No files attached. To add a certificate, transcript or letter, edit the activity." in page
    )


def test_the_download_gives_back_the_same_bytes_as_an_attachment(
    alice_client: Client, evidence: Evidence
) -> None:
    response = alice_client.get(download_url(evidence))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == testing.SAMPLE_CONTENTS[".pdf"]  # type: ignore[attr-defined]
    assert response["Content-Disposition"] == 'attachment; filename="certificate.pdf"'
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"


def test_a_name_with_accents_downloads_under_that_name(
    alice_client: Client, activity: Activity
) -> None:
    [kept] = attach_evidence(
        activity=activity, files=[make_upload("Ética médica.pdf")], actor=activity.member.user
    )
    response = alice_client.get(download_url(kept))
    response.close()
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''%C3%89tica%20m%C3%A9dica.pdf"
    )


def test_remove_asks_first_and_removes_nothing_until_confirmed(
    alice_client: Client, activity: Activity, evidence: Evidence, media_root: Path
) -> None:
    response = alice_client.get(remove_url(evidence))

    assert response.status_code == 200
    page = text(response)
    assert (
        "Remove “certificate.pdf” from “Infection control update”? This cannot be undone." in page
    )
    body = response.content.decode()
    assert '<form method="post">' in body
    assert '<button type="submit" class="contrast">Remove</button>' in body
    cancel = reverse("portal:activity_detail", args=[activity.pk])
    assert f'<a href="{cancel}">Cancel</a>' in body
    assert untouched(evidence, media_root)


def test_removing_a_file_takes_it_off_the_activity_and_the_storage(
    alice_client: Client,
    activity: Activity,
    evidence: Evidence,
    media_root: Path,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post(remove_url(evidence))
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:activity_detail", args=[activity.pk])
    assert not activity.evidence.exists()
    assert stored_files(media_root) == []
    page = text(alice_client.get(response["Location"]))
    assert "Removed “certificate.pdf”." in page
    assert "Removed certificate.pdf November 20, 2025" in page


def test_deleting_the_activity_deletes_its_files(
    alice_client: Client,
    activity: Activity,
    evidence: Evidence,
    media_root: Path,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post(reverse("portal:activity_delete", args=[activity.pk]))
    assert response.status_code == 302
    assert not Evidence.objects.exists()
    assert stored_files(media_root) == []


# --- needs login, wrong role, not yours, CSRF -------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(
    client: Client, evidence: Evidence, media_root: Path
) -> None:
    for url, send in (
        (download_url(evidence), client.get),
        (remove_url(evidence), client.get),
        (remove_url(evidence), client.post),
    ):
        response = send(url)
        assert response.status_code == 302
        assert response["Location"] == login_url(url)
    assert untouched(evidence, media_root)


def test_an_account_without_a_member_record_is_forbidden(
    staff_client: Client, evidence: Evidence, media_root: Path
) -> None:
    assert staff_client.get(download_url(evidence)).status_code == 403
    assert staff_client.get(remove_url(evidence)).status_code == 403
    assert staff_client.post(remove_url(evidence)).status_code == 403
    assert untouched(evidence, media_root)


def test_another_members_file_is_not_found(
    mallory_client: Client, evidence: Evidence, media_root: Path
) -> None:
    download = mallory_client.get(download_url(evidence))
    assert download.status_code == 404
    assert testing.SAMPLE_CONTENTS[".pdf"] not in download.content
    question = mallory_client.get(remove_url(evidence))
    assert question.status_code == 404
    assert b"certificate.pdf" not in question.content
    assert mallory_client.post(remove_url(evidence)).status_code == 404
    assert untouched(evidence, media_root)


def test_a_file_is_found_only_under_its_own_activity(
    alice_client: Client, alice: Member, evidence: Evidence, media_root: Path
) -> None:
    other = testing.make_activity(alice, title="Other", start=date(2025, 9, 3))
    args = [other.pk, evidence.pk]
    assert alice_client.get(reverse("portal:evidence_download", args=args)).status_code == 404
    assert alice_client.get(reverse("portal:evidence_remove", args=args)).status_code == 404
    assert alice_client.post(reverse("portal:evidence_remove", args=args)).status_code == 404
    assert untouched(evidence, media_root)


def test_only_a_post_removes(alice_client: Client, evidence: Evidence, media_root: Path) -> None:
    assert alice_client.get(remove_url(evidence)).status_code == 200  # the question
    assert alice_client.put(remove_url(evidence)).status_code == 405
    assert alice_client.delete(remove_url(evidence)).status_code == 405
    assert alice_client.post(download_url(evidence)).status_code == 405
    assert untouched(evidence, media_root)


def test_a_removal_without_a_csrf_token_is_refused(
    alice: Member, evidence: Evidence, media_root: Path
) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice.user)
    assert client.post(remove_url(evidence)).status_code == 403
    assert untouched(evidence, media_root)


def test_an_upload_without_a_csrf_token_is_refused(
    alice: Member, cycle: Cycle, media_root: Path
) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice.user)
    response = client.post(
        reverse("portal:activity_new"), form_data(cycle, evidence=[make_upload("photo.jpg")])
    )
    assert response.status_code == 403
    assert saved(media_root) == (0, 0, 0)


# --- bad input: the message beside the field, and nothing saved -------------------------------


def _six() -> list[SimpleUploadedFile]:
    return [make_upload(f"page-{n}.png") for n in range(6)]


@pytest.mark.parametrize(
    ("uploads", "message"),
    [
        pytest.param(
            lambda: [make_upload("scan.exe", EXECUTABLE)],
            "scan.exe: only PDF, JPEG, PNG, HEIC, TXT or DOCX files can be attached.",
            id="wrong-extension",
        ),
        pytest.param(
            lambda: [make_upload("photo.jpg"), make_upload("certificate.pdf", EXECUTABLE)],
            "certificate.pdf: the contents of this file are not a PDF document, although its "
            "name says so.",
            id="executable-named-pdf",
        ),
        pytest.param(
            lambda: [make_upload("huge.pdf", b"%PDF-" + bytes(12 * MB))],
            "huge.pdf: the file is 12.1 MB; each file can be at most 10 MB.",
            id="too-large",
        ),
        pytest.param(
            _six,
            "An activity can keep at most 5 files: you chose 6.",
            id="six-files",
        ),
        pytest.param(
            lambda: [make_upload("blank.pdf", b"")],
            "blank.pdf: the file is empty.",
            id="empty",
        ),
    ],
)
def test_a_bad_file_is_named_beside_the_field_and_nothing_is_saved(
    alice_client: Client,
    cycle: Cycle,
    media_root: Path,
    uploads: Callable[[], list[SimpleUploadedFile]],
    message: str,
) -> None:
    response = alice_client.post(
        reverse("portal:activity_new"), form_data(cycle, evidence=uploads())
    )
    assert response.status_code == 422
    assert field_errors(response, "evidence") == [message]
    assert saved(media_root) == (0, 0, 0)
    assert 'aria-invalid="true" aria-describedby="id_evidence-error id_evidence_helptext"' in (
        html.unescape(response.content.decode())
    )


def test_a_bad_file_on_the_edit_form_changes_nothing(
    alice_client: Client, activity: Activity, evidence: Evidence, media_root: Path
) -> None:
    before = saved(media_root)
    response = alice_client.post(
        reverse("portal:activity_edit", args=[activity.pk]),
        edit_data(activity, title="Renamed", evidence=[make_upload("scan.exe", EXECUTABLE)]),
    )
    assert response.status_code == 422
    assert field_errors(response, "evidence") == [
        "scan.exe: only PDF, JPEG, PNG, HEIC, TXT or DOCX files can be attached."
    ]
    assert saved(media_root) == before
    activity.refresh_from_db()
    assert activity.title == "Infection control update"


def test_after_another_fields_error_the_member_is_told_to_choose_the_files_again(
    alice_client: Client, cycle: Cycle, media_root: Path
) -> None:
    response = alice_client.post(
        reverse("portal:activity_new"),
        form_data(cycle, points="0", evidence=[make_upload("certificate.pdf")]),
    )
    assert response.status_code == 422
    assert field_errors(response, "points") == ["Enter more than 0 points."]
    assert field_errors(response, "evidence") == []
    assert (
        "Nothing was saved, so the files you chose were not kept: choose them again before you "
        "submit." in text(response)
    )
    assert saved(media_root) == (0, 0, 0)


def test_a_duplicate_warning_asks_for_the_files_again(
    alice_client: Client, alice: Member, cycle: Cycle, media_root: Path
) -> None:
    testing.make_activity(alice, title="Wound care webinar", start=date(2025, 10, 1))
    before = saved(media_root)
    response = alice_client.post(
        reverse("portal:activity_new"), form_data(cycle, evidence=[make_upload("photo.jpg")])
    )
    assert "This looks like an activity you already recorded." in text(response)
    assert "choose them again before you submit." in text(response)
    assert saved(media_root) == before


# --- locked: the cycle is past its grace period -----------------------------------------------


def test_a_locked_activitys_files_can_be_downloaded_but_not_removed(
    alice_client: Client,
    alice: Member,
    activity: Activity,
    evidence: Evidence,
    media_root: Path,
    frozen_now: Any,
) -> None:
    frozen_now.move_to(datetime(2026, 7, 1, 10, 0, tzinfo=CHICAGO))
    alice_client.force_login(alice.user)  # the earlier session has expired meanwhile
    detail = reverse("portal:activity_detail", args=[activity.pk])
    page = alice_client.get(detail)
    assert "certificate.pdf" in text(page)
    assert remove_url(evidence) not in page.content.decode()
    assert "To add a certificate" not in text(page)
    download = alice_client.get(download_url(evidence))
    assert b"".join(download.streaming_content) == testing.SAMPLE_CONTENTS[".pdf"]  # type: ignore[attr-defined]

    question = alice_client.get(remove_url(evidence))
    assert question.status_code == 302
    assert question["Location"] == detail

    response = alice_client.post(remove_url(evidence))

    assert response.status_code == 302
    assert response["Location"] == detail
    assert (
        "This activity can no longer be changed. It counts toward your RMA cycle "
        "(May 10, 2023 – May 31, 2026), which is closed for changes."
        in text(alice_client.get(detail))
    )
    assert untouched(evidence, media_root)
