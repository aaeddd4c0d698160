"""Activities: create, complete with the follow-up decision, cancel, move, edit.

Rule 2 of the product lives here: completing an activity takes an explicit
follow-up decision (a FollowUp, or None for "no follow-up", which is recorded),
and completing and scheduling are one transaction. Each write keeps the linked
record's derived stamps (last touch, next activity day) right.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Iterable

import peewee as pw

from crm_tui import clock, db
from crm_tui.config import Config
from crm_tui.domain import changes, records, validation
from crm_tui.domain.errors import DomainError, NotFound
from crm_tui.models import RECORD_KINDS, Activity, Lead, Note, User

VOICEMAIL_OUTCOMES = ("left voicemail",)


@dataclass(frozen=True)
class FollowUp:
    """The next activity decided when completing one (or creating a record)."""

    type: str
    subject: str
    day: dt.date
    time: dt.time | None = None
    """Local time of day in the owner's zone; None for a dated (all-day) activity."""
    duration_min: int | None = None
    priority: int = 2


def get(activity_id: int) -> Activity:
    activity = Activity.get_or_none(Activity.id == activity_id)
    if activity is None:
        raise NotFound(f"activity {activity_id} does not exist (deleted by someone else?)")
    return activity


def _check_type(config: Config, kind: str) -> None:
    if kind not in config.activity_type_names:
        raise DomainError(
            f"{kind!r} is not a standard activity type; use one of: {', '.join(config.activity_type_names)}",
            "type",
        )


def _when(owner: User, day: dt.date, time: dt.time | None, duration_min: int | None) -> dict:
    """The stored form of a planned day, and a start instant for a timed activity."""
    if time is None:
        return {"planned_date": day, "start_at": None, "duration_min": None}
    minutes = validation.integer(duration_min if duration_min is not None else 30, "duration_min", low=1, high=24 * 60)
    start = clock.to_utc_naive(dt.datetime.combine(day, time), owner.time_zone)
    return {"planned_date": day, "start_at": start, "duration_min": minutes}


def local_time(activity: Activity, tz: str) -> dt.time | None:
    """A timed activity's wall-clock time in a zone."""
    if activity.start_at is None:
        return None
    return clock.to_local(activity.start_at, tz).time()


@db.atomic
def create(
    actor: User,
    config: Config,
    *,
    type: str,
    subject: str,
    record_kind: str,
    record_id: int,
    day: dt.date,
    time: dt.time | None = None,
    duration_min: int | None = None,
    priority: int = 2,
    fixed: bool = False,
    deadline: dt.date | None = None,
    owner: User | None = None,
    notes: str = "",
    previous: Activity | None = None,
    check_day: bool = False,
    series: int | None = None,
) -> Activity:
    """Schedule an activity on a record, owned by `owner` (default: the actor).

    `check_day` applies the planning rule (today or later, a working day);
    what a user plans interactively is checked, imports of history are not.
    """
    _check_type(config, type)
    subject = validation.required(subject, "subject")
    records.get(record_kind, record_id)
    owner = owner or actor
    if check_day:
        check_plannable(config, owner, day)
    if priority not in (1, 2, 3):
        raise DomainError("priority is 1 (high), 2 (normal) or 3 (low)", "priority")
    if deadline is not None and deadline < day:
        raise DomainError("the deadline is before the planned day", "deadline")
    with changes.action(actor):
        activity = changes.create(
            Activity,
            type=type, subject=subject, owner=owner, created_by=actor,
            record_kind=record_kind, record_id=record_id, priority=priority, fixed=fixed,
            deadline=deadline, notes=notes, previous=previous, first_planned_date=day, series=series,
            **_when(owner, day, time, duration_min),
        )
        refresh_record(record_kind, record_id)
    return activity


def _create_follow_up(actor: User, config: Config, done: Activity, follow_up: FollowUp) -> Activity:
    return create(
        actor, config, type=follow_up.type, subject=follow_up.subject,
        record_kind=done.record_kind, record_id=done.record_id, day=follow_up.day,
        time=follow_up.time, duration_min=follow_up.duration_min, priority=follow_up.priority,
        owner=done.owner, previous=done, check_day=True,
    )


