"""Days people say, turned into the days the CRM plans on.

Two callers: the quick choices of every "when?" prompt (complete with a
follow-up, reschedule, new activity, the rule-1 prompt after creating a
record), and what users type into a day field. Both resolve relative to the
user's local today (`clock.today(tz)`: midnight in their zone is the boundary).

Quick choices land on the next working day (config.working_days minus
config.holidays), because a follow-up on a Saturday is a follow-up nobody does:

- ``tomorrow``   today + 1, rolled forward to a working day (Friday -> Monday)
- ``in 2 days``  today + 2, rolled forward
- ``next week``  the Monday of next week, rolled forward (a holiday Monday -> Tuesday)
- ``in N days``  today + N calendar days, rolled forward
- ``a date``     exactly the date typed (the domain refuses a non-working one)

Typed forms (case-insensitive), each optionally followed by a time ``10:00``:
``2026-12-01``, ``today``, ``tomorrow``, ``+3d`` / ``+3`` (calendar days,
rolled forward), ``+2wd`` (two working days), ``+1w`` / ``in 2 weeks``,
``in 3 days``, ``next week``, weekday names ``fri`` / ``friday`` (the next one
after today, never today itself), ``next fri`` (the same). A time alone
(``15:30``) means today at that time. Times are wall-clock times in the
user's zone (``10:00``, ``9.30``, ``14h15``, ``10am``, ``3:30pm``, ``at 10``);
the domain turns them into UTC for that day, so 10:00 stays 10:00 across a
daylight-saving change.

`parse_day` is the same for day-only fields (a deadline, a close date), where
empty may mean "none".
"""

from __future__ import annotations

import datetime as dt
import re

from crm_tui import clock
from crm_tui.config import Config
from crm_tui.domain.errors import DomainError

TOMORROW = "tomorrow"
IN_2_DAYS = "in 2 days"
NEXT_WEEK = "next week"
IN_N_DAYS = "in N days"
A_DATE = "a date"
QUICK_CHOICES: tuple[str, ...] = (TOMORROW, IN_2_DAYS, NEXT_WEEK, IN_N_DAYS, A_DATE)
"""The quick choices, in the order every prompt shows them."""

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MAX_DAYS = 3 * 366  # further ahead than this is almost certainly a typo

_TIME = re.compile(r"^(?P<rest>.*?)\s*(?:\bat\s+)?(?P<h>\d{1,2})[:.h](?P<m>\d{2})\s*(?P<ampm>am|pm)?$")
_AMPM = re.compile(r"^(?P<rest>.*?)\s*(?:\bat\s+)?(?P<h>\d{1,2})\s*(?P<ampm>am|pm)$")
_AT = re.compile(r"^(?P<rest>.*?)\s*\bat\s+(?P<h>\d{1,2})$")
_PLUS = re.compile(r"^\+\s*(?P<n>\d+)\s*(?P<unit>d|wd|w)?$")
_IN = re.compile(r"^in\s+(?P<n>\d+)\s*(?P<unit>days?|d|weeks?|w|working days?|wd)$")


def next_working_day(config: Config, day: dt.date) -> dt.date:
    """`day` itself when people work on it, else the first working day after it."""
    for _ in range(366):
        if config.is_working_day(day):
            return day
        day += dt.timedelta(days=1)
    raise DomainError("no working day within a year: check working_days and holidays in the config", "day")


def add_working_days(config: Config, day: dt.date, count: int) -> dt.date:
    """`count` working days after `day` (0 means `day` rolled forward)."""
    if count <= 0:
        return next_working_day(config, day)
    for _ in range(count):
        day = next_working_day(config, day + dt.timedelta(days=1))
    return day


def next_monday(day: dt.date) -> dt.date:
    return day + dt.timedelta(days=7 - day.weekday())


def quick_day(
    config: Config, tz: str, choice: str, *, days: int | str | None = None,
    date: str | dt.date | None = None, field: str = "day",
) -> dt.date:
    """The day a quick choice means for a user in zone `tz`, today.

    `days` is N for "in N days"; `date` is the typed text (any form
    `parse_when` accepts) or a date for "a date".
    """
    today = clock.today(tz)
    if choice == TOMORROW:
        return next_working_day(config, today + dt.timedelta(days=1))
    if choice == IN_2_DAYS:
        return next_working_day(config, today + dt.timedelta(days=2))
    if choice == NEXT_WEEK:
        return next_working_day(config, next_monday(today))
    if choice == IN_N_DAYS:
        count = _count(days, field)
        return next_working_day(config, today + dt.timedelta(days=count))
    if choice == A_DATE:
        if isinstance(date, dt.date):
            return date
        return parse_when(config, tz, date or "", field=field)[0]
    raise DomainError(f"unknown choice {choice!r}; use one of: {', '.join(QUICK_CHOICES)}", field)


