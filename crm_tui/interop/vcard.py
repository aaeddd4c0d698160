"""vCard 2.1, 3.0 and 4.0 contacts in; vCard 4.0 out.

A small parser of our own rather than vobject: vobject rejects 5 of the 12
real-world cards in the shared test data (2.1 quoted-printable soft breaks,
iOS `\\r\\r\\n` line ends, a bare CR inside a value). This one works on bytes:
lines end at LF (with any CRs before it), a bare CR stays in the value;
folded lines (a leading space or tab) and quoted-printable soft breaks are
joined; each value is decoded with its own CHARSET (Shift_JIS, UTF-8...),
falling back to Windows-1252 with a warning. Groups (`item1.EMAIL`) are
dropped, PHOTO/KEY/SOUND skipped. N or FN give the name, the preferred EMAIL
and TEL are kept, ORG's first part becomes the contact's account (matched by
name, or created).
"""

from __future__ import annotations

import codecs
import datetime as dt
import quopri
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from crm_tui.config import Config
from crm_tui.domain import exporting, importing, validation
from crm_tui.domain.errors import DomainError
from crm_tui.interop.textfile import FileProblem, read_bytes
from crm_tui.models import User

_SKIP = {"PHOTO", "KEY", "SOUND", "LOGO", "AGENT"}


@dataclass
class Property:
    name: str
    params: dict[str, list[str]]
    value: str

    def types(self) -> set[str]:
        return {t.lower() for t in self.params.get("TYPE", [])}

    @property
    def preferred(self) -> bool:
        return "pref" in self.types() or self.params.get("PREF", ["100"])[0] == "1"


@dataclass
class Card:
    line: int
    version: str = ""
    properties: list[Property] = field(default_factory=list)

    def first(self, name: str) -> Property | None:
        return next((p for p in self.properties if p.name == name), None)

    def all(self, name: str) -> list[Property]:
        return [p for p in self.properties if p.name == name]


def _split_unquoted(text: str, sep: str) -> list[str]:
    parts, current, quoted = [], [], False
    for char in text:
        if char == '"':
            quoted = not quoted
        if char == sep and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


def _params(raw: list[str]) -> dict[str, list[str]]:
    params: dict[str, list[str]] = {}
    for item in raw:
        if not item:
            continue
        key, sep, value = item.partition("=")
        if not sep:  # vCard 2.1 bare parameter: TEL;WORK;VOICE, or QUOTED-PRINTABLE
            key, value = ("ENCODING", item) if item.upper() in ("QUOTED-PRINTABLE", "BASE64", "B") else ("TYPE", item)
        values = [v.strip('"') for v in _split_unquoted(value, ",")]
        params.setdefault(key.strip().upper(), []).extend(values)
    return params


def _logical_lines(data: bytes) -> list[tuple[int, bytes]]:
    """Unfolded lines (bytes) with the physical line each starts on."""
    physical = re.split(rb"\r*\n", data)
    lines: list[tuple[int, bytes]] = []
    qp_open = False
    for number, line in enumerate(physical, 1):
        if line.endswith(b"\r"):
            line = line.rstrip(b"\r")
        if qp_open and lines:
            lines[-1] = (lines[-1][0], lines[-1][1][:-1] + line)  # drop the soft-break "="
        elif line[:1] in (b" ", b"\t") and lines:
            lines[-1] = (lines[-1][0], lines[-1][1] + line[1:])
        elif not line.strip():
            qp_open = False
            continue
        else:
            lines.append((number, line))
        head = lines[-1][1].split(b":", 1)[0].upper()
        qp_open = b"QUOTED-PRINTABLE" in head and lines[-1][1].endswith(b"=") and b":" in lines[-1][1]
    return lines