@db.atomic
def complete(
    actor: User,
    config: Config,
    activity_id: int,
    *,
    outcome: str,
    follow_up: FollowUp | None,
    note: str = "",
    expected_version: int | None = None,
) -> tuple[Activity, Activity | None]:
    """Mark done with an outcome and decide the follow-up, in one transaction.

    `follow_up=None` is the explicit "no follow-up" choice, recorded on the
    activity. A note lands on the linked record (a call's note as a phone or
    voicemail note). An occurrence of a repeating series also plans the
    series' next occurrence (domain.recurrence), in the same transaction.
    """
    from crm_tui.domain import recurrence  # it builds on this module
    activity = get(activity_id)
    if activity.status != "open":
        raise DomainError(f"this activity is already {activity.status}")
    outcomes = config.activity_type(activity.type).outcomes if activity.type in config.activity_type_names else ()
    if outcome not in outcomes:
        raise DomainError(f"outcome must be one of: {', '.join(outcomes)}", "outcome")
    now = clock.utcnow_naive()
    with changes.action(actor):
        changes.update(
            activity, expected_version, status="done", outcome=outcome, completed_at=now,
            followup="scheduled" if follow_up else "none",
        )
        if note.strip():
            add_note(actor, activity.record_kind, activity.record_id, note,
                     note_kind=_note_kind(activity, outcome), activity=activity)
        nxt = _create_follow_up(actor, config, activity, follow_up) if follow_up else None
        recurrence.after_complete(actor, config, activity)
        _mark_worked(actor, activity.record_kind, activity.record_id)
        touch_record(activity.record_kind, activity.record_id, now)
        refresh_record(activity.record_kind, activity.record_id)
    return activity, nxt


def _note_kind(activity: Activity, outcome: str) -> str:
    if activity.type == "call":
        return "voicemail" if outcome in VOICEMAIL_OUTCOMES else "phone"
    if activity.type == "email":
        return "email"
    return "general"


def _mark_worked(actor: User, kind: str, record_id: int) -> None:
    """A new lead that someone worked on is now being worked."""
    if kind == "lead":
        lead = Lead.get_or_none(Lead.id == record_id)
        if lead is not None and lead.status == "new":
            changes.update(lead, status="working", status_changed_at=clock.utcnow_naive())


NO_FOLLOW_UP = "No follow-up planned."
"""The first words of the note that records an explicit "no follow-up" decision
made right after a record was created (rule 1). Completing an activity records
the same decision on the activity itself (`followup == "none"`)."""


@db.atomic
def schedule_follow_up(
    actor: User,
    config: Config,
    record_kind: str,
    record_id: int,
    follow_up: FollowUp | None,
    *,
    reason: str = "",
) -> Activity | Note:
    """Rule 1: the decision taken right after creating a record, in one transaction.

    A FollowUp creates that activity on the record, owned by the actor. None
    is the explicit "no follow-up" choice: it is recorded as a general Note on
    the record whose body starts with NO_FOLLOW_UP (plus the optional reason),
    so it shows on the record's timeline, is undoable like any change, and is
    found by `declined_follow_up`. That note is not a touch: deciding to do
    nothing is not working the record.
    """
    if follow_up is not None:
        return create(
            actor, config, type=follow_up.type, subject=follow_up.subject,
            record_kind=record_kind, record_id=record_id, day=follow_up.day, time=follow_up.time,
            duration_min=follow_up.duration_min, priority=follow_up.priority, check_day=True,
        )
    records.get(record_kind, record_id)
    why = validation.optional(reason, "reason", max_length=500)
    body = f"{NO_FOLLOW_UP} {why}".strip()
    with changes.action(actor):
        return changes.create(Note, record_kind=record_kind, record_id=record_id, kind="general",
                              body=body, author=actor)


def declined_follow_up(record_kind: str, record_id: int) -> bool:
    """Whether someone explicitly chose "no follow-up" for this record."""
    return (
        Note.select(Note.id)
        .where((Note.record_kind == record_kind) & (Note.record_id == record_id)
               & Note.body.startswith(NO_FOLLOW_UP))
        .exists()
    )


@db.atomic
def add_note(
    actor: User, kind: str, record_id: int, body: str, *, note_kind: str = "general",
    activity: Activity | None = None,
) -> Note:
    """A note on a record; it counts as a touch."""
    body = validation.required(body, "note", max_length=20000)
    records.get(kind, record_id)
    with changes.action(actor):
        note = changes.create(Note, record_kind=kind, record_id=record_id, kind=note_kind, body=body,
                              author=actor, activity=activity)
        touch_record(kind, record_id, clock.utcnow_naive())
    return note


@db.atomic
def cancel(actor: User, activity_id: int, reason: str, *, expected_version: int | None = None) -> Activity:
    activity = get(activity_id)
    if activity.status != "open":
        raise DomainError(f"this activity is already {activity.status}")
    reason = validation.required(reason, "reason", "a reason")
    with changes.action(actor):
        changes.update(activity, expected_version, status="cancelled", cancel_reason=reason)
        refresh_record(activity.record_kind, activity.record_id)
    return activity


def check_plannable(config: Config, owner: User, day: dt.date) -> None:
    """Work is planned only onto today or later, on a working day."""
    today = clock.today(owner.time_zone)
    if day < today:
        raise DomainError(f"{day:%a %d %b} is in the past", "day")
    if day in config.holidays:
        raise DomainError(f"{day:%a %d %b} is a holiday", "day")
    if day.weekday() not in config.working_days:
        raise DomainError(f"{day:%a %d %b} is not a working day", "day")


