"""Snoozing a record: parked, with a reason, until a resume day.

"Champion on leave until 3 March": while snoozed, a record's exceptions
leave its owner's list (and alerts, and the on-exception hook) and show on
the managers' Exceptions screen in a separate "parked" group, with the
reason and how long it has been parked, so parking cannot hide neglect.
The snooze ends by itself at midnight of the resume day in the zone of the
user who set it; `unsnooze` ends it early. Setting and ending are audited
user actions (undo works), permitted to whoever may edit the record.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

import peewee as pw

from crm_tui import clock, db
from crm_tui.config import Config
from crm_tui.domain import changes, dates, permissions, records
from crm_tui.domain.errors import DomainError, PermissionDenied
from crm_tui.models import RECORD_MODELS, RecordSnooze, User

MAX_REASON = 300


class Snooze(NamedTuple):
    """An active snooze, with what a list needs to show it."""

    kind: str
    record_id: int
    record_name: str
    owner_id: int | None
    owner_login: str
    owner_name: str
    reason: str
    until: dt.date
    """The resume day (local to whoever snoozed it)."""
    until_at: dt.datetime
    """Naive UTC instant the snooze ends."""
    parked_at: dt.datetime
    """Naive UTC instant it was (last) snoozed."""
    by: str
    """Who snoozed it (display name)."""

    def as_dict(self) -> dict[str, object]:
        """The JSON shape of `crm snooze --list --format json` (README)."""
        return {
            "kind": self.kind, "record_id": self.record_id, "record_name": self.record_name,
            "owner": self.owner_login or None, "reason": self.reason, "until": self.until.isoformat(),
            "parked_at": self.parked_at.replace(microsecond=0).isoformat() + "Z", "by": self.by,
        }


def _rule(user: User, action: str, instance: RecordSnooze, fields: dict) -> None:
    """Whoever may change the record may park it."""
    model = RECORD_MODELS.get(instance.record_kind)
    owner = model.select(model.owner).where(model.id == instance.record_id).scalar() if model else None
    if not permissions.may_edit_owned_by(user, owner):
        raise PermissionDenied("you may not snooze this record: you may not change it")


permissions.register(RecordSnooze, _rule)


def _until(config: Config, tz: str, until: str | dt.date) -> dt.date:
    day = until if isinstance(until, dt.date) else dates.parse_when(config, tz, until, field="until")[0]
    if day <= clock.today(tz):
        raise DomainError("the resume day must be after today", "until")
    return day


@db.atomic
def snooze(actor: User, config: Config, kind: str, record_id: int, *, until: str | dt.date,
           reason: str) -> RecordSnooze:
    """Park a record until a day (any form dates.parse_when reads: 2027-03-03, +2w, fri)."""
    records.get(kind, record_id)
    reason = " ".join((reason or "").split())
    if not reason:
        raise DomainError("say why it is parked (the manager sees the reason)", "reason")
    if len(reason) > MAX_REASON:
        raise DomainError(f"the reason is longer than {MAX_REASON} characters", "reason")
    day = _until(config, actor.time_zone, until)
    until_at = clock.to_utc_naive(dt.datetime.combine(day, dt.time()), actor.time_zone)
    existing = RecordSnooze.get_or_none((RecordSnooze.record_kind == kind) & (RecordSnooze.record_id == record_id))
    with changes.action(actor):
        if existing is None:
            return changes.create(RecordSnooze, record_kind=kind, record_id=record_id, reason=reason,
                                  until=day, until_at=until_at, snoozed_by=actor.id)
        # Parked since stays the first snooze: re-snoozing must not hide how long it has been parked.
        return changes.update(existing, reason=reason, until=day, until_at=until_at, snoozed_by=actor.id)


@db.atomic
def unsnooze(actor: User, kind: str, record_id: int) -> tuple[str, int]:
    """End a snooze now (the record's exceptions come back at once)."""
    records.get(kind, record_id)
    existing = RecordSnooze.get_or_none((RecordSnooze.record_kind == kind) & (RecordSnooze.record_id == record_id))
    if existing is None or existing.until_at <= clock.utcnow_naive():
        raise DomainError(f"{kind} {record_id} is not snoozed")
    with changes.action(actor):
        changes.delete(existing)
    return kind, record_id


def active_keys(at: dt.datetime | None = None) -> set[tuple[str, int]]:
    """(kind, id) of every record snoozed at `at` (naive UTC; default now): one tiny query."""
    instant = at or clock.utcnow_naive()
    return {
        (kind, record_id)
        for kind, record_id in RecordSnooze.select(RecordSnooze.record_kind, RecordSnooze.record_id)
        .where((RecordSnooze.until_at > instant) & (RecordSnooze.created_at <= instant)).tuples()
    }


def active(at: dt.datetime | None = None, *, owner_id: int | None = None) -> list[Snooze]:
    """Every record snoozed at `at`, with names and owners, longest parked first."""
    instant = at or clock.utcnow_naive()
    rows = list(
        RecordSnooze.select(RecordSnooze.record_kind, RecordSnooze.record_id, RecordSnooze.reason,
                            RecordSnooze.until, RecordSnooze.until_at, RecordSnooze.created_at, User.display_name)
        .join(User, pw.JOIN.LEFT_OUTER, on=(RecordSnooze.snoozed_by == User.id))
        .where((RecordSnooze.until_at > instant) & (RecordSnooze.created_at <= instant))
        .order_by(RecordSnooze.created_at).tuples()
    )
    links = [(kind, record_id) for kind, record_id, *_ in rows]
    names = records.names(links)
    owners: dict[tuple[str, int], int | None] = {}
    for kind in {kind for kind, _ in links}:
        model = RECORD_MODELS[kind]
        ids = [record_id for k, record_id in links if k == kind]
        owners.update({(kind, rid): owner for rid, owner in model.select(model.id, model.owner)
                       .where(model.id.in_(ids)).tuples()})
    people = {uid: (login, name) for uid, login, name in
              User.select(User.id, User.login, User.display_name).tuples()} if rows else {}
    result = []
    for kind, record_id, reason, until, until_at, parked_at, by in rows:
        if (kind, record_id) not in owners:
            continue  # the record was deleted
        owner = owners[(kind, record_id)]
        if owner_id is not None and owner != owner_id:
            continue
        login, name = people.get(owner, ("", ""))
        result.append(Snooze(kind, record_id, names.get((kind, record_id), f"{kind} {record_id}"), owner, login,
                             name, reason, _date(until), _datetime(until_at), _datetime(parked_at), by or "someone"))
    return result


def _date(value: object) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _datetime(value: object) -> dt.datetime:
    return value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))


def get(kind: str, record_id: int, at: dt.datetime | None = None) -> Snooze | None:
    """The record's active snooze, or None (the detail view and `crm context` show it)."""
    if (kind, record_id) not in active_keys(at):
        return None
    return next((item for item in active(at) if (item.kind, item.record_id) == (kind, record_id)), None)


def parked_for(at: dt.datetime, parked_at: dt.datetime) -> str:
    """'3d', '5h': how long a record has been parked."""
    age = at - parked_at
    if age.days >= 1:
        return f"{age.days}d"
    return f"{max(0, age.seconds // 3600)}h"
