"""The evidence vault: which files an activity may keep, storing them, the member's quota,
and attaching and removing files (SPEC §4).

A file is checked (type by name and by contents, size, count) before anything is stored,
and stored only as the last step of a service, under the member's lock, so a failure
leaves no file behind and no row pointing nowhere.
"""

from __future__ import annotations

import logging
import math
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Sum
from django.db.models.fields.files import FieldFile
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from keepcert.activities.filetypes import FILE_TYPES, FileType, contents_match, type_for_name
from keepcert.activities.limits import MAX_EVIDENCE_BYTES, MAX_EVIDENCE_FILES, MEGABYTE
from keepcert.activities.locking import lock_changeable
from keepcert.activities.models import Activity, Evidence
from keepcert.core.errors import DomainError, NeedsConfirmation
from keepcert.core.models import log_event
from keepcert.members.models import Member, User
from keepcert.program.selectors import rules_of

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CheckedFile:
    """An upload that passed every check, with the name and type it will be kept under."""

    upload: UploadedFile[bytes]
    name: str
    size: int
    file_type: FileType


class EvidenceNotStored(DomainError):
    """The storage failed (a full disk, an unreachable bucket): nothing was kept, and the
    member can send the same files again later."""


def allowed_types() -> str:
    """The types a member may attach, as the messages name them: "PDF, JPEG, PNG, HEIC,
    TXT or DOCX" (the list's commas and "or" are Django's, in the member's language)."""
    return get_text_list([file_type.name for file_type in FILE_TYPES])


def _in_megabytes(amount: int | float) -> str:
    # "10 MB", "10.5 MB": the decimal separator is the one the points use.
    number = f"{amount:g}".replace(".", pgettext("decimal separator", "."))
    # Translators: a size in megabytes, e.g. "10 MB".
    return _("%(number)s MB") % {"number": number}


