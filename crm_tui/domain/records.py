"""Records of every kind: look-ups, display names (record_names.py), keyset-paged listing, and
validated create and update with duplicate warnings.

A record is a lead, account, contact, opportunity or case; activities and
notes point at one by (kind, id). The Records screen lists them with `page`
(tuples, never instances) and edits them through `fields`, `create` and
`update`; the CLI and importers use the same functions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import peewee as pw

from crm_tui import clock, db
from crm_tui.config import Config
from crm_tui.domain import changes, dates, search, validation
from crm_tui.domain.errors import DomainError, NotFound
from crm_tui.domain.record_names import KIND_LABELS, display_name, model_for, names  # noqa: F401  (the records API)
from crm_tui.domain.validation import CURRENCIES
from crm_tui.models import (
    CASE_PRIORITIES, CASE_STATUSES, LEAD_STATUSES, LeadTouch, OPPORTUNITY_STATES, Account, Case, Contact,
    Lead, Opportunity, Record, User,
)


def resolve(kind: str, record_id: int) -> tuple[str, int]:
    """The record to open for a link: an activity (an overdue-activity exception) opens its record."""
    if kind == "activity":
        from crm_tui.models import Activity

        row = Activity.select(Activity.record_kind, Activity.record_id).where(Activity.id == record_id).tuples().first()
        if row is None:
            raise NotFound("this activity no longer exists")
        return row[0], row[1]
    if kind in ("quote", "order", "invoice"):
        return _document_record(kind, record_id)
    model_for(kind)
    return kind, record_id


def _document_record(kind: str, record_id: int) -> tuple[str, int]:
    """Quotes and orders open their opportunity; an invoice its account (a sales document is not a record)."""
    from crm_tui.models import Invoice, Quote, SalesOrder

    if kind == "quote":
        row = Quote.select(Quote.opportunity).where(Quote.id == record_id).scalar()
        target = "opportunity"
    elif kind == "order":
        row = (Quote.select(Quote.opportunity).join(SalesOrder, on=(SalesOrder.quote == Quote.id))
               .where(SalesOrder.id == record_id).scalar())
        target = "opportunity"
    else:
        row = Invoice.select(Invoice.account).where(Invoice.id == record_id).scalar()
        target = "account"
    if row is None:
        raise NotFound(f"this {kind} no longer exists, or belongs to no {target}")
    return target, row


def get(kind: str, record_id: int) -> Record:
    model = model_for(kind)
    record = model.get_or_none(model.id == record_id)
    if record is None:
        raise NotFound(f"{KIND_LABELS[kind].lower()} {record_id} does not exist")
    return record


# ---- Listing: keyset pages for the windowed Records table -----------------
#
# The Records table shows a window of rows around the cursor and asks for the
# next (or previous) page after the key of the window's edge row, never with
# OFFSET and never as model instances. A key is (segment, sort values, id):
# rows with a NULL sort value (never touched, no next activity) form segment 1,
# after all others, ordered by id, the same on SQLite and PostgreSQL.

SORTS = ("name", "created", "last_touch", "next_activity")
"""Sort names; a leading "-" sorts descending ("-created": newest first)."""

Key = tuple[int, tuple, int]


@dataclass(frozen=True)
class Filters:
    """Which rows of a kind to list. `owner_id` set to the user's id is "mine"."""

    owner_id: int | None = None
    status: str | None = None
    """Lead or case status, or an opportunity's state (open, won, lost)."""
    step: str | None = None
    """An opportunity's methodology step."""


@dataclass(frozen=True)
class Page:
    """Rows in display order with their keys; `more` says whether rows follow
    in the direction asked (after the last row, or before the first)."""

    rows: list[tuple]
    keys: list[Key]
    more: bool


def _sort_columns(kind: str, sort: str) -> tuple[list[pw.Field], bool]:
    name = sort.lstrip("-")
    model = model_for(kind)
    if name == "name":
        return {
            "lead": [Lead.last_name, Lead.first_name], "contact": [Contact.last_name, Contact.first_name],
            "account": [Account.name], "opportunity": [Opportunity.name], "case": [Case.subject],
        }[kind], False
    if name == "created":
        return [model.created_at], False
    if name == "last_touch":
        return [model.last_touch_at], True
    if name == "next_activity":
        return [model.next_activity_on], True
    raise DomainError(f"cannot sort by {sort!r}; use one of {', '.join(SORTS)}", "sort")


