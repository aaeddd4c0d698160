"""The one place that answers "what time is it".

Everything that needs the current time calls `now()`, so `CRM_NOW` / `--now`
can freeze it for demos, training and tests. Instants are UTC; days are local
to a user's time zone, computed with Pendulum at this boundary.

Pendulum (with the dateutil parser it loads) is imported on first use, not
at start-up: `utcnow_naive`, `today` and freezing an ISO-8601 instant need
only the standard library, and they are all that Today's first paint asks
for (~45 ms less start-up).
"""

from __future__ import annotations

import datetime as dt
import os
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    import pendulum

_UTC = dt.timezone.utc
_frozen: dt.datetime | None = None
"""The frozen instant, aware and in UTC; None when the clock runs."""


class ClockError(ValueError):
    """A frozen time that cannot be parsed."""


def _instant(text: str) -> dt.datetime:
    """An ISO-8601 text as an aware UTC datetime; a naive one is taken as UTC.

    The standard library reads the common forms; Pendulum the rest (week
    dates, ordinal days), with the same error for what neither reads."""
    try:
        value = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        return _pendulum_instant(text)
    return value.replace(tzinfo=_UTC) if value.tzinfo is None else value.astimezone(_UTC)


def _pendulum_instant(text: str) -> dt.datetime:
    import pendulum

    try:
        value = pendulum.parse(text.strip(), tz="UTC")
    except (ValueError, pendulum.parsing.exceptions.ParserError) as exc:
        raise ClockError(f"not an ISO-8601 date and time: {text!r}") from exc
    if not isinstance(value, pendulum.DateTime):
        if isinstance(value, pendulum.Date):
            return dt.datetime(value.year, value.month, value.day, tzinfo=_UTC)
        raise ClockError(f"not an ISO-8601 date and time: {text!r}")
    utc = value.in_timezone("UTC")
    return dt.datetime(utc.year, utc.month, utc.day, utc.hour, utc.minute, utc.second, utc.microsecond, tzinfo=_UTC)


def parse_instant(text: str) -> pendulum.DateTime:
    """Parse an ISO-8601 datetime; a naive one is taken as UTC."""
    import pendulum

    return pendulum.instance(_instant(text), tz="UTC")


def freeze(at: str | dt.datetime | None) -> None:
    """Freeze the clock at an instant (None thaws it)."""
    global _frozen
    if at is None:
        _frozen = None
    elif isinstance(at, str):
        _frozen = _instant(at)
    else:
        _frozen = at.replace(tzinfo=_UTC) if at.tzinfo is None else at.astimezone(_UTC)


def freeze_from_env() -> None:
    """Honour CRM_NOW when it is set."""
    value = os.environ.get("CRM_NOW")
    if value:
        freeze(value)


def _utc() -> dt.datetime:
    return _frozen if _frozen is not None else dt.datetime.now(_UTC)


def now() -> pendulum.DateTime:
    """The current instant, in UTC."""
    import pendulum

    return pendulum.instance(_frozen, tz="UTC") if _frozen is not None else pendulum.now("UTC")


def utcnow_naive() -> dt.datetime:
    """The current instant as a naive UTC datetime, the form the database stores."""
    return _utc().replace(tzinfo=None)


def local_now(tz: str) -> pendulum.DateTime:
    """The current instant in a user's time zone."""
    return now().in_timezone(tz)


def local_wall(tz: str) -> dt.datetime:
    """The current wall-clock time in a user's zone, as a plain aware datetime
    (for a display that needs no date arithmetic)."""
    return _utc().astimezone(ZoneInfo(tz))


def local_date(instant: dt.datetime, tz: str) -> dt.date:
    """The day in a user's zone of a stored naive-UTC instant."""
    return instant.replace(tzinfo=_UTC).astimezone(ZoneInfo(tz)).date()


def today(tz: str) -> dt.date:
    """The user's local calendar day: midnight in their zone is the boundary.

    A plain `datetime.date`: database drivers do not adapt Pendulum's subclass."""
    return local_wall(tz).date()


def to_local(instant: dt.datetime, tz: str) -> pendulum.DateTime:
    """A stored naive-UTC instant shown in a user's zone."""
    import pendulum

    return pendulum.instance(instant, tz="UTC").in_timezone(tz)


def to_utc_naive(local: dt.datetime, tz: str) -> dt.datetime:
    """A wall-clock time in a zone as the naive UTC the database stores."""
    import pendulum

    aware = pendulum.instance(local, tz=tz) if local.tzinfo is None else pendulum.instance(local)
    utc = aware.in_timezone("UTC")
    return dt.datetime(utc.year, utc.month, utc.day, utc.hour, utc.minute, utc.second, utc.microsecond)
