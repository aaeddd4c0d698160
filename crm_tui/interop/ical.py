"""iCalendar (RFC 5545): a user's activities out, meetings from other calendars in.

Export (`export_ics`): one VEVENT per activity with a stable UID
(`activity-<id>@<database id>.crm-tui`), timed ones in the user's zone with
a VTIMEZONE, dated ones as all-day `VALUE=DATE` events; open and done map to
CONFIRMED (done ones also carry `X-CRM-STATUS:DONE`), cancelled to CANCELLED.

Import (`import_ics`) reads what real programs write: Windows and custom
TZIDs (through the file's own VTIMEZONE), DURATION instead of DTEND, all-day
events, folded non-ASCII lines, Latin-1 files (with a warning), and repairs a
few known breakages with a warning (blank lines, a space after the colon,
spaces inside RRULE, both DTEND and DURATION). Repeating events bring in the
occurrences within the next `days` days (EXDATE, RDATE and RECURRENCE-ID
overrides applied, cancelled occurrences left out); a series with no
occurrence in that window brings in its first one, so no meeting in the file
is silently dropped. Meetings that already ended come in as done. A VTODO
comes in as a task on its due day. Truncated or damaged files are refused
with the line at fault.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crm_tui import clock
from crm_tui.config import Config
from crm_tui.domain import exporting, importing
from crm_tui.interop.textfile import FileProblem, decode, read_bytes
from crm_tui.models import User

DEFAULT_DAYS = 30
MAX_OCCURRENCES = 100
STATUS_OUT = {"open": "CONFIRMED", "done": "CONFIRMED", "cancelled": "CANCELLED"}
_DATE_PROPS = ("DTSTART", "DTEND", "DUE", "DURATION", "RECURRENCE-ID", "EXDATE", "RDATE", "METHOD", "STATUS")


# --- export -----------------------------------------------------------------

def export_ics(user: User) -> bytes:
    """The user's activities as an .ics document (CRLF lines, UTF-8)."""
    import icalendar

    zone = zoneinfo.ZoneInfo(user.time_zone)
    host = f"{exporting.database_id()}.crm-tui"
    cal = icalendar.Calendar()
    cal.add("prodid", "-//crm_tui//crm_tui activities//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"CRM activities of {user.display_name}")
    cal.add("x-wr-timezone", user.time_zone)
    for item in exporting.calendar_items(user):
        event = icalendar.Event()
        event.add("uid", f"activity-{item.id}@{host}")
        event.add("dtstamp", item.updated_at.replace(tzinfo=dt.timezone.utc))
        event.add("created", item.created_at.replace(tzinfo=dt.timezone.utc))
        event.add("last-modified", item.updated_at.replace(tzinfo=dt.timezone.utc))
        event.add("sequence", max(0, item.version - 1))
        event.add("summary", item.subject)
        if item.start_at is not None:
            start = item.start_at.replace(tzinfo=dt.timezone.utc).astimezone(zone)
            event.add("dtstart", start)
            event.add("dtend", start + dt.timedelta(minutes=item.duration_min or 30))
        else:
            event.add("dtstart", item.planned_date)
            event.add("dtend", item.planned_date + dt.timedelta(days=1))
            event.add("transp", "TRANSPARENT")
        event.add("status", STATUS_OUT[item.status])
        if item.status == "done":
            event.add("x-crm-status", "DONE")
        event.add("categories", [item.type])
        description = f"{item.type.title()} about {item.record}"
        if item.notes:
            description += "\n\n" + item.notes
        event.add("description", description)
        cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical()


# --- import: reading and repairing ------------------------------------------

@dataclass
class _Lines:
    """Unfolded content lines and the physical line each starts on."""

    text: str
    starts: list[int]
    warnings: list[str]


def _unfold(text: str, name: str) -> _Lines:
    physical = re.split(r"\r\n|\n|\r(?!\n)", text)
    logical: list[str] = []
    starts: list[int] = []
    warnings: list[str] = []
    blank = 0
    for number, line in enumerate(physical, 1):
        if line[:1] in (" ", "\t") and logical:
            logical[-1] += line[1:]
            continue
        if not line.strip():
            blank += 1 if number < len(physical) else 0
            continue
        logical.append(line)
        starts.append(number)
    if blank:
        warnings.append(f"{name}: {blank} blank line(s) ignored")
    repaired = 0
    for index, line in enumerate(logical):
        fixed = _repair(line)
        if fixed != line:
            logical[index] = fixed
            repaired += 1
    if repaired:
        warnings.append(f"{name}: repaired {repaired} line(s) that break RFC 5545 (spaces in values)")
    return _Lines("\r\n".join(logical) + "\r\n", starts, warnings)


def _split(line: str) -> tuple[str, str] | None:
    """(name;params, value) of a content line, honouring quoted parameters."""
    quoted = False
    for index, char in enumerate(line):
        if char == '"':
            quoted = not quoted
        elif char == ":" and not quoted:
            return line[:index], line[index + 1:]
    return None


def _repair(line: str) -> str:
    parts = _split(line)
    if parts is None:
        return line
    head, value = parts
    name = head.split(";", 1)[0].upper()
    if name in _DATE_PROPS and value != value.strip():
        return f"{head}:{value.strip()}"
    if name in ("RRULE", "EXRULE") and " " in value:
        return f"{head}:{value.replace(' ', '')}"
    return line


def _check_structure(lines: _Lines, name: str) -> None:
    stack: list[tuple[str, int]] = []
    for line, number in zip(lines.text.split("\r\n"), lines.starts):
        parts = _split(line)
        if parts is None:
            raise FileProblem(f"{name}: line {number} is not an iCalendar line (no colon): {line[:60]!r}; "
                              "the file is damaged")
        head, value = parts
        key = head.split(";", 1)[0].upper()
        if key == "BEGIN":
            stack.append((value.strip().upper(), number))
        elif key == "END":
            if not stack or stack[-1][0] != value.strip().upper():
                raise FileProblem(f"{name}: line {number} ends {value.strip()} that was never begun; the file is damaged")
            stack.pop()
    if not lines.starts or not lines.text.upper().startswith("BEGIN:VCALENDAR"):
        raise FileProblem(f"{name}: not an iCalendar file (it does not start with BEGIN:VCALENDAR)")
    if stack:
        component, number = stack[-1]
        raise FileProblem(f"{name}: truncated: {component} begun at line {number} is never ended "
                          "(an interrupted download?)")


# --- import: occurrences -----------------------------------------------------

@dataclass
class Occurrence:
    line: int
    subject: str
    start: dt.date | dt.datetime
    minutes: int | None  # None: all day
    emails: list[str]
    notes: str
    kind: str  # "meeting" or "task"
    done: bool


@dataclass
class IcsImport:
    report: importing.ImportReport
    warnings: list[str] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)