def _columns(kind: str) -> tuple[list[tuple[str, Any]], list[tuple[type[pw.Model], Any]]]:
    """(label, expression) per shown column, and the LEFT JOINs they need."""
    model = model_for(kind)
    owner = User.alias("owner_user")
    joins: list[tuple[Any, Any]] = [(owner, model.owner == owner.id)]
    shown: list[tuple[str, Any]]
    if kind == "lead":
        shown = [("Name", pw.fn.TRIM(Lead.first_name.concat(" ").concat(Lead.last_name))), ("Company", Lead.company),
                 ("Email", Lead.email), ("Phone", Lead.phone), ("Status", Lead.status)]
    elif kind == "account":
        shown = [("Name", Account.name), ("City", Account.city), ("Email", Account.email),
                 ("Phone", Account.phone), ("Industry", Account.industry)]
    elif kind == "contact":
        account = Account.alias("contact_account")
        joins.append((account, Contact.account == account.id))
        shown = [("Name", pw.fn.TRIM(Contact.first_name.concat(" ").concat(Contact.last_name))), ("Account", account.name),
                 ("Email", Contact.email), ("Phone", Contact.phone), ("Title", Contact.title)]
    elif kind == "opportunity":
        account = Account.alias("opportunity_account")
        joins.append((account, Opportunity.account == account.id))
        shown = [("Name", Opportunity.name), ("Account", account.name), ("Amount", Opportunity.amount),
                 ("Close", Opportunity.forecast_close), ("Step", Opportunity.step), ("State", Opportunity.state)]
    else:
        account = Account.alias("case_account")
        joins.append((account, Case.account == account.id))
        shown = [("Subject", Case.subject), ("Account", account.name), ("Priority", Case.priority),
                 ("Status", Case.status), ("SLA due", Case.sla_due)]
    shown += [("Owner", owner.display_name), ("Last touch", model.last_touch_at),
              ("Next activity", model.next_activity_on)]
    return shown, joins


def columns(kind: str) -> list[str]:
    """Column labels of the rows `page` returns (after the leading id)."""
    return [label for label, _ in _columns(kind)[0]]


def _where(kind: str, filters: Filters) -> list[Any]:
    model = model_for(kind)
    clauses: list[Any] = []
    if filters.owner_id is not None:
        clauses.append(model.owner == filters.owner_id)
    if filters.status:
        if kind in ("lead", "case"):
            clauses.append(model.status == filters.status)
        elif kind == "opportunity":
            clauses.append(Opportunity.state == filters.status)
        else:
            raise DomainError(f"{KIND_LABELS[kind].lower()}s have no status", "status")
    if filters.step:
        if kind != "opportunity":
            raise DomainError("only opportunities have steps", "step")
        clauses.append(Opportunity.step == filters.step)
    return clauses


def statuses(kind: str) -> tuple[str, ...]:
    """The status values a kind can be filtered by (none for accounts and contacts)."""
    return {"lead": LEAD_STATUSES, "case": CASE_STATUSES, "opportunity": OPPORTUNITY_STATES}.get(kind, ())


def count(kind: str, filters: Filters = Filters()) -> int:
    model = model_for(kind)
    query = model.select(pw.fn.COUNT(model.id))
    clauses = _where(kind, filters)
    if clauses:
        query = query.where(*clauses)
    return int(query.scalar() or 0)


