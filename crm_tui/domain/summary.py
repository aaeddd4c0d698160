"""A compact, read-only summary of one record: its fields, owner, last touch and
next step. The Exceptions screen shows it when a hit is opened (and no full
record screen is installed), and it works unchanged on a read-only session.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import peewee as pw

from crm_tui.domain.errors import NotFound
from crm_tui.models import RECORD_MODELS, Activity, AuditEvent, Note, User


@dataclass(frozen=True)
class RecordSummary:
    """What a manager needs to judge an exception at a glance."""

    kind: str
    record_id: int
    title: str
    owner: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    last_touch: dt.datetime | None = None
    last_touch_what: str = ""
    next_activity: str = ""
    open_activities: int = 0


_FIELDS: dict[str, tuple[tuple[str, str], ...]] = {
    "lead": (("company", "Company"), ("title", "Title"), ("status", "Status"), ("email", "Email"),
             ("phone", "Phone"), ("source", "Source")),
    "account": (("industry", "Industry"), ("email", "Email"), ("phone", "Phone"), ("city", "City"),
                ("country", "Country")),
    "contact": (("title", "Title"), ("email", "Email"), ("phone", "Phone")),
    "opportunity": (("state", "State"), ("step", "Step"), ("forecast_close", "Forecast close"),
                    ("amount", "Amount"), ("currency", "Currency"), ("probability", "Probability %")),
    "case": (("status", "Status"), ("priority", "Priority"), ("sla_due", "SLA due (UTC)"),
             ("escalated_at", "Escalated (UTC)"), ("answered_at", "Answered (UTC)")),
}


def resolve(kind: str, record_id: int) -> tuple[str, int]:
    """The record to open for an exception: an activity opens the record it belongs to."""
    if kind == "activity":
        row = Activity.select(Activity.record_kind, Activity.record_id).where(Activity.id == record_id).tuples().first()
        if row is None:
            raise NotFound("this activity no longer exists")
        return row[0], row[1]
    if kind not in RECORD_MODELS:
        raise NotFound(f"unknown record kind {kind!r}")
    return kind, record_id


def _text(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, dt.datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    return str(value)


def record_summary(kind: str, record_id: int) -> RecordSummary:
    """Fields, owner, last touch of any kind, and the next open activity of a record."""
    kind, record_id = resolve(kind, record_id)
    model = RECORD_MODELS[kind]
    record = model.get_or_none(model.id == record_id)
    if record is None:
        raise NotFound(f"this {kind} no longer exists")
    owner = User.get_or_none(User.id == record.owner_id) if record.owner_id else None
    fields = [(label, _text(getattr(record, name))) for name, label in _FIELDS[kind]]
    touch, what = last_touch(kind, record_id, record.last_touch_at)
    on_record = (Activity.record_kind == kind) & (Activity.record_id == record_id)
    upcoming = (
        Activity.select(Activity.type, Activity.subject, Activity.planned_date)
        .where(on_record & (Activity.status == "open"))
        .order_by(Activity.planned_date, Activity.id)
        .tuples()
    )
    rows = list(upcoming)
    next_text = f"{rows[0][0]}: {rows[0][1]} on {rows[0][2]}" if rows else "none scheduled"
    return RecordSummary(
        kind=kind, record_id=record_id, title=getattr(record, "name", "") or f"{kind} {record_id}",
        owner=owner.display_name if owner else "unassigned", fields=fields,
        last_touch=touch, last_touch_what=what, next_activity=next_text, open_activities=len(rows),
    )


def last_touch(kind: str, record_id: int, stamp: dt.datetime | None = None) -> tuple[dt.datetime | None, str]:
    """The latest touch of any kind: an activity done, a note, a change, or the stored stamp."""
    candidates: list[tuple[dt.datetime, str]] = []
    if stamp is not None:
        candidates.append((stamp, "touched"))
    done = Activity.select(pw.fn.MAX(Activity.completed_at)).where(
        (Activity.record_kind == kind) & (Activity.record_id == record_id) & (Activity.status == "done")
    ).scalar()
    if done:
        candidates.append((_instant(done), "activity done"))
    note = Note.select(pw.fn.MAX(Note.created_at)).where(
        (Note.record_kind == kind) & (Note.record_id == record_id)
    ).scalar()
    if note:
        candidates.append((_instant(note), "note"))
    table = RECORD_MODELS[kind]._meta.table_name
    change = AuditEvent.select(pw.fn.MAX(AuditEvent.at)).where(
        (AuditEvent.table == table) & (AuditEvent.row_id == record_id) & (AuditEvent.action == "update")
    ).scalar()
    if change:
        candidates.append((_instant(change), "changed"))
    if not candidates:
        return None, ""
    return max(candidates, key=lambda pair: pair[0])


def _instant(value: Any) -> dt.datetime:
    return value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
