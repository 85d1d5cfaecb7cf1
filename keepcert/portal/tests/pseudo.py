"""A pseudo-language for the tests: every translated string shows as ⟦…⟧.

Built from the msgids of KeepCert's catalog and of the libraries whose text KeepCert shows
(Django, allauth), so a page rendered in it shows any text that bypasses translation as
plain text outside the brackets. Nothing here is committed: the catalog is generated and
compiled into a test's temporary folder.
"""

from __future__ import annotations

import re
from pathlib import Path

import allauth
import django
import polib

CODE = "en-xa"  # the pseudo-locale code Android and others use for "accented English"
LOCALE = "en_XA"
OPEN, CLOSE = "⟦", "⟧"

_ROOT = Path(__file__).resolve().parents[3]
SOURCES = (
    _ROOT / "locale" / "es" / "LC_MESSAGES" / "django.po",
    *sorted(Path(django.__file__).parent.rglob("locale/en/LC_MESSAGES/django.po")),
    *sorted(Path(allauth.__file__).parent.rglob("locale/en/LC_MESSAGES/django.po")),
)


def _wrapped(text: str) -> str:
    return f"{OPEN}{text}{CLOSE}" if text else text


def build(folder: Path) -> Path:
    """Write and compile the pseudo catalog under `folder` (a LOCALE_PATHS entry)."""
    catalog = polib.POFile()
    catalog.metadata = {
        "Content-Type": "text/plain; charset=UTF-8",
        "Plural-Forms": "nplurals=2; plural=(n != 1);",
        "Language": LOCALE,
    }
    seen: set[tuple[str | None, str]] = set()
    for source in SOURCES:
        for entry in polib.pofile(str(source)):
            key = (entry.msgctxt, entry.msgid)
            if entry.obsolete or not entry.msgid or key in seen:
                continue
            seen.add(key)
            pseudo = polib.POEntry(msgid=entry.msgid, msgctxt=entry.msgctxt)
            if entry.msgid_plural:
                pseudo.msgid_plural = entry.msgid_plural
                pseudo.msgstr_plural = {
                    0: _wrapped(entry.msgid),
                    1: _wrapped(entry.msgid_plural),
                }
            else:
                pseudo.msgstr = _wrapped(entry.msgid)
            catalog.append(pseudo)
    target = folder / LOCALE / "LC_MESSAGES"
    target.mkdir(parents=True, exist_ok=True)
    catalog.save(str(target / "django.po"))
    catalog.save_as_mofile(str(target / "django.mo"))
    return folder


_INNERMOST = re.compile(f"{OPEN}[^{OPEN}{CLOSE}]*{CLOSE}")


def untranslated(text: str, *, allowed: tuple[str, ...] = ()) -> list[str]:
    """The runs of words in `text` that are outside every ⟦…⟧ and not in `allowed` (member
    data: names, titles, …). Digits, dates' numbers and punctuation are not words."""
    previous = None
    while previous != text:
        previous, text = text, _INNERMOST.sub(" ", text)
    for value in sorted(allowed, key=len, reverse=True):
        if value:
            text = text.replace(value, " ")
    return [run.strip() for run in re.findall(r"[^\W\d_][\w'’.-]*(?:\s+[^\W\d_][\w'’.-]*)*", text)]