def page(
    kind: str,
    filters: Filters = Filters(),
    sort: str = "name",
    after_key: Key | None = None,
    limit: int = 100,
    *,
    backward: bool = False,
) -> Page:
    """One page of rows as tuples `(id, *columns(kind))`.

    Forward: the rows after `after_key` (from the start when None). Backward:
    the rows before it (the last rows when None), still in display order.
    Stable: ties on the sort value are ordered by id.
    """
    sort_cols, nullable = _sort_columns(kind, sort)
    descending = sort.startswith("-")
    model = model_for(kind)
    shown, joins = _columns(kind)
    base = model.select(model.id, *(expr for _, expr in shown), *sort_cols)
    for target, on in joins:
        base = base.join_from(model, target, pw.JOIN.LEFT_OUTER, on=on)
    clauses = _where(kind, filters)
    width = 1 + len(shown)

    def run(segment: int, key: Key | None, count_: int, reverse: bool) -> list[tuple[tuple, Key]]:
        query = base
        where = list(clauses)
        if nullable:
            where.append(sort_cols[0].is_null(segment == 1))
        order_cols = [model.id] if segment == 1 else [*sort_cols, model.id]
        down = descending != reverse if segment == 0 else reverse
        if key is not None and key[0] == segment:
            left = pw.Tuple(*order_cols)
            right = pw.Tuple(*(key[1] if segment == 0 else ()), key[2])
            where.append(left < right if down else left > right)
        if where:
            query = query.where(*where)
        query = query.order_by(*(col.desc() if down else col.asc() for col in order_cols)).limit(count_)
        result = []
        for row in query.tuples():
            values = tuple(row[width:])
            result.append((tuple(row[:width]), (segment, values if segment == 0 else (), row[0])))
        return result

    segments = [0, 1] if nullable else [0]
    if backward:
        segments.reverse()
    start = after_key[0] if after_key is not None else segments[0]
    collected: list[tuple[tuple, Key]] = []
    for segment in segments[segments.index(start):]:
        want = limit + 1 - len(collected)
        if want <= 0:
            break
        collected += run(segment, after_key if after_key is not None and after_key[0] == segment else None,
                         want, backward)
    more = len(collected) > limit
    collected = collected[:limit]
    if backward:
        collected.reverse()
    return Page([row for row, _ in collected], [key for _, key in collected], more)


# ---- Create and edit: field specs, validation, duplicates -------------------


@dataclass(frozen=True)
class FieldSpec:
    """One input of a record form; the UI builds its widgets from these."""

    name: str
    label: str
    input: str = "text"
    """text, email, phone, money, date, integer, choice, owner, account or textarea."""
    required: bool = False
    choices: tuple[str, ...] = ()
    create_only: bool = False
    """Set once at creation; later changes belong to a workflow (e.g. methodology steps)."""
    max_length: int = 200


def fields(kind: str, config: Config, *, creating: bool = True) -> list[FieldSpec]:
    """The form of a kind, in the order a rep fills it in."""
    model_for(kind)
    owner = FieldSpec("owner", "Owner", "owner")
    specs: list[FieldSpec]
    if kind == "lead":
        specs = [
            FieldSpec("first_name", "First name", max_length=80), FieldSpec("last_name", "Last name", required=True, max_length=80),
            FieldSpec("company", "Company"), FieldSpec("title", "Title", max_length=120),
            FieldSpec("email", "Email", "email"), FieldSpec("phone", "Phone", "phone"),
            FieldSpec("source", "Source", max_length=80, create_only=True),
            FieldSpec("campaign", "Campaign", max_length=120, create_only=True), owner,
        ]
    elif kind == "account":
        specs = [
            FieldSpec("name", "Name", required=True), FieldSpec("industry", "Industry", max_length=80),
            FieldSpec("website", "Website"), FieldSpec("email", "Email", "email"), FieldSpec("phone", "Phone", "phone"),
            FieldSpec("city", "City", max_length=80), FieldSpec("country", "Country", max_length=80), owner,
        ]
    elif kind == "contact":
        specs = [
            FieldSpec("first_name", "First name", max_length=80), FieldSpec("last_name", "Last name", required=True, max_length=80),
            FieldSpec("account", "Account", "account"), FieldSpec("title", "Title", max_length=120),
            FieldSpec("email", "Email", "email"), FieldSpec("phone", "Phone", "phone"), owner,
        ]
    elif kind == "opportunity":
        specs = [
            FieldSpec("name", "Name", required=True), FieldSpec("account", "Account", "account"),
            FieldSpec("amount", "Amount", "money"), FieldSpec("currency", "Currency", "choice", choices=CURRENCIES),
            FieldSpec("forecast_close", "Forecast close", "date"), FieldSpec("probability", "Probability %", "integer"),
            FieldSpec("step", "Step", "choice", choices=("",) + tuple(s.key for s in config.methodology), create_only=True),
            owner,
        ]
    else:
        specs = [
            FieldSpec("subject", "Subject", required=True), FieldSpec("account", "Account", "account"),
            FieldSpec("priority", "Priority", "choice", choices=CASE_PRIORITIES),
            FieldSpec("description", "Description", "textarea", max_length=20000), owner,
        ]
    return [spec for spec in specs if creating or not spec.create_only]


