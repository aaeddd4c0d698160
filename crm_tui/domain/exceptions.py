"""Manage by exception: the rules that say where the process broke.

Each rule is one SQL query over indexed columns, with its thresholds from
`config.thresholds`, evaluated "as of" an instant (default: now) so the same
rule serves the Exceptions screen, `crm exceptions`, the alert mailer and the
tests. A hit names the rule in plain words, the record, its owner, and the
instant the exception began (`since`).

Records carry denormalized stamps (`last_touch_at`, `next_activity_on`) that
make the common case an index scan; where a stamp is missing the rules fall
back to the events themselves (notes, activities, audited status changes), so
a record written by an older tool or an import is judged the same way. Rule 5
reads an opportunity's `first_step_at` alone: completions have one writer.

The rules run one after the other on the caller's connection. Two threads,
each on its own read connection, measured slower on the 2-core benchmark
machine (large database, 25 interleaved runs: 254 vs 306 ms median, CPU
time 230 vs 261 ms): the sqlite3 module takes the GIL back for every row it
fetches, so the threads hand it over thousands of times, and the second
connection starts with a cold page cache. What a run costs is mostly SQLite
reading ~18,000 pages; see benchmarks/bench_exceptions.py.

Where a full run's 594 M instructions went (callgrind, large demo, before
rule 7 read its names with its rows): SQLite executing the queries 49 %,
of which rule 4's "converted without any opportunity" is a fifth of the
whole run (45,872 index probes finding none; no query form tried was
cheaper: LEFT JOIN, NOT IN, counts); the sqlite3 module handing each row
and column over 17 % (Python 3.11 releases the GIL once per column); the
Python that builds hits ~15 %. And ~40 ms of system time: the 16 MB page
cache holds a quarter of the 18,000 pages a run reads (72 MB), so every
run reads them from the OS again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from itertools import compress, repeat
from operator import add, itemgetter
from typing import Any, Callable, Iterable, NamedTuple, Sequence

import peewee as pw

from crm_tui import clock, db
from crm_tui.config import Config, Thresholds
from crm_tui.domain import bulk, record_names, snooze as snooze_mod
from crm_tui.domain.users import get_user
from crm_tui.models import (
    OPEN_CASE_STATUSES, OPEN_FIRST_STEP, OPEN_INCOMPLETE_LEAD, OPEN_LEAD_STATUSES, UNSCHEDULED_SINCE, Account,
    Activity, AuditEvent, Case, IntakeReply, Invoice, Lead, Note, Opportunity, QualificationAnswer, Quote,
    SalesOrder, User,
)

UNDECIDED_LEAD_STATUSES = ("new", "working")
PHONE_NOTE_KINDS = ("phone", "voicemail")
PHONE_ACTIVITY_TYPE = "call"


@dataclass(frozen=True)
class Rule:
    """One default rule: a stable id (used in JSON and alert bookkeeping) and its words."""

    id: str
    number: int
    template: str

    def text(self, thresholds: Thresholds) -> str:
        """The rule in plain words, with the configured thresholds filled in."""
        values = {name: _amount(getattr(thresholds, name)) for name in Thresholds.__dataclass_fields__}
        return self.template.format(**values)


RULES: tuple[Rule, ...] = (
    Rule("lead_untouched", 1, "New lead not touched within {lead_untouched_days} day(s) of entry"),
    Rule("lead_undecided", 2, "Lead still undecided {lead_undecided_days} days after entry, "
                              "with fewer than {lead_min_phone_notes} phone notes"),
    Rule("lead_questions", 3, "Qualified lead without all its qualifying questions answered"),
    Rule("lead_no_opportunity", 4, "Qualified lead without an opportunity with a forecast close date and an amount"),
    Rule("opportunity_steps", 5, "Opportunity not using its methodology steps "
                                 "{opportunity_steps_days} days after creation"),
    Rule("no_open_activity", 6, "Open record with no open activity scheduled (slipped through the cracks)"),
    Rule("activity_overdue", 7, "Activity overdue by more than {activity_overdue_days} days"),
    Rule("case_sla", 8, "Case past its SLA, or escalated and not answered within {case_escalation_answer_hours} hours"),
    Rule("quote_approval", 9, "Quote waiting for approval longer than {quote_approval_hours} hours"),
    Rule("invoice_overdue", 10, "Invoice overdue by more than {invoice_overdue_days} days"),
    Rule("order_late", 11, "Order not delivered {order_late_days} days after its promised day"),
)
RULES_BY_ID = {rule.id: rule for rule in RULES}


class Hit(NamedTuple):
    """One exception: which rule, on which record, whose, and since when (naive UTC).

    A NamedTuple, not a dataclass: a big team can have thousands of hits and
    building them is on the 250 ms budget.
    """

    rule: str
    number: int
    rule_text: str
    kind: str
    record_id: int
    record_name: str
    owner_login: str
    owner_name: str
    since: dt.datetime
    detail: str = ""

    @property
    def key(self) -> tuple[str, str, int, dt.datetime]:
        """What makes two hits the same exception (alert bookkeeping)."""
        return (self.rule, self.kind, self.record_id, self.since)

    def as_dict(self) -> dict[str, Any]:
        """The stable JSON shape `crm exceptions --format json` prints (see README)."""
        return {
            "rule": self.rule,
            "rule_text": self.rule_text,
            "kind": self.kind,
            "record_id": self.record_id,
            "record_name": self.record_name,
            "owner": self.owner_login or None,
            "since": iso_utc(self.since),
            "detail": self.detail,
        }


JSON_KEYS = ("rule", "rule_text", "kind", "record_id", "record_name", "owner", "since", "detail")
"""The keys of `Hit.as_dict`, in order."""


def as_columns(hits: Sequence[Hit]) -> list[Sequence[Any]]:
    """`Hit.as_dict` of every hit, a column per key of JSON_KEYS: thousands of
    hits print without a dict per hit (cli.output.emit_columns)."""
    if not hits:
        return [() for _ in JSON_KEYS]
    rule, _number, rule_text, kind, record_id, record_name, login, _name, since, detail = zip(*hits)
    return [rule, rule_text, kind, record_id, record_name, [owner or None for owner in login],
            _iso_utc_many(since), detail]


_TWO_DIGITS = tuple(f"{number:02d}" for number in range(60))


def _iso_utc_many(instants: Sequence[dt.datetime]) -> list[str]:
    """iso_utc of many naive instants. datetime.isoformat (like %-formatting)
    turns each number into text through C's sprintf, a third of the JSON's
    cost for 13,000 hits; here each day is formatted once and the clock time
    is put together from two-digit strings."""
    days: dict[dt.date, str] = {}
    two = _TWO_DIGITS
    result = []
    append = result.append
    for instant in instants:
        day = instant.date()
        text = days.get(day)
        if text is None:
            text = days[day] = day.isoformat() + "T"
        append(f"{text}{two[instant.hour]}:{two[instant.minute]}:{two[instant.second]}Z")
    return result


_Row = tuple[str, int, "str | None", "int | None", dt.datetime, str]
"""A rule's raw finding before the owner is attached: kind, record id, record
name, owner id, since, detail. A plain tuple: a rule may find thousands."""


def iso_utc(instant: dt.datetime) -> str:
    """A naive UTC instant as ISO-8601 with a Z, the form scripts parse."""
    return instant.isoformat(timespec="seconds") + "Z"


def _amount(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _naive(instant: dt.datetime | None) -> dt.datetime:
    if type(instant) is dt.datetime and instant.tzinfo is None:
        return instant  # the usual case, per hit: nothing to convert
    if instant is None:
        return clock.utcnow_naive()
    if instant.tzinfo is not None:
        instant = instant.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return dt.datetime(instant.year, instant.month, instant.day, instant.hour, instant.minute,
                       instant.second, instant.microsecond)


def _days(value: float) -> dt.timedelta:
    return dt.timedelta(days=value)


def _person(first: str, last: str, company: str) -> str:
    name = f"{first or ''} {last or ''}".strip()
    if company and name:
        return f"{name} ({company})"
    return name or company or ""


# ---- a rule's rows, a column at a time ------------------------------------
#
# A rule may find thousands of rows, and Python code run per row is most of
# its cost after the query. So rules take their rows apart into columns
# (`zip(*rows)`) and put hits together with map/zip over whole columns: the
# loops run in C, and only what needs a decision per row (a person's name,
# the later of two instants) is a comprehension.

_FROM_ISO = dt.datetime.fromisoformat


def _as_datetime(value: Any) -> dt.datetime:
    """`db.as_datetime` of one value, SQLite's ISO text first."""
    return _FROM_ISO(value) if type(value) is str else db.as_datetime(value)


