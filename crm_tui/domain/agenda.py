"""The Today agenda: what a user has to do today, and what slipped.

Called by the Today screen on every refresh (each poll that saw a change), so
it is built for speed: one indexed range query on (owner, status,
planned_date) read as tuples, names for the linked records in one query per
kind, and stdlib `zoneinfo` for each row's local time (PERF.md: Pendulum per
row costs ten times more). No model instances are built.

The first frame of Today needs only the rows it shows: `for_user(first=N)`
reads the first N rows in the screen's order (from the same index, stopping
early) and the groups' sizes by counting, and the screen reads the whole
agenda right after that frame. For a rep with a thousand rows that is ~55M
instructions (names looked up for 40 records, not 940) off the first paint.

Groups, in the order the screen shows them:
- overdue: open activities planned before the user's local today, most
  overdue first, with how many days late;
- today: timed activities in time order (one whose start has passed is
  marked "late by 1h20" but stays here), then dated ones by priority;
- escalated: for a manager, open cases escalated to them and not answered yet.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import NamedTuple
from zoneinfo import ZoneInfo

import peewee as pw

from crm_tui import clock, db
from crm_tui.config import Config
from crm_tui.domain import record_names
from crm_tui.models import Account, Activity, Case, User

OVERDUE = "overdue"
TODAY = "today"
ESCALATED = "escalated"
CLOSED_CASE_STATUSES = ("resolved", "closed")
_UTC = dt.timezone.utc


def late_text(minutes: int) -> str:
    """'late by 1h20', 'late by 5 min'."""
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return f"late by {hours}h{rest:02d}"
    if hours:
        return f"late by {hours}h"
    return f"late by {rest} min"


class AgendaRow(NamedTuple):
    """One open activity as the Today list shows it.

    A NamedTuple, built positionally: a backlog can be thousands of rows and
    every refresh builds them all (a frozen dataclass costs twice as much).
    """

    activity_id: int
    version: int
    group: str
    """OVERDUE or TODAY."""
    type: str
    type_label: str
    subject: str
    planned_date: dt.date
    local_time: dt.time | None
    """Start in the owner's zone; None for a dated activity."""
    duration_min: int | None
    record_kind: str
    record_id: int
    record_name: str
    priority: int
    overdue_days: int
    """Whole calendar days since the planned day (0 when not overdue)."""
    late_minutes: int
    """For a timed activity of today whose start has passed; else 0."""
    fixed: bool
    deadline: dt.date | None

    @property
    def record_label(self) -> str:
        """'Acme Corp · Lead'."""
        return f"{self.record_name} · {record_names.KIND_LABELS.get(self.record_kind, self.record_kind)}"

    @property
    def time_text(self) -> str:
        return self.local_time.strftime("%H:%M") if self.local_time is not None else "—"

    @property
    def lateness(self) -> str:
        """'2d late' (overdue), 'late by 1h20' (today, started), or ''."""
        if self.overdue_days:
            return f"{self.overdue_days}d late"
        if self.late_minutes:
            return late_text(self.late_minutes)
        return ""


@dataclass(frozen=True, slots=True)
class EscalatedRow:
    """An unanswered case escalated to this user (a manager)."""

    case_id: int
    version: int
    subject: str
    account_name: str
    case_priority: str
    status: str
    escalated_at: dt.datetime | None
    """Local time in the user's zone."""
    waiting_hours: float
    reason: str

    @property
    def record_label(self) -> str:
        return f"{self.account_name} · Case" if self.account_name else "Case"


@dataclass(frozen=True)
class Agenda:
    """What the Today screen shows for one user at one instant: every row, or
    (`for_user(first=N)`) the first ones, with the groups' full sizes."""

    day: dt.date
    overdue: tuple[AgendaRow, ...]
    today: tuple[AgendaRow, ...]
    escalated: tuple[EscalatedRow, ...]
    overdue_count: int
    today_count: int

    @property
    def header(self) -> str:
        """'3 overdue, 7 today' (and ', 1 escalated to you' when there are any)."""
        text = f"{self.overdue_count} overdue, {self.today_count} today"
        if self.escalated:
            text += f", {len(self.escalated)} escalated to you"
        return text

    @property
    def empty(self) -> bool:
        return not (self.overdue_count or self.today_count or self.escalated)

    @property
    def complete(self) -> bool:
        """Every row is here (not only the first ones)."""
        return len(self.overdue) == self.overdue_count and len(self.today) == self.today_count

    def rows(self) -> tuple[AgendaRow, ...]:
        return self.overdue + self.today


_COLUMNS = (
    Activity.id, Activity.version, Activity.type, Activity.subject, Activity.planned_date,
    Activity.start_at, Activity.duration_min, Activity.record_kind, Activity.record_id,
    Activity.priority, Activity.fixed, Activity.deadline,
)


