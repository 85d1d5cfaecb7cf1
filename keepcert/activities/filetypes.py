"""Which evidence files can be kept, recognised by name and by their first bytes.

A file's extension says what the member meant to attach; its first bytes (the "magic
number") say what it is. Both must agree, so an executable renamed to `.pdf` is refused
and nothing is trusted from the browser's claimed content type. Standard library only: the
labels are marked for the catalog here and translated where a message quotes them
(`keepcert.activities.evidence`).
"""

from __future__ import annotations

import struct
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO

HEAD_BYTES = 8192  # enough to recognise every type below

# Bounds on a zip-based document (docx), so checking one is cheap whatever it declares.
# A Word document holds 10-30 parts, a few hundred with many images; what it declares
# unpacked is a few times its size (XML compresses about 5-10:1, images not at all).
MAX_ZIP_ENTRIES = 500
MAX_ZIP_DIRECTORY_BYTES = 256 * 1024  # the central directory: ~100 bytes an entry
MAX_ZIP_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_ZIP_RATIO = 100  # declared unpacked size over packed size, for the whole archive
# The zip "end of central directory" record: signature, disk numbers, entry counts,
# directory size and offset, comment length (APPNOTE 4.3.16); a comment of up to 64 KiB
# may follow it.
_ZIP_END_SIGNATURE = b"PK\x05\x06"
_ZIP_END_FORMAT = "<4s4H2LH"
_ZIP_END_SIZE = struct.calcsize(_ZIP_END_FORMAT)
_ZIP_MAX_COMMENT = 0xFFFF

# Brands of the ISO media file ("ftyp" box) that mark a HEIF/HEIC image.
_HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs"}
_HEIF_BRANDS |= {b"mif1", b"msf1"}
# Control bytes a text file may hold: tab, line feed, form feed, carriage return.
_TEXT_CONTROLS = {9, 10, 12, 13}


def gettext_noop(message: str) -> str:
    """Marks a label for the catalog (makemessages extracts this name); the evidence
    messages translate it when they quote it."""
    return message


def _is_pdf(head: bytes, file: IO[bytes]) -> bool:
    # Readers accept the header anywhere in the first kilobyte, after stray bytes.
    return b"%PDF-" in head[:1024]


def _is_jpeg(head: bytes, file: IO[bytes]) -> bool:
    return head.startswith(b"\xff\xd8\xff")


def _is_png(head: bytes, file: IO[bytes]) -> bool:
    return head.startswith(b"\x89PNG\r\n\x1a\n")


def _is_heic(head: bytes, file: IO[bytes]) -> bool:
    if head[4:8] != b"ftyp":
        return False
    box_size = int.from_bytes(head[:4], "big")
    if not 16 <= box_size <= len(head):
        return False
    # The major brand, then (after a 4-byte version) the compatible brands.
    brands = [head[8:12]] + [head[i : i + 4] for i in range(16, box_size - 3, 4)]
    return any(brand in _HEIF_BRANDS for brand in brands)


def _is_text(head: bytes, file: IO[bytes]) -> bool:
    # No magic number for text: refuse what text never holds (NUL and other controls),
    # which every executable and binary document does.
    return not any(byte < 32 and byte not in _TEXT_CONTROLS for byte in head)


def _zip_directory_size(file: IO[bytes]) -> tuple[int, int] | None:
    """The entry count and central-directory size the zip's end record declares, read
    from the file's last bytes alone; None when there is no plain (non-zip64) end record.

    zipfile parses every central-directory record up front (118,000 entries: seconds), so
    these two numbers are checked before it is given the file.
    """
    end = file.seek(0, 2)
    tail_start = max(0, end - _ZIP_END_SIZE - _ZIP_MAX_COMMENT)
    file.seek(tail_start)
    tail = file.read()
    at = tail.rfind(_ZIP_END_SIGNATURE)  # the last one, as zipfile reads it
    if at < 0 or len(tail) - at < _ZIP_END_SIZE:
        return None
    fields = struct.unpack(_ZIP_END_FORMAT, tail[at : at + _ZIP_END_SIZE])
    entries, directory_size = fields[4], fields[5]
    if entries == 0xFFFF or directory_size == 0xFFFFFFFF:
        return None  # a zip64 archive: no document of at most 10 MB needs one
    return entries, directory_size


def _zip_names(file: IO[bytes]) -> set[str] | None:
    """The names in a zip whose size is plausible for a document, or None for one that
    is not a zip or looks like a zip bomb. Reads the directory only: nothing is extracted,
    and the work is bounded by MAX_ZIP_ENTRIES whatever the file declares."""
    declared = _zip_directory_size(file)
    if declared is None:
        return None
    entries, directory_size = declared
    if entries > MAX_ZIP_ENTRIES or directory_size > MAX_ZIP_DIRECTORY_BYTES:
        return None
    file.seek(0)
    try:
        with zipfile.ZipFile(file) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, struct.error):
        return None
    if len(infos) > MAX_ZIP_ENTRIES:
        return None  # the end record understated the directory
    unpacked = sum(info.file_size for info in infos)
    packed = sum(info.compress_size for info in infos)
    if unpacked > MAX_ZIP_UNPACKED_BYTES or unpacked > MAX_ZIP_RATIO * max(packed, 1):
        return None
    return {info.filename for info in infos}


def _is_docx(head: bytes, file: IO[bytes]) -> bool:
    if not head.startswith(b"PK\x03\x04"):
        return False
    names = _zip_names(file)
    return names is not None and {"[Content_Types].xml", "word/document.xml"} <= names


@dataclass(frozen=True)
class FileType:
    name: str  # as in "only PDF, JPEG or PNG files can be attached"
    label: str  # as in "the contents of this file are not {label}": an English msgid
    content_type: str
    extensions: tuple[str, ...]
    matches: Callable[[bytes, IO[bytes]], bool]


FILE_TYPES = (
    FileType("PDF", gettext_noop("a PDF document"), "application/pdf", (".pdf",), _is_pdf),
    FileType("JPEG", gettext_noop("a JPEG image"), "image/jpeg", (".jpg", ".jpeg"), _is_jpeg),
    FileType("PNG", gettext_noop("a PNG image"), "image/png", (".png",), _is_png),
    FileType("HEIC", gettext_noop("a HEIC image"), "image/heic", (".heic", ".heif"), _is_heic),
    FileType("TXT", gettext_noop("plain text"), "text/plain", (".txt",), _is_text),
    FileType(
        "DOCX",
        gettext_noop("a Word document"),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (".docx",),
        _is_docx,
    ),
)
ACCEPT = ",".join(ext for file_type in FILE_TYPES for ext in file_type.extensions)


def type_for_name(name: str) -> FileType | None:
    """The type a file's extension promises, or None for one that cannot be attached."""
    extension = PurePath(name).suffix.lower()
    return next((t for t in FILE_TYPES if extension in t.extensions), None)


def contents_match(file_type: FileType, file: IO[bytes]) -> bool:
    """Whether the file's first bytes are those of `file_type`. Leaves the file at its start."""
    file.seek(0)
    head = file.read(HEAD_BYTES)
    file.seek(0)
    try:
        return file_type.matches(head, file)
    finally:
        file.seek(0)