def _datetimes(values: Sequence[Any]) -> Iterable[dt.datetime]:
    """`db.as_datetime` of a column: SQLite's ISO text is read by one C call a value."""
    if set(map(type, values)) == {str}:
        return map(_FROM_ISO, values)
    return map(db.as_datetime, values)


def _plus(values: Sequence[Any], delta: dt.timedelta) -> Iterable[dt.datetime]:
    """Each instant of a column, `delta` later."""
    return map(add, _datetimes(values), repeat(delta))


def _people(firsts: Sequence[str], lasts: Sequence[str], companies: Sequence[str]) -> list[str]:
    """`_person` of each row's columns."""
    names = [f"{first or ''} {last or ''}".strip() for first, last in zip(firsts, lasts)]
    return [f"{name} ({company})" if company and name else name or company or ""
            for name, company in zip(names, companies)]


def _found(kind: str, ids: Sequence[int], names: Iterable[str], owners: Sequence[Any],
           since: Iterable[dt.datetime], details: Iterable[str]) -> list[_Row]:
    """Rows put together from their columns."""
    return list(zip(repeat(kind), ids, names, owners, since, details))


def _owner(model: type[pw.Model], owner_id: int | None) -> pw.Node:
    return pw.SQL("1 = 1") if owner_id is None else (model.owner == owner_id)


def _not_between(column: pw.Field, after: Any, upto: dt.datetime) -> pw.Expression:
    """NULL-safe "this stamp says nothing happened in (after, upto]"."""
    return column.is_null() | (column <= after) | (column > upto)


# ---- the rules -----------------------------------------------------------


