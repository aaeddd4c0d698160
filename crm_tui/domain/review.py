"""The weekly review: a rep's sweep over their own records so nothing slips.

`items(user, config)` is the one list, in its one order, that both the
review screen and `crm review` show: the user's open opportunities, then
accounts, open leads and active cases that need a look, each with why:

- no next activity planned (`next_activity_on` is empty);
- no touch in `thresholds.stale_record_days` days (counted from the last
  touch, or from creation when never touched). An account counts its
  contacts' and open deals' touches and next activities as its own;
- an open opportunity whose forecast close date is past;
- a case waiting on them (new or open and not answered yet, or escalated
  to them and not answered).

Within a kind, the longest untouched comes first. Starting a review
(`start`) freezes that list into a `ReviewSession` with its `ReviewItem`s, so
the progress ("12 of 31 reviewed") stays honest while the rep fixes records
during the review, and quitting halfway resumes at the first item not dealt
with. Each way of dealing with an item (schedule the next activity, update
the status or close date, mark the deal lost, or mark it reviewed) is one
audited, undoable action that also marks the item; the last item done
completes the session, which is the "last completed review" that decides
whether Today shows the reminder (`status`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Iterable

import peewee as pw

from crm_tui import clock, db
from crm_tui.config import Config
from crm_tui.domain import activities, cases, changes, methodology, permissions, qualification, records
from crm_tui.domain.activities import FollowUp
from crm_tui.domain.errors import DomainError, NotFound, PermissionDenied
from crm_tui.domain.review_status import (  # the reminder's part, apart for Today's start-up
    Progress, open_session, progress, session_progress, status,
)
from crm_tui.models import Account, Case, Contact, Lead, Opportunity, ReviewItem, ReviewSession, User

KIND_ORDER = ("opportunity", "account", "lead", "case")
"""The order kinds come in: deals first, then accounts, leads and cases."""
OPEN_LEAD_STATUSES = ("new", "working", "qualified")
ACTIVE_CASE_STATUSES = ("new", "open", "waiting")
OUTCOMES = ("reviewed", "scheduled", "updated", "lost", "gone")

NO_NEXT = "no_next_activity"
STALE = "stale"
CLOSE_PAST = "close_date_past"
CASE_WAITING = "case_waiting"


@dataclass(frozen=True)
class Reason:
    """Why a record needs a look: a stable code for scripts, a text for people."""

    code: str
    text: str


@dataclass(frozen=True)
class Item:
    """A record that needs a look, and why."""

    kind: str
    record_id: int
    name: str
    reasons: tuple[Reason, ...]
    last_touch_at: dt.datetime | None
    next_activity_on: dt.date | None
    forecast_close: dt.date | None = None
    status: str = ""
    """Lead or case status, or an opportunity's state and step."""

    @property
    def reason_text(self) -> str:
        return "; ".join(reason.text for reason in self.reasons)

    def as_dict(self) -> dict[str, Any]:
        """The stable shape `crm review --format json` prints (README)."""
        return {
            "kind": self.kind, "id": self.record_id, "name": self.name,
            "reasons": [reason.code for reason in self.reasons], "why": self.reason_text,
            "status": self.status,
            "last_touch_at": f"{self.last_touch_at:%Y-%m-%dT%H:%M:%S}Z" if self.last_touch_at else None,
            "next_activity_on": self.next_activity_on, "forecast_close": self.forecast_close,
        }


@dataclass(frozen=True)
class Step:
    """One item of a running review, with the record as it is now."""

    item_id: int
    position: int
    kind: str
    record_id: int
    name: str
    reasons: str
    """Why it was put on the review when the review started."""
    outcome: str
    record: Any
    progress: Progress


# ---- the list --------------------------------------------------------------

def _days_ago(instant: dt.datetime, now: dt.datetime) -> int:
    return max(0, (now - instant).days)


def _common(row: dict[str, Any], now: dt.datetime, cutoff: dt.datetime) -> list[Reason]:
    reasons = []
    if row["next_activity_on"] is None:
        reasons.append(Reason(NO_NEXT, "no next activity planned"))
    touched = row["last_touch_at"]
    if touched is None and row["created_at"] < cutoff:
        reasons.append(Reason(STALE, f"never touched in {_days_ago(row['created_at'], now)} days"))
    elif touched is not None and touched < cutoff:
        reasons.append(Reason(STALE, f"no touch in {_days_ago(touched, now)} days"))
    return reasons


