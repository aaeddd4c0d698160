"""Importing many records: what a valid row is, what a duplicate is, bulk writes.

The file formats live in crm_tui.interop (CSV, vCard, iCalendar); they hand
rows of field -> value here. Each row is checked with domain.validation and
refused with its line and reason, or skipped as a duplicate, or written.
Good rows are written in batches of `BATCH_SIZE`, each batch one transaction
(all of it or none of it), so a rejected row never blocks the good ones and a
failure never leaves a half-written batch.

Duplicates (checked against the database and earlier rows of the same file):
leads and contacts by e-mail, or by the last 9 digits of the phone
(`validation.phone_key`, when it has at least 7); accounts by name (case and
spacing ignored); activities by record, type, subject and day.

Auditing: every imported row gets its own "create" audit event, all under
one change id per import, so the timeline shows where a record came from and
undo (`u`, changes.undo_last) takes the whole import back (row by row: fine
for everyday files, slow for 100k rows).
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
import zoneinfo
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

import peewee as pw

from crm_tui import clock, db
from crm_tui.config import Config
from crm_tui.domain import activities, bulk, money, validation
from crm_tui.domain.errors import DomainError
from crm_tui.models import (
    ACTIVITY_STATUSES, LEAD_STATUSES, RECORD_KINDS, RECORD_MODELS, Account, Activity, Contact, Invoice, Lead, User,
)

KINDS = ("lead", "contact", "account", "activity", "invoice")
_HOST_ONLY = re.compile(r"^[^@\s<>(),;:\"\[\]]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$")
BATCH_SIZE = 2000

FIELDS: dict[str, tuple[str, ...]] = {
    "lead": ("first_name", "last_name", "company", "title", "email", "phone", "status", "source"),
    "contact": ("first_name", "last_name", "title", "email", "phone", "account"),
    "account": ("name", "industry", "website", "email", "phone", "city", "country"),
    "activity": (
        "type", "subject", "date", "time", "duration", "status", "priority", "notes", "deadline",
        "owner", "record", "record_kind", "record_id", "email", "company", "outcome",
    ),
    "invoice": ("number", "account", "total", "currency", "issued_on", "due_on", "paid"),
}
"""The fields each kind takes, as the names `--map column=field` accepts."""

# Any one of these column sets must be present, or nothing can be imported.
REQUIRED_COLUMNS: dict[str, tuple[tuple[str, ...], ...]] = {
    "lead": (("last_name",), ("company",)),
    "contact": (("last_name",), ("first_name",)),
    "account": (("name",),),
    "activity": (("subject", "date", "record"), ("subject", "date", "record_kind", "record_id"),
                 ("subject", "date", "email"), ("subject", "date", "company")),
    "invoice": (("number", "account", "total", "due_on"),),
}
_REQUIRED_TEXT = {
    "lead": "a last name or a company column",
    "contact": "a last name or a first name column",
    "account": "a name column (Account Name, Company or Name)",
    "activity": "subject and date columns, and a record column (Record, Record Kind + Record ID, Email or Company)",
    "invoice": "number, account, total and due date columns",
}


def missing_columns(kind: str, fields: Iterable[str]) -> str | None:
    """Why a file with these mapped fields cannot be imported as `kind`, or None."""
    present = set(fields)
    if any(set(option) <= present for option in REQUIRED_COLUMNS[kind]):
        return None
    article = "an" if kind[0] in "aeiou" else "a"
    return f"{article} {kind} file needs {_REQUIRED_TEXT[kind]}"


@dataclass
class ImportRow:
    """One item from a file: its (first physical) line, mapped values, and the raw row."""

    line: int
    values: dict[str, Any]
    raw: Any = None


@dataclass
class ImportReport:
    kind: str
    dry_run: bool = False
    read: int = 0
    imported: int = 0
    duplicates: list[tuple[int, str]] = field(default_factory=list)
    rejected: list[tuple[int, str, Any]] = field(default_factory=list)
    accounts_created: int = 0
    ids: list[int] = field(default_factory=list)
    notes: list[tuple[int, str]] = field(default_factory=list)
    """(line, what was left out) for rows imported without a value."""

    @property
    def skipped(self) -> int:
        return len(self.duplicates)


def _key(text: str) -> str:
    return " ".join(text.lower().split())


def _text(values: dict[str, Any], name: str, max_length: int = 200) -> str:
    return validation.optional(str(values.get(name) or ""), name, max_length=max_length)


class _Seen:
    """Keys already in the database or earlier in the file."""

    def __init__(self) -> None:
        self.emails: set[str] = set()
        self.phones: set[str] = set()
        self.names: set[str] = set()
        self.activities: set[tuple] = set()

    def add_person(self, email: str, phone: str) -> None:
        if email:
            self.emails.add(email.lower())
        key = validation.phone_key(phone or "")
        if len(key) >= 7:
            self.phones.add(key)

    def person_duplicate(self, email: str, phone: str) -> str | None:
        if email and email in self.emails:
            return f"duplicate e-mail {email}"
        key = validation.phone_key(phone)
        if len(key) >= 7 and key in self.phones:
            return f"duplicate phone {phone}"
        return None


class Importer:
    """Runs one import of one kind: check, de-duplicate, write in batches."""

    def __init__(
        self,
        kind: str,
        *,
        actor: User,
        config: Config,
        owner: User | None = None,
        dry_run: bool = False,
        batch_size: int = BATCH_SIZE,
        progress: Callable[[int], None] | None = None,
    ) -> None:
        if kind not in KINDS:
            raise DomainError(f"cannot import {kind!r}; use one of: {', '.join(KINDS)}")
        self.kind = kind
        self.actor = actor
        self.config = config
        self.owner = owner or actor
        self.dry_run = dry_run
        self.batch_size = batch_size
        self.progress = progress
        self.change = uuid.uuid4().hex
        self.report = ImportReport(kind, dry_run=dry_run)
        self._line = 0
        self.seen = _Seen()
        self.accounts: dict[str, int | None] = {}  # name key -> id (None: to be created)
        self.account_names: dict[str, str] = {}
        self.users: dict[str, User] = {}
        self.account_owners: dict[int, int | None] = {}
        self.invoice_numbers: set[str] = set()
        self._load_existing()

    # --- existing data -------------------------------------------------
    def _load_existing(self) -> None:
        if self.kind in ("lead", "contact"):
            model = Lead if self.kind == "lead" else Contact
            for email, phone in model.select(model.email, model.phone).tuples().iterator():
                self.seen.add_person(email or "", phone or "")
        if self.kind in ("account", "contact", "activity", "invoice"):
            for account_id, name, owner_id in Account.select(Account.id, Account.name, Account.owner).tuples().iterator():
                self.accounts.setdefault(_key(name), account_id)
                self.account_owners[account_id] = owner_id
                if self.kind == "account":
                    self.seen.names.add(_key(name))

    # --- checks ----------------------------------------------------------
    def check(self, values: dict[str, Any]) -> dict[str, Any]:
        """The row's clean field values, or DomainError saying what is wrong."""
        return getattr(self, f"_check_{self.kind}")(values)

    def _person(self, values: dict[str, Any]) -> dict[str, Any]:
        return {
            "first_name": _text(values, "first_name", 80),
            "last_name": _text(values, "last_name", 80),
            "title": _text(values, "title", 120),
            "email": self._email(str(values.get("email") or "")),
            "phone": validation.phone(str(values.get("phone") or "")),
        }

    def _email(self, text: str) -> str:
        """A malformed address rejects the row; a well-formed one on a bare host name
        (`someone@localhost`, Thunderbird's `contact1@invalid`) cannot be mailed, so the
        row comes in without it and the line says so."""
        try:
            return validation.email(text)
        except DomainError:
            if not _HOST_ONLY.match(text.strip()):
                raise
            self.report.notes.append((self._line, f"e-mail {text.strip()!r} has no domain to mail to; left out"))
            return ""

    def _check_lead(self, values: dict[str, Any]) -> dict[str, Any]:
        row = self._person(values)
        row["company"] = _text(values, "company", 200)
        if not row["last_name"] and not row["company"]:
            raise DomainError("a lead needs a last name or a company", "last_name")
        status = (str(values.get("status") or "").strip().lower()) or "new"
        if status not in LEAD_STATUSES:
            raise DomainError(f"status must be one of: {', '.join(LEAD_STATUSES)}", "status")
        row["status"] = status
        row["source"] = row["original_source"] = _text(values, "source", 80)
        return row

    def _check_contact(self, values: dict[str, Any]) -> dict[str, Any]:
        row = self._person(values)
        if not row["last_name"] and not row["first_name"]:
            raise DomainError("a contact needs a name", "last_name")
        if not row["last_name"]:  # one-word names ("Madonna") go into the required column
            row["last_name"], row["first_name"] = row["first_name"], ""
        row["account"] = _text(values, "account", 200)
        return row

    def _check_account(self, values: dict[str, Any]) -> dict[str, Any]:
        return {
            "name": validation.required(str(values.get("name") or ""), "name", "account name", 200),
            "industry": _text(values, "industry", 80),
            "website": _text(values, "website", 200),
            "email": validation.email(str(values.get("email") or "")),
            "phone": validation.phone(str(values.get("phone") or "")),
            "city": _text(values, "city", 80),
            "country": _text(values, "country", 80),
        }

    def _check_activity(self, values: dict[str, Any]) -> dict[str, Any]:
        kind = (str(values.get("type") or "").strip().lower())
        if kind not in self.config.activity_type_names:
            raise DomainError(f"type must be one of: {', '.join(self.config.activity_type_names)}", "type")
        subject = validation.required(str(values.get("subject") or ""), "subject", max_length=200)
        owner = self._owner(values.get("owner"))
        record_kind, record_id = self._record(values)
        status = (str(values.get("status") or "").strip().lower()) or "open"
        status = {"completed": "done", "canceled": "cancelled"}.get(status, status)
        if status not in ACTIVITY_STATUSES:
            raise DomainError(f"status must be one of: {', '.join(ACTIVITY_STATUSES)}", "status")
        priority = validation.integer(values.get("priority"), "priority", low=1, high=3) or 2
        row: dict[str, Any] = {
            "type": kind, "subject": subject, "owner": owner.id, "created_by": self.actor.id,
            "record_kind": record_kind, "record_id": record_id, "status": status, "priority": priority,
            "notes": validation.optional(str(values.get("notes") or ""), "notes", max_length=20000),
            "outcome": _text(values, "outcome", 60),
        }
        row.update(self._when(values, owner))
        row["first_planned_date"] = row["planned_date"]
        deadline = validation.iso_date(values.get("deadline"), "deadline")
        if deadline is not None and deadline < row["planned_date"]:
            raise DomainError("the deadline is before the planned day", "deadline")
        row["deadline"] = deadline
        if status == "done":
            row["completed_at"] = row["start_at"] or dt.datetime.combine(row["planned_date"], dt.time(12))
            row["followup"] = "none"
        elif status == "cancelled":
            row["cancel_reason"] = "cancelled before import"
        return row

    def _check_invoice(self, values: dict[str, Any]) -> dict[str, Any]:
        """An invoice from the accounting system: its account must exist (matched by name)."""
        number = validation.required(str(values.get("number") or ""), "number", "an invoice number", 40)
        name = validation.required(str(values.get("account") or ""), "account", "an account name", 200)
        account_id = self.accounts.get(_key(name))
        if not account_id:
            raise DomainError(f"no account named {name!r}", "account")
        total = money.cents(money.to_decimal(str(values.get("total") or ""), "total"))
        if total < 0:
            raise DomainError("total: must not be negative", "total")
        paid_text = str(values.get("paid") or "").strip()
        paid = money.cents(money.to_decimal(paid_text, "paid")) if paid_text else money.ZERO
        if not money.ZERO <= paid <= total:
            raise DomainError("paid: must be between 0 and the total", "paid")
        due = validation.iso_date(values.get("due_on"), "due_on", required_value=True)
        issued = validation.iso_date(values.get("issued_on"), "issued_on") or due
        if due < issued:
            raise DomainError("the due date is before the issue date", "due_on")
        currency = money.check_currency(str(values.get("currency") or "") or self.config.sales.currency)
        return {"number": number, "account": account_id, "total": total, "paid": paid, "currency": currency,
                "issued_on": issued, "due_on": due, "status": "paid" if paid == total else "open",
                "source": "import"}

    def _when(self, values: dict[str, Any], owner: User) -> dict[str, Any]:
        """A planned day, and a start instant and duration when it has a time."""
        start = values.get("start_at")
        duration = validation.integer(values.get("duration"), "duration", low=1, high=24 * 60)
        if isinstance(start, dt.datetime):  # an instant from a calendar file
            if start.tzinfo is None:
                start = start.replace(tzinfo=zoneinfo.ZoneInfo(owner.time_zone))
            utc = start.astimezone(dt.timezone.utc).replace(tzinfo=None)
            day = start.astimezone(zoneinfo.ZoneInfo(owner.time_zone)).date()
            return {"planned_date": day, "start_at": utc, "duration_min": duration or 30}
        day = validation.iso_date(values.get("date"), "date", required_value=True)
        time_text = values.get("time")
        if isinstance(time_text, dt.time):
            time = time_text
        elif time_text and str(time_text).strip():
            try:
                time = dt.time.fromisoformat(str(time_text).strip())
            except ValueError:
                raise DomainError(f"{time_text!r} is not a time like 14:30", "time") from None
        else:
            return {"planned_date": day, "start_at": None, "duration_min": None}
        local = dt.datetime.combine(day, time, tzinfo=zoneinfo.ZoneInfo(owner.time_zone))
        utc = local.astimezone(dt.timezone.utc).replace(tzinfo=None)
        minutes = duration or self.config.activity_type(values["type"].strip().lower()).minutes
        return {"planned_date": day, "start_at": utc, "duration_min": minutes}

    def _owner(self, login: Any) -> User:
        login = str(login or "").strip()
        if not login:
            return self.owner
        if login not in self.users:
            user = User.get_or_none(User.login == login)
            if user is None:
                raise DomainError(f"no user {login!r}", "owner")
            self.users[login] = user
        return self.users[login]

    def _record(self, values: dict[str, Any]) -> tuple[str, int]:
        """The record an activity belongs to: kind:id, or found by e-mail or company."""
        text = str(values.get("record") or "").strip()
        if text:
            kind, _, number = text.partition(":")
            return self._existing(kind.strip().lower(), number)
        if values.get("record_kind") or values.get("record_id"):
            return self._existing(str(values.get("record_kind") or "").strip().lower(), values.get("record_id"))
        email = str(values.get("email") or "").strip().lower()
        if email:
            found = find_person_by_email(email)
            if found is None:
                raise DomainError(f"no contact or lead with e-mail {email}", "email")
            return found
        company = _key(str(values.get("company") or ""))
        if company and self.accounts.get(company):
            return "account", int(self.accounts[company])  # type: ignore[arg-type]
        if company:
            raise DomainError(f"no account named {values.get('company')!r}", "company")
        raise DomainError("no record to link to (give record, e-mail or company)", "record")

    def _existing(self, kind: str, number: Any) -> tuple[str, int]:
        if kind not in RECORD_KINDS:
            raise DomainError(f"record kind must be one of: {', '.join(RECORD_KINDS)}", "record")
        record_id = validation.integer(number, "record_id", low=1)
        model = RECORD_MODELS[kind]
        if record_id is None or not model.select().where(model.id == record_id).exists():
            raise DomainError(f"{kind} {number} does not exist", "record")
        return kind, record_id

    # --- duplicates --------------------------------------------------------
    def duplicate(self, row: dict[str, Any]) -> str | None:
        """Why this row repeats one already known (and remember it when new)."""
        if self.kind in ("lead", "contact"):
            reason = self.seen.person_duplicate(row["email"], row["phone"])
            if reason is None:
                self.seen.add_person(row["email"], row["phone"])
            return reason
        if self.kind == "invoice":
            number = row["number"]
            if number in self.invoice_numbers or Invoice.select().where(Invoice.number == number).exists():
                self.invoice_numbers.add(number)
                return f"invoice {number} exists already"
            self.invoice_numbers.add(number)
            return None
        if self.kind == "account":
            key = _key(row["name"])
            if key in self.seen.names:
                return f"duplicate account name {row['name']}"
            self.seen.names.add(key)
            return None
        key = (row["record_kind"], row["record_id"], row["type"], row["subject"].lower(), row["planned_date"])
        if key not in self.seen.activities and _activity_exists(*key):
            self.seen.activities.add(key)
        if key in self.seen.activities:
            return f"duplicate {row['type']} {row['subject']!r} on {row['planned_date']}"
        self.seen.activities.add(key)
        return None

    # --- running -------------------------------------------------------
    def run(self, rows: Iterable[ImportRow]) -> ImportReport:
        batch: list[tuple[int, dict[str, Any]]] = []
        report = self.report
        for item in rows:
            report.read += 1
            self._line = item.line
            try:
                row = self.check(item.values)
            except DomainError as exc:
                report.rejected.append((item.line, str(exc), item.raw))
                self._tick()
                continue
            reason = self.duplicate(row)
            if reason is not None:
                report.duplicates.append((item.line, reason))
                self._tick()
                continue
            batch.append((item.line, row))
            if len(batch) >= self.batch_size:
                self._flush(batch)
                batch = []
            self._tick()
        self._flush(batch)
        return report

    def _tick(self) -> None:
        if self.progress is not None:
            self.progress(self.report.read)

    def _flush(self, batch: list[tuple[int, dict[str, Any]]]) -> None:
        if not batch:
            return
        if self.dry_run:
            self.report.imported += len(batch)
            if self.kind == "contact":
                self.report.accounts_created += self._new_accounts([row for _, row in batch], count_only=True)
            return
        known_accounts = dict(self.accounts)
        try:
            ids = self._write([row for _, row in batch])
        except (pw.DatabaseError, DomainError) as exc:
            self.accounts = known_accounts  # the accounts made in the failed batch were rolled back too
            raise DomainError(
                f"lines {batch[0][0]}-{batch[-1][0]} could not be written ({exc}); none of them were imported, "
                f"{self.report.imported} rows before them were"
            ) from None
        self.report.imported += len(batch)
        self.report.ids.extend(ids)

    @db.atomic
    def _write(self, rows: list[dict[str, Any]]) -> list[int]:
        now = clock.utcnow_naive()
        model = {"lead": Lead, "contact": Contact, "account": Account, "activity": Activity,
                 "invoice": Invoice}[self.kind]
        if self.kind == "contact":
            self.report.accounts_created += self._new_accounts(rows, count_only=False)
        ids = bulk.allocate_ids(model, len(rows))
        full = []
        for record_id, row in zip(ids, rows):
            values = dict(row, id=record_id, created_at=now, updated_at=now)
            if self.kind == "invoice":  # the account's owner follows it up, like the account itself
                values["owner"] = self.account_owners.get(values["account"]) or self.owner.id
                values["paid_at"] = now if values["status"] == "paid" else None
            elif self.kind != "activity":
                values["owner"] = self.owner.id
            if self.kind == "contact":
                name = values.pop("account")
                values["account"] = self.accounts.get(_key(name)) if name else None
            if self.kind == "lead":
                values["status_changed_at"] = now
            full.append(values)
        bulk.insert_rows(model, full)
        bulk.audit_creates(model, full, change=self.change, user_id=self.actor.id)
        if self.kind == "activity":
            activities.refresh_records((row["record_kind"], row["record_id"]) for row in rows)
        return ids

    def _new_accounts(self, rows: list[dict[str, Any]], *, count_only: bool) -> int:
        """Create the accounts contacts name that do not exist yet (ORG in a vCard)."""
        names: dict[str, str] = {}
        for row in rows:
            key = _key(row["account"])
            if key and self.accounts.get(key) is None:
                names.setdefault(key, row["account"])
        if count_only:
            for key in names:
                self.accounts[key] = -1  # counted once per name in a dry run
            return len(names)
        now = clock.utcnow_naive()
        ids = bulk.allocate_ids(Account, len(names))
        new = [
            {"id": account_id, "name": name, "owner": self.owner.id, "created_at": now, "updated_at": now}
            for account_id, name in zip(ids, names.values())
        ]
        bulk.insert_rows(Account, new)
        bulk.audit_creates(Account, new, change=self.change, user_id=self.actor.id)
        for account_id, key in zip(ids, names):
            self.accounts[key] = account_id
        return len(new)


