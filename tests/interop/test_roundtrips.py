"""Round trips: JSON lossless, vCard export -> import, iCalendar checked by icalendar."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import icalendar

from crm_tui import db
from crm_tui.domain import activities, changes
from crm_tui.models import Account, Activity, Contact, Lead, Opportunity, User

from .helpers import cli, write


def _seed(rep: User, cfg) -> Lead:  # type: ignore[no-untyped-def]
    with changes.action(rep):
        acme = changes.create(Account, name="Acme [EU]", owner=rep, city="Köln")
        changes.create(Contact, first_name="Zoë", last_name="Ng", email="zoe@acme.test", account=acme, owner=rep)
        lead = changes.create(Lead, last_name="Lee", company="Beta", email="lee@beta.test", owner=rep)
        changes.create(Opportunity, name="Big deal", account=acme, amount=Decimal("1234.56"), owner=rep)
    first = activities.create(rep, cfg, type="meeting", subject="Kick-off", record_kind="lead", record_id=lead.id,
                              day=dt.date(2026, 11, 19), time=dt.time(14, 30), duration_min=45)
    activities.create(rep, cfg, type="task", subject="Send offer", record_kind="lead", record_id=lead.id,
                      day=dt.date(2026, 11, 20), previous=first)
    done = activities.create(rep, cfg, type="call", subject="Old call", record_kind="lead", record_id=lead.id,
                             day=dt.date(2026, 11, 18))
    activities.complete(rep, cfg, done.id, outcome="connected", follow_up=None, note="went well")
    return lead


def _reset(database: str) -> None:
    if database.startswith("postgres"):
        db.database.obj.execute_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    else:
        db.close()
        for suffix in ("", "-wal", "-shm"):
            Path(database + suffix).unlink(missing_ok=True)


def test_json_export_import_export_is_identical(capsys, database, rep, cfg, tmp_path: Path) -> None:
    _seed(rep, cfg)
    first = tmp_path / "one.json"
    assert cli(capsys, database, "export", "json", "--output", str(first))[0] == 0
    document = json.loads(first.read_text(encoding="utf-8"))
    assert document["tables"]["opportunity"][0]["amount"] == "1234.56"
    assert document["tables"]["activity"][0]["start_at"] == "2026-11-19T13:30:00"
    code, _, err = cli(capsys, database, "import", "json", str(first))
    assert code == 1 and "not empty" in err
    _reset(database)
    code, out, _ = cli(capsys, database, "import", "json", str(first))
    assert code == 0 and "restored" in out
    second = tmp_path / "two.json"
    assert cli(capsys, database, "export", "json", "--output", str(second))[0] == 0
    assert first.read_text(encoding="utf-8") == second.read_text(encoding="utf-8")
    # the restored database keeps working: new rows get new ids
    with changes.action(User.get(User.login == "ann")):
        fresh = changes.create(Account, name="After restore")
    assert fresh.id == 2 and Opportunity.get().amount == Decimal("1234.56")


def test_csv_export_per_kind(capsys, database, rep, cfg, tmp_path: Path) -> None:
    _seed(rep, cfg)
    code, out, _ = cli(capsys, database, "export", "csv", "--kind", "contacts")
    assert code == 0
    header, row = out.splitlines()[:2]
    assert header.startswith("id,") and "account_name" in header and "Acme [EU]" in row and "Zoë" in row
    code, _, _ = cli(capsys, database, "export", "csv", "--output", str(tmp_path / "out"))
    assert code == 0 and (tmp_path / "out" / "activities.csv").read_text().count("\n") == 4


def test_vcard_export_then_import(capsys, database, rep, cfg, tmp_path: Path) -> None:
    _seed(rep, cfg)
    with changes.action(rep):
        changes.create(Contact, first_name="Jo", last_name="O'Neil; Jr", title="Head, Sales", phone="+49 30 123456",
                       email="jo@acme.test", account=Account.get(), owner=rep)
    target = tmp_path / "c.vcf"
    assert cli(capsys, database, "export", "vcf", "--output", str(target))[0] == 0
    text = target.read_bytes().decode("utf-8")
    assert text.count("BEGIN:VCARD") == 2 and "\r\n" in text and "N:O'Neil\\; Jr;Jo;;;" in text
    before = [(c.first_name, c.last_name, c.title, c.email, c.phone, c.account.name) for c in Contact.select().order_by(Contact.id)]
    Contact.delete().execute()
    code, out, _ = cli(capsys, database, "import", "vcf", str(target))
    assert code == 0 and "imported 2 contacts" in out and "new account" not in out
    after = [(c.first_name, c.last_name, c.title, c.email, c.phone, c.account.name) for c in Contact.select().order_by(Contact.id)]
    assert after == before
    code, out, _ = cli(capsys, database, "import", "vcf", str(target))
    assert "skipped 2 duplicates" in out


def test_ics_export_is_valid_and_imports_back(capsys, database, rep, cfg, tmp_path: Path) -> None:
    lead = _seed(rep, cfg)
    target = tmp_path / "cal.ics"
    assert cli(capsys, database, "ics", "--output", str(target))[0] == 0
    cal = icalendar.Calendar.from_ical(target.read_bytes())
    events = {str(e["SUMMARY"]): e for e in cal.walk("VEVENT")}
    assert [tz["TZID"] for tz in cal.walk("VTIMEZONE")] == ["Europe/Berlin"]
    kickoff = events["Kick-off"]
    assert kickoff["DTSTART"].dt == dt.datetime(2026, 11, 19, 14, 30, tzinfo=kickoff["DTSTART"].dt.tzinfo)
    assert kickoff["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert kickoff["DTEND"].dt - kickoff["DTSTART"].dt == dt.timedelta(minutes=45)
    assert events["Send offer"]["DTSTART"].dt == dt.date(2026, 11, 20)
    assert events["Old call"]["X-CRM-STATUS"] == "DONE"
    uid = str(kickoff["UID"])
    assert uid.startswith(f"activity-{Activity.get(Activity.subject == 'Kick-off').id}@")
    assert cli(capsys, database, "ics", "--output", str(tmp_path / "again.ics"))[0] == 0
    assert uid in (tmp_path / "again.ics").read_text()  # stable UIDs
    # import the file into another user's calendar: times and zone survive
    from crm_tui.domain import users

    users.add_user("bo", "Bo", time_zone="America/New_York")
    code, out, _ = cli(capsys, database, "import", "ics", str(target), "--record", f"contact:{Contact.get().id}", user="bo")
    assert code == 0 and "imported 3 activities" in out
    bo = User.get(User.login == "bo")
    copy = Activity.get((Activity.owner == bo.id) & (Activity.subject == "Kick-off"))
    original = Activity.get((Activity.owner == rep.id) & (Activity.subject == "Kick-off"))
    assert (copy.start_at, copy.duration_min) == (original.start_at, 45)
    assert Activity.get((Activity.owner == bo.id) & (Activity.subject == "Send offer")).start_at is None


def test_ics_import_links_by_attendee_or_says_what_is_needed(capsys, database, rep, cfg, tmp_path: Path) -> None:
    _seed(rep, cfg)
    src = write(tmp_path / "m.ics", "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:a1\r\n"
                "DTSTART:20261125T100000Z\r\nDURATION:PT30M\r\nSUMMARY:Review\r\n"
                "ATTENDEE;CN=Zoë:mailto:ZOE@acme.test\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:a2\r\n"
                "DTSTART:20261126T100000Z\r\nSUMMARY:Stranger\r\nATTENDEE:mailto:x@y.test\r\nEND:VEVENT\r\n"
                "END:VCALENDAR\r\n")
    code, out, _ = cli(capsys, database, "import", "ics", str(src))
    assert code == 0 and "imported 1 activity" in out and "Stranger: no contact or lead matches (x@y.test)" in out
    review = Activity.get(Activity.subject == "Review")
    assert (review.record_kind, review.type, review.duration_min) == ("contact", "meeting", 30)
