"""Whether Today reminds a rep of the weekly review, and how far along one is.

Apart from `review` (the list and the ways of dealing with an item) because
Today asks it each time it starts, before its first paint, and needs none of
what the review itself imports (methodology, qualification, cases, ...).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import peewee as pw

from crm_tui import clock, db
from crm_tui.config import Config
from crm_tui.models import ReviewItem, ReviewSession, User


@dataclass(frozen=True)
class Progress:
    """Where a review stands: `done` of `total` items dealt with."""

    session_id: int
    done: int
    total: int
    started_at: dt.datetime
    completed_at: dt.datetime | None

    @property
    def text(self) -> str:
        return f"{self.done} of {self.total} reviewed"

    @property
    def complete(self) -> bool:
        return self.completed_at is not None


@dataclass(frozen=True)
class Status:
    """For Today's reminder: is the weekly review due, and how far along is one?"""

    due: bool
    due_day: dt.date
    """The latest review day (config.review.weekday) on or before today."""
    last_completed: dt.datetime | None
    in_progress: Progress | None

    @property
    def text(self) -> str:
        if self.in_progress is not None:
            return f"Weekly review: {self.in_progress.text} (W to continue)"
        if self.due:
            return f"Weekly review due since {self.due_day:%a %d %b} (W to start)"
        return ""


def open_session(user: User) -> ReviewSession | None:
    """The user's review under way, if any."""
    return (ReviewSession.select()
            .where((ReviewSession.user == user.id) & ReviewSession.completed_at.is_null())
            .order_by(ReviewSession.id.desc()).first())


def session_progress(session: ReviewSession) -> Progress:
    done = ReviewItem.select().where((ReviewItem.session == session.id) & ReviewItem.done_at.is_null(False)).count()
    return Progress(session.id, done, session.total, session.started_at, session.completed_at)


def progress(user: User) -> Progress | None:
    """The review in progress, or None when none is."""
    session = open_session(user)
    return session_progress(session) if session is not None else None


def last_completed(user: User) -> dt.datetime | None:
    """When the user last completed a weekly review."""
    last = (ReviewSession.select(pw.fn.MAX(ReviewSession.completed_at))
            .where(ReviewSession.user == user.id).scalar())
    return db.as_datetime(last) if last is not None else None


def due_day(config: Config, today: dt.date) -> dt.date:
    """The latest review weekday on or before `today`."""
    return today - dt.timedelta(days=(today.weekday() - config.review.weekday) % 7)


def status(user: User, config: Config) -> Status:
    """Whether Today should remind the user: due since the review day, until one is completed."""
    today = clock.today(user.time_zone)
    day = due_day(config, today)
    last = last_completed(user)
    done_since = last is not None and clock.local_date(last, user.time_zone) >= day
    return Status(due=not done_since, due_day=day, last_completed=last, in_progress=progress(user))
