"""The one place that answers "what time is it".

Everything that needs the current time calls `now()`, so `CRM_NOW` / `--now`
can freeze it for demos, training and tests. Instants are UTC; days are local
to a user's time zone, computed with Pendulum at this boundary.
"""

from __future__ import annotations

import datetime as dt
import os

import pendulum

_frozen: pendulum.DateTime | None = None


class ClockError(ValueError):
    """A frozen time that cannot be parsed."""


def parse_instant(text: str) -> pendulum.DateTime:
    """Parse an ISO-8601 datetime; a naive one is taken as UTC."""
    try:
        value = pendulum.parse(text.strip(), tz="UTC")
    except (ValueError, pendulum.parsing.exceptions.ParserError) as exc:
        raise ClockError(f"not an ISO-8601 date and time: {text!r}") from exc
    if not isinstance(value, pendulum.DateTime):
        if isinstance(value, pendulum.Date):
            return pendulum.datetime(value.year, value.month, value.day, tz="UTC")
        raise ClockError(f"not an ISO-8601 date and time: {text!r}")
    return value.in_timezone("UTC")


def freeze(at: str | dt.datetime | None) -> None:
    """Freeze the clock at an instant (None thaws it)."""
    global _frozen
    if at is None:
        _frozen = None
    elif isinstance(at, str):
        _frozen = parse_instant(at)
    else:
        _frozen = pendulum.instance(at, tz="UTC").in_timezone("UTC")


def freeze_from_env() -> None:
    """Honour CRM_NOW when it is set."""
    value = os.environ.get("CRM_NOW")
    if value:
        freeze(value)


def now() -> pendulum.DateTime:
    """The current instant, in UTC."""
    return _frozen if _frozen is not None else pendulum.now("UTC")


def utcnow_naive() -> dt.datetime:
    """The current instant as a naive UTC datetime, the form the database stores."""
    current = now()
    return dt.datetime(
        current.year, current.month, current.day,
        current.hour, current.minute, current.second, current.microsecond,
    )


def local_now(tz: str) -> pendulum.DateTime:
    """The current instant in a user's time zone."""
    return now().in_timezone(tz)


def today(tz: str) -> dt.date:
    """The user's local calendar day: midnight in their zone is the boundary.

    A plain `datetime.date`, not Pendulum's subclass, which the sqlite3
    driver cannot bind as a query parameter.
    """
    local = local_now(tz)
    return dt.date(local.year, local.month, local.day)


def to_local(instant: dt.datetime, tz: str) -> pendulum.DateTime:
    """A stored naive-UTC instant shown in a user's zone."""
    return pendulum.instance(instant, tz="UTC").in_timezone(tz)


def to_utc_naive(local: dt.datetime, tz: str) -> dt.datetime:
    """A wall-clock time in a zone as the naive UTC the database stores."""
    aware = pendulum.instance(local, tz=tz) if local.tzinfo is None else pendulum.instance(local)
    utc = aware.in_timezone("UTC")
    return dt.datetime(utc.year, utc.month, utc.day, utc.hour, utc.minute, utc.second, utc.microsecond)
