"""Reading text files whose encoding nobody wrote down.

CSV, vCard and iCalendar files arrive from Excel, Outlook, phones and old
mail clients. `decode` tries what the bytes say first (a byte-order mark),
then UTF-8, and only then falls back to Windows-1252 (Latin-1 for the bytes
it leaves undefined), with a warning, so text is never silently garbled.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from pathlib import Path


class FileProblem(ValueError):
    """A file that cannot be read at all; the message names the file and why."""


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    warning: str | None = None


def read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise FileProblem(f"{path}: no such file") from None
    except IsADirectoryError:
        raise FileProblem(f"{path} is a directory, not a file") from None
    except OSError as exc:
        raise FileProblem(f"{path}: {exc.strerror}") from None


def decode(data: bytes, name: str = "the file") -> Decoded:
    """The file's text and the encoding it was read with."""
    if data.startswith(codecs.BOM_UTF8):
        return Decoded(data[3:].decode("utf-8", errors="strict"), "utf-8-sig")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return Decoded(data.decode("utf-16"), "utf-16")
        except UnicodeDecodeError:
            raise FileProblem(f"{name} starts like UTF-16 but is not valid UTF-16") from None
    if data.count(b"\x00") > len(data) // 4:  # every other byte zero: UTF-16 text
        raise FileProblem(f"{name} looks like UTF-16 without a byte-order mark; save it as UTF-8") from None
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        try:
            text, encoding = data.decode("cp1252"), "cp1252"
        except UnicodeDecodeError:
            text, encoding = data.decode("latin-1"), "latin-1"
        warning = (f"{name} is not UTF-8 (line {line} has byte 0x{data[exc.start]:02X}); read it as "
                   f"{'Windows-1252' if encoding == 'cp1252' else 'Latin-1'}: check accented letters")
        return Decoded(text, encoding, warning)