def _needs_look(model: type, cutoff: dt.datetime) -> pw.Expression:
    return (model.next_activity_on.is_null() | (pw.fn.COALESCE(model.last_touch_at, model.created_at) < cutoff))


def _opportunities(user: User, now: dt.datetime, cutoff: dt.datetime, today: dt.date) -> list[Item]:
    query = (
        Opportunity.select(Opportunity.id, Opportunity.name, Opportunity.created_at, Opportunity.last_touch_at,
                           Opportunity.next_activity_on, Opportunity.forecast_close, Opportunity.step)
        .where((Opportunity.owner == user.id) & (Opportunity.state == "open")
               & (_needs_look(Opportunity, cutoff) | (Opportunity.forecast_close < today)))
        .dicts()
    )
    found = []
    for row in query:
        reasons = _common(row, now, cutoff)
        close = row["forecast_close"]
        if close is not None and close < today:
            reasons.append(Reason(CLOSE_PAST, f"forecast close {close:%a %d %b %Y} is past"))
        found.append(Item("opportunity", row["id"], row["name"], tuple(reasons), row["last_touch_at"],
                          row["next_activity_on"], close, f"open, {row['step']}" if row["step"] else "open"))
    return found


def _accounts(user: User, now: dt.datetime, cutoff: dt.datetime) -> list[Item]:
    """An account is a relationship: a call to one of its contacts or work on
    one of its open deals touches it, and their next steps are its next steps.
    (Activities stamp only the record they are on.)"""
    people = Contact.account == Account.id
    deals = (Opportunity.account == Account.id) & (Opportunity.state == "open")
    query = (
        Account.select(
            Account.id, Account.name, Account.created_at, Account.last_touch_at, Account.next_activity_on,
            Contact.select(pw.fn.MAX(Contact.last_touch_at)).where(people).alias("contact_touch"),
            Opportunity.select(pw.fn.MAX(Opportunity.last_touch_at)).where(deals).alias("deal_touch"),
            Contact.select(pw.fn.MIN(Contact.next_activity_on)).where(people).alias("contact_next"),
            Opportunity.select(pw.fn.MIN(Opportunity.next_activity_on)).where(deals).alias("deal_next"),
        )
        .where(Account.owner == user.id)
        .dicts()
    )
    found = []
    for row in query:
        touches = [db.as_datetime(row[key]) for key in ("last_touch_at", "contact_touch", "deal_touch") if row[key]]
        nexts = [db.as_date(row[key]) for key in ("next_activity_on", "contact_next", "deal_next") if row[key]]
        row["last_touch_at"] = max(touches, default=None)
        row["next_activity_on"] = min(nexts, default=None)
        reasons = _common(row, now, cutoff)
        if reasons:
            found.append(Item("account", row["id"], row["name"], tuple(reasons), row["last_touch_at"],
                              row["next_activity_on"]))
    return found


def _leads(user: User, now: dt.datetime, cutoff: dt.datetime) -> list[Item]:
    query = (
        Lead.select(Lead.id, Lead.first_name, Lead.last_name, Lead.company, Lead.created_at, Lead.last_touch_at,
                    Lead.next_activity_on, Lead.status)
        .where((Lead.owner == user.id) & Lead.status.in_(OPEN_LEAD_STATUSES) & _needs_look(Lead, cutoff))
        .dicts()
    )
    found = []
    for row in query:
        name = f"{row['first_name']} {row['last_name']}".strip()
        if row["company"]:
            name += f" ({row['company']})"
        found.append(Item("lead", row["id"], name, tuple(_common(row, now, cutoff)), row["last_touch_at"],
                          row["next_activity_on"], status=row["status"]))
    return found