def _account_named(name: str) -> Account:
    wanted = name.strip().lower()
    candidates = [link[1] for link in search.word_candidates(name, ("account",))]
    matches = list(Account.select(Account.id, Account.name).where(Account.id.in_(candidates)).tuples()) if candidates else []
    ids = [record_id for record_id, text in matches if text.strip().lower() == wanted]
    if not ids:
        raise DomainError(f"there is no account named {name.strip()!r}", "account")
    if len(ids) > 1:
        raise DomainError(f"{len(ids)} accounts are named {name.strip()!r}; rename one first", "account")
    return Account.get_by_id(ids[0])


def clean(kind: str, values: dict[str, str], config: Config, *, creating: bool = True,
          tz: str = "UTC") -> dict[str, Any]:
    """Check what was typed, field by field in form order; the first problem is
    raised as DomainError naming its field. Returns model values (plus the
    lead's `campaign`, which belongs on its first touch). Date fields read
    what `dates.parse_day` reads (fri, +2w, 2026-12-31), relative to the
    local today in zone `tz`."""
    result: dict[str, Any] = {}
    for spec in fields(kind, config, creating=creating):
        if spec.name not in values:
            continue
        raw = values[spec.name]
        if spec.input == "email":
            value: Any = validation.email(raw, spec.name)
        elif spec.input == "phone":
            value = validation.phone(raw, spec.name)
        elif spec.input == "money":
            value = validation.money(raw, spec.name, required_value=spec.required)
        elif spec.input == "date":
            value = dates.parse_day(config, tz, raw, field=spec.name, required=spec.required)
        elif spec.input == "integer":
            value = validation.integer(raw, spec.name, low=0, high=100)
            if value is None:
                continue
        elif spec.input == "choice":
            value = validation.choice(raw, spec.name, spec.choices)
        elif spec.input == "owner":
            if not (raw or "").strip():
                value = None
            else:
                owner = User.get_or_none(User.id == validation.integer(raw, "owner"))
                if owner is None or not owner.active:
                    raise DomainError("pick an active user as the owner", "owner")
                value = owner.id
        elif spec.input == "account":
            value = _account_named(raw).id if (raw or "").strip() else None
        elif spec.required:
            value = validation.required(raw, spec.name, spec.label.lower(), spec.max_length)
        else:
            value = validation.optional(raw, spec.name, spec.label.lower(), spec.max_length)
        if spec.required and value in ("", None):
            raise DomainError(f"{spec.label.lower()} is required", spec.name)
        result[spec.name] = value
    return result


@dataclass(frozen=True)
class Duplicate:
    """An existing record that looks like the one being created."""

    kind: str
    id: int
    name: str
    """Named for a person to recognise: "Kim Ng at Acme"."""
    field: str
    """What is the same: email, phone or name."""

    @property
    def message(self) -> str:
        what = {"email": "the same email", "phone": "the same phone number", "name": "the same name"}[self.field]
        return f"{KIND_LABELS[self.kind]} {self.name} has {what}"


class PossibleDuplicate(DomainError):
    """Creating would duplicate records; the user may look, or create anyway."""

    def __init__(self, matches: list[Duplicate]) -> None:
        lines = "; ".join(match.message for match in matches[:3])
        more = f" (and {len(matches) - 3} more)" if len(matches) > 3 else ""
        super().__init__(f"{lines}{more} — create anyway?", matches[0].field)
        self.matches = matches