def not_automatic(activity: pw.Field) -> pw.Expression:
    """Not an automatic reply to a web lead (`crm intake`): a machine answering
    is not a person touching the lead, so rule 1 and the process view ignore it
    and its email note. An index probe on intake_reply.activity per row."""
    return ~pw.fn.EXISTS(IntakeReply.select(pw.SQL("1")).where(IntakeReply.activity == activity))


def _lead_untouched(cfg: Config, at: dt.datetime, owner_id: int | None) -> Iterable[_Row]:
    """Rule 1. Touched: an activity logged or completed, a note, or a status change."""
    limit = _days(cfg.thresholds.lead_untouched_days)

    def query() -> pw.Query:
        now = _value("at")
        note = Note.select(pw.SQL("1")).where(
            (Note.record_kind == "lead") & (Note.record_id == Lead.id)
            & (Note.created_at > Lead.created_at) & (Note.created_at <= now) & not_automatic(Note.activity)
        )
        done = Activity.select(pw.SQL("1")).where(
            (Activity.record_kind == "lead") & (Activity.record_id == Lead.id)
            & (Activity.status == "done") & (Activity.completed_at <= now) & not_automatic(Activity.id)
        )
        status_change = AuditEvent.select(pw.SQL("1")).where(
            (AuditEvent.table == Lead._meta.table_name) & (AuditEvent.row_id == Lead.id)
            & (AuditEvent.action == "update") & (AuditEvent.at > Lead.created_at) & (AuditEvent.at <= now)
            & AuditEvent.changes.contains('"status"')
        )
        return (
            Lead.select(Lead.id, Lead.first_name, Lead.last_name, Lead.company, Lead.owner, Lead.created_at)
            .where(
                Lead.status.in_(OPEN_LEAD_STATUSES) & (Lead.created_at <= _value("entered_by"))
                & _not_between(Lead.last_touch_at, Lead.created_at, now)
                & _not_between(Lead.status_changed_at, Lead.created_at, now)
                & ~pw.fn.EXISTS(note) & ~pw.fn.EXISTS(done) & ~pw.fn.EXISTS(status_change)
                & _owner(Lead, owner_id)
            )
        )

    rows = _rows(("lead_untouched", owner_id), query, at=at, entered_by=at - limit)
    if not rows:
        return []
    ids, firsts, lasts, companies, owners, created = zip(*rows)
    return _found("lead", ids, _people(firsts, lasts, companies), owners, _plus(created, limit),
                  repeat("never touched"))


def _lead_undecided(cfg: Config, at: dt.datetime, owner_id: int | None) -> Iterable[_Row]:
    """Rule 2. Phone notes: phone or voicemail notes of their own, and calls done."""
    limit = _days(cfg.thresholds.lead_undecided_days)

    def query() -> pw.Query:
        notes = Note.select(pw.fn.COUNT(pw.SQL("1"))).where(
            (Note.record_kind == "lead") & (Note.record_id == Lead.id) & Note.kind.in_(PHONE_NOTE_KINDS)
            & Note.activity.is_null() & (Note.created_at <= _value("at"))
        )
        calls = Activity.select(pw.fn.COUNT(pw.SQL("1"))).where(
            (Activity.record_kind == "lead") & (Activity.record_id == Lead.id) & (Activity.status == "done")
            & (Activity.type == PHONE_ACTIVITY_TYPE) & (Activity.completed_at <= _value("at"))
        )
        # Not `notes + calls`: "+" on two Peewee queries means UNION ALL.
        phone = pw.Expression(notes, pw.OP.ADD, calls).alias("phone")
        return (
            Lead.select(Lead.id, Lead.first_name, Lead.last_name, Lead.company, Lead.owner, Lead.created_at,
                        Lead.status, phone)
            .where(
                Lead.status.in_(UNDECIDED_LEAD_STATUSES) & (Lead.created_at <= _value("entered_by"))
                & _owner(Lead, owner_id)
            )
        )

    # Filtered here, not in WHERE: SQL would evaluate both counts twice per hit.
    minimum = cfg.thresholds.lead_min_phone_notes
    rows = [row for row in _rows(("lead_undecided", owner_id), query, at=at, entered_by=at - limit)
            if row[7] < minimum]
    if not rows:
        return []
    ids, firsts, lasts, companies, owners, created, statuses, counts = zip(*rows)
    # A few statuses times a few counts: each detail is written once.
    details = {(status, count): f"still {status}, {count} phone note{'s' if count != 1 else ''}"
               for status, count in set(zip(statuses, counts))}
    return _found("lead", ids, _people(firsts, lasts, companies), owners, _plus(created, limit),
                  map(details.__getitem__, zip(statuses, counts)))


def _qualified_since() -> pw.Node:
    return pw.fn.COALESCE(Lead.status_changed_at, Lead.created_at)


