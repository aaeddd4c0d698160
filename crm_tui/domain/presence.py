"""Presence: who has which record open right now ("open by Dana since 10:42").

Each running app has a session id and, while a record's detail view is on
screen, beats every `config.presence_seconds`: one UPDATE (or INSERT) of its
single row in `presence`. Readers ignore rows whose last beat is older than
`EXPIRY_BEATS` intervals, so a closed or killed app disappears within
seconds without anyone cleaning up; old rows are deleted by later beats.

Cheap on purpose: a beat is one indexed write of one row and never touches
`audit_event`, so it does not move the change token (MAX(audit_event.id)) and
never makes other apps reload. Reads are one index range over a table with
at most one row per running app (50 users: 50 rows).

Liveness is about real time, not the business clock: `now` defaults to the
wall clock even when CRM_NOW freezes `clock.now()` (a frozen clock would
keep a dead app's row alive forever). Tests pass `now`.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import NamedTuple

from crm_tui import db
from crm_tui.models import Presence, User

EXPIRY_BEATS = 3
"""A row whose heartbeat is older than this many intervals is expired."""
PURGE_AFTER = dt.timedelta(hours=1)
"""Expired rows older than this are deleted by the next beat of any app."""


class Viewer(NamedTuple):
    """Someone else who has a record open."""

    login: str
    name: str
    since: dt.datetime
    """When they opened it, naive UTC."""
    record_kind: str
    record_id: int


def new_session() -> str:
    """An id for one running app (a user may run two)."""
    return uuid.uuid4().hex


def wall_now() -> dt.datetime:
    """The real current instant as naive UTC (see the module docstring)."""
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def _cutoff(interval: float, now: dt.datetime) -> dt.datetime:
    return now - dt.timedelta(seconds=interval * EXPIRY_BEATS)


@db.atomic
def beat(session: str, user: User, kind: str, record_id: int, *, now: dt.datetime | None = None) -> None:
    """This app shows (kind, record_id) to `user`; keep its row alive.

    Opening another record moves the row (and resets "since"); the same
    record only refreshes `seen_at`.
    """
    now = now or wall_now()
    same = Presence.update(seen_at=now).where(
        (Presence.session == session) & (Presence.record_kind == kind) & (Presence.record_id == record_id)
    ).execute()
    if same:
        return
    Presence.delete().where((Presence.session == session) | (Presence.seen_at < now - PURGE_AFTER)).execute()
    Presence.insert(session=session, user=user.id, record_kind=kind, record_id=record_id,
                    opened_at=now, seen_at=now).execute()


@db.atomic
def leave(session: str) -> None:
    """This app no longer shows a record (back to a list, or quitting)."""
    Presence.delete().where(Presence.session == session).execute()


def _rows(query, kind: str | None = None) -> list[Viewer]:  # type: ignore[no-untyped-def]
    return [Viewer(login, name, opened, k, rid) for k, rid, opened, login, name in query.tuples()]


def viewers(kind: str, record_id: int, *, interval: float, exclude_user: int | None = None,
            now: dt.datetime | None = None) -> list[Viewer]:
    """Who else has this record open, earliest first."""
    now = now or wall_now()
    query = (
        Presence.select(Presence.record_kind, Presence.record_id, Presence.opened_at, User.login,
                        User.display_name)
        .join(User, on=(Presence.user == User.id))
        .where((Presence.record_kind == kind) & (Presence.record_id == record_id)
               & (Presence.seen_at >= _cutoff(interval, now)))
        .order_by(Presence.opened_at)
    )
    if exclude_user is not None:
        query = query.where(Presence.user != exclude_user)
    return _rows(query)


def open_records(kind: str, *, interval: float, exclude_user: int | None = None,
                 now: dt.datetime | None = None) -> dict[int, Viewer]:
    """For a Records list: every record of this kind someone else has open (the first viewer)."""
    now = now or wall_now()
    query = (
        Presence.select(Presence.record_kind, Presence.record_id, Presence.opened_at, User.login,
                        User.display_name)
        .join(User, on=(Presence.user == User.id))
        .where((Presence.record_kind == kind) & (Presence.seen_at >= _cutoff(interval, now)))
        .order_by(Presence.opened_at.desc())
    )
    if exclude_user is not None:
        query = query.where(Presence.user != exclude_user)
    return {viewer.record_id: viewer for viewer in _rows(query)}


def describe(viewers_: list[Viewer] | tuple[Viewer, ...], tz: str) -> str:
    """'open by Dana since 10:42' (and '+1 more'), in the reader's zone."""
    if not viewers_:
        return ""
    from zoneinfo import ZoneInfo

    first = viewers_[0]
    local = first.since.replace(tzinfo=dt.timezone.utc).astimezone(ZoneInfo(tz))
    text = f"open by {first.name} since {local:%H:%M}"
    if len(viewers_) > 1:
        text += f" (+{len(viewers_) - 1} more)"
    return text
