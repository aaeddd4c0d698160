"""Instants people type for "as of when": `crm exceptions --at`.

Accepts an ISO-8601 date or date-time (a naive one is UTC, as `--now`
reads it), `now`, the past forms an audit question needs (`-3d`, `-2w`,
`-6h`, `3 days ago`, `2 weeks ago`, `yesterday`, each optionally with a
time `10:00`), and every day form `dates.parse_when` reads (`fri`, `+2wd`,
`tomorrow 10:00`). Relative forms are in the user's zone; a day without a
time keeps the current local time of day ("this moment, three days ago").
"""

from __future__ import annotations

import datetime as dt
import re

from crm_tui import clock
from crm_tui.config import Config
from crm_tui.domain import dates
from crm_tui.domain.errors import DomainError

_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$", re.I)
_AGO = re.compile(r"^(?:-\s*(?P<n1>\d+)\s*(?P<u1>h|d|w)|(?P<n2>\d+)\s*(?P<u2>hours?|days?|weeks?)\s+ago)$")
_UNITS = {"h": "hours", "hour": "hours", "d": "days", "day": "days", "w": "weeks", "week": "weeks"}


def parse_moment(config: Config, tz: str, text: str, *, field: str = "at") -> dt.datetime:
    """The instant `text` names, as naive UTC (the form the database stores)."""
    raw = " ".join((text or "").strip().split())
    if not raw:
        raise DomainError("which moment? e.g. 2026-11-10T09:00, -3d, yesterday 17:00 or fri", field)
    if _ISO.match(raw):
        try:
            instant = clock.parse_instant(raw)
        except clock.ClockError as exc:
            raise DomainError(str(exc), field) from None
        return dt.datetime(instant.year, instant.month, instant.day, instant.hour, instant.minute, instant.second)
    lower = raw.lower()
    now = clock.utcnow_naive().replace(microsecond=0)
    if lower == "now":
        return now
    time: dt.time | None = None
    match = re.match(r"^(?P<rest>.*?)\s+(?P<h>\d{1,2})[:.h](?P<m>\d{2})$", lower)
    if match is not None and match.group("rest"):
        time = dates.parse_time(f"{match.group('h')}:{match.group('m')}", field)
        lower = match.group("rest")
    ago = _AGO.match(lower)
    if ago is not None:
        count = int(ago.group("n1") or ago.group("n2"))
        unit = _UNITS[(ago.group("u1") or ago.group("u2")).rstrip("s")]
        instant = now - dt.timedelta(**{unit: count})
        if time is None or unit == "hours":
            return instant
        day = clock.to_local(instant, tz).date()
        return clock.to_utc_naive(dt.datetime.combine(day, time), tz)
    if lower == "yesterday":
        day = clock.today(tz) - dt.timedelta(days=1)
    else:
        day, typed = dates.parse_when(config, tz, lower if time is None else f"{lower} {time:%H:%M}", field=field)
        time = typed if typed is not None else time
    if time is None:
        time = clock.local_now(tz).time().replace(microsecond=0, tzinfo=None)
    return clock.to_utc_naive(dt.datetime.combine(day, time), tz)