def _lead_questions(cfg: Config, at: dt.datetime, owner_id: int | None) -> Iterable[_Row]:
    """Rule 3. Only the questions configured now count, and only non-empty answers."""
    keys = [question.key for question in cfg.qualification]
    if not keys:
        return
    grace = _days(cfg.thresholds.qualified_grace_days)

    def query() -> pw.Query:
        answered = QualificationAnswer.select(pw.fn.COUNT(pw.SQL("1"))).where(
            (QualificationAnswer.lead == Lead.id) & QualificationAnswer.question.in_(keys)
            & (QualificationAnswer.answer != "")
        )
        # The conditions read only columns of lead(status, created_at, last_touch_at,
        # status_changed_at), so SQLite picks that index for the inner query and
        # reads the lead's row for the hits alone, not for every qualified lead.
        unanswered = Lead.select(Lead.id).where(
            (Lead.status == "qualified") & (_qualified_since() <= _value("qualified_by"))
            & (answered < len(keys)) & _owner(Lead, owner_id)
        )
        return Lead.select(Lead.id, Lead.first_name, Lead.last_name, Lead.company, Lead.owner,
                           _qualified_since(), answered.alias("answered")).where(Lead.id.in_(unanswered))

    shape = ("lead_questions", owner_id, tuple(keys))
    for lead_id, first, last, company, owner, qualified, count in _rows(shape, query, qualified_by=at - grace):
        yield ("lead", lead_id, _person(first, last, company), owner, _naive(db.as_datetime(qualified)) + grace,
               f"{count} of {len(keys)} questions answered")


def _lead_no_opportunity(cfg: Config, at: dt.datetime, owner_id: int | None) -> Iterable[_Row]:
    """Rule 4, in three index-friendly parts over disjoint leads.

    A qualified lead needs a complete opportunity; a converted one too, unless
    its opportunity has closed (then the question is history). The converted
    leads with no opportunity at all are found index-only, so the years of
    converted leads cost a few milliseconds, and the time condition is applied
    to the hits alone.
    """
    grace = _days(cfg.thresholds.qualified_grace_days)
    columns = (Lead.id, Lead.first_name, Lead.last_name, Lead.company, Lead.owner, _qualified_since())

    def complete() -> pw.Query:
        return Opportunity.select(pw.SQL("1")).where(
            (Opportunity.lead == Lead.id) & Opportunity.forecast_close.is_null(False)
            & Opportunity.amount.is_null(False) & (Opportunity.created_at <= _value("at"))
        )

    def qualified() -> pw.Query:
        return Lead.select(*columns).where(
            (Lead.status == "qualified") & ~pw.fn.EXISTS(complete()) & _owner(Lead, owner_id)
        )

    def converted_bare() -> pw.Query:
        any_opportunity = Opportunity.select(pw.SQL("1")).where(Opportunity.lead == Lead.id)
        return Lead.select(*columns).where(
            (Lead.status == "converted") & ~pw.fn.EXISTS(any_opportunity) & _owner(Lead, owner_id)
        )

    def converted_incomplete() -> pw.Query:
        # Driven from the few open opportunities lacking a close date or an amount
        # (an expression index holds just those), not from the years of converted leads.
        # "> 0", not IS NOT NULL: ids are positive, and SQLite reads an expression
        # index for a range but not for IS NOT NULL.
        incomplete = Opportunity.select(Opportunity.lead).where(pw.SQL(OPEN_INCOMPLETE_LEAD) > 0)
        return Lead.select(*columns).where(
            Lead.id.in_(incomplete) & (Lead.status == "converted") & ~pw.fn.EXISTS(complete())
            & _owner(Lead, owner_id)
        )

    cutoff = at - grace
    found: list[_Row] = []
    for query, detail in ((qualified, "no opportunity with close date and amount"),
                          (converted_bare, "converted without an opportunity"),
                          (converted_incomplete, "open opportunity lacks close date or amount")):
        rows = _rows(("lead_no_opportunity", query.__name__, owner_id), query, at=at)
        if not rows:
            continue
        ids, firsts, lasts, companies, owners, qualified_at = zip(*rows)
        began = list(_datetimes(qualified_at))
        keep = list(map(cutoff.__ge__, began))
        if not all(keep):
            ids, firsts, lasts, companies, owners, began = (
                list(compress(column, keep)) for column in (ids, firsts, lasts, companies, owners, began))
        found += _found("lead", ids, _people(firsts, lasts, companies), owners, map(add, began, repeat(grace)),
                        repeat(detail))
    return found


def _opportunity_steps(cfg: Config, at: dt.datetime, owner_id: int | None) -> Iterable[_Row]:
    """Rule 5. "Used": at least one methodology step completed by then.

    Read from the opportunity's first-step stamp alone, through an expression
    index that holds only open opportunities (models.OPEN_FIRST_STEP): the
    range "first step later than `at`, or none" is the rule, for any `at`. The
    stamp is kept by the only writer of completions (methodology.complete_step,
    and undo, filled by the migration that added it), so no completion is
    probed: that probe per candidate was 40 % of the pages this rule read.
    The age is checked on those candidates here, not in SQL: with a
    `created_at <= ?` term, sampled statistics sent SQLite down the
    created_at index through every opportunity instead.
    """
    limit = _days(cfg.thresholds.opportunity_steps_days)

    def query() -> pw.Query:
        return (
            Opportunity.select(Opportunity.id, Opportunity.name, Opportunity.owner, Opportunity.created_at)
            .where((pw.SQL(OPEN_FIRST_STEP) > _value("at")) & _owner(Opportunity, owner_id))
        )

    rows = _rows(("opportunity_steps", owner_id), query, at=at)
    if not rows:
        return []
    ids, names, owners, created = zip(*rows)
    since = list(_plus(created, limit))
    keep = list(map(at.__ge__, since))
    if not all(keep):
        ids, names, owners, since = (list(compress(column, keep)) for column in (ids, names, owners, since))
    return _found("opportunity", ids, names, owners, since, repeat("no step completed"))


