"""Peewee models and their indexes: the shape of the data, no business rules.

Instants are naive UTC datetimes; `Activity.planned_date` is the owner's local
day, kept next to the instant so day queries are one index range. Editable
rows carry `version` for conflict detection (see domain.changes).
"""

from __future__ import annotations

import copy
from decimal import ROUND_HALF_UP, Decimal

import peewee as pw

from crm_tui.clock import utcnow_naive
from crm_tui.db import database

RECORD_KINDS = ("lead", "account", "contact", "opportunity", "case")
LEAD_STATUSES = ("new", "working", "qualified", "unqualified", "converted")
ROLES = ("rep", "manager", "admin")
ACTIVITY_STATUSES = ("open", "done", "cancelled")
NOTE_KINDS = ("phone", "voicemail", "email", "general")
CASE_STATUSES = ("new", "open", "waiting", "resolved", "closed")
OPEN_LEAD_STATUSES = ("new", "working", "qualified")
OPEN_CASE_STATUSES = ("new", "open", "waiting")
CASE_PRIORITIES = ("low", "normal", "high", "urgent")
OPPORTUNITY_STATES = ("open", "won", "lost")
PRIORITIES = {1: "high", 2: "normal", 3: "low"}
QUOTE_STATUSES = ("draft", "submitted", "approved", "rejected", "sent", "accepted", "declined")
ORDER_STATUSES = ("ordered", "in delivery", "delivered", "cancelled")
INVOICE_STATUSES = ("open", "paid", "cancelled")
CENT = Decimal("0.01")


def _check_in(column: str, values: tuple[str, ...]) -> str:
    quoted = ", ".join(f"'{v}'" for v in values)
    return f"{column} IN ({quoted})"


