"""iCalendar import on the project's own small fixtures (no shared data needed)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from crm_tui.models import Activity, Lead

from .helpers import cli


def _ics(tmp_path: Path, body: str, encoding: str = "utf-8", name: str = "c.ics") -> Path:
    text = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n" + body + "END:VCALENDAR\r\n"
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def _lead(rep) -> Lead:  # type: ignore[no-untyped-def]
    return Lead.create(last_name="Target", owner=rep)


def test_weekly_series_with_exdate_override_and_cancelled_occurrence(capsys, database, rep, tmp_path: Path) -> None:
    lead = _lead(rep)
    path = _ics(tmp_path,
                "BEGIN:VEVENT\r\nUID:s1\r\nSUMMARY:Weekly sync\r\n"
                "DTSTART;TZID=Europe/Berlin:20261102T100000\r\nDTEND;TZID=Europe/Berlin:20261102T103000\r\n"
                "RRULE:FREQ=WEEKLY;BYDAY=MO, TH\r\nEXDATE;TZID=Europe/Berlin:20261119T100000\r\nEND:VEVENT\r\n"
                "BEGIN:VEVENT\r\nUID:s1\r\nRECURRENCE-ID;TZID=Europe/Berlin:20261123T100000\r\nSUMMARY:Weekly sync (moved)\r\n"
                "DTSTART;TZID=Europe/Berlin:20261123T150000\r\nDTEND;TZID=Europe/Berlin:20261123T153000\r\nEND:VEVENT\r\n"
                "BEGIN:VEVENT\r\nUID:s1\r\nRECURRENCE-ID:20261126T090000Z\r\nSTATUS:CANCELLED\r\n"
                "DTSTART:20261126T090000Z\r\nSUMMARY:Weekly sync\r\nEND:VEVENT\r\n")
    code, out, err = cli(capsys, database, "import", "ics", str(path), "--record", f"lead:{lead.id}", "--days", "10")
    assert code == 0, err
    assert "repaired 1 line" in err  # the spaces inside RRULE
    got = [(str(a.planned_date), str(a.start_at), a.duration_min, a.subject) for a in Activity.select().order_by(Activity.planned_date)]
    # window 18-28 Nov: Thu 19 excluded, Mon 23 moved to 15:00, Thu 26 cancelled
    assert got == [("2026-11-23", "2026-11-23 14:00:00", 30, "Weekly sync (moved)")]
    assert "cancelled occurrence" in out
    assert str(Lead.get().next_activity_on) == "2026-11-23"


def test_all_day_duration_floating_and_past_events(capsys, database, rep, tmp_path: Path) -> None:
    lead = _lead(rep)
    path = _ics(tmp_path,
                "BEGIN:VEVENT\r\nUID:a\r\nSUMMARY:Fair\r\nDTSTART;VALUE=DATE:20261201\r\nDTEND;VALUE=DATE:20261202\r\nEND:VEVENT\r\n"
                "BEGIN:VEVENT\r\nUID:b\r\nSUMMARY:Call prep\r\nDTSTART:20261120T080000\r\nDURATION:PT45M\r\nEND:VEVENT\r\n"
                "BEGIN:VEVENT\r\nUID:c\r\nSUMMARY:Old lunch\r\nDTSTART:20261001T110000Z\r\nDTEND:20261001T120000Z\r\nEND:VEVENT\r\n")
    code, out, _ = cli(capsys, database, "import", "ics", str(path), "--record", f"lead:{lead.id}")
    assert code == 0 and "imported 3 activities" in out
    fair = Activity.get(Activity.subject == "Fair")
    assert (fair.planned_date, fair.start_at, fair.status) == (dt.date(2026, 12, 1), None, "open")
    prep = Activity.get(Activity.subject == "Call prep")  # floating time: the owner's zone (Berlin)
    assert (str(prep.start_at), prep.duration_min) == ("2026-11-20 07:00:00", 45)
    assert Activity.get(Activity.subject == "Old lunch").status == "done"
    code, out, _ = cli(capsys, database, "import", "ics", str(path), "--record", f"lead:{lead.id}")
    assert "imported 0 activities, skipped 3 items" in out  # a second import finds them all


def test_latin1_folded_and_salesforce_style_breakage(capsys, database, rep, tmp_path: Path) -> None:
    lead = _lead(rep)
    path = _ics(tmp_path, "\r\nBEGIN:VEVENT\r\nUID:x\r\nSUMMARY:Möte i Malmö med en väldigt lång rubrik som måste\r\n"
                " viks\r\nDTSTART:20261124T090000Z\r\nDTEND: 20261124T100000Z\r\nDURATION:PT60M\r\nEND:VEVENT\r\n",
                encoding="latin-1")
    code, out, err = cli(capsys, database, "import", "ics", str(path), "--record", f"lead:{lead.id}")
    assert code == 0 and "imported 1 activity" in out
    assert "not UTF-8" in err and "blank line" in err and "both DTEND and DURATION" in err
    meeting = Activity.get()
    assert meeting.subject == "Möte i Malmö med en väldigt lång rubrik som måsteviks"
    assert meeting.duration_min == 60
    code, out, _ = cli(capsys, database, "import", "ics", str(path), "--record", f"lead:{lead.id}")
    assert "skipped 1 item" in out and "duplicate meeting" in out  # non-ASCII subjects match too


def test_damaged_calendars_are_refused_with_the_line(capsys, database, rep, tmp_path: Path) -> None:
    truncated = _ics(tmp_path, "", name="t.ics")
    truncated.write_bytes(b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:x\r\nEND:VEVENT\r\n")
    code, _, err = cli(capsys, database, "import", "ics", str(truncated))
    assert code == 1 and "truncated: VCALENDAR begun at line 1 is never ended" in err
    stray = _ics(tmp_path, "BEGIN:VEVENT\r\nUID:1\r\nDTSTART:20261124T090000Z\r\nEND:VEVENT\r\nX\r\n", name="s.ics")
    code, _, err = cli(capsys, database, "import", "ics", str(stray))
    assert code == 1 and "line 8 is not an iCalendar line (no colon): 'X'" in err
    not_ics = tmp_path / "n.ics"
    not_ics.write_text("hello: world\n")
    code, _, err = cli(capsys, database, "import", "ics", str(not_ics))
    assert code == 1 and "not an iCalendar file" in err
    assert Activity.select().count() == 0


def test_vtodo_becomes_a_task(capsys, database, rep, tmp_path: Path) -> None:
    lead = _lead(rep)
    path = _ics(tmp_path, "BEGIN:VTODO\r\nUID:t\r\nSUMMARY:Send contract\r\nDUE;VALUE=DATE:20261130\r\n"
                "STATUS:NEEDS-ACTION\r\nEND:VTODO\r\n")
    code, out, _ = cli(capsys, database, "import", "ics", str(path), "--record", f"lead:{lead.id}")
    task = Activity.get()
    assert (task.type, task.planned_date, task.status) == ("task", dt.date(2026, 11, 30), "open")