def _no_open_activity(cfg: Config, at: dt.datetime, owner_id: int | None) -> Iterable[_Row]:
    """Rule 6, over leads, opportunities and cases.

    Candidates: open records without a `next_activity_on` stamp, created before
    the cutoff, read from an expression index that holds only them
    (models.UNSCHEDULED_SINCE). The NOT EXISTS on the activity index keeps it
    right when the stamp was not maintained.
    """
    grace = _days(cfg.thresholds.no_open_activity_days)
    cutoff = at - grace
    targets: tuple[tuple[str, type[pw.Model], tuple], ...] = (
        ("lead", Lead, (Lead.first_name, Lead.last_name, Lead.company)),
        ("opportunity", Opportunity, (Opportunity.name,)),
        ("case", Case, (Case.subject,)),
    )
    found: list[_Row] = []
    for kind, model, name_columns in targets:

        def query() -> pw.Query:
            now, since = _value("at"), _value("cutoff")
            open_activity = Activity.select(pw.SQL("1")).where(
                (Activity.record_kind == kind) & (Activity.record_id == model.id) & (Activity.status == "open")
                & (Activity.created_at <= now)
            )
            closed = (Activity.record_kind == kind) & (Activity.record_id == model.id) & (Activity.status != "open")
            last_done = Activity.select(pw.fn.MAX(Activity.completed_at)).where(
                closed & (Activity.completed_at <= now))
            recent = Activity.select(pw.SQL("1")).where(
                closed & (Activity.completed_at > since) & (Activity.completed_at <= now)
            )
            # Open, no stamp, created by the cutoff: one term only that index can answer.
            where = (pw.SQL(UNSCHEDULED_SINCE[kind]) <= since) & ~pw.fn.EXISTS(open_activity) & _owner(model, owner_id)
            if grace:
                where &= ~pw.fn.EXISTS(recent)
            return model.select(model.id, *name_columns, model.owner, model.created_at,
                                last_done.alias("last_done")).where(where)

        rows = _rows(("no_open_activity", kind, bool(grace), owner_id), query, at=at, cutoff=cutoff)
        if not rows:
            continue
        ids, *names, owners, created, dones = zip(*rows)
        done_at = [_as_datetime(done) if done else None for done in dones]
        began = [max(start, done) if done else start for start, done in zip(_datetimes(created), done_at)]
        found += _found(kind, ids, _people(*names) if kind == "lead" else names[0], owners,
                        map(add, map(_naive, began), repeat(grace)),
                        [f"last activity done {done.date().isoformat()}" if done else "no activity ever"
                         for done in done_at])
    return found


def _activity_overdue(cfg: Config, at: dt.datetime, owner_id: int | None) -> Iterable[_Row]:
    """Rule 7. A timed activity is due at its start; a dated one at the end of its day (UTC)."""
    limit = _days(cfg.thresholds.activity_overdue_days)
    cutoff = at - limit
    # The last planned day whose end (the next midnight) lies before the cutoff.
    day_before = cutoff - dt.timedelta(days=1)
    last_day = day_before.date() if day_before.time() != dt.time(0) else day_before.date() - dt.timedelta(days=1)

    def query() -> pw.Query:
        return Activity.select(
            Activity.id, Activity.type, Activity.subject, Activity.owner, Activity.planned_date,
            Activity.start_at, Activity.record_kind, Activity.record_id,
            *record_names.name_parts(Activity.record_kind, Activity.record_id),
        ).where(
            (Activity.status == "open") & (Activity.planned_date <= _value("day_after"))
            & ((Activity.start_at.is_null() & (Activity.planned_date <= _value("last_day")))
               | (Activity.start_at.is_null(False) & (Activity.start_at < _value("cutoff"))))
            & (Activity.created_at <= _value("at"))
            & _owner(Activity, owner_id)
        )

    rows = _rows(("activity_overdue", owner_id), query, at=at, cutoff=cutoff, last_day=last_day,
                 day_after=last_day + dt.timedelta(days=1))
    if not rows:
        return []
    ids, kind_names, subjects, owners, planned, starts, kinds, record_ids, *parts = zip(*rows)
    # Per planned day (a few hundred days for thousands of activities): the
    # end of the day, when a dated activity is due, and the detail's text.
    days: dict[Any, tuple[dt.datetime, str]] = {}
    for value in set(planned):
        day = db.as_date(value)
        # SQLite hands the day over as ISO text already (date.isoformat goes through C's sprintf).
        text = value if type(value) is str and len(value) == 10 and value[4] == "-" else day.isoformat()
        days[value] = (dt.datetime.combine(day + dt.timedelta(days=1), dt.time()), "planned " + text)
    of_day = list(map(days.__getitem__, planned))
    due = [_as_datetime(start) if start else end for start, (end, _) in zip(starts, of_day)]
    types = {name: name.capitalize() for name in set(kind_names)}
    # The record's name from its columns in the same rows (record_names.name_parts): 3,540
    # overdue activities on the large demo cost 25 % fewer instructions than fetching
    # the names again by thousands of bound ids (records.names).
    targets = list(map(record_names.text, kinds, *parts))
    if not all(targets):  # a record without a name, or gone
        targets = [target or f"#{record_id}" for target, record_id in zip(targets, record_ids)]
    titles = [f"{types[name]}: {subject} ({kind} {target})"
              for name, subject, kind, target in zip(kind_names, subjects, kinds, targets)]
    return _found("activity", ids, titles, owners, map(add, due, repeat(limit)), map(itemgetter(1), of_day))


