"""A record's one-screen context: what a rep needs before acting on it.

Queue mode on Today shows it for each item, and `crm context KIND:ID` prints
it, so both read this one function: the key fields (non-empty ones, with
owner, status, last touch and next activity), the open activities, the last
few timeline entries, the qualification answers still missing (leads), and
whether the record is snoozed. Times are in the reader's zone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from crm_tui.config import Config
from crm_tui.domain import history, qualification, records, snooze
from crm_tui.models import Activity, Lead, User

RECENT = 5
"""Timeline entries shown."""
OPEN_LIMIT = 10
"""Open activities shown (the soonest)."""


@dataclass(frozen=True)
class ContextActivity:
    id: int
    type: str
    subject: str
    day: dt.date
    time: str
    """Local HH:MM, or "" for a dated activity."""
    owner: str


@dataclass(frozen=True)
class ContextEntry:
    at: str
    """Local 'YYYY-MM-DD HH:MM' (a date alone for a dated activity)."""
    title: str
    detail: str
    who: str


@dataclass(frozen=True)
class RecordContext:
    kind: str
    id: int
    name: str
    fields: tuple[tuple[str, str], ...]
    open_activities: tuple[ContextActivity, ...]
    recent: tuple[ContextEntry, ...]
    missing_answers: tuple[str, ...]
    """Question texts still unanswered (leads only; empty otherwise)."""
    snoozed: str = ""
    """'until 2027-03-03: champion on leave' when parked."""

    @property
    def label(self) -> str:
        return f"{records.KIND_LABELS[self.kind]} {self.name}"

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape of `crm context --format json` (README)."""
        return {
            "kind": self.kind, "id": self.id, "name": self.name,
            "fields": {label: value for label, value in self.fields},
            "open_activities": [
                {"id": a.id, "type": a.type, "subject": a.subject, "day": a.day.isoformat(),
                 "time": a.time or None, "owner": a.owner} for a in self.open_activities
            ],
            "recent": [{"at": e.at, "title": e.title, "detail": e.detail, "who": e.who} for e in self.recent],
            "missing_answers": list(self.missing_answers),
            "snoozed": self.snoozed or None,
        }

    def rows(self) -> list[dict[str, str]]:
        """Flat (section, label, value) rows, for csv and plain text."""
        result = [{"section": "record", "label": "Record", "value": self.label}]
        result += [{"section": "field", "label": label, "value": value} for label, value in self.fields]
        if self.snoozed:
            result.append({"section": "snoozed", "label": "Snoozed", "value": self.snoozed})
        for a in self.open_activities:
            when = f"{a.day:%a %d %b}" + (f" {a.time}" if a.time else "")
            result.append({"section": "open", "label": f"#{a.id} {when}",
                           "value": f"{a.type}: {a.subject} ({a.owner})"})
        for e in self.recent:
            result.append({"section": "recent", "label": e.at,
                           "value": f"{e.title}" + (f": {e.detail}" if e.detail else "") + (f" ({e.who})" if e.who else "")})
        for question in self.missing_answers:
            result.append({"section": "missing", "label": "Not answered", "value": question})
        return result


def _local(instant: dt.datetime | None, zone: ZoneInfo) -> str:
    if instant is None:
        return ""
    return f"{instant.replace(tzinfo=dt.timezone.utc).astimezone(zone):%Y-%m-%d %H:%M}"


def record_context(config: Config, kind: str, record_id: int, tz: str) -> RecordContext:
    """Everything the one-screen context shows for a record, read now."""
    record = records.get(kind, record_id)
    zone = ZoneInfo(tz)
    values = records.form_values(kind, record, config)
    owners = dict(User.select(User.id, User.display_name).tuples())
    pairs: list[tuple[str, str]] = []
    for spec in records.fields(kind, config, creating=False):
        value = values.get(spec.name, "")
        if spec.input == "owner":
            value = owners.get(int(value), "") if value else "unassigned"
        if spec.input == "textarea" and len(value) > 200:
            value = value[:200] + "…"
        if value:
            pairs.append((spec.label, value))
    for name, label in (("status", "Status"), ("step", "Step"), ("state", "State"), ("priority", "Priority")):
        value = getattr(record, name, None)
        if value not in (None, "") and not any(label == have for have, _ in pairs):
            pairs.append((label, str(value)))
    pairs.append(("Last touch", _local(record.last_touch_at, zone) or "never"))
    pairs.append(("Next activity", f"{record.next_activity_on:%Y-%m-%d}" if record.next_activity_on else "none planned"))
    activities = [
        ContextActivity(aid, type_, subject, _date(day), _local(start, zone)[11:] if start else "", owners.get(owner, ""))
        for aid, type_, subject, day, start, owner in (
            Activity.select(Activity.id, Activity.type, Activity.subject, Activity.planned_date, Activity.start_at,
                            Activity.owner)
            .where((Activity.record_kind == kind) & (Activity.record_id == record_id) & (Activity.status == "open"))
            .order_by(Activity.planned_date, Activity.start_at, Activity.id).limit(OPEN_LIMIT).tuples()
        )
    ]
    recent = [
        ContextEntry(f"{_local(e.at, zone)[:10]}" if e.dated else _local(e.at, zone), e.title,
                     e.detail if not e.record_name else f"{e.record_name}: {e.detail}".rstrip(": "), e.who)
        for e in history.timeline(kind, record_id, limit=RECENT) if not e.planned
    ]
    missing: tuple[str, ...] = ()
    if isinstance(record, Lead) and record.status in ("new", "working", "qualified"):
        missing = tuple(question.text for question in qualification.missing(config, record_id))
    parked = snooze.get(kind, record_id)
    snoozed = f"until {parked.until:%Y-%m-%d}: {parked.reason}" if parked else ""
    return RecordContext(kind, record_id, records.display_name(record), tuple(pairs), tuple(activities),
                         tuple(recent), missing, snoozed)


def _date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
