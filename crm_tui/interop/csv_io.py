"""CSV in and out: read an export from another CRM, write one per record kind.

Reading finds the encoding (textfile.decode), the delimiter (comma,
semicolon or tab, from the header line), and maps header names to fields:
the names common CRM and mail exports use ("First Name", "E-mail Address",
"Business Phone", "Account Name"...) match case- and punctuation-
insensitively; `--map column=field` covers the rest. Each record keeps the
physical line it starts on (quoted newlines counted), so a rejection points
at the right line. Rejected rows go to a rejects file with the original
columns plus "reason", ready to fix and import again.
"""

from __future__ import annotations

import csv
import io
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

from crm_tui.config import Config
from crm_tui.domain import exporting, importing
from crm_tui.domain.errors import DomainError
from crm_tui.interop.textfile import FileProblem, decode, read_bytes
from crm_tui.models import User

FIELD_SIZE_LIMIT = 64 * 1024 * 1024  # long notes are checked by the domain, with the line number

_COMMON = {
    "firstname": "first_name", "givenname": "first_name", "first": "first_name", "forename": "first_name",
    "lastname": "last_name", "surname": "last_name", "familyname": "last_name", "last": "last_name",
    "name": "full_name", "fullname": "full_name", "displayname": "full_name", "contactname": "full_name", "leadname": "full_name",
    "email": "email", "emailaddress": "email", "mail": "email", "primaryemail": "email", "email1": "email",
    "workemail": "email", "businessemail": "email", "emailaddress1": "email", "e": "email",
    "phone": "phone", "phonenumber": "phone", "businessphone": "phone", "workphone": "phone",
    "telephone": "phone", "tel": "phone", "mobile": "phone", "mobilephone": "phone",
    "mobilenumber": "phone", "cellphone": "phone", "primaryphone": "phone", "officephone": "phone",
    "homephone": "phone",
    "title": "title", "jobtitle": "title", "position": "title",
    "leadsource": "source", "source": "source",
    "status": "status", "leadstatus": "status",
    "website": "website", "web": "website", "webpage": "website", "webpage1": "website", "url": "website",
    "homepage": "website", "webaddress": "website",
    "city": "city", "workcity": "city", "businesscity": "city", "billingcity": "city",
    "country": "country", "workcountry": "country", "businesscountry": "country",
    "billingcountry": "country", "countryregion": "country",
    "industry": "industry",
    "subject": "subject", "duedate": "date", "date": "date", "activitydate": "date", "startdate": "date",
    "due": "date", "plannedday": "date", "planneddate": "date",
    "time": "time", "starttime": "time", "duration": "duration", "durationminutes": "duration",
    "type": "type", "activitytype": "type", "tasktype": "type",
    "priority": "priority", "notes": "notes", "description": "notes", "comments": "notes",
    "deadline": "deadline", "owner": "owner", "assignedto": "owner", "ownerlogin": "owner",
    "record": "record", "recordkind": "record_kind", "recordid": "record_id", "outcome": "outcome",
}
_COMPANY = ("company", "companyname", "organization", "organisation", "org", "accountname", "account")
_COMPANY_FIELD = {"lead": "company", "contact": "account", "account": "name", "activity": "company",
                  "invoice": "account"}
_INVOICE = {
    "number": "number", "invoicenumber": "number", "invoiceno": "number", "invoice": "number", "no": "number",
    "customer": "account", "customername": "account",
    "total": "total", "amount": "total", "grosstotal": "total", "totalamount": "total", "invoicetotal": "total",
    "currency": "currency", "curr": "currency",
    "issued": "issued_on", "issuedon": "issued_on", "issuedate": "issued_on", "invoicedate": "issued_on",
    "date": "issued_on",
    "due": "due_on", "duedate": "due_on", "dueon": "due_on", "paymentdue": "due_on",
    "paid": "paid", "amountpaid": "paid", "paidamount": "paid",
}
_ACCOUNT_NAMES = {"name": "name", "accountname": "name"}

# When several columns map to one field, the first non-empty one wins, in this order.
_PRIORITY = [
    "email", "emailaddress", "primaryemail", "workemail", "businessemail", "email1", "emailaddress1", "mail", "e",
    "phone", "businessphone", "workphone", "officephone", "primaryphone", "phonenumber", "telephone", "tel",
    "mobile", "mobilephone", "mobilenumber", "cellphone", "homephone",
]


