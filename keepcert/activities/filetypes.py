"""Which evidence files can be kept, recognised by name and by their first bytes.

A file's extension says what the member meant to attach; its first bytes (the "magic
number") say what it is. Both must agree, so an executable renamed to `.pdf` is refused
and nothing is trusted from the browser's claimed content type. Standard library only.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO

HEAD_BYTES = 8192  # enough to recognise every type below

# Brands of the ISO media file ("ftyp" box) that mark a HEIF/HEIC image.
_HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs"}
_HEIF_BRANDS |= {b"mif1", b"msf1"}
# Control bytes a text file may hold: tab, line feed, form feed, carriage return.
_TEXT_CONTROLS = {9, 10, 12, 13}


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


def _is_docx(head: bytes, file: IO[bytes]) -> bool:
    if not head.startswith(b"PK\x03\x04"):
        return False
    try:
        # Reads the zip's directory only: nothing is extracted.
        with zipfile.ZipFile(file) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        return False
    return {"[Content_Types].xml", "word/document.xml"} <= names


@dataclass(frozen=True)
class FileType:
    label: str  # as in "the contents of this file are not {label}"
    content_type: str
    extensions: tuple[str, ...]
    matches: Callable[[bytes, IO[bytes]], bool]


FILE_TYPES = (
    FileType("a PDF document", "application/pdf", (".pdf",), _is_pdf),
    FileType("a JPEG image", "image/jpeg", (".jpg", ".jpeg"), _is_jpeg),
    FileType("a PNG image", "image/png", (".png",), _is_png),
    FileType("a HEIC image", "image/heic", (".heic", ".heif"), _is_heic),
    FileType("plain text", "text/plain", (".txt",), _is_text),
    FileType(
        "a Word document",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (".docx",),
        _is_docx,
    ),
)
ALLOWED_NAMES = "PDF, JPEG, PNG, HEIC, TXT or DOCX"
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
