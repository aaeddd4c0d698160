"""Peewee models and their indexes: the shape of the data, no business rules.

Instants are naive UTC datetimes; `Activity.planned_date` is the owner's local
day, kept next to the instant so day queries are one index range. Editable
rows carry `version` for conflict detection (see domain.changes).
"""

from __future__ import annotations

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
CASE_PRIORITIES = ("low", "normal", "high", "urgent")
OPPORTUNITY_STATES = ("open", "won", "lost")
PRIORITIES = {1: "high", 2: "normal", 3: "low"}
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


class BaseModel(pw.Model):
    """Every row knows when it was created and last updated."""

    created_at = pw.DateTimeField(default=utcnow_naive, index=True)
    updated_at = pw.DateTimeField(default=utcnow_naive)

    class Meta:
        database = database
        legacy_table_names = False

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.updated_at = utcnow_naive()
        return super().save(*args, **kwargs)


class Versioned(BaseModel):
    """An editable row: a save names the version it read (see domain.changes)."""

    version = pw.IntegerField(default=1)


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


class Record(Versioned):
    """Columns every record kind has: an owner and the denormalized stamps
    that make "stale" and "no next step" index scans instead of joins."""

    owner = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    # Indexed: the Records screen sorts and pages by them (keyset, see domain.records).
    last_touch_at = pw.DateTimeField(null=True, index=True)
    next_activity_on = pw.DateField(null=True, index=True)


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


class Activity(Versioned):
    """A call, meeting, task or email, linked to exactly one record of any kind.

    Dated activities have only `planned_date`; timed ones also `start_at` and
    `duration_min`. `planned_date` is always the owner's local day, so the
    Today and Plan queries are one index range per owner.
    """

    type = pw.CharField(max_length=32)
    subject = pw.CharField(max_length=200)
    owner = pw.ForeignKeyField(User, backref="activities", on_delete="CASCADE")
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

    lead = pw.ForeignKeyField(Lead, backref="answers", on_delete="CASCADE")
    question = pw.CharField(max_length=40)
    answer = pw.CharField(max_length=120)
    answered_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")

    class Meta:
        indexes = ((("lead", "question"), True),)


class StepCompletion(BaseModel):
    """A methodology step done on an opportunity (steps live in config)."""

    opportunity = pw.ForeignKeyField(Opportunity, backref="steps_done", on_delete="CASCADE")
    step = pw.CharField(max_length=40)
    completed_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    completed_at = pw.DateTimeField(default=utcnow_naive)

    class Meta:
        indexes = ((("opportunity", "step"), True),)


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


ALL_MODELS: tuple[type[pw.Model], ...] = (
    Meta, User, Account, Contact, Lead, LeadTouch, Opportunity, Case, Activity, Note,
    QualificationAnswer, StepCompletion, EmailTemplate, AuditEvent, KnowledgeArticle, CaseArticle,
    AlertSent, ReviewSession, ReviewItem,
)

RECORD_MODELS: dict[str, type[Record]] = {
    "lead": Lead, "account": Account, "contact": Contact, "opportunity": Opportunity, "case": Case,
}