def for_user(user: User, config: Config, *, first: int | None = None) -> Agenda:
    """The user's agenda now: overdue, today, and cases escalated to them.

    With `first`, only the first rows in the order shown (overdue, then today)
    and the groups' sizes counted: what one screen shows, for the first frame."""
    zone = ZoneInfo(user.time_zone)
    now_utc = clock.utcnow_naive()
    today = clock.today(user.time_zone)
    mine = (Activity.owner == user.id) & (Activity.status == "open")
    if first is None:
        raw = _fetch(Activity.select(*_COLUMNS).where(mine & (Activity.planned_date <= today)))
    else:
        counted = Activity.select(
            pw.fn.SUM(pw.Case(None, [(Activity.planned_date < today, 1)], 0)), pw.fn.COUNT(Activity.id),
        ).where(mine & (Activity.planned_date <= today))
        overdue_count, total = db.database.execute(counted).fetchone()
        overdue_count = int(overdue_count or 0)
        # Both orders match the sort below; start_at orders like the local time within a day.
        raw = _fetch(Activity.select(*_COLUMNS).where(mine & (Activity.planned_date < today))
                     .order_by(Activity.planned_date, Activity.priority, Activity.start_at.is_null(),
                               Activity.start_at, Activity.id).limit(first))
        if len(raw) < first:
            raw += _fetch(Activity.select(*_COLUMNS).where(mine & (Activity.planned_date == today))
                          .order_by(Activity.start_at.is_null(), Activity.start_at, Activity.priority, Activity.id)
                          .limit(first - len(raw)))
    labels = {kind.name: kind.title for kind in config.activity_types}
    names = record_names.names((row[7], row[8]) for row in raw)
    overdue: list[AgendaRow] = []
    todays: list[AgendaRow] = []
    dates: dict[object, dt.date] = {}
    for (aid, version, kind, subject, planned, start, duration, rkind, rid, priority, fixed, deadline) in raw:
        day = dates.get(planned)
        if day is None:
            day = dates[planned] = db.as_date(planned)
        local = None
        late_minutes = 0
        late_days = (today - day).days
        if start is not None:
            start = db.as_datetime(start)
            local = start.replace(tzinfo=_UTC).astimezone(zone).time()
            if late_days == 0 and start < now_utc:
                late_minutes = int((now_utc - start).total_seconds() // 60)
        label = labels.get(kind)
        if label is None:
            label = labels[kind] = kind.capitalize()
        row = AgendaRow(
            aid, version, OVERDUE if late_days > 0 else TODAY, kind, label, subject, day, local, duration,
            rkind, rid, names.get((rkind, rid)) or f"{rkind} {rid} (deleted)", priority,
            late_days if late_days > 0 else 0, late_minutes, bool(fixed),
            db.as_date(deadline) if deadline is not None else None,
        )
        (overdue if late_days > 0 else todays).append(row)
    overdue.sort(key=lambda r: (r.planned_date, r.priority, r.local_time or dt.time.max, r.activity_id))
    todays.sort(key=lambda r: (
        r.local_time is None,
        r.local_time or dt.time.min,
        r.priority,
        r.activity_id,
    ))
    if first is None:
        overdue_count, total = len(overdue), len(overdue) + len(todays)
    return Agenda(day=today, overdue=tuple(overdue), today=tuple(todays), escalated=escalated_to(user),
                  overdue_count=overdue_count, today_count=total - overdue_count)


def _fetch(query: pw.Query) -> list[tuple]:
    """The driver's rows as they come (dates as text on SQLite): Peewee's
    per-value conversion costs more than the query on a backlog of thousands."""
    return db.database.execute(query).fetchall()


_CASE_ORDER = {"urgent": 0, "high": 1, "normal": 2, "low": 3}


def escalated_to(user: User) -> tuple[EscalatedRow, ...]:
    """Open cases escalated to `user` that nobody has answered yet, oldest first."""
    zone = ZoneInfo(user.time_zone)
    now_utc = clock.utcnow_naive()
    query = (
        Case.select(Case.id, Case.version, Case.subject, Account.name, Case.priority, Case.status,
                    Case.escalated_at, Case.escalation_reason)
        .join(Account, on=(Case.account == Account.id), join_type=pw.JOIN.LEFT_OUTER)
        .where(
            (Case.escalated_to == user.id) & Case.answered_at.is_null()
            & Case.status.not_in(CLOSED_CASE_STATUSES)
        )
        .tuples()
    )
    rows = []
    for cid, version, subject, account, priority, status, at, reason in query:
        at = db.as_datetime(at) if at is not None else None
        rows.append(EscalatedRow(
            case_id=cid, version=version, subject=subject, account_name=account or "",
            case_priority=priority, status=status,
            escalated_at=at.replace(tzinfo=_UTC).astimezone(zone).replace(tzinfo=None) if at else None,
            waiting_hours=round((now_utc - at).total_seconds() / 3600, 1) if at else 0.0,
            reason=reason,
        ))
    rows.sort(key=lambda r: (_CASE_ORDER.get(r.case_priority, 9), r.escalated_at or dt.datetime.min))
    return tuple(rows)