def _cases(user: User, now: dt.datetime, cutoff: dt.datetime) -> list[Item]:
    unanswered = Case.answered_at.is_null() & Case.status.in_(("new", "open"))
    escalated = (Case.escalated_to == user.id) & Case.answered_at.is_null() & Case.status.in_(ACTIVE_CASE_STATUSES)
    query = (
        Case.select(Case.id, Case.subject, Case.created_at, Case.last_touch_at, Case.next_activity_on, Case.status,
                    Case.owner, Case.escalated_to, Case.answered_at)
        .where(((Case.owner == user.id) & Case.status.in_(ACTIVE_CASE_STATUSES)
                & (_needs_look(Case, cutoff) | unanswered)) | escalated)
        .dicts()
    )
    found = []
    for row in query:
        mine = row["owner"] == user.id
        reasons = _common(row, now, cutoff) if mine else []
        if row["escalated_to"] == user.id and row["answered_at"] is None:
            reasons.append(Reason(CASE_WAITING, "escalated to you, not answered yet"))
        elif mine and row["status"] in ("new", "open") and row["answered_at"] is None:
            reasons.append(Reason(CASE_WAITING, "waiting on you: not answered yet"))
        found.append(Item("case", row["id"], row["subject"], tuple(reasons), row["last_touch_at"],
                          row["next_activity_on"], status=row["status"]))
    return found


def _stalest_first(item: Item) -> tuple:
    return (item.last_touch_at is not None, item.last_touch_at or dt.datetime.min, item.record_id)


def items(user: User, config: Config) -> list[Item]:
    """The user's records that need a look, in review order, each with its reasons.

    Opportunities, accounts, leads, cases; within a kind the longest untouched
    first (never touched before touched), then by id.
    """
    now = clock.utcnow_naive()
    cutoff = now - dt.timedelta(days=config.thresholds.stale_record_days)
    today = clock.today(user.time_zone)
    groups = {
        "opportunity": _opportunities(user, now, cutoff, today),
        "account": _accounts(user, now, cutoff),
        "lead": _leads(user, now, cutoff),
        "case": _cases(user, now, cutoff),
    }
    result: list[Item] = []
    for kind in KIND_ORDER:
        result += sorted((item for item in groups[kind] if item.reasons), key=_stalest_first)
    return result


# ---- sessions --------------------------------------------------------------

def _own_rows(user: User, action: str, instance: pw.Model, fields: dict[str, Any]) -> None:
    """A weekly review is its user's own: nobody else writes to it."""
    owner_id = instance.user_id if isinstance(instance, ReviewSession) else (
        ReviewSession.select(ReviewSession.user).where(ReviewSession.id == instance.session_id).scalar())
    if owner_id != user.id:
        raise PermissionDenied("a weekly review belongs to the rep doing it")


permissions.register(ReviewSession, _own_rows)
permissions.register(ReviewItem, _own_rows)


@db.atomic
def start(user: User, config: Config) -> Progress:
    """Resume the review in progress, or start one over the records that need a look now.

    A review with nothing to look at is completed at once (and recorded).
    """
    session = open_session(user)
    if session is not None:
        return session_progress(session)
    found = items(user, config)
    now = clock.utcnow_naive()
    with changes.action(user):
        session = changes.create(ReviewSession, user=user, started_at=now, total=len(found),
                                 completed_at=None if found else now)
        for position, item in enumerate(found, start=1):
            changes.create(ReviewItem, session=session, position=position, record_kind=item.kind,
                           record_id=item.record_id, reasons=item.reason_text[:500])
    return session_progress(session)


def current(user: User, after: int = 0, *, back: bool = False) -> Step | None:
    """The first item not dealt with after position `after` (wrapping round), or None when all are.

    `after=0` is where a resumed review picks up: the first open item. With
    `back`, the last open item before position `after` instead (wrapping round).
    """
    session = open_session(user)
    if session is None:
        return None
    open_items = list(ReviewItem.select().where((ReviewItem.session == session.id) & ReviewItem.done_at.is_null())
                      .order_by(ReviewItem.position))
    if not open_items:
        return None
    if back:
        earlier = [item for item in open_items if item.position < after]
        item = (earlier or open_items)[-1]
    else:
        later = [item for item in open_items if item.position > after]
        item = (later or open_items)[0]
    try:
        record = records.get(item.record_kind, item.record_id)
    except NotFound:
        _finish(user, item, "gone")
        return current(user, after, back=back)
    return Step(item.id, item.position, item.record_kind, item.record_id, records.display_name(record),
                item.reasons, item.outcome, record, session_progress(session))