def normalize(name: str) -> str:
    """'E-mail Address' -> 'emailaddress': how header names are compared."""
    return re.sub(r"[^0-9a-z]", "", name.lower())


def alias(kind: str, header: str) -> str | None:
    key = normalize(header)
    if kind == "account" and key in _ACCOUNT_NAMES:
        return "name"
    if kind == "invoice" and key in _INVOICE:
        return _INVOICE[key]
    if key in _COMPANY:
        return _COMPANY_FIELD[kind]
    if kind == "activity" and key == "title":
        return "subject"
    mapped = _COMMON.get(key)
    if mapped is None:
        return None
    allowed = set(importing.FIELDS[kind]) | ({"full_name"} if kind in ("lead", "contact") else set())
    return mapped if mapped in allowed else None


@dataclass
class Mapping:
    """Which columns feed which field, and the columns nobody asked for."""

    fields: dict[str, list[int]]
    unknown: list[str]


def build_mapping(kind: str, header: Sequence[str], overrides: dict[str, str]) -> Mapping:
    """Map header columns to fields; `overrides` (column -> field, '' to ignore) win."""
    allowed = set(importing.FIELDS[kind]) | ({"full_name"} if kind in ("lead", "contact") else set())
    by_norm = {normalize(column): column for column in overrides}
    for column, target in overrides.items():
        if target and target not in allowed:
            raise FileProblem(f"--map {column}={target}: {kind} fields are {', '.join(sorted(allowed))}")
        if column not in header and normalize(column) not in {normalize(h) for h in header}:
            raise FileProblem(f"--map {column}={target}: the file has no column {column!r}")
    fields: dict[str, list[tuple[int, int]]] = {}
    unknown = []
    for index, column in enumerate(header):
        override = overrides.get(column, overrides.get(by_norm.get(normalize(column), "\0"), None))
        target = override if override is not None else alias(kind, column)
        if override == "":
            continue
        if not target:
            if column.strip():
                unknown.append(column)
            continue
        key = normalize(column)
        rank = -1 if override else (_PRIORITY.index(key) if key in _PRIORITY else len(_PRIORITY))
        fields.setdefault(target, []).append((rank, index))
    return Mapping({name: [i for _, i in sorted(cols)] for name, cols in fields.items()}, unknown)


@dataclass
class CsvFile:
    """A decoded CSV file: its header, dialect and records with their lines."""

    path: Path
    text: str
    encoding: str
    delimiter: str
    header: list[str]
    header_lines: int
    warnings: list[str] = field(default_factory=list)

    @property
    def total_lines(self) -> int:
        return self.text.count("\n") + 1

    def records(self) -> Iterator[tuple[int, list[str] | None, str]]:
        """(first physical line, cells or None when unreadable, error) for each record."""
        stream = io.StringIO(self.text, newline="\n")  # lines end at LF only, as editors count them
        reader = csv.reader(stream, delimiter=self.delimiter)
        last = 0
        first_record = True
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield last + 1, None, f"unreadable CSV: {exc}"
                last = reader.line_num
                continue
            start, last = last + 1, reader.line_num
            if first_record:
                first_record = False
                continue  # the header
            if not cells or all(not cell.strip() for cell in cells):
                continue
            yield start, cells, ""


def _delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def open_csv(path: Path) -> CsvFile:
    """Read and decode a CSV file and its header; FileProblem when there is nothing to read."""
    data = read_bytes(path)
    if not data.strip(b"\xef\xbb\xbf\xff\xfe\x00 \t\r\n"):
        raise FileProblem(f"{path} is empty: no header, no rows")
    decoded = decode(data, str(path))
    text = decoded.text
    csv.field_size_limit(max(csv.field_size_limit(), FIELD_SIZE_LIMIT))
    first_line = text.split("\n", 1)[0]
    delimiter = _delimiter(first_line)
    reader = csv.reader(io.StringIO(text, newline="\n"), delimiter=delimiter)
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as exc:
        raise FileProblem(f"{path}: cannot read the header line ({exc})") from None
    header = [column.strip() for column in header]
    while header and not header[-1]:
        header.pop()
    if not any(header):
        raise FileProblem(f"{path}: the first line is not a header of column names")
    warnings = [decoded.warning] if decoded.warning else []
    return CsvFile(path, text, decoded.encoding, delimiter, header, reader.line_num, warnings)