class MoneyField(pw.BigIntegerField):
    """Money as whole cents in the database, Decimal in Python.

    SQLite would keep a DECIMAL column as a float; cents keep sums exact on
    both backends. Values round half up, the way an invoice rounds.
    """

    def db_value(self, value):  # type: ignore[no-untyped-def]
        if value is None:
            return None
        cents = (Decimal(str(value)) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        return int(cents)

    def python_value(self, value):  # type: ignore[no-untyped-def]
        if value is None:
            return None
        return (Decimal(int(value)) / 100).quantize(CENT)


class ScaledField(pw.BigIntegerField):
    """An exact Decimal with a fixed number of places, kept as a scaled integer
    (quantities with 3 places, percentages with 2), for the same reason as MoneyField."""

    def __init__(self, places: int = 2, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.places = places
        self.unit = Decimal(1).scaleb(-places)
        super().__init__(*args, **kwargs)

    def db_value(self, value):  # type: ignore[no-untyped-def]
        if value is None:
            return None
        return int((Decimal(str(value)) / self.unit).quantize(Decimal(1), rounding=ROUND_HALF_UP))

    def python_value(self, value):  # type: ignore[no-untyped-def]
        if value is None:
            return None
        return (Decimal(int(value)) * self.unit).quantize(self.unit)


class _Inherited:
    """Mixed into the fields declared on the base models below.

    Peewee gives every subclass its own copy of a base model's fields by deep
    copying them, which walks each field's whole state (its model, its
    constraints, a foreign key's target field...): for our ~35 models that
    was ~10M instructions before the first paint, and the primary key
    (deep copied from the base for every model) ~4M more. A new field object with
    the same settings is what the subclass needs; Peewee binds it to the
    subclass (its name, model and column) right after."""

    def __deepcopy__(self, memo: dict) -> "_Inherited":
        return copy.copy(self)


class _AutoField(_Inherited, pw.AutoField):
    pass


class _DateTimeField(_Inherited, pw.DateTimeField):
    pass


class _DateField(_Inherited, pw.DateField):
    pass


class _IntegerField(_Inherited, pw.IntegerField):
    pass


class _ForeignKeyField(_Inherited, pw.ForeignKeyField):
    pass


class BaseModel(pw.Model):
    """Every row knows when it was created and last updated."""

    id = _AutoField()  # Peewee's own primary key, copied into each model like the fields below
    created_at = _DateTimeField(default=utcnow_naive, index=True)
    updated_at = _DateTimeField(default=utcnow_naive)

    class Meta:
        database = database
        legacy_table_names = False

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.updated_at = utcnow_naive()
        return super().save(*args, **kwargs)


class Versioned(BaseModel):
    """An editable row: a save names the version it read (see domain.changes)."""

    version = _IntegerField(default=1)


class User(Versioned):
    login = pw.CharField(unique=True, max_length=64)
    display_name = pw.CharField(max_length=120)
    email = pw.CharField(default="", max_length=254)
    phone = pw.CharField(default="", max_length=40)
    role = pw.CharField(default="rep", max_length=16, constraints=[pw.Check(_check_in("role", ROLES))])
    time_zone = pw.CharField(default="UTC", max_length=64)
    # Minutes of planned work per weekday, Monday first, e.g. "420,420,420,420,420,0,0".
    capacity = pw.CharField(default="420,420,420,420,420,0,0", max_length=64)
    active = pw.BooleanField(default=True)

    @property
    def capacity_minutes(self) -> tuple[int, ...]:
        return tuple(int(part) for part in self.capacity.split(","))


class UserJobRole(BaseModel):
    """A job role (from `[roles] names` in config) held by a user; a user may hold several.

    Job roles say what a person does (sell, deliver, bill, support); `User.role`
    says what they may change. Roles are config names, so no CHECK constraint.
    """

    user = pw.ForeignKeyField(User, backref="job_roles", on_delete="CASCADE")
    role = pw.CharField(max_length=40)

    class Meta:
        indexes = ((("user", "role"), True), (("role", "user"), False))


class Record(Versioned):
    """Columns every record kind has: an owner and the denormalized stamps
    that make "stale" and "no next step" index scans instead of joins."""

    owner = _ForeignKeyField(User, null=True, on_delete="SET NULL")
    # Indexed: the Records screen sorts and pages by them (keyset, see domain.records).
    last_touch_at = _DateTimeField(null=True, index=True)
    next_activity_on = _DateField(null=True, index=True)


class Account(Record):
    name = pw.CharField(max_length=200, index=True)
    industry = pw.CharField(default="", max_length=80)
    website = pw.CharField(default="", max_length=200)
    email = pw.CharField(default="", max_length=254, index=True)
    phone = pw.CharField(default="", max_length=40)
    city = pw.CharField(default="", max_length=80)
    country = pw.CharField(default="", max_length=80)


class Contact(Record):
    account = pw.ForeignKeyField(Account, null=True, backref="contacts", on_delete="SET NULL")
    first_name = pw.CharField(default="", max_length=80)
    last_name = pw.CharField(max_length=80)
    title = pw.CharField(default="", max_length=120)
    email = pw.CharField(default="", max_length=254, index=True)
    phone = pw.CharField(default="", max_length=40)

    class Meta:
        indexes = ((("last_name", "first_name"), False),)

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class Lead(Record):
    first_name = pw.CharField(default="", max_length=80)
    last_name = pw.CharField(max_length=80)
    company = pw.CharField(default="", max_length=200)
    title = pw.CharField(default="", max_length=120)
    email = pw.CharField(default="", max_length=254, index=True)
    phone = pw.CharField(default="", max_length=40)
    status = pw.CharField(
        default="new", max_length=16, constraints=[pw.Check(_check_in("status", LEAD_STATUSES))]
    )
    source = pw.CharField(default="", max_length=80)
    original_source = pw.CharField(default="", max_length=80)
    status_changed_at = pw.DateTimeField(null=True)
    converted_at = pw.DateTimeField(null=True)

    class Meta:
        # The stamps after (status, created_at) make exception rule 1 ("not touched")
        # index-only; (status, next_activity_on) makes rule 6 ("no open activity") a range.
        indexes = (
            (("status", "created_at", "last_touch_at", "status_changed_at"), False), (("owner", "status"), False),
            (("status", "next_activity_on"), False),
            (("last_name", "first_name"), False),
        )

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class LeadTouch(BaseModel):
    """Each time a lead reached us: the first one is its original source."""

    lead = pw.ForeignKeyField(Lead, backref="touches", on_delete="CASCADE")
    source = pw.CharField(default="", max_length=80)
    campaign = pw.CharField(default="", max_length=120)
    medium = pw.CharField(default="", max_length=80)
    referrer = pw.CharField(default="", max_length=500)
    page = pw.CharField(default="", max_length=500)
    touched_at = pw.DateTimeField(default=utcnow_naive)


class Opportunity(Record):
    name = pw.CharField(max_length=200, index=True)
    account = pw.ForeignKeyField(Account, null=True, backref="opportunities", on_delete="SET NULL")
    contact = pw.ForeignKeyField(Contact, null=True, backref="opportunities", on_delete="SET NULL")
    lead = pw.ForeignKeyField(Lead, null=True, backref="opportunities", on_delete="SET NULL")
    step = pw.CharField(default="", max_length=40)
    forecast_close = pw.DateField(null=True)
    amount = MoneyField(null=True)
    currency = pw.CharField(default="EUR", max_length=3)
    probability = pw.IntegerField(
        default=10, constraints=[pw.Check("probability BETWEEN 0 AND 100")]
    )
    state = pw.CharField(
        default="open", max_length=8, constraints=[pw.Check(_check_in("state", OPPORTUNITY_STATES))]
    )
    close_reason = pw.CharField(default="", max_length=200)
    closed_at = pw.DateTimeField(null=True)
    # Derived, like the Record stamps: the earliest methodology step completion
    # (domain.methodology keeps it), so exception rule 5 reads an index range
    # instead of probing step_completion for every open opportunity.
    first_step_at = pw.DateTimeField(null=True)

    class Meta:
        indexes = ((("state", "created_at"), False), (("owner", "state"), False))


class Case(Record):
    """A support case; `owner` is the assignee."""

    account = pw.ForeignKeyField(Account, null=True, backref="cases", on_delete="SET NULL")
    contact = pw.ForeignKeyField(Contact, null=True, backref="cases", on_delete="SET NULL")
    subject = pw.CharField(max_length=200, index=True)
    description = pw.TextField(default="")
    priority = pw.CharField(
        default="normal", max_length=8, constraints=[pw.Check(_check_in("priority", CASE_PRIORITIES))]
    )
    status = pw.CharField(
        default="new", max_length=10, constraints=[pw.Check(_check_in("status", CASE_STATUSES))]
    )
    escalated_to = pw.ForeignKeyField(User, null=True, on_delete="SET NULL", backref="escalations")
    escalated_at = pw.DateTimeField(null=True)
    escalation_reason = pw.CharField(default="", max_length=300)
    answered_at = pw.DateTimeField(null=True)
    sla_due = pw.DateTimeField(null=True, index=True)

    class Meta:
        table_name = "support_case"  # "case" is an SQL keyword
        indexes = ((("status", "sla_due"), False),)

    @property
    def name(self) -> str:
        return self.subject


RECURRENCE_RULES = ("schedule", "after")
RECURRENCE_UNITS = ("days", "working_days", "weeks", "months")


class Recurrence(Versioned):
    """A repeating activity (a weekly account check-in): the series behind its occurrences.

    `rule` "schedule" repeats on a fixed calendar (every `every` `unit` from
    `anchor`, e.g. every 1 weeks from a Monday); "after" repeats a set time
    after the last occurrence was completed. Each occurrence is an Activity
    with `series` set; completing it creates the next one (domain.recurrence).
    """

    owner = pw.ForeignKeyField(User, backref="series", on_delete="CASCADE")
    created_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    record_kind = pw.CharField(
        max_length=12, constraints=[pw.Check(_check_in("record_kind", RECORD_KINDS))]
    )
    record_id = pw.IntegerField()
    type = pw.CharField(max_length=32)
    subject = pw.CharField(max_length=200)
    priority = pw.IntegerField(default=2, constraints=[pw.Check("priority BETWEEN 1 AND 3")])
    local_time = pw.CharField(default="", max_length=5)  # "HH:MM" in the owner's zone; "" all day
    duration_min = pw.IntegerField(null=True)
    rule = pw.CharField(max_length=10, constraints=[pw.Check(_check_in("rule", RECURRENCE_RULES))])
    every = pw.IntegerField(default=1, constraints=[pw.Check("every >= 1")])
    unit = pw.CharField(max_length=12, constraints=[pw.Check(_check_in("unit", RECURRENCE_UNITS))])
    anchor = pw.DateField()
    ends_on = pw.DateField(null=True)
    active = pw.BooleanField(default=True)

    class Meta:
        indexes = ((("record_kind", "record_id", "active"), False),)


class Activity(Versioned):
    """A call, meeting, task or email, linked to exactly one record of any kind.

    Dated activities have only `planned_date`; timed ones also `start_at` and
    `duration_min`. `planned_date` is always the owner's local day, so the
    Today and Plan queries are one index range per owner.
    """

    type = pw.CharField(max_length=32)
    subject = pw.CharField(max_length=200)
    # No index of its own: (owner, status, planned_date) below starts with it.
    owner = pw.ForeignKeyField(User, backref="activities", on_delete="CASCADE", index=False)
    created_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    record_kind = pw.CharField(
        max_length=12, constraints=[pw.Check(_check_in("record_kind", RECORD_KINDS))]
    )
    record_id = pw.IntegerField()
    planned_date = pw.DateField()
    start_at = pw.DateTimeField(null=True)
    duration_min = pw.IntegerField(null=True, constraints=[pw.Check("duration_min IS NULL OR duration_min > 0")])
    priority = pw.IntegerField(default=2, constraints=[pw.Check("priority BETWEEN 1 AND 3")])
    fixed = pw.BooleanField(default=False)
    status = pw.CharField(
        default="open", max_length=10, constraints=[pw.Check(_check_in("status", ACTIVITY_STATUSES))]
    )
    outcome = pw.CharField(default="", max_length=60)
    notes = pw.TextField(default="")
    completed_at = pw.DateTimeField(null=True)
    cancel_reason = pw.CharField(default="", max_length=200)
    deadline = pw.DateField(null=True)
    first_planned_date = pw.DateField(null=True)
    # The chain: what this activity followed, and what was decided when it was done.
    previous = pw.ForeignKeyField("self", null=True, backref="follow_ups", on_delete="SET NULL")
    followup = pw.CharField(default="", max_length=10)  # "", "scheduled" or "none"
    series = pw.ForeignKeyField(Recurrence, null=True, backref="occurrences", on_delete="SET NULL")

    class Meta:
        indexes = (
            (("owner", "status", "planned_date"), False),
            # Covering for the exception rules and process metrics: "is there an open
            # activity", "calls done by then", "first/last completion" never read the table.
            (("record_kind", "record_id", "status", "completed_at", "type"), False),
            (("status", "planned_date"), False),
        )
        constraints = [pw.SQL("CHECK ((start_at IS NULL) = (duration_min IS NULL))")]

    @property
    def timed(self) -> bool:
        return self.start_at is not None


class Note(BaseModel):
    record_kind = pw.CharField(
        max_length=12, constraints=[pw.Check(_check_in("record_kind", RECORD_KINDS))]
    )
    record_id = pw.IntegerField()
    kind = pw.CharField(default="general", max_length=10, constraints=[pw.Check(_check_in("kind", NOTE_KINDS))])
    body = pw.TextField()
    author = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    activity = pw.ForeignKeyField(Activity, null=True, backref="notes_made", on_delete="SET NULL")

    class Meta:
        # The second one covers exception rule 2's count of phone notes.
        indexes = (
            (("record_kind", "record_id", "created_at"), False),
            (("record_kind", "record_id", "kind", "activity", "created_at"), False),
        )


class QualificationAnswer(BaseModel):
    """One answer per configured question per lead (questions live in config)."""

    lead = pw.ForeignKeyField(Lead, backref="answers", on_delete="CASCADE", index=False)
    question = pw.CharField(max_length=40)
    answer = pw.CharField(max_length=120)
    answered_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")

    class Meta:
        # The second covers exception rule 3's count of non-empty answers per lead.
        indexes = ((("lead", "question"), True), (("lead", "question", "answer"), False))


class StepCompletion(BaseModel):
    """A methodology step done on an opportunity (steps live in config)."""

    opportunity = pw.ForeignKeyField(Opportunity, backref="steps_done", on_delete="CASCADE", index=False)
    step = pw.CharField(max_length=40)
    completed_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    completed_at = pw.DateTimeField(default=utcnow_naive)

    class Meta:
        # The second covers "steps completed by then" per opportunity (process metrics).
        indexes = ((("opportunity", "step"), True), (("opportunity", "completed_at"), False))


class EmailTemplate(Versioned):
    name = pw.CharField(unique=True, max_length=80)
    subject = pw.CharField(max_length=200)
    body = pw.TextField()


class KnowledgeArticle(Versioned):
    """A short how-to or policy (returns, refunds) that staff look up from a case."""

    title = pw.CharField(max_length=200)
    body = pw.TextField(default="")
    tags = pw.CharField(default="", max_length=300)  # comma-separated, lower case
    author = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")


class CaseArticle(BaseModel):
    """A knowledge article linked to a case because it helped resolve it."""

    case = pw.ForeignKeyField(Case, backref="article_links", on_delete="CASCADE")
    article = pw.ForeignKeyField(KnowledgeArticle, backref="case_links", on_delete="CASCADE")
    linked_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")

    class Meta:
        indexes = ((("case", "article"), True),)


class Product(Versioned):
    """A price-list entry: quote lines copy its name and price when added."""

    code = pw.CharField(unique=True, max_length=40)
    name = pw.CharField(max_length=200, index=True)
    unit_price = MoneyField()
    currency = pw.CharField(default="EUR", max_length=3)
    active = pw.BooleanField(default=True)


class Counter(pw.Model):
    """Gapless document numbers: one row per sequence, incremented in the
    transaction that uses the number (a PostgreSQL SEQUENCE skips on rollback)."""

    name = pw.CharField(primary_key=True, max_length=40)
    value = pw.BigIntegerField(default=0)

    class Meta:
        database = database
        table_name = "crm_counter"


class Quote(Versioned):
    """A priced offer on an opportunity; `number` is gapless (see domain.sales)."""

    number = pw.IntegerField(unique=True)
    opportunity = pw.ForeignKeyField(Opportunity, backref="quotes", on_delete="CASCADE")
    account = pw.ForeignKeyField(Account, null=True, backref="quotes", on_delete="SET NULL")
    owner = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    currency = pw.CharField(default="EUR", max_length=3)
    status = pw.CharField(
        default="draft", max_length=10, constraints=[pw.Check(_check_in("status", QUOTE_STATUSES))]
    )
    tax_rate = ScaledField(2, default=Decimal("0.00"))
    subtotal = MoneyField(default=Decimal("0.00"))
    tax = MoneyField(default=Decimal("0.00"))
    total = MoneyField(default=Decimal("0.00"))
    max_discount = ScaledField(2, default=Decimal("0.00"))
    valid_until = pw.DateField(null=True)
    submitted_at = pw.DateTimeField(null=True)
    decided_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL", backref="quote_decisions")
    approved_at = pw.DateTimeField(null=True)
    decision_reason = pw.CharField(default="", max_length=300)
    sent_at = pw.DateTimeField(null=True)
    closed_at = pw.DateTimeField(null=True)

    class Meta:
        indexes = ((("status", "submitted_at"), False), (("account", "created_at"), False))


class QuoteLine(BaseModel):
    """One line of a quote: a product or free text, quantity, price, discount, rounded net."""

    quote = pw.ForeignKeyField(Quote, backref="lines", on_delete="CASCADE")
    position = pw.IntegerField()
    product = pw.ForeignKeyField(Product, null=True, on_delete="SET NULL")
    description = pw.CharField(max_length=300)
    quantity = ScaledField(3)
    unit_price = MoneyField()
    discount = ScaledField(2, default=Decimal("0.00"))
    net = MoneyField()

    class Meta:
        indexes = ((("quote", "position"), False),)


class SalesOrder(Versioned):
    """An accepted quote being delivered."""

    number = pw.IntegerField(unique=True)
    quote = pw.ForeignKeyField(Quote, unique=True, backref="orders", on_delete="CASCADE")
    account = pw.ForeignKeyField(Account, null=True, backref="orders", on_delete="SET NULL")
    owner = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    currency = pw.CharField(default="EUR", max_length=3)
    total = MoneyField(default=Decimal("0.00"))
    status = pw.CharField(
        default="ordered", max_length=12, constraints=[pw.Check(_check_in("status", ORDER_STATUSES))]
    )
    promised_on = pw.DateField(null=True)
    delivered_at = pw.DateTimeField(null=True)
    delivery_activity = pw.ForeignKeyField(Activity, null=True, on_delete="SET NULL")

    class Meta:
        table_name = "sales_order"  # "order" is an SQL keyword
        indexes = ((("status", "promised_on"), False), (("account", "created_at"), False))


class Invoice(Versioned):
    """A bill, from an order or imported from accounting; overdue is open past `due_on`."""

    number = pw.CharField(unique=True, max_length=40)
    order = pw.ForeignKeyField(SalesOrder, null=True, backref="invoices", on_delete="SET NULL")
    account = pw.ForeignKeyField(Account, null=True, backref="invoices", on_delete="SET NULL")
    owner = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    currency = pw.CharField(default="EUR", max_length=3)
    total = MoneyField()
    paid = MoneyField(default=Decimal("0.00"))
    issued_on = pw.DateField()
    due_on = pw.DateField()
    status = pw.CharField(
        default="open", max_length=10, constraints=[pw.Check(_check_in("status", INVOICE_STATUSES))]
    )
    paid_at = pw.DateTimeField(null=True)
    source = pw.CharField(default="crm", max_length=20)

    class Meta:
        indexes = ((("status", "due_on"), False), (("account", "status"), False))


class Payment(BaseModel):
    """Money received against an invoice."""

    invoice = pw.ForeignKeyField(Invoice, backref="payments", on_delete="CASCADE")
    amount = MoneyField()
    paid_on = pw.DateField()
    reference = pw.CharField(default="", max_length=120)
    recorded_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")


class AuditEvent(pw.Model):
    """One row per changed record per user action; `change` groups the rows
    of one action so that undo restores all of it. Its max id is also the
    cheap "did anything change" token every open app polls."""

    at = pw.DateTimeField(default=utcnow_naive)
    user = pw.ForeignKeyField(User, null=True, on_delete="SET NULL", lazy_load=False)
    change = pw.CharField(max_length=32, index=True)
    table = pw.CharField(max_length=40)
    row_id = pw.IntegerField()
    action = pw.CharField(max_length=10)  # create, update, delete
    changes = pw.TextField(default="{}")  # JSON {field: [old, new]}; full row for create/delete
    undone = pw.BooleanField(default=False)

    class Meta:
        database = database
        legacy_table_names = False
        indexes = ((("table", "row_id", "at"), False), (("user", "id"), False))


class AlertSent(pw.Model):
    """One exception mailed to one recipient by `crm alerts send`.

    Written only after the mail server accepted the digest; the unique key is
    what stops a second mail for the same exception, even when two cron runs
    overlap. `since` is part of the key: an exception that cleared and began
    again later is a new one.
    """

    rule = pw.CharField(max_length=40)
    kind = pw.CharField(max_length=12)
    record_id = pw.IntegerField()
    since = pw.DateTimeField()
    recipient = pw.ForeignKeyField(User, on_delete="CASCADE", lazy_load=False)
    sent_at = pw.DateTimeField(default=utcnow_naive)

    class Meta:
        database = database
        legacy_table_names = False
        indexes = ((("recipient", "rule", "kind", "record_id", "since"), True),)


class RecordSnooze(Versioned):
    """A record parked until a day, with the reason (champion on leave until 3 March).

    One row per record at most; while `until_at` lies ahead the record's
    exceptions leave its owner's list and show in the managers' "parked" group.
    """

    record_kind = pw.CharField(
        max_length=12, constraints=[pw.Check(_check_in("record_kind", RECORD_KINDS))]
    )
    record_id = pw.IntegerField()
    reason = pw.CharField(max_length=300)
    until = pw.DateField()  # the resume day as the snoozer typed it
    until_at = pw.DateTimeField(index=True)  # naive UTC: midnight of the resume day in the snoozer's zone
    snoozed_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL", lazy_load=False)

    class Meta:
        indexes = ((("record_kind", "record_id"), True),)


class Presence(pw.Model):
    """Who has which record open right now: a heartbeat row, not an audited change.

    The app updates `seen_at` every few seconds while a detail view is open;
    a row whose heartbeat stopped (app closed or died) is ignored after a
    short time and deleted later. Not in the audit log, so it never moves
    the change token that makes every open app reload.
    """

    user = pw.ForeignKeyField(User, on_delete="CASCADE", lazy_load=False)
    session = pw.CharField(max_length=32)  # one app process: a user may run two
    record_kind = pw.CharField(max_length=12)
    record_id = pw.IntegerField()
    opened_at = pw.DateTimeField()
    seen_at = pw.DateTimeField(index=True)

    class Meta:
        database = database
        legacy_table_names = False
        indexes = ((("session",), True), (("record_kind", "record_id", "seen_at"), False))


class SavedView(Versioned):
    """A user's named Records filter and sort, recalled by name."""

    owner = pw.ForeignKeyField(User, on_delete="CASCADE", lazy_load=False)
    name = pw.CharField(max_length=60)
    kind = pw.CharField(max_length=12, constraints=[pw.Check(_check_in("kind", RECORD_KINDS))])
    scope = pw.CharField(default="mine", max_length=24)  # mine, all or user:ID
    status = pw.CharField(default="", max_length=16)
    step = pw.CharField(default="", max_length=40)
    sort = pw.CharField(default="name", max_length=20)

    class Meta:
        indexes = ((("owner", "name"), True),)


class HookFired(pw.Model):
    """One exception already handed to the `on-exception` hook (the hook's own
    bookkeeping, like AlertSent): the unique key stops a second call."""

    rule = pw.CharField(max_length=40)
    kind = pw.CharField(max_length=12)
    record_id = pw.IntegerField()
    since = pw.DateTimeField()
    fired_at = pw.DateTimeField(default=utcnow_naive)

    class Meta:
        database = database
        legacy_table_names = False
        indexes = ((("rule", "kind", "record_id", "since"), True),)


class IntakeEvent(BaseModel):
    """One lead capture received by `crm intake` (a web form post, a piped mail).

    The lead's touch holds source, campaign, medium, referrer and page; this
    row adds what only intake knows: which form, the other UTM parameters,
    whether it made a new lead, and how the lead was assigned.
    """

    lead = pw.ForeignKeyField(Lead, backref="intakes", on_delete="CASCADE")
    touch = pw.ForeignKeyField(LeadTouch, null=True, on_delete="SET NULL", lazy_load=False)
    form = pw.CharField(default="", max_length=80)
    term = pw.CharField(default="", max_length=200)
    content = pw.CharField(default="", max_length=200)
    new_lead = pw.BooleanField(default=True)
    assigned_to = pw.ForeignKeyField(User, null=True, on_delete="SET NULL", lazy_load=False)
    assigned_by = pw.CharField(default="", max_length=40)  # territory, product, round robin, owner, none
    details = pw.TextField(default="")  # what the form said beyond lead fields: message, product, country


class IntakeReply(pw.Model):
    """An automatic reply owed to a captured lead, until the mail server accepted it.

    The intake's mailer bookkeeping (like AlertSent): `status` becomes "sent"
    only after the server accepted the message, in the transaction that logs
    it as an email activity; the unique (lead, template) key means the same
    reply never goes to the same lead twice, however often they come back.
    A reply still pending `[intake] reply_within_hours` after it was created is
    no longer tried (`last_error` says it was given up).
    """

    lead = pw.ForeignKeyField(Lead, backref="intake_replies", on_delete="CASCADE", lazy_load=False)
    template = pw.CharField(max_length=80)
    status = pw.CharField(default="pending", max_length=8,
                          constraints=[pw.Check(_check_in("status", ("pending", "sent")))])
    attempts = pw.IntegerField(default=0)
    last_error = pw.CharField(default="", max_length=300)
    created_at = pw.DateTimeField(default=utcnow_naive)
    sent_at = pw.DateTimeField(null=True)
    activity = pw.ForeignKeyField(Activity, null=True, on_delete="SET NULL", lazy_load=False)

    class Meta:
        database = database
        legacy_table_names = False
        indexes = ((("lead", "template"), True), (("status", "id"), False))


class ReviewSession(BaseModel):
    """One weekly review of one user: the records that needed a look were
    frozen into its items when it started, so "12 of 31" stays honest while
    work done during the review changes the records. `completed_at` set:
    every item was dealt with (the last completed review is the newest)."""

    user = pw.ForeignKeyField(User, backref="reviews", on_delete="CASCADE")
    started_at = pw.DateTimeField(default=utcnow_naive)
    completed_at = pw.DateTimeField(null=True)
    total = pw.IntegerField(default=0)

    class Meta:
        indexes = ((("user", "completed_at"), False),)


class ReviewItem(BaseModel):
    """A record on a weekly review, why it was there, and what was done about it."""

    session = pw.ForeignKeyField(ReviewSession, backref="items", on_delete="CASCADE")
    position = pw.IntegerField()
    record_kind = pw.CharField(
        max_length=12, constraints=[pw.Check(_check_in("record_kind", RECORD_KINDS))]
    )
    record_id = pw.IntegerField()
    reasons = pw.CharField(default="", max_length=500)  # the reasons' texts, "; "-joined
    outcome = pw.CharField(default="", max_length=12)  # "", reviewed, scheduled, updated, lost, gone
    done_at = pw.DateTimeField(null=True)

    class Meta:
        indexes = ((("session", "position"), True),)


class Meta(pw.Model):
    """Key/value facts about the database itself, such as the schema version."""

    key = pw.CharField(primary_key=True, max_length=40)
    value = pw.TextField()

    class Meta:
        database = database
        table_name = "crm_meta"


# ---- Indexes on expressions, for the exception rules (domain.exceptions) --
#
# Each expression is NULL for all but a few rows, and the rule's query asks
# for it spelled exactly as here (`... <= cutoff`, `... IS NOT NULL`). No other
# index can answer that term, so the planner takes this one whatever its
# statistics say: with composite or partial indexes instead, SQLite went by a
# sampled ANALYZE (or by none, on a database that never ran one), guessed
# `status = ?` cheap and read every closed record. The constants are SQL
# literals, not parameters: a query matches an index expression by its text.


UNSCHEDULED_SINCE: dict[str, str] = {
    "lead": f"CASE WHEN next_activity_on IS NULL AND {_check_in('status', OPEN_LEAD_STATUSES)} THEN created_at END",
    "opportunity": "CASE WHEN next_activity_on IS NULL AND state = 'open' THEN created_at END",
    "case": f"CASE WHEN next_activity_on IS NULL AND {_check_in('status', OPEN_CASE_STATUSES)} THEN created_at END",
}
"""Rule 6, per kind: an open record's creation while it has no next-activity stamp, else NULL."""

OPEN_INCOMPLETE_LEAD = "CASE WHEN state = 'open' AND (forecast_close IS NULL OR amount IS NULL) THEN lead_id END"
"""Rule 4: the lead of an open opportunity without a close date or an amount, else NULL."""

NO_STEP_YET = "9999-12-31 00:00:00"
OPEN_FIRST_STEP = f"CASE WHEN state = 'open' THEN COALESCE(first_step_at, '{NO_STEP_YET}') END"
"""Rule 5: an open opportunity's first step completion (NO_STEP_YET when it has
none), else NULL. "No step by then" is then the one range `> at`, for any `at`."""

for _kind, _model in (("lead", Lead), ("opportunity", Opportunity), ("case", Case)):
    _model.add_index(_model.index(pw.SQL(f"({UNSCHEDULED_SINCE[_kind]})"),
                                  name=f"{_model._meta.table_name}_unscheduled_since"))
Opportunity.add_index(Opportunity.index(pw.SQL(f"({OPEN_INCOMPLETE_LEAD})"), name="opportunity_open_incomplete_lead"))
Opportunity.add_index(Opportunity.index(pw.SQL(f"({OPEN_FIRST_STEP})"), name="opportunity_open_first_step"))
del _kind, _model


ALL_MODELS: tuple[type[pw.Model], ...] = (
    Meta, User, Account, Contact, Lead, LeadTouch, Opportunity, Case, Activity, Note,
    QualificationAnswer, StepCompletion, EmailTemplate, AuditEvent, KnowledgeArticle, CaseArticle,
    AlertSent, RecordSnooze, Presence, SavedView, HookFired, UserJobRole, Product, Counter, Quote, QuoteLine,
    SalesOrder, Invoice, Payment, IntakeEvent, IntakeReply, Recurrence, ReviewSession, ReviewItem,
)

RECORD_MODELS: dict[str, type[Record]] = {
    "lead": Lead, "account": Account, "contact": Contact, "opportunity": Opportunity, "case": Case,
}
