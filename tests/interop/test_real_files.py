"""Every third-party file in ../shared/testdata/real handled as its PROVENANCE says."""

from __future__ import annotations

from pathlib import Path

import pytest

from crm_tui.models import Activity, Contact, Lead

from .helpers import cli, needs_real, real_files

ICS = real_files("ics", "*.ics")
VCF = real_files("vcf", "*.vcf")
CSV = real_files("csv", "*.csv")

# file -> activities expected with the clock at 2026-11-18 and a 30-day window
ICS_EXPECTED = {
    "exchange2010_unquoted_windows_tzid.ics": 2, "exchange_cdo_rrule_spaces_custom_tzid.ics": 1,
    "google_allday_weekly_alarms.ics": 23, "google_birthdays_allday_attendee_recurrence_id.ics": 3,
    "google_duration_no_dtend.ics": 1, "google_weekly_vtimezone_folded_nonascii.ics": 22,
    "outlook2007_cyrillic_tzid.ics": 1, "outlook2010_meeting_request_windows_tz.ics": 1,
    "rfc5545_vtodo_with_alarm.ics": 1, "salesforce_forcecom_dtend_and_duration.ics": 1,
    "thunderbird_import_latin1_not_utf8.ics": 4, "thunderbird_rrule_exdate_cancelled_overrides.ics": 1,
    "zimbra_rdate_exdate_overrides_junk.ics": 1,
}


@pytest.fixture
def lead(rep) -> Lead:  # type: ignore[no-untyped-def]
    return Lead.create(last_name="Target", owner=rep)


@pytest.mark.parametrize("path", ICS, ids=lambda p: p.name)
def test_real_ics(capsys, database, rep, lead, path: Path) -> None:
    needs_real(ICS)
    code, out, err = cli(capsys, database, "import", "ics", str(path), "--record", f"lead:{lead.id}")
    assert "Traceback" not in err and "unexpected" not in err
    if path.name.startswith("MALFORMED"):
        assert code == 1 and Activity.select().count() == 0
        assert ("truncated" in err) if "truncated" in path.name else ("line 13 is not an iCalendar line" in err)
        return
    assert code == 0
    assert Activity.select().count() == ICS_EXPECTED[path.name], out + err
    subjects = {a.subject for a in Activity.select()}
    if "latin1" in path.name:
        assert "Event Två" in subjects and "not UTF-8" in err
    if "folded_nonascii" in path.name:
        assert subjects == {"Daily Sync"}
    if "cancelled" in path.name:
        assert out.count("cancelled occurrence") == 2
    if "salesforce" in path.name:
        meeting = Activity.get()
        assert (str(meeting.start_at), meeting.duration_min) == ("2024-08-12 21:30:00", 60)
    if path.name.startswith("outlook2010"):  # 12:00 Eastern Daylight Time
        assert str(Activity.get().start_at) == "2013-06-10 16:00:00"
    if "birthdays" in path.name:  # the same birthday under two UIDs is one activity
        assert "duplicate meeting" in out and "RDATE ignored" in err
    if "zimbra" in path.name:
        assert "VTIMEZONE without TZID ignored" in err and "X-UNKNOWN ignored" in err
    if "vtodo" in path.name:
        assert Activity.get().type == "task"


@pytest.mark.parametrize("path", ICS, ids=lambda p: p.name)
def test_real_ics_needs_a_record(capsys, database, rep, path: Path) -> None:
    needs_real(ICS)
    code, out, err = cli(capsys, database, "import", "ics", str(path), "--dry-run")
    assert "Traceback" not in err and "unexpected" not in err and Activity.select().count() == 0
    if not path.name.startswith("MALFORMED"):
        assert code == 0 and ("--record" in out or "imported 0" in out or "would import 0" in out)


VCF_EXPECTED = {  # file -> (contacts imported, cards rejected)
    "android_v21_multi_qp_utf8.vcf": (4, 2), "android_v40_sort_as_japanese.vcf": (1, 0),
    "docomo_v21_shift_jis_qp.vcf": (1, 0), "evolution_v30.vcf": (1, 0), "exchange_v30_rev_comma_fraction.vcf": (1, 0),
    "fullcontact_v40.vcf": (1, 0), "google_contacts_v30_grouped_items.vcf": (1, 0),
    "google_contacts_v30_multi.vcf": (3, 0), "ios613_v30_grouped_photo_crcrlf.vcf": (1, 0),
    "nextcloud_sabre_v30.vcf": (1, 0), "outlook2003_v21_quoted_printable.vcf": (1, 0),
    "thunderbird_v40_export.vcf": (2, 0),
}


@pytest.mark.parametrize("path", VCF, ids=lambda p: p.name)
def test_real_vcf(capsys, database, rep, path: Path) -> None:
    needs_real(VCF)
    code, out, err = cli(capsys, database, "import", "vcf", str(path))
    assert code == 0 and "Traceback" not in err and "unexpected" not in err
    imported, rejected = VCF_EXPECTED[path.name]
    assert Contact.select().count() == imported, out + err
    assert f"rejected {rejected}," in out
    names = {(c.first_name, c.last_name) for c in Contact.select()}
    emails = {c.email for c in Contact.select()}
    if path.name.startswith("docomo"):
        assert all("\ufffd" not in first + last for first, last in names)
        assert not any(ch.isascii() and ch.isalpha() for first, last in names for ch in last)
    if path.name.startswith("ios613"):
        assert emails == {"bob@smithauto.com"} and Contact.get().account.name == "Smith Auto Repair"
    if path.name.startswith("evolution"):
        assert ("John", "Doe") in names
    if path.name.startswith("thunderbird"):
        assert "is not an email address" in err  # the @invalid addresses are reported, the cards kept
    if path.name.startswith("android_v21"):
        assert "no name" in err and "0x80" in err


@pytest.mark.parametrize("path", CSV, ids=lambda p: p.name)
def test_real_csv(capsys, database, rep, path: Path, tmp_path: Path) -> None:
    needs_real(CSV)
    from crm_tui.interop import csv_io

    records = list(csv_io.open_csv(path).records())
    assert [(line, error) for line, _, error in records] == [(2, ""), (3, "")]  # record 2 spans lines 3-4 (a quoted LF)
    cells = records[1][1]
    assert cells[24] == '"worker"' and cells[32:36] == ["custom, 1", "custom\t2", "custom\r3", "custom\n4"]
    assert cells[36] == "here's some unicode text…"
    code, out, err = cli(capsys, database, "import", "contacts", str(path))
    assert code == 0 and "Traceback" not in err
    assert "imported 2 contacts, skipped 0 duplicates, rejected 0, from 2 rows" in out
    assert "line 2: imported, but e-mail 'contact1@invalid' has no domain to mail to" in out
    assert "ignored columns: Nickname, Secondary Email" in err
    assert {(c.first_name, c.last_name, c.title) for c in Contact.select()} == {("contact", "one", ""), ("contact", "two", '"worker"')}