def _activity_exists(kind: str, record_id: int, type_: str, subject: str, day: dt.date) -> bool:
    """Is there such an activity already? Subjects compare case-insensitively in Python
    (SQLite's LOWER() only folds ASCII, so "Möte" and "MÖTE" would differ there)."""
    subjects = (
        Activity.select(Activity.subject)
        .where((Activity.record_kind == kind) & (Activity.record_id == record_id) & (Activity.type == type_)
               & (Activity.planned_date == day))
        .tuples()
    )
    return any(existing.lower() == subject for (existing,) in subjects)


def find_person_by_email(email: str) -> tuple[str, int] | None:
    """The contact (first) or lead with this e-mail, as (kind, id)."""
    email = email.strip().lower()
    if not email:
        return None
    for kind, model in (("contact", Contact), ("lead", Lead)):
        found = model.select(model.id).where(pw.fn.LOWER(model.email) == email).order_by(model.id).scalar()
        if found is not None:
            return kind, found
    return None


def parse_record_ref(text: str) -> tuple[str, int]:
    """'lead:12' -> ('lead', 12), checking that the record exists."""
    kind, sep, number = text.strip().partition(":")
    if not sep:
        raise DomainError(f"{text!r}: give a record as KIND:ID, e.g. lead:12")
    kind = kind.strip().lower()
    if kind not in RECORD_KINDS:
        raise DomainError(f"record kind must be one of: {', '.join(RECORD_KINDS)}")
    record_id = validation.integer(number, "record", low=1)
    model = RECORD_MODELS[kind]
    if record_id is None or not model.select().where(model.id == record_id).exists():
        raise DomainError(f"{kind} {number.strip()} does not exist")
    return kind, record_id