def _person_label(kind: str, record_id: int) -> str:
    hit = search.details([(kind, record_id)])
    if not hit:
        return f"#{record_id}"
    return f"{hit[0].name} at {hit[0].company}" if hit[0].company else hit[0].name


def duplicates(kind: str, data: dict[str, Any], *, exclude: tuple[str, int] | None = None) -> list[Duplicate]:
    """Existing leads, contacts and accounts with the same email or phone number,
    and accounts with the same name as a new account or a lead's company."""
    found: dict[tuple[str, int], Duplicate] = {}
    people = ("lead", "account", "contact")
    email = (data.get("email") or "").lower()
    if email:
        for other in people:
            model = model_for(other)
            for (record_id,) in model.select(model.id).where(model.email == email).limit(20).tuples():
                found.setdefault((other, record_id), Duplicate(other, record_id, "", "email"))
    phone = data.get("phone") or ""
    if phone:
        key = validation.phone_key(phone)
        candidates = search.phone_candidates(phone, people)
        for hit in search.details(candidates):
            if validation.phone_key(hit.phone) == key:
                found.setdefault((hit.kind, hit.id), Duplicate(hit.kind, hit.id, "", "phone"))
    company = {"account": data.get("name"), "lead": data.get("company")}.get(kind) or ""
    if company.strip():
        wanted = company.strip().lower()
        for hit in search.details(search.word_candidates(company, ("account",))):
            if hit.name.strip().lower() == wanted:
                found.setdefault((hit.kind, hit.id), Duplicate(hit.kind, hit.id, "", "name"))
    if exclude is not None:
        found.pop(exclude, None)
    return [Duplicate(d.kind, d.id, _person_label(d.kind, d.id), d.field) for d in found.values()]


@db.atomic
def create(
    actor: User, config: Config, kind: str, values: dict[str, str], *, allow_duplicates: bool = False
) -> Record:
    """Create a record from what was typed, as one undoable action.

    Raises DomainError naming the field at fault, or PossibleDuplicate (with
    the matches) unless `allow_duplicates`: the user saw them and said create.
    A lead's source becomes its original source and its first touch.
    """
    data = clean(kind, values, config, creating=True, tz=actor.time_zone)
    if not allow_duplicates:
        matches = duplicates(kind, data)
        if matches:
            raise PossibleDuplicate(matches)
    campaign = data.pop("campaign", "")
    data.setdefault("owner", actor.id)
    if kind == "lead":
        data["original_source"] = data.get("source", "")
    with changes.action(actor):
        record = changes.create(model_for(kind), **data)
        if kind == "lead" and (data.get("source") or campaign):
            changes.create(LeadTouch, lead=record, source=data.get("source", ""), campaign=campaign,
                           touched_at=clock.utcnow_naive())
    return record


@db.atomic
def update(
    actor: User, config: Config, kind: str, record_id: int, values: dict[str, str], *, expected_version: int
) -> Record:
    """Save an edit made on the version the form was loaded at.

    Someone else's save since then is refused with errors.Conflict naming who
    and when; nothing is written, and the caller keeps the user's input.
    """
    record = get(kind, record_id)
    data = clean(kind, values, config, creating=False, tz=actor.time_zone)
    with changes.action(actor):
        return changes.update(record, expected_version, **data)


def form_values(kind: str, record: Record, config: Config) -> dict[str, str]:
    """A record's current values as a form shows them (for editing)."""
    result: dict[str, str] = {}
    for spec in fields(kind, config, creating=False):
        if spec.input == "owner":
            result[spec.name] = str(record.owner_id) if record.owner_id else ""
        elif spec.input == "account":
            account_id = getattr(record, "account_id", None)
            account = Account.get_or_none(Account.id == account_id) if account_id else None
            result[spec.name] = account.name if account else ""
        else:
            value = getattr(record, spec.name)
            result[spec.name] = "" if value is None else str(value)
    return result


def owners() -> list[tuple[str, int]]:
    """Active users as (display name, id), for owner pickers and filters."""
    query = User.select(User.display_name, User.id).where(User.active == True).order_by(User.display_name)  # noqa: E712
    return list(query.tuples())