@db.atomic
def move_to_day(
    actor: User, config: Config, activity_id: int, day: dt.date, *, expected_version: int | None = None
) -> Activity:
    """Plan an open activity on another day; a timed one keeps its local time of day."""
    activity = get(activity_id)
    if activity.status != "open":
        raise DomainError(f"this activity is already {activity.status}")
    owner = activity.owner
    check_plannable(config, owner, day)
    with changes.action(actor):
        changes.update(activity, expected_version,
                       **_when(owner, day, local_time(activity, owner.time_zone), activity.duration_min))
        refresh_record(activity.record_kind, activity.record_id)
    return activity


@db.atomic
def postpone(
    actor: User, config: Config, activity_id: int, days: int | str, *, expected_version: int | None = None,
) -> Activity:
    """Move an open activity `days` calendar days later (`p` on Today, `crm postpone`).

    Counted from its planned day, or from today for an overdue one (postponing
    an overdue call by a day means tomorrow, not another day in the past),
    then rolled forward to a working day. A timed activity keeps its local time.
    """
    count = validation.integer(days, "days", low=1, high=366)
    if count is None:
        raise DomainError("postpone by how many days? type a whole number like 2", "days")
    activity = get(activity_id)
    if activity.status != "open":
        raise DomainError(f"this activity is already {activity.status}")
    start = max(activity.planned_date, clock.today(activity.owner.time_zone))
    day = start + dt.timedelta(days=count)
    while not config.is_working_day(day):
        day += dt.timedelta(days=1)
    return move_to_day(actor, config, activity_id, day, expected_version=expected_version)


EDITABLE = ("type", "subject", "priority", "fixed", "deadline", "notes", "owner")


@db.atomic
def edit(
    actor: User, config: Config, activity_id: int, *, expected_version: int | None = None,
    day: dt.date | None = None, time: dt.time | None | bool = False, duration_min: int | None = None,
    **fields: object,
) -> Activity:
    """Change an activity's fields; `time=None` makes it dated, a time makes it timed."""
    activity = get(activity_id)
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise DomainError(f"cannot edit {', '.join(sorted(unknown))}")
    if "type" in fields:
        _check_type(config, str(fields["type"]))
    if "subject" in fields:
        fields["subject"] = validation.required(str(fields["subject"]), "subject")
    owner = fields.get("owner") or activity.owner
    values = dict(fields)
    if day is not None and day != activity.planned_date:
        check_plannable(config, owner, day)
    if day is not None or time is not False or duration_min is not None:
        new_day = day or activity.planned_date
        new_time = local_time(activity, owner.time_zone) if time is False else time
        values.update(_when(owner, new_day, new_time, duration_min or activity.duration_min))
    deadline = values.get("deadline", activity.deadline)
    if deadline is not None and deadline < values.get("planned_date", activity.planned_date):
        raise DomainError("the deadline is before the planned day", "deadline")
    with changes.action(actor):
        changes.update(activity, expected_version, **values)
        refresh_record(activity.record_kind, activity.record_id)
    return activity


def refresh_record(kind: str, record_id: int) -> None:
    """Keep the record's next open activity day right (for "no next step" rules)."""
    refresh_records([(kind, record_id)])


def refresh_records(links: Iterable[tuple[str, int]]) -> None:
    """`refresh_record` for many links: one correlated UPDATE per kind and 500 ids."""
    by_kind: dict[str, list[int]] = {}
    for kind, record_id in set(links):
        by_kind.setdefault(kind, []).append(record_id)
    for kind, ids in by_kind.items():
        model = records.model_for(kind)
        earliest = Activity.select(pw.fn.MIN(Activity.planned_date)).where(
            (Activity.record_kind == kind) & (Activity.record_id == model.id) & (Activity.status == "open")
        )
        for start in range(0, len(ids), 500):
            model.update(next_activity_on=earliest).where(model.id.in_(ids[start:start + 500])).execute()


def touch_record(kind: str, record_id: int, at: dt.datetime) -> None:
    """The record was worked on at `at`: staleness counts from here."""
    model = records.model_for(kind)
    model.update(last_touch_at=at).where(
        (model.id == record_id) & ((model.last_touch_at.is_null()) | (model.last_touch_at < at))
    ).execute()


def _after_revert(table: str, row_id: int) -> None:
    if table != Activity._meta.table_name:
        return
    activity = Activity.get_or_none(Activity.id == row_id)
    if activity is not None:
        refresh_record(activity.record_kind, activity.record_id)
        return
    # Undo deleted it (it undid a create): its record is named in the audit row.
    row = changes.gone_row(table, row_id)
    if row.get("record_kind") in RECORD_KINDS and row.get("record_id") is not None:
        refresh_record(row["record_kind"], int(row["record_id"]))


changes.AFTER_REVERT.append(_after_revert)