def _case_sla(cfg: Config, at: dt.datetime, owner_id: int | None) -> Iterable[_Row]:
    """Rule 8. Since: the earlier of the SLA passing and the escalation going unanswered."""
    answer = dt.timedelta(hours=cfg.thresholds.case_escalation_answer_hours)

    def query() -> pw.Query:
        now = _value("at")
        late_sla = Case.sla_due.is_null(False) & (Case.sla_due < now)
        unanswered = (
            Case.escalated_at.is_null(False) & (Case.escalated_at <= _value("escalated_by"))
            & (Case.answered_at.is_null() | (Case.answered_at > now))
        )
        return (
            Case.select(Case.id, Case.subject, Case.owner, Case.sla_due, Case.escalated_at, Case.answered_at)
            .where(Case.status.in_(OPEN_CASE_STATUSES) & (late_sla | unanswered) & _owner(Case, owner_id))
        )

    found: list[_Row] = []
    append = found.append
    rows = _rows(("case_sla", owner_id), query, at=at, escalated_by=at - answer)
    for case_id, subject, owner, sla_due, escalated, answered in rows:
        late = sla_due is not None and _as_datetime(sla_due)
        late = late if late and late < at else None
        unanswered = escalated is not None and _as_datetime(escalated) + answer
        unanswered = unanswered if unanswered and unanswered <= at and (
            answered is None or _as_datetime(answered) > at) else None
        if late and unanswered:
            append(("case", case_id, subject, owner, min(late, unanswered), "past its SLA and escalated, not answered"))
        elif late:
            append(("case", case_id, subject, owner, late, "past its SLA"))
        elif unanswered:
            append(("case", case_id, subject, owner, unanswered, "escalated, not answered"))
    return found


def _last_day_ended_before(cutoff: dt.datetime) -> dt.date:
    """The last day whose end (the next midnight, UTC) lies strictly before `cutoff`."""
    day_before = cutoff - dt.timedelta(days=1)
    return day_before.date() if day_before.time() != dt.time(0) else day_before.date() - dt.timedelta(days=1)


def _quote_approval(cfg: Config, at: dt.datetime, owner_id: int | None) -> Iterable[_Row]:
    """Rule 9. A submitted quote (over the discount limit) no manager decided on in time."""
    wait = dt.timedelta(hours=cfg.thresholds.quote_approval_hours)

    def query() -> pw.Query:
        return (
            Quote.select(Quote.id, Quote.number, Opportunity.name, Quote.owner, Quote.submitted_at,
                         Quote.max_discount)
            .join(Opportunity, on=(Quote.opportunity == Opportunity.id))
            .where((Quote.status == "submitted") & (Quote.submitted_at < _value("submitted_by"))
                   & _owner(Quote, owner_id))
        )

    for quote_id, number, opp_name, owner, submitted, discount in _rows(("quote_approval", owner_id), query,
                                                                        submitted_by=at - wait):
        yield ("quote", quote_id, f"Q-{number:05d} · {opp_name}", owner, db.as_datetime(submitted) + wait,
                   f"submitted {db.as_datetime(submitted):%Y-%m-%d %H:%M} UTC, discount up to {int(discount) / 100:g}%")


def _invoice_overdue(cfg: Config, at: dt.datetime, owner_id: int | None) -> Iterable[_Row]:
    """Rule 10. An open invoice is due at the end of its due day; then N more days."""
    limit = _days(cfg.thresholds.invoice_overdue_days)
    last_day = _last_day_ended_before(at - limit)

    def query() -> pw.Query:
        return (
            Invoice.select(Invoice.id, Invoice.number, Account.name, Invoice.owner, Invoice.due_on, Invoice.total,
                           Invoice.paid, Invoice.currency)
            .join(Account, pw.JOIN.LEFT_OUTER, on=(Invoice.account == Account.id))
            .where((Invoice.status == "open") & (Invoice.due_on <= _value("last_day"))
                   & (Invoice.created_at <= _value("at")) & _owner(Invoice, owner_id))
        )

    rows = _rows(("invoice_overdue", owner_id), query, at=at, last_day=last_day)
    for invoice_id, number, account, owner, due, total, paid, currency in rows:
        due_day = db.as_date(due)
        left = (int(total) - int(paid)) / 100
        yield ("invoice", invoice_id, f"{number} · {account or 'no account'}", owner,
                   dt.datetime.combine(due_day + dt.timedelta(days=1), dt.time()) + limit,
                   f"due {due_day:%Y-%m-%d}, {left:,.2f} {currency} open")