def _decode(raw: bytes, charset: str | None, warnings: list[str], where: str) -> str:
    if charset:
        try:
            codecs.lookup(charset)
        except LookupError:
            warnings.append(f"{where}: unknown charset {charset}; read as UTF-8")
            charset = None
    try:
        return raw.decode(charset or "utf-8")
    except UnicodeDecodeError:
        if charset and charset.lower().replace("-", "") != "utf8":
            warnings.append(f"{where}: not valid {charset}; unreadable characters shown as \ufffd")
            return raw.decode(charset, errors="replace")
        try:
            raw.decode("utf-8", errors="strict")
        except UnicodeDecodeError as exc:
            bad = raw[exc.start:exc.start + 1]
            if b"\x80" <= bad <= b"\xbf" and raw[:exc.start].isascii() is False:
                warnings.append(f"{where}: invalid UTF-8 byte 0x{bad[0]:02X}; shown as \ufffd")
                return raw.decode("utf-8", errors="replace")
        warnings.append(f"{where}: not UTF-8 and no CHARSET given; read as Windows-1252")
        return raw.decode("cp1252", errors="replace")


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) in "nN" else m.group(1), text)


def _structured(text: str) -> list[str]:
    """Split N/ORG/ADR on ';' that are not escaped, then unescape each part."""
    return [_unescape(part) for part in re.split(r"(?<!\\);", text)]


def parse(data: bytes, name: str = "the file") -> tuple[list[Card], list[str], list[tuple[int, str]]]:
    """Cards, warnings, and (line, reason) for pieces that could not be read."""
    warnings: list[str] = []
    broken: list[tuple[int, str]] = []
    if data.startswith(codecs.BOM_UTF8):
        data = data[3:]
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        data = data.decode("utf-16").encode("utf-8")
    cards: list[Card] = []
    current: Card | None = None
    for number, line in _logical_lines(data):
        head_end = _colon(line)
        if head_end < 0:
            if current is not None:
                warnings.append(f"line {number}: not a vCard line, ignored: {line[:40]!r}")
            continue
        head = line[:head_end].decode("ascii", errors="replace")
        value = line[head_end + 1:]
        parts = _split_unquoted(head, ";")
        prop_name = parts[0].split(".")[-1].strip().upper()  # item1.EMAIL -> EMAIL
        if prop_name == "BEGIN" and value.strip().upper() == b"VCARD":
            if current is not None:
                broken.append((current.line, "card without END:VCARD"))
            current = Card(number)
            continue
        if prop_name == "END" and value.strip().upper() == b"VCARD":
            if current is not None:
                cards.append(current)
            current = None
            continue
        if current is None or prop_name in _SKIP:
            continue
        params = _params(parts[1:])
        encoding = (params.get("ENCODING") or [""])[0].upper()
        if encoding in ("B", "BASE64"):
            continue
        if encoding == "QUOTED-PRINTABLE":
            value = quopri.decodestring(value)
        charset = (params.get("CHARSET") or [None])[0]
        text = _decode(value, charset, warnings, f"line {number} ({prop_name})")
        if prop_name == "VERSION":
            current.version = text.strip()
        current.properties.append(Property(prop_name, params, text))
    if current is not None:
        broken.append((current.line, "card without END:VCARD (file cut short?)"))
    if not cards and not broken:
        raise FileProblem(f"{name}: no vCard in it (no BEGIN:VCARD ... END:VCARD)")
    return cards, warnings, broken


def _colon(line: bytes) -> int:
    quoted = False
    for index, byte in enumerate(line):
        if byte == 0x22:
            quoted = not quoted
        elif byte == 0x3A and not quoted:
            return index
    return -1


def _ordered(props: list[Property], preferred_types: tuple[str, ...]) -> list[str]:
    """Values, the preferred one first, then by type, then in file order."""
    def rank(item: tuple[int, Property]) -> tuple[int, int]:
        index, prop = item
        if prop.preferred:
            return (0, index)
        for position, kind in enumerate(preferred_types, 1):
            if kind in prop.types():
                return (position, index)
        return (len(preferred_types) + 1, index)

    return [prop.value for _, prop in sorted(enumerate(props), key=rank)]


def _first_valid(candidates: list[str], check: Any, what: str, line: int, warnings: list[str]) -> str:
    """The first value the domain accepts; the others are reported, not fatal for the card."""
    for value in candidates:
        try:
            return check(value)
        except DomainError as exc:
            warnings.append(f"card at line {line}: {what} left out: {exc}")
    return ""