def _item(user: User, item_id: int) -> ReviewItem:
    item = ReviewItem.get_or_none(ReviewItem.id == item_id)
    if item is None:
        raise NotFound(f"review item {item_id} does not exist")
    if item.session.user_id != user.id:
        raise PermissionDenied("a weekly review belongs to the rep doing it")
    if item.session.completed_at is not None:
        raise DomainError("that review is complete already")
    return item


def _finish(user: User, item: ReviewItem, outcome: str) -> Progress:
    """Mark the item dealt with; the last one completes the review."""
    now = clock.utcnow_naive()
    with changes.action(user):
        if item.done_at is None:
            changes.update(item, outcome=outcome, done_at=now)
        elif outcome != "reviewed":
            changes.update(item, outcome=outcome)
        session = item.session
        left = ReviewItem.select().where((ReviewItem.session == session.id) & ReviewItem.done_at.is_null()).exists()
        if not left:
            changes.update(session, completed_at=now)
    return session_progress(ReviewSession.get_by_id(item.session_id))


@db.atomic
def mark_reviewed(user: User, item_id: int) -> Progress:
    """Looked at it, nothing to change."""
    return _finish(user, _item(user, item_id), "reviewed")


@db.atomic
def schedule(user: User, config: Config, item_id: int, follow_up: FollowUp) -> Progress:
    """Plan the record's next activity (today or a later working day) and mark the item."""
    item = _item(user, item_id)
    with changes.action(user):
        activities.create(
            user, config, type=follow_up.type, subject=follow_up.subject, record_kind=item.record_kind,
            record_id=item.record_id, day=follow_up.day, time=follow_up.time, duration_min=follow_up.duration_min,
            priority=follow_up.priority, check_day=True,
        )
        return _finish(user, item, "scheduled")


def statuses_for(kind: str, current_status: str) -> tuple[str, ...]:
    """The statuses the review offers for a record: a lead's settable ones, a case's next ones."""
    if kind == "lead":
        return tuple(s for s in qualification.SETTABLE_STATUSES if s != current_status)
    if kind == "case":
        return cases.next_statuses(current_status)
    return ()


@db.atomic
def update(user: User, config: Config, item_id: int, *, status: str | None = None,
           close_date: dt.date | None = None, reason: str = "") -> Progress:
    """Change a lead's or case's status, or an open opportunity's forecast close date; marks the item.

    Goes through the same rules as everywhere else (a lead qualifies only with
    every answer, a case follows its status flow); a close date must not be past.
    """
    item = _item(user, item_id)
    kind = item.record_kind
    with changes.action(user):
        if kind == "opportunity":
            if close_date is None:
                raise DomainError("which forecast close date?", "close_date")
            if close_date < clock.today(user.time_zone):
                raise DomainError(f"{close_date:%a %d %b %Y} is in the past", "close_date")
            opportunity = methodology.get_opportunity(item.record_id)
            if opportunity.state != "open":
                raise DomainError(f"this opportunity is {opportunity.state} already", "close_date")
            changes.update(opportunity, forecast_close=close_date)
            activities.touch_record("opportunity", opportunity.id, clock.utcnow_naive())
        elif kind in ("lead", "case"):
            if not status:
                raise DomainError("which status?", "status")
            if kind == "lead":
                qualification.set_status(user, config, item.record_id, status, reason=reason)
            else:
                cases.set_status(user, item.record_id, status)
        else:
            raise DomainError(f"an {records.KIND_LABELS[kind].lower()} has no status or close date; "
                              "schedule its next activity or mark it reviewed")
        return _finish(user, item, "updated")


@db.atomic
def mark_lost(user: User, item_id: int, reason: str) -> Progress:
    """Close the item's opportunity as lost, with the reason (methodology.mark_lost); marks the item."""
    item = _item(user, item_id)
    if item.record_kind != "opportunity":
        raise DomainError("only an opportunity can be marked lost")
    with changes.action(user):
        methodology.mark_lost(user, item.record_id, reason)
        return _finish(user, item, "lost")


def as_rows(found: Iterable[Item]) -> list[dict[str, Any]]:
    return [item.as_dict() for item in found]