def _order_late(cfg: Config, at: dt.datetime, owner_id: int | None) -> Iterable[_Row]:
    """Rule 11. An order still ordered or in delivery after the end of its promised day (+ N days)."""
    limit = _days(cfg.thresholds.order_late_days)
    last_day = _last_day_ended_before(at - limit)

    def query() -> pw.Query:
        return (
            SalesOrder.select(SalesOrder.id, SalesOrder.number, Account.name, SalesOrder.owner,
                              SalesOrder.promised_on, SalesOrder.status)
            .join(Account, pw.JOIN.LEFT_OUTER, on=(SalesOrder.account == Account.id))
            .where(SalesOrder.status.in_(("ordered", "in delivery")) & SalesOrder.promised_on.is_null(False)
                   & (SalesOrder.promised_on <= _value("last_day")) & (SalesOrder.created_at <= _value("at"))
                   & _owner(SalesOrder, owner_id))
        )

    rows = _rows(("order_late", owner_id), query, at=at, last_day=last_day)
    for order_id, number, account, owner, promised, status in rows:
        day = db.as_date(promised)
        yield ("order", order_id, f"O-{number:05d} · {account or 'no account'}", owner,
                   dt.datetime.combine(day + dt.timedelta(days=1), dt.time()) + limit,
                   f"promised {day:%Y-%m-%d}, still {status}")


def _rows(shape: tuple[Any, ...], query: Callable[[], pw.Query], **values: Any) -> list[tuple[Any, ...]]:
    """Raw rows of `query()` with `values` bound to its `_value` stand-ins.

    Raw rows from the driver: on big hit sets Peewee's per-value conversion
    costs more than the query, so rules convert the few columns they use
    themselves. And SQL compiled once per `shape` (what the text depends on:
    the query, owner filter, configured questions) and backend: Peewee takes
    about a millisecond to compile each of these queries, 10-17 ms a run,
    for a text that only changes with the shape; the instants a rule
    compares with (`at` and what follows from it) are bound per run.
    """
    key = (shape, type(db.database.obj))
    compiled = _COMPILED.get(key)
    if compiled is None:
        compiled = _COMPILED[key] = query().sql()
    sql, params = compiled
    bound = [values[param.name] if type(param) is _Stand else param for param in params]
    return list(db.database.execute_sql(sql, bound).fetchall())