def card_values(card: Card, warnings: list[str] | None = None) -> dict[str, Any]:
    """The contact fields a card holds."""
    values: dict[str, Any] = {}
    n = card.first("N")
    if n is not None:
        parts = _structured(n.value) + ["", ""]
        values["last_name"], values["first_name"] = parts[0].strip(), parts[1].strip()
    fn = card.first("FN")
    if fn is not None and not values.get("last_name") and not values.get("first_name"):
        first, _, last = _unescape(fn.value).strip().rpartition(" ")
        values["first_name"], values["last_name"] = first, last
    emails = [Property(p.name, p.params, _unescape(p.value).strip()) for p in card.all("EMAIL")]
    warnings = warnings if warnings is not None else []
    values["email"] = _first_valid(_ordered([p for p in emails if p.value], ("work", "internet")),
                                   validation.email, "e-mail", card.line, warnings)
    phones = [Property(p.name, p.params, re.sub(r"^tel:", "", _unescape(p.value).strip(), flags=re.I))
              for p in card.all("TEL")]
    values["phone"] = _first_valid(_ordered([p for p in phones if p.value], ("work", "cell", "voice")),
                                   validation.phone, "phone", card.line, warnings)
    if not values.get("last_name") and not values.get("first_name") and values["email"]:
        warnings.append(f"card at line {card.line}: no name (N or FN), only the e-mail {values['email']}")
    org = card.first("ORG")
    if org is not None:
        values["account"] = _structured(org.value)[0].strip()
    title = card.first("TITLE")
    if title is not None:
        values["title"] = _unescape(title.value).strip().strip('"')
    return values


@dataclass
class VcfImport:
    report: importing.ImportReport
    warnings: list[str]


def import_vcf(
    path: Path, *, actor: User, config: Config, owner: User | None = None, dry_run: bool = False,
) -> VcfImport:
    """Contacts from a .vcf file with one or more cards."""
    cards, warnings, broken = parse(read_bytes(path), str(path))
    importer = importing.Importer("contact", actor=actor, config=config, owner=owner, dry_run=dry_run)
    report = importer.run(importing.ImportRow(card.line, card_values(card, warnings)) for card in cards)
    for line, reason in broken:
        report.rejected.append((line, reason, None))
    return VcfImport(report, warnings)


# --- export -------------------------------------------------------------------

def _escape(text: str) -> str:
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n"))


def _fold(line: str) -> str:
    """Fold at 75 octets without splitting a UTF-8 character (RFC 6350 3.2)."""
    out, current, size = [], "", 0
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > 75:
            out.append(current)
            current, size = " ", 1
        current += char
        size += width
    out.append(current)
    return "\r\n".join(out)


def export_vcf(out: TextIO) -> int:
    """Every contact as a vCard 4.0; returns how many were written."""
    host = f"{exporting.database_id()}.crm-tui"
    count = 0
    for card in exporting.contact_cards():
        lines = [
            "BEGIN:VCARD", "VERSION:4.0", "PRODID:-//crm_tui//crm_tui contacts//EN",
            f"UID:contact-{card.id}@{host}",
            f"FN:{_escape(f'{card.first_name} {card.last_name}'.strip())}",
            f"N:{_escape(card.last_name)};{_escape(card.first_name)};;;",
        ]
        if card.account:
            lines.append(f"ORG:{_escape(card.account)}")
        if card.title:
            lines.append(f"TITLE:{_escape(card.title)}")
        if card.email:
            lines.append(f"EMAIL;TYPE=work;PREF=1:{card.email}")
        if card.phone:
            lines.append(f"TEL;VALUE=text;TYPE=work:{_escape(card.phone)}")
        stamp = card.updated_at if isinstance(card.updated_at, dt.datetime) else dt.datetime.fromisoformat(str(card.updated_at))
        lines.append(f"REV:{stamp:%Y%m%dT%H%M%SZ}")
        lines.append("END:VCARD")
        out.write("".join(_fold(line) + "\r\n" for line in lines))
        count += 1
    return count