def _value(component: Any, name: str) -> Any:
    prop = component.get(name)
    return getattr(prop, "dt", None) if prop is not None else None


def _text(component: Any, name: str) -> str:
    value = component.get(name)
    if value is None:
        return ""
    if isinstance(value, list):
        value = value[0]
    return str(value).strip()


def _emails(component: Any) -> list[str]:
    found = []
    for name in ("ORGANIZER", "ATTENDEE"):
        values = component.get(name)
        if values is None:
            continue
        for value in values if isinstance(values, list) else [values]:
            text = str(value).strip()
            if text.lower().startswith("mailto:"):
                found.append(text[7:].strip().lower())
    return found


def _key(value: dt.date | dt.datetime) -> Any:
    """Compare occurrences by instant (aware) or wall clock (floating, dates)."""
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.timezone.utc)
    if isinstance(value, dt.datetime):
        return value
    return dt.datetime.combine(value, dt.time())


def _minutes(component: Any, start: Any, warnings: list[str], line: int) -> int | None:
    end = _value(component, "DTEND")
    duration = _value(component, "DURATION")
    if end is not None and duration is not None:
        warnings.append(f"line {line}: both DTEND and DURATION (not allowed by RFC 5545); used DTEND")
    if end is None and isinstance(duration, dt.timedelta):
        if not isinstance(start, dt.datetime):
            return None
        end = start + duration
    if not isinstance(start, dt.datetime):
        return None
    if not isinstance(end, dt.datetime):
        return 60
    span = (_key(end) - _key(start)) if (end.tzinfo is None) == (start.tzinfo is None) else dt.timedelta(hours=1)
    minutes = int(span.total_seconds() // 60)
    if minutes <= 0:
        return 60
    return minutes


def _occurrence(component: Any, line: int, start: Any, warnings: list[str]) -> Occurrence:
    kind = "task" if component.name == "VTODO" else "meeting"
    minutes = _minutes(component, start, warnings, line) if kind == "meeting" else None
    notes = _text(component, "DESCRIPTION")
    location = _text(component, "LOCATION")
    if location:
        notes = (f"Where: {location}\n\n" + notes).strip()
    done = _text(component, "STATUS").upper() == "COMPLETED"
    return Occurrence(line, _text(component, "SUMMARY"), start, minutes, _emails(component), notes, kind, done)


def _to_naive_or_aware(value: Any, like: Any) -> Any:
    """Make an RDATE/EXDATE value comparable with the series start."""
    if isinstance(like, dt.datetime) and not isinstance(value, dt.datetime):
        return dt.datetime.combine(value, like.time(), tzinfo=like.tzinfo)
    if not isinstance(like, dt.datetime):
        return dt.datetime.combine(value if not isinstance(value, dt.datetime) else value.date(), dt.time())
    if like.tzinfo is None and value.tzinfo is not None:
        return value.replace(tzinfo=None)
    if like.tzinfo is not None and value.tzinfo is None:
        return value.replace(tzinfo=like.tzinfo)
    return value


def _dates(component: Any, name: str) -> list[Any]:
    prop = component.get(name)
    if prop is None:
        return []
    result = []
    for item in prop if isinstance(prop, list) else [prop]:
        try:
            values = list(getattr(item, "dts", []))
        except Exception:  # noqa: BLE001 - icalendar's broken-property error; already warned about
            continue
        for value in values:
            when = value.dt
            if isinstance(when, tuple):  # a PERIOD: its start
                when = when[0]
            if isinstance(when, (dt.date, dt.datetime)):
                result.append(when)
    return result


def _series(component: Any, start: Any, window: tuple[dt.datetime, dt.datetime], days: int,
            warnings: list[str], line: int) -> list[Any]:
    """The occurrence starts of a repeating event inside the window (or its first)."""
    from dateutil import rrule

    all_day = not isinstance(start, dt.datetime)
    base = dt.datetime.combine(start, dt.time()) if all_day else start
    rules = rrule.rruleset()
    prop = component.get("RRULE")
    if prop is not None:
        for item in prop if isinstance(prop, list) else [prop]:
            text = item.to_ical().decode()
            try:
                rules.rrule(rrule.rrulestr(text, dtstart=base, ignoretz=base.tzinfo is None))
            except (ValueError, TypeError) as exc:
                warnings.append(f"line {line}: repeat rule {text!r} not understood ({exc}); imported the first date only")
    rules.rdate(base)
    for value in _dates(component, "RDATE"):
        rules.rdate(_to_naive_or_aware(value, base))
    for value in _dates(component, "EXDATE"):
        rules.exdate(_to_naive_or_aware(value, base))
    low, high = window
    if base.tzinfo is None:
        low, high = low.replace(tzinfo=None), high.replace(tzinfo=None)
    found = []
    for when in rules.xafter(low, count=MAX_OCCURRENCES, inc=True):
        if when > high:
            break
        found.append(when)
    if not found:
        first = next(iter(rules), None)
        if first is None:
            return []
        warnings.append(f"line {line}: repeating event with no date in the next {days} days; "
                        f"imported its first date, {first:%Y-%m-%d}")
        found = [first]
    return [when.date() if all_day else when for when in found]


def occurrences(calendar: Any, lines: list[int], *, days: int, zone: str,
                warnings: list[str], skipped: list[tuple[int, str]]) -> list[Occurrence]:
    """The meetings and tasks a calendar holds that should become activities."""
    components = [c for c in calendar.walk() if c.name in ("VEVENT", "VTODO")]
    now = clock.now().in_timezone(zone)
    low = dt.datetime(now.year, now.month, now.day, tzinfo=zoneinfo.ZoneInfo(zone))
    window = (low, low + dt.timedelta(days=days))
    masters: dict[str, tuple[Any, int]] = {}
    overrides: dict[str, list[tuple[Any, int]]] = {}
    for index, (component, line) in enumerate(zip(components, lines)):
        for prop, message in getattr(component, "errors", []):
            warnings.append(f"line {line}: {prop} ignored: {message}")
        uid = _text(component, "UID") or f"no-uid-{index}"
        if component.get("RECURRENCE-ID") is not None:
            overrides.setdefault(uid, []).append((component, line))
        else:
            masters[uid] = (component, line)
    result: list[Occurrence] = []
    for uid, (component, line) in masters.items():
        start = _value(component, "DTSTART") if component.name == "VEVENT" else (
            _value(component, "DUE") or _value(component, "DTSTART"))
        if start is None:
            skipped.append((line, f"{component.name} without a start date"))
            continue
        if _text(component, "STATUS").upper() == "CANCELLED":
            skipped.append((line, f"cancelled: {_text(component, 'SUMMARY') or 'untitled'}"))
            continue
        repeating = component.get("RRULE") is not None or component.get("RDATE") is not None
        starts = _series(component, start, window, days, warnings, line) if repeating else [start]
        moved = {}
        for ocomp, oline in overrides.pop(uid, []):
            recurrence = _value(ocomp, "RECURRENCE-ID")
            if recurrence is None:
                warnings.append(f"line {oline}: unreadable RECURRENCE-ID; this change to the series is ignored")
                continue
            moved[_key(recurrence)] = (ocomp, oline)
        for when in starts:
            override = moved.pop(_key(when), None)
            if override is None:
                result.append(_occurrence(component, line, when, warnings))
                continue
            ocomp, oline = override
            if _text(ocomp, "STATUS").upper() == "CANCELLED":
                skipped.append((oline, f"cancelled occurrence of {_text(component, 'SUMMARY') or 'an event'}"))
                continue
            result.append(_occurrence(ocomp, oline, _value(ocomp, "DTSTART") or when, warnings))
        for ocomp, oline in moved.values():
            if _text(ocomp, "STATUS").upper() == "CANCELLED":
                skipped.append((oline, "cancelled occurrence"))
                continue
            ostart = _value(ocomp, "DTSTART")
            if ostart is not None and window[0].replace(tzinfo=None) <= _key(ostart).replace(tzinfo=None) <= window[1].replace(tzinfo=None):
                result.append(_occurrence(ocomp, oline, ostart, warnings))
    for uid, items in overrides.items():  # overrides whose series is not in the file: plain events
        for ocomp, oline in items:
            start = _value(ocomp, "DTSTART")
            if start is None or _text(ocomp, "STATUS").upper() == "CANCELLED":
                skipped.append((oline, "cancelled occurrence" if start is not None else "no start date"))
                continue
            result.append(_occurrence(ocomp, oline, start, warnings))
    result.sort(key=lambda o: o.line)
    return result


def parse(path: Path) -> tuple[Any, list[int], list[str]]:
    """The parsed calendar, the first line of each event/to-do, and warnings."""
    import icalendar

    decoded = decode(read_bytes(path), str(path))
    warnings = [decoded.warning] if decoded.warning else []
    if not decoded.text.strip():
        raise FileProblem(f"{path} is empty")
    lines = _unfold(decoded.text, str(path))
    warnings += lines.warnings
    _check_structure(lines, str(path))
    try:
        calendar = icalendar.Calendar.from_ical(lines.text)
    except (ValueError, KeyError, IndexError) as exc:
        raise FileProblem(f"{path}: not a readable iCalendar file ({str(exc).splitlines()[0]})") from None
    starts = [number for text, number in zip(lines.text.split("\r\n"), lines.starts)
              if text.upper() in ("BEGIN:VEVENT", "BEGIN:VTODO")]
    warnings += _ignored_parts(calendar, lines)
    return calendar, starts, warnings


_KNOWN = {"VCALENDAR", "VEVENT", "VTODO", "VTIMEZONE", "STANDARD", "DAYLIGHT", "VALARM"}


def _ignored_parts(calendar: Any, lines: _Lines) -> list[str]:
    """Name what the import leaves out, so nothing disappears unreported."""
    begins: dict[str, list[int]] = {}
    for text, number in zip(lines.text.split("\r\n"), lines.starts):
        if text.upper().startswith("BEGIN:"):
            begins.setdefault(text[6:].strip().upper(), []).append(number)
    seen: dict[str, int] = {}
    notes = []
    for component in calendar.walk():
        name = str(component.name).upper()
        index = seen.get(name, 0)
        seen[name] = index + 1
        where = begins.get(name, [])
        line = where[index] if index < len(where) else 0
        if name not in _KNOWN:
            notes.append(f"line {line}: {name} ignored (only events and to-dos are imported)")
        elif name == "VTIMEZONE" and not _text(component, "TZID"):
            notes.append(f"line {line}: a VTIMEZONE without TZID ignored")
    return notes


def import_ics(
    path: Path, *, actor: User, config: Config, record: tuple[str, int] | None = None,
    days: int = DEFAULT_DAYS, dry_run: bool = False, owner: User | None = None,
) -> IcsImport:
    """Meetings (and to-dos) of a calendar file as activities of `owner` (default: the actor)."""
    if days < 0:
        raise FileProblem("--days must be zero or more")
    calendar, starts, warnings = parse(path)
    owner = owner or actor
    skipped: list[tuple[int, str]] = []
    found = occurrences(calendar, starts, days=days, zone=owner.time_zone, warnings=warnings, skipped=skipped)
    now = clock.now()
    own = (owner.email or "").lower()
    rows = []
    for item in found:
        link = record
        if link is None:
            for email in item.emails:
                if email != own:
                    link = importing.find_person_by_email(email)
                    if link:
                        break
        if link is None:
            who = ", ".join(item.emails) or "no attendees"
            skipped.append((item.line, f"{item.subject or 'untitled'}: no contact or lead matches ({who}); "
                                       "give --record KIND:ID"))
            continue
        values: dict[str, Any] = {
            "type": item.kind if item.kind in config.activity_type_names else "meeting",
            "subject": item.subject or "(no subject)",
            "record": f"{link[0]}:{link[1]}", "notes": item.notes,
        }
        if not item.subject:
            warnings.append(f"line {item.line}: no SUMMARY; imported as '(no subject)'")
        if isinstance(item.start, dt.datetime) and item.minutes is not None and item.minutes <= 24 * 60:
            values["start_at"] = item.start
            values["duration"] = item.minutes
            aware = item.start if item.start.tzinfo else item.start.replace(tzinfo=zoneinfo.ZoneInfo(owner.time_zone))
            ended = aware + dt.timedelta(minutes=item.minutes) <= now
        else:
            day = item.start.date() if isinstance(item.start, dt.datetime) else item.start
            if isinstance(item.start, dt.datetime) and item.minutes:
                warnings.append(f"line {item.line}: an event longer than a day; imported as all-day on {day}")
            values["date"] = day
            ended = day < clock.today(owner.time_zone)
        if item.done or ended:
            values["status"] = "done"
        rows.append(importing.ImportRow(item.line, values))
    importer = importing.Importer("activity", actor=actor, config=config, owner=owner, dry_run=dry_run)
    report = importer.run(rows)
    return IcsImport(report, warnings, skipped)