class _Stand:
    """Stands for a rule's run-time value `name` in a compiled query's parameters
    (not a tuple: Peewee would take a tuple for a list of values)."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name


def _value(name: str) -> pw.Value:
    """A query parameter bound per run from `_rows`'s values (no conversion:
    the instants and days are passed to the driver as they are, as Peewee's
    date and time fields would)."""
    return pw.Value(_Stand(name), converter=False)


_COMPILED: dict[tuple[Any, ...], tuple[str, list[Any]]] = {}
"""SQL and parameters (with `_Stand`s) per query shape and backend: a few
dozen entries (each owner filtered on adds a dozen)."""


_EVALUATORS: dict[str, Callable[[Config, dt.datetime, int | None], Iterable[_Row]]] = {
    "lead_untouched": _lead_untouched,
    "lead_undecided": _lead_undecided,
    "lead_questions": _lead_questions,
    "lead_no_opportunity": _lead_no_opportunity,
    "opportunity_steps": _opportunity_steps,
    "no_open_activity": _no_open_activity,
    "activity_overdue": _activity_overdue,
    "case_sla": _case_sla,
    "quote_approval": _quote_approval,
    "invoice_overdue": _invoice_overdue,
    "order_late": _order_late,
}


# ---- public API ------------------------------------------------------------


class Parked(NamedTuple):
    """A snoozed record on the managers' screen: why, since when, until when,
    and the exceptions it would have now (possibly none)."""

    snooze: snooze_mod.Snooze
    hits: tuple[Hit, ...]


def evaluate(
    config: Config,
    *,
    at: dt.datetime | None = None,
    owner: User | int | None = None,
    rules: Sequence[str] | None = None,
) -> list[Hit]:
    """Every exception as of `at` (default now), for all owners or one,
    leaving out snoozed records (see `evaluate_with_parked`).

    Sorted by rule, then by how long it has been going on.
    """
    return evaluate_with_parked(config, at=at, owner=owner, rules=rules)[0]


def evaluate_with_parked(
    config: Config,
    *,
    at: dt.datetime | None = None,
    owner: User | int | None = None,
    rules: Sequence[str] | None = None,
) -> tuple[list[Hit], list[Parked]]:
    """The live exceptions, and the records parked (snoozed) as of `at` with
    the hits they would have. Without any snooze this costs one tiny query.

    No cyclic garbage collection meanwhile (bulk.collection_paused): a big
    team's thousands of hits are tens of thousands of new objects, none in a
    cycle, and every few hundred of them started a pass over everything alive.
    """
    with bulk.collection_paused():
        return _evaluate_with_parked(config, _naive(at), owner.id if isinstance(owner, User) else owner, rules)


def _evaluate_with_parked(config: Config, instant: dt.datetime, owner_id: int | None,
                          rules: Sequence[str] | None) -> tuple[list[Hit], list[Parked]]:
    hits = _evaluate(config, instant, owner_id, rules)
    snoozed = snooze_mod.active_keys(instant)
    if not snoozed:
        return hits, []
    on = _on_snoozed(hits, snoozed)
    # Which hits are on a snoozed record, asked by C-level loops over thousands
    # of hits: by record id alone first (an int looks up faster than a pair
    # made per hit), then (kind, id) for the few with such an id.
    ids = {record_id for _, record_id in on}
    maybe = compress(range(len(hits)), map(ids.__contains__, map(_HIT_RECORD_ID, hits)))
    places = [place for place in maybe if _HIT_RECORD(hits[place]) in on]
    live = hits
    if places:
        live, start = [], 0
        for place in places:
            live += hits[start:place]
            start = place + 1
        live += hits[start:]
    parked_hits: dict[tuple[str, int], list[Hit]] = {}
    for place in places:
        hit = hits[place]
        parked_hits.setdefault(on[(hit.kind, hit.record_id)], []).append(hit)
    parked = [Parked(item, tuple(parked_hits.get((item.kind, item.record_id), ())))
              for item in snooze_mod.active(instant, owner_id=owner_id)]
    return live, parked


def _on_snoozed(hits: list[Hit], snoozed: set[tuple[str, int]]) -> dict[tuple[str, int], tuple[str, int]]:
    """The hits that belong to a snoozed record, each with that record: the
    record itself, or an overdue activity on it. Asked from the few snoozed
    records' open activities (rule 7 finds only open ones), not by looking up
    the record of every overdue activity."""
    on = {key: key for key in snoozed}
    if "activity" not in map(_HIT_KIND, hits):
        return on
    by_kind: dict[str, list[int]] = {}
    for kind, record_id in snoozed:
        by_kind.setdefault(kind, []).append(record_id)
    for kind, ids in by_kind.items():
        for start in range(0, len(ids), 500):
            query = (Activity.select(Activity.id, Activity.record_id)
                     .where((Activity.record_kind == kind) & Activity.record_id.in_(ids[start:start + 500])
                            & (Activity.status == "open")))
            for act_id, record_id in query.tuples():
                on[("activity", act_id)] = (kind, record_id)
    return on


def _evaluate(config: Config, instant: dt.datetime, owner_id: int | None,
              rules: Sequence[str] | None) -> list[Hit]:
    chosen = [RULES_BY_ID[rule_id] for rule_id in rules] if rules is not None else list(RULES)
    chosen.sort(key=lambda rule: rule.number)
    # Every user at once (a team is tens of people): cheaper than collecting owner ids over the hits.
    people = {user_id: (login, name) for user_id, login, name in
              User.select(User.id, User.login, User.display_name).tuples()}
    nobody = ("", "")
    hits: list[Hit] = []
    for rule in chosen:
        rule_id, number, text = rule.id, rule.number, rule.text(config.thresholds)
        found = list(_EVALUATORS[rule_id](config, instant, owner_id))
        # By since, then kind, then record id: three stable sorts on one plain
        # key each compare far cheaper than one sort on a tuple key.
        found.sort(key=_RECORD_ID)
        if len(set(map(_KIND, found))) > 1:
            found.sort(key=_KIND)
        found.sort(key=_SINCE)
        if not found:
            continue
        kinds, ids, names, owners, since, details = zip(*found)
        if not all(names):
            names = [name or f"{kind} {record_id}" for kind, record_id, name in zip(kinds, ids, names)]
        owned = list(map(people.get, owners, repeat(nobody)))
        # Hit._make without its Python frame: tuple.__new__ over zipped columns.
        hits += map(tuple.__new__, repeat(Hit), zip(repeat(rule_id), repeat(number), repeat(text), kinds, ids, names,
                                                     map(_LOGIN, owned), map(_NAME, owned), since, details))
    return hits


_KIND, _RECORD_ID, _SINCE = itemgetter(0), itemgetter(1), itemgetter(4)
_LOGIN, _NAME = itemgetter(0), itemgetter(1)
_HIT_RECORD = itemgetter(3, 4)
"""A hit's (kind, record id)."""
_HIT_KIND, _HIT_RECORD_ID = itemgetter(3), itemgetter(4)


def can_see_all(user: User) -> bool:
    """Managers and admins see every owner's exceptions; a rep sees their own."""
    return user.role in ("manager", "admin")


def for_viewer(user: User, config: Config, *, at: dt.datetime | None = None) -> list[Hit]:
    """The exceptions this user is shown."""
    return evaluate(config, at=at, owner=None if can_see_all(user) else user)


def for_viewer_with_parked(user: User, config: Config, *,
                           at: dt.datetime | None = None) -> tuple[list[Hit], list[Parked]]:
    """The exceptions this user is shown, and the parked group (managers and admins only:
    a rep's snoozed records simply leave their list until the resume day)."""
    live, parked = evaluate_with_parked(config, at=at, owner=None if can_see_all(user) else user)
    return live, parked if can_see_all(user) else []


def owner_by_login(login: str) -> User:
    """The owner a `--owner LOGIN` filter names."""
    return get_user(login)


def counts_by_rule(hits: Iterable[Hit]) -> dict[str, int]:
    """How many hits each rule has, every rule listed (zeros too), in rule order."""
    counts = {rule.id: 0 for rule in RULES}
    for hit in hits:
        counts[hit.rule] = counts.get(hit.rule, 0) + 1
    return counts