def file_size_limit() -> str:
    """The per-file limit as a member reads it: "10 MB"."""
    return _in_megabytes(MAX_EVIDENCE_BYTES // MEGABYTE)


def _display_name(upload: UploadedFile[bytes]) -> str:
    """The member's file name, fit to show and to send back in a download header."""
    name = "".join(
        c
        for c in str(upload.name or "")
        if unicodedata.category(c) not in {"Cc", "Cf", "Cs", "Zl", "Zp"}
    ).strip()
    return name[-255:] or "file"


def _megabytes(size: int) -> str:
    # Rounded up: a file just over the limit must not read as exactly 10 MB.
    return _in_megabytes(math.ceil(size * 10 / MEGABYTE) / 10)


def _megabytes_down(size: int) -> str:
    # Rounded down: the space left must never read as more than there is.
    return _in_megabytes(math.floor(max(size, 0) * 10 / MEGABYTE) / 10)


def _count_error(already: int, chosen: int) -> str | None:
    if already + chosen <= MAX_EVIDENCE_FILES:
        return None
    if already >= MAX_EVIDENCE_FILES:
        return ngettext(
            "This activity already has %(most)s file, the most it can keep: "
            "remove one before attaching another.",
            "This activity already has %(most)s files, the most it can keep: "
            "remove one before attaching another.",
            MAX_EVIDENCE_FILES,
        ) % {"most": MAX_EVIDENCE_FILES}
    if already:
        return ngettext(
            "An activity can keep at most %(most)s file. It has %(already)s, "
            "so choose at most %(left)s more (you chose %(chosen)s).",
            "An activity can keep at most %(most)s files. It has %(already)s, "
            "so choose at most %(left)s more (you chose %(chosen)s).",
            MAX_EVIDENCE_FILES,
        ) % {
            "most": MAX_EVIDENCE_FILES,
            "already": already,
            "left": MAX_EVIDENCE_FILES - already,
            "chosen": chosen,
        }
    return ngettext(
        "An activity can keep at most %(most)s file: you chose %(chosen)s.",
        "An activity can keep at most %(most)s files: you chose %(chosen)s.",
        MAX_EVIDENCE_FILES,
    ) % {"most": MAX_EVIDENCE_FILES, "chosen": chosen}


def _file_error(name: str, size: int, file_type: FileType | None, upload: Any) -> str | None:
    if file_type is None:
        return _("%(name)s: only %(types)s files can be attached.") % {
            "name": name,
            "types": allowed_types(),
        }
    if size == 0:
        return _("%(name)s: the file is empty.") % {"name": name}
    if size > MAX_EVIDENCE_BYTES:
        return _("%(name)s: the file is %(size)s; each file can be at most %(limit)s.") % {
            "name": name,
            "size": _megabytes(size),
            "limit": file_size_limit(),
        }
    if not contents_match(file_type, upload):
        return _(
            # Translators: %(label)s is a type of file, e.g. "a PDF document".
            "%(name)s: the contents of this file are not %(label)s, although its name says so."
        ) % {"name": name, "label": _(file_type.label)}
    return None


def check_evidence(
    files: Sequence[UploadedFile[bytes]], *, already: int
) -> tuple[list[CheckedFile], list[str]]:
    """Each file's type, size and contents, and the activity's total; the files that
    pass, and one message per problem naming the file. Nothing is stored here."""
    errors: list[str] = []
    count_error = _count_error(already, len(files))
    if count_error:
        errors.append(count_error)
    checked: list[CheckedFile] = []
    for upload in files:
        name = _display_name(upload)
        size = int(upload.size or 0)
        file_type = type_for_name(name)
        error = _file_error(name, size, file_type, upload)
        if error:
            errors.append(error)
        else:
            assert file_type is not None
            checked.append(CheckedFile(upload, name, size, file_type))
    return checked, errors


def _raise_file_errors(errors: list[str]) -> None:
    if errors:
        raise DomainError(errors[0], field_errors={"evidence": errors})


@contextmanager
def adding_file_errors(file_errors: list[str]) -> Iterator[None]:
    """Report the files' problems with the entry's, so the member sees all of them at once."""
    try:
        yield
    except NeedsConfirmation:
        raise
    except DomainError as error:
        if not file_errors:
            raise
        raise DomainError(
            error.message,
            field_errors={**error.field_errors, "evidence": file_errors},
            code=error.code,
        ) from None
    _raise_file_errors(file_errors)


def delete_files_on_commit(files: list[FieldFile]) -> None:
    names = [(file.storage, file.name) for file in files if file.name]
    if not names:
        return

    def delete() -> None:
        for storage, name in names:
            storage.delete(name)

    # robust: the rows are gone either way; a storage hiccup must not fail the request.
    transaction.on_commit(delete, robust=True)


def evidence_entry(evidence: Evidence) -> dict[str, Any]:
    """A file as the record's history names it."""
    return {
        "id": evidence.pk,
        "name": evidence.original_name,
        "size": evidence.size,
        "content_type": evidence.content_type,
    }


def _quota_bytes() -> int:
    quota_mb: int = settings.KEEPCERT_EVIDENCE_QUOTA_MB
    return quota_mb * MEGABYTE


def _check_quota(member: Member, checked: list[CheckedFile]) -> None:
    """Refuse files that would take the member's vault past KEEPCERT_EVIDENCE_QUOTA_MB.

    Counts what is stored now, so the caller must hold the member's lock
    (`lock_member`): two uploads sent at once then count one after the other.
    """
    quota = _quota_bytes()
    used = Evidence.objects.for_member(member.pk).aggregate(total=Sum("size"))["total"] or 0
    errors: list[str] = []
    for item in checked:
        if used + item.size > quota:
            errors.append(
                _(
                    "%(name)s: there is not enough room in your evidence space. It holds "
                    "%(quota)s, %(left)s of it is left, and this file is %(size)s. Remove "
                    "files you no longer need, or attach a smaller copy."
                )
                % {
                    "name": item.name,
                    "quota": _megabytes_down(quota),
                    "left": _megabytes_down(quota - used),
                    "size": _megabytes(item.size),
                }
            )
        else:
            used += item.size
    if errors:
        raise DomainError(errors[0], field_errors={"evidence": errors}, code="quota")


def _store(evidence: Evidence, item: CheckedFile) -> str:
    """Write one file to the storage and return its stored name.

    The name is chosen before writing, so a storage that fails halfway through (ENOSPC)
    leaves a partial file whose name the caller knows and deletes.
    """
    field = evidence.file.field
    storage = evidence.file.storage
    # The stored name comes from `evidence_path`: only the extension is the member's.
    name = storage.get_available_name(
        field.generate_filename(evidence, item.name), max_length=field.max_length
    )
    try:
        stored = storage.save(name, item.upload, max_length=field.max_length)
    except BaseException:
        storage.delete(name)
        raise
    evidence.file.name = stored
    return stored


def attach_checked(
    activity: Activity,
    checked: list[CheckedFile],
    actor: User | None,
    ip_address: str | None,
) -> list[Evidence]:
    """Check the member's quota, then store the checked files and their rows.

    The last step of each service that calls it (after every rule has passed, under the
    member's lock), so a failure here is the only one that can follow a stored file: the
    files stored so far, and a partly written one, are deleted again, and the rolled-back
    rows leave nothing pointing nowhere. A storage error reaches the member as
    EvidenceNotStored, never as a server error.
    """
    _check_quota(activity.member, checked)
    attached: list[Evidence] = []
    try:
        for item in checked:
            evidence = Evidence(
                activity=activity,
                original_name=item.name,
                content_type=item.file_type.content_type,
                size=item.size,
            )
            _store(evidence, item)
            attached.append(evidence)
            evidence.save()
        log_event(
            action="activities.evidence.attached",
            subject=activity,
            actor=actor,
            member=activity.member,
            data={"files": [evidence_entry(e) for e in attached]},
            ip_address=ip_address,
        )
    except BaseException as error:
        for evidence in attached:
            if evidence.file.name:
                evidence.file.storage.delete(evidence.file.name)
        if isinstance(error, OSError):
            logger.exception("Storing evidence for activity %s failed", activity.pk)
            message = _(
                "We could not store your files just now. Nothing was saved; please try again."
            )
            raise EvidenceNotStored(
                message, field_errors={"evidence": [message]}, code="not_stored"
            ) from error
        raise
    return attached


@transaction.atomic
def attach_evidence(
    *,
    activity: Activity,
    files: Sequence[UploadedFile[bytes]],
    actor: User | None,
    ip_address: str | None = None,
) -> list[Evidence]:
    """Keep `files` with an activity while it can still be changed.

    At most MAX_EVIDENCE_FILES files per activity and MAX_EVIDENCE_BYTES per file
    (`keepcert.activities.limits`), of the types in `keepcert.activities.filetypes` (by
    name and by contents), within the member's evidence quota. Raises DomainError with
    one message per file at fault under the field "evidence", storing none of them.
    """
    member = activity.member
    activity = lock_changeable(
        member,
        activity.pk,
        today=member.program.today(),
        program_rules=rules_of(member.program),
    )
    if not files:
        _raise_file_errors([_("Choose at least one file to attach.")])
    checked, errors = check_evidence(files, already=activity.evidence.count())
    _raise_file_errors(errors)
    return attach_checked(activity, checked, actor, ip_address)


@transaction.atomic
def remove_evidence(
    *, evidence: Evidence, actor: User | None, ip_address: str | None = None
) -> None:
    """Remove one file from an activity while it can still be changed; the stored file is
    deleted once the removal is committed, and the history names what was removed."""
    member = evidence.activity.member
    activity = lock_changeable(
        member,
        evidence.activity_id,
        today=member.program.today(),
        program_rules=rules_of(member.program),
    )
    current = Evidence.objects.filter(pk=evidence.pk, activity=activity).first()
    if current is None:
        return  # removed meanwhile, e.g. by a second click
    log_event(
        action="activities.evidence.removed",
        subject=activity,
        actor=actor,
        member=member,
        data={"files": [evidence_entry(current)]},
        ip_address=ip_address,
    )
    current.delete()
    delete_files_on_commit([current.file])