def _count(value: int | str | None, field: str) -> int:
    text = str(value if value is not None else "").strip()
    if not text.isdigit():
        raise DomainError("in how many days? type a whole number like 5", field)
    count = int(text)
    if not 1 <= count <= _MAX_DAYS:
        raise DomainError(f"in N days: N must be between 1 and {_MAX_DAYS}", field)
    return count


def parse_time(text: str, field: str = "time") -> dt.time | None:
    """'10:00', '9.30', '14h15', '10am', '3:30pm', or empty for no time (a dated activity)."""
    text = text.strip().lower()
    if not text:
        return None
    match = re.fullmatch(r"(\d{1,2})(?:[:.h](\d{2}))?\s*(am|pm)?", text)
    if match is None or (match.group(2) is None and match.group(3) is None):
        raise DomainError(f"{text!r} is not a time like 10:00", field)
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    if match.group(3):
        if not 1 <= hour <= 12:
            raise DomainError(f"{text!r} is not a time of day", field)
        hour = hour % 12 + (12 if match.group(3) == "pm" else 0)
    if hour > 23 or minute > 59:
        raise DomainError(f"{text!r} is not a time of day", field)
    return dt.time(hour, minute)


def _split_time(raw: str, field: str) -> tuple[str, dt.time | None]:
    """('fri', 10:00) from 'fri 10:00', 'fri 10am', 'fri at 10'; (raw, None) without a time."""
    match = _TIME.match(raw)
    if match is not None:
        minute = match.group("m")
        suffix = match.group("ampm") or ""
        return match.group("rest").strip(), parse_time(f"{match.group('h')}:{minute}{suffix}", field)
    match = _AMPM.match(raw) or _AT.match(raw)
    if match is not None:
        suffix = match.groupdict().get("ampm") or ""
        text = f"{match.group('h')}{suffix}" if suffix else f"{match.group('h')}:00"
        return match.group("rest").strip(), parse_time(text, field)
    return raw, None


def parse_when(config: Config, tz: str, text: str, *, field: str = "day") -> tuple[dt.date, dt.time | None]:
    """A typed day, with an optional time after it, for a user in zone `tz`."""
    raw = " ".join((text or "").lower().split())
    if not raw:
        raise DomainError("which day? e.g. tomorrow, fri, +3d or 2026-12-01", field)
    raw, time = _split_time(raw, field)
    if time is not None:
        raw = raw or "today"
    day = _parse_day(config, clock.today(tz), raw, field)
    if day is None:
        raise DomainError(
            f"{text.strip()!r} is not a day: try tomorrow, fri, +3d, +2wd, next week, in 2 weeks or 2026-12-01",
            field,
        )
    if abs((day - clock.today(tz)).days) > _MAX_DAYS:
        raise DomainError(f"{day:%Y-%m-%d} is more than three years away", field)
    return day, time


def parse_day(config: Config, tz: str, text: str | dt.date | None, *, field: str = "day",
              required: bool = False) -> dt.date | None:
    """A day-only field (deadline, close date): any form `parse_when` reads, no time.

    Empty is None unless `required`.
    """
    if isinstance(text, dt.date):
        return text
    if not (text or "").strip():
        if required:
            raise DomainError(f"{field.replace('_', ' ')} is required: e.g. fri, +3d or 2026-12-01", field)
        return None
    day, time = parse_when(config, tz, text or "", field=field)
    if time is not None:
        raise DomainError(f"{field.replace('_', ' ')} is a day: leave out the time", field)
    return day


def _parse_day(config: Config, today: dt.date, raw: str, field: str) -> dt.date | None:
    if raw == "today":
        return today
    if raw in ("tomorrow", "tmrw", "tmr"):
        return next_working_day(config, today + dt.timedelta(days=1))
    if raw == "next week":
        return next_working_day(config, next_monday(today))
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            raise DomainError(f"{raw!r} is not a calendar date", field) from None
    match = _PLUS.match(raw) or _IN.match(raw)
    if match is not None:
        count = _count(match.group("n"), field)
        unit = (match.group("unit") or "d").rstrip("s")
        if unit in ("wd", "working day"):
            return add_working_days(config, today, count)
        if unit in ("w", "week"):
            return next_working_day(config, today + dt.timedelta(weeks=count))
        return next_working_day(config, today + dt.timedelta(days=count))
    name = raw.removeprefix("next ").removeprefix("on ").strip()
    if len(name) >= 2:
        for index, weekday in enumerate(WEEKDAYS):
            if weekday.startswith(name) and (len(name) >= 3 or name in ("mo", "tu", "we", "th", "fr", "sa", "su")):
                ahead = (index - today.weekday()) % 7 or 7
                return today + dt.timedelta(days=ahead)
    return None


def describe(day: dt.date, today: dt.date) -> str:
    """'today', 'tomorrow', or 'Mon 23 Nov', for previews next to day fields."""
    if day == today:
        return "today"
    if day == today + dt.timedelta(days=1):
        return f"tomorrow, {day:%a %d %b}"
    return f"{day:%a %d %b %Y}" if day.year != today.year else f"{day:%a %d %b}"
