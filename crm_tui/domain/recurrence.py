"""Recurring activities: a series (models.Recurrence) and its occurrences.

Two kinds of series:

- ``schedule``: a fixed calendar, every `every` `unit` counted from the
  series' anchor day (e.g. every 1 weeks from Monday 23 Nov: every Monday).
  Completing an occurrence late does not shift the calendar: the next one is
  the next scheduled day after it that is today or later.
- ``after``: a set time after the last completion (e.g. 2 weeks after the
  last check-in was done), counted from the local day it was completed.

Units are days, working_days, weeks and months; a day that falls on a
non-working day or holiday rolls forward to the next working day. A series
has at most one open occurrence; completing it (activities.complete) calls
`after_complete`, which plans the next one in the same transaction. Editing
a series changes its open occurrence too; ending it cancels that occurrence.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from crm_tui import clock, db
from crm_tui.config import Config
from crm_tui.domain import activities, changes, dates, permissions, records, validation
from crm_tui.domain.errors import DomainError, NotFound
from crm_tui.models import RECURRENCE_RULES, RECURRENCE_UNITS, Activity, Recurrence, User

UNIT_LABELS = {"days": "day", "working_days": "working day", "weeks": "week", "months": "month"}


@dataclass(frozen=True)
class Repeat:
    """How a series repeats, as a user states it."""

    rule: str
    """schedule (fixed calendar) or after (a set time after the last completion)."""
    every: int = 1
    unit: str = "weeks"
    ends_on: dt.date | None = None

    @property
    def text(self) -> str:
        """The form `parse` reads back: 'every 2 weeks', '3 working days after'."""
        unit = self.unit.replace("_", " ")
        return f"{self.every} {unit} after" if self.rule == "after" else f"every {self.every} {unit}"

    def describe(self, anchor: dt.date | None = None) -> str:
        """'every week on Monday', 'every 2 months', '3 working days after each completion'."""
        unit = UNIT_LABELS.get(self.unit, self.unit)
        count = f"{self.every} {unit}s" if self.every != 1 else unit
        if self.rule == "after":
            text = f"{count if self.every != 1 else '1 ' + unit} after each completion"
        else:
            text = f"every {count}"
            if anchor is not None and self.unit == "weeks":
                text += f" on {anchor:%A}"
        if self.ends_on is not None:
            text += f", until {self.ends_on:%d %b %Y}"
        return text


def check(repeat: Repeat) -> Repeat:
    """Refuse a repeat a user could not have meant, naming the field."""
    if repeat.rule not in RECURRENCE_RULES:
        raise DomainError(f"repeat on a fixed schedule or after each completion ({', '.join(RECURRENCE_RULES)})",
                          "rule")
    if repeat.unit not in RECURRENCE_UNITS:
        raise DomainError(f"repeat every days, working_days, weeks or months, not {repeat.unit!r}", "unit")
    every = validation.integer(repeat.every, "every", low=1, high=365)
    if every is None:
        raise DomainError("repeat every how many? type a whole number like 1", "every")
    return Repeat(repeat.rule, every, repeat.unit, repeat.ends_on)


def parse(text: str) -> Repeat:
    """'weekly', 'every 2 weeks', 'monthly', 'every working day', '2w after', '10 days after done'.

    For `crm add --repeat` and the repeat dialog's one-line field.
    """
    raw = " ".join(text.lower().replace("-", " ").split())
    rule = "schedule"
    for suffix in (" after done", " after completion", " after each completion", " after"):
        if raw.endswith(suffix):
            rule, raw = "after", raw[: -len(suffix)].strip()
            break
    raw = raw.removeprefix("every ").strip()
    named = {"daily": (1, "days"), "weekly": (1, "weeks"), "monthly": (1, "months"),
             "fortnightly": (2, "weeks"), "day": (1, "days"), "week": (1, "weeks"), "month": (1, "months"),
             "working day": (1, "working_days"), "workday": (1, "working_days")}
    if raw in named:
        every, unit = named[raw]
        return check(Repeat(rule, every, unit))
    short = {"d": "days", "wd": "working_days", "w": "weeks", "m": "months"}
    parts = raw.split(" ", 1)
    number, rest = (parts[0], parts[1] if len(parts) > 1 else "")
    if not number.isdigit():
        digits = "".join(ch for ch in number if ch.isdigit())
        number, rest = digits, number[len(digits):] if digits and number.startswith(digits) else ""
    rest = rest.strip().rstrip("s").replace(" ", "_")
    unit = short.get(rest) or {"day": "days", "working_day": "working_days", "week": "weeks",
                               "month": "months"}.get(rest)
    if not number.isdigit() or unit is None:
        raise DomainError(
            f"{text.strip()!r} is not a repeat: try weekly, every 2 weeks, monthly, every working day "
            "or 2w after", "repeat")
    return check(Repeat(rule, int(number), unit))


def _add(config: Config, day: dt.date, every: int, unit: str) -> dt.date:
    if unit == "days":
        return day + dt.timedelta(days=every)
    if unit == "working_days":
        return dates.add_working_days(config, day, every)
    if unit == "weeks":
        return day + dt.timedelta(weeks=every)
    month = day.month - 1 + every
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _scheduled(config: Config, anchor: dt.date, every: int, unit: str, k: int) -> dt.date:
    """The k-th scheduled day of a fixed calendar, before rolling to a working day."""
    if unit == "working_days":
        return dates.add_working_days(config, anchor, every * k)
    if unit == "months":
        return _add(config, anchor, every * k, unit)
    step = every if unit == "days" else every * 7
    return anchor + dt.timedelta(days=step * k)


def next_day(config: Config, series: Recurrence, previous_day: dt.date, completed_day: dt.date,
             today: dt.date) -> dt.date | None:
    """The day of the occurrence after one planned on `previous_day` and done on `completed_day`.

    None when the series has ended (inactive, or the day is past `ends_on`).
    """
    if not series.active:
        return None
    if series.rule == "after":
        day = dates.next_working_day(config, _add(config, completed_day, series.every, series.unit))
    else:
        anchor = _date(series.anchor)
        day = None
        for k in range(1, 100_000):
            candidate = _scheduled(config, anchor, series.every, series.unit, k)
            rolled = dates.next_working_day(config, candidate)
            if candidate > previous_day and rolled >= today:
                day = rolled
                break
        if day is None:  # pragma: no cover - a schedule with no day in 100k steps
            return None
    ends_on = _date(series.ends_on) if series.ends_on is not None else None
    if ends_on is not None and day > ends_on:
        return None
    return day


def _date(value: dt.date | str) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def _time(series: Recurrence) -> dt.time | None:
    return dates.parse_time(series.local_time, "time") if series.local_time else None


def get(series_id: int) -> Recurrence:
    series = Recurrence.get_or_none(Recurrence.id == series_id)
    if series is None:
        raise NotFound(f"repeating series {series_id} does not exist")
    return series


def open_occurrence(series_id: int) -> Activity | None:
    return (Activity.select().where((Activity.series == series_id) & (Activity.status == "open"))
            .order_by(Activity.planned_date).first())


def _occurrence(actor: User, config: Config, series: Recurrence, day: dt.date) -> Activity:
    return activities.create(
        actor, config, type=series.type, subject=series.subject, record_kind=series.record_kind,
        record_id=series.record_id, day=day, time=_time(series), duration_min=series.duration_min,
        priority=series.priority, owner=series.owner, series=series.id,
    )


@db.atomic
def make_recurring(actor: User, config: Config, activity_id: int, repeat: Repeat, *,
                   expected_version: int | None = None) -> Recurrence:
    """Turn an open activity into the first occurrence of a series anchored on its day.

    The series takes the activity's type, subject, priority, time and record.
    """
    repeat = check(repeat)
    activity = activities.get(activity_id)
    if activity.status != "open":
        raise DomainError(f"this activity is already {activity.status}; repeat an open one")
    if activity.series_id is not None:
        raise DomainError("this activity already repeats: edit its series instead")
    anchor = _date(activity.planned_date)
    if repeat.ends_on is not None and repeat.ends_on < anchor:
        raise DomainError("the series would end before its first day", "ends_on")
    local = activities.local_time(activity, activity.owner.time_zone)
    with changes.action(actor):
        series = changes.create(
            Recurrence, owner=activity.owner, created_by=actor, record_kind=activity.record_kind,
            record_id=activity.record_id, type=activity.type, subject=activity.subject,
            priority=activity.priority, local_time=f"{local:%H:%M}" if local else "",
            duration_min=activity.duration_min, rule=repeat.rule, every=repeat.every, unit=repeat.unit,
            anchor=anchor, ends_on=repeat.ends_on,
        )
        changes.update(activity, expected_version, series=series.id)
    return series


@db.atomic
def create(
    actor: User, config: Config, *, type: str, subject: str, record_kind: str, record_id: int,
    day: dt.date, repeat: Repeat, time: dt.time | None = None, duration_min: int | None = None,
    priority: int = 2, owner: User | None = None,
) -> tuple[Recurrence, Activity]:
    """A new activity that repeats: its series and its first occurrence on `day`, in one action."""
    first = activities.create(actor, config, type=type, subject=subject, record_kind=record_kind,
                              record_id=record_id, day=day, time=time, duration_min=duration_min,
                              priority=priority, owner=owner, check_day=True)
    series = make_recurring(actor, config, first.id, repeat)
    return series, activities.get(first.id)


def after_complete(actor: User, config: Config, done: Activity) -> Activity | None:
    """Plan the next occurrence of the series `done` belongs to (inside the completing action)."""
    if done.series_id is None:
        return None
    series = Recurrence.get_or_none(Recurrence.id == done.series_id)
    if series is None or open_occurrence(series.id) is not None:
        return None
    tz = series.owner.time_zone
    completed = clock.today(tz)
    if done.completed_at:
        local = clock.to_local(done.completed_at, tz)
        completed = dt.date(local.year, local.month, local.day)  # a plain date, not Pendulum's
    day = next_day(config, series, _date(done.planned_date), completed, clock.today(tz))
    if day is None:
        return None
    return _occurrence(actor, config, series, day)


def preview_next(config: Config, activity_id: int) -> str:
    """'repeats every week on Monday: next Mon 30 Nov', what completing this occurrence
    plans next; empty when the activity does not repeat (or its series has ended)."""
    activity = activities.get(activity_id)
    if activity.series_id is None:
        return ""
    series = Recurrence.get_or_none(Recurrence.id == activity.series_id)
    if series is None or not series.active:
        return ""
    tz = series.owner.time_zone
    today = clock.today(tz)
    day = next_day(config, series, _date(activity.planned_date), today, today)
    after = f"next {dates.describe(day, today)}" if day is not None else "this is the last one"
    return f"repeats {describe(series)}: {after}"


@db.atomic
def edit(actor: User, config: Config, series_id: int, *, expected_version: int | None = None,
         subject: str | None = None, type: str | None = None, priority: int | None = None,
         repeat: Repeat | None = None) -> Recurrence:
    """Change a series; its open occurrence gets the new subject, type and priority too."""
    series = get(series_id)
    if not series.active:
        raise DomainError("this series has ended; start a new one")
    values: dict[str, object] = {}
    if subject is not None:
        values["subject"] = validation.required(subject, "subject")
    if type is not None:
        if type not in config.activity_type_names:
            raise DomainError(f"{type!r} is not a standard activity type", "type")
        values["type"] = type
    if priority is not None:
        if priority not in (1, 2, 3):
            raise DomainError("priority is 1 (high), 2 (normal) or 3 (low)", "priority")
        values["priority"] = priority
    if repeat is not None:
        repeat = check(repeat)
        if repeat.ends_on is not None and repeat.ends_on < _date(series.anchor):
            raise DomainError("the series would end before its first day", "ends_on")
        values.update(rule=repeat.rule, every=repeat.every, unit=repeat.unit, ends_on=repeat.ends_on)
    with changes.action(actor):
        changes.update(series, expected_version, **values)
        current = open_occurrence(series.id)
        carried = {key: values[key] for key in ("subject", "type", "priority") if key in values}
        if current is not None and carried:
            changes.update(current, **carried)
    return series


@db.atomic
def end(actor: User, series_id: int, reason: str, *, expected_version: int | None = None) -> Recurrence:
    """Stop repeating: the series ends and its open occurrence is cancelled with `reason`."""
    series = get(series_id)
    if not series.active:
        raise DomainError("this series has ended already")
    reason = validation.required(reason, "reason", "a reason")
    with changes.action(actor):
        changes.update(series, expected_version, active=False)
        current = open_occurrence(series.id)
        if current is not None:
            changes.update(current, status="cancelled", cancel_reason=f"series ended: {reason}"[:200])
            activities.refresh_record(current.record_kind, current.record_id)
    return series


def series_of(activity_id: int) -> Recurrence | None:
    """The active series an activity is an occurrence of, if any."""
    series_id = activities.get(activity_id).series_id
    if series_id is None:
        return None
    return Recurrence.get_or_none((Recurrence.id == series_id) & Recurrence.active)


def repeat_of(series: Recurrence) -> Repeat:
    return Repeat(series.rule, series.every, series.unit,
                  _date(series.ends_on) if series.ends_on is not None else None)


def describe(series: Recurrence) -> str:
    return repeat_of(series).describe(_date(series.anchor))


def for_record(kind: str, record_id: int) -> list[Recurrence]:
    """The active series on a record, for its detail view."""
    records.get(kind, record_id)
    return list(Recurrence.select().where((Recurrence.record_kind == kind) & (Recurrence.record_id == record_id)
                                          & Recurrence.active).order_by(Recurrence.id))


def _series_rule(user: User, action: str, instance: object, fields: dict) -> None:
    """A series is changed by whoever may change its occurrences (its owner, or its record's)."""
    assert isinstance(instance, Recurrence)
    probe = Activity(owner=instance.owner_id, record_kind=instance.record_kind, record_id=instance.record_id)
    permissions.check(user, action, probe, fields)


permissions.register(Recurrence, _series_rule)