def _values(mapping: Mapping, cells: list[str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, indices in mapping.fields.items():
        for index in indices:
            if index < len(cells) and cells[index].strip():
                values[name] = cells[index]
                break
    full = values.pop("full_name", None)
    if full and not values.get("first_name") and not values.get("last_name"):
        first, _, last = full.strip().rpartition(" ")
        values["first_name"], values["last_name"] = first, last
    return values


@dataclass
class CsvImport:
    """Everything a CSV import found, for the summary and the rejects file."""

    file: CsvFile
    mapping: Mapping
    report: importing.ImportReport


def import_csv(
    path: Path,
    kind: str,
    *,
    actor: User,
    config: Config,
    owner: User | None = None,
    overrides: dict[str, str] | None = None,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> CsvImport:
    """Import one CSV file of `kind`. FileProblem when it cannot be read or mapped."""
    source = open_csv(path)
    mapping = build_mapping(kind, source.header, overrides or {})
    present = set(mapping.fields) | ({"first_name", "last_name"} if "full_name" in mapping.fields else set())
    problem = importing.missing_columns(kind, present)
    if problem:
        found = ", ".join(source.header[:12]) + (", ..." if len(source.header) > 12 else "")
        raise FileProblem(f"{path}: {problem}; its columns are: {found} (use --map COLUMN=FIELD)")
    width = len(source.header)
    total = source.total_lines

    def rows() -> Iterator[importing.ImportRow]:
        for line, cells, error in source.records():
            if cells is None:
                yield importing.ImportRow(line, {"__error__": error}, [])
                continue
            extra = [cell for cell in cells[width:] if cell.strip()]
            if extra:
                yield importing.ImportRow(
                    line, {"__error__": f"{len(cells)} values but the header has {width} columns"}, cells)
                continue
            yield importing.ImportRow(line, _values(mapping, cells), cells)

    tick = (lambda read: progress(read, total)) if progress else None
    importer = _CsvImporter(kind, actor=actor, config=config, owner=owner, dry_run=dry_run, progress=tick)
    report = importer.run(rows())
    return CsvImport(source, mapping, report)


class _CsvImporter(importing.Importer):
    """Rows the CSV layer could not split are rejected with the parser's reason."""

    def check(self, values: dict[str, Any]) -> dict[str, Any]:
        if "__error__" in values:
            raise DomainError(values["__error__"])
        return super().check(values)


def rejects_path(path: Path) -> Path:
    """leads.csv -> leads.rejects.csv, beside the imported file."""
    return path.with_name(f"{path.stem}.rejects.csv")


def write_rejects(result: CsvImport, target: Path) -> None:
    """The rejected rows with their original columns and a "reason", to fix and import again."""
    header = list(result.file.header) + ["reason"]
    with target.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, delimiter=result.file.delimiter)
        writer.writerow(header)
        width = len(result.file.header)
        for line, reason, raw in result.report.rejected:
            cells = list(raw or [])[:width]
            cells += [""] * (width - len(cells))
            writer.writerow(cells + [f"line {line}: {reason}"])


def export_csv(kind: str, out: io.TextIOBase | Any) -> int:
    """Write every record of a kind as CSV with a header; returns the row count."""
    columns, rows = exporting.table_for_csv(kind)
    writer = csv.writer(out)
    writer.writerow(columns)
    count = 0
    for row in rows:
        writer.writerow(["" if value is None else value for value in row])
        count += 1
    return count


def progress_printer(stream: Any = None) -> Callable[[int, int], None] | None:
    """A one-line progress bar on a terminal; None when stderr is not one (counts are printed at the end)."""
    stream = stream or sys.stderr
    if not getattr(stream, "isatty", lambda: False)():
        return None
    state = {"shown": -1}

    def show(read: int, total: int) -> None:
        if read % 1000 and read != total:
            return
        percent = min(100, int(100 * read / max(total, 1)))
        if percent == state["shown"]:
            return
        state["shown"] = percent
        bar = "#" * (percent // 4)
        stream.write(f"\rimporting [{bar:<25}] {percent:3d}%  {read} rows")
        stream.flush()

    return show
