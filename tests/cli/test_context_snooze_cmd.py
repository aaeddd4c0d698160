"""`crm context KIND:ID` and `crm snooze` / `crm unsnooze` in each format."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest

from crm_tui import db
from crm_tui.cli import main
from crm_tui.domain import activities
from crm_tui.config import Config
from crm_tui.models import Lead, QualificationAnswer, RecordSnooze, User


@pytest.fixture
def data(database: str, rep: User) -> tuple[str, int]:
    lead = Lead.create(first_name="Kim", last_name="Ng", company="Acme, \"EU\"", owner=rep, status="working")
    QualificationAnswer.create(lead=lead, question="budget", answer="under 10k")
    activities.add_note(rep, "lead", lead.id, "Asked for pricing")
    activities.create(rep, Config(), type="call", subject="Call back", record_kind="lead", record_id=lead.id,
                      day=dt.date(2026, 11, 19), time=dt.time(10, 0))
    db.close()
    return database, lead.id


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_context_in_each_format(data: tuple[str, int], capsys: pytest.CaptureFixture[str]) -> None:
    url, lead_id = data
    base = ("context", f"lead:{lead_id}", "--db", url, "--user", "ann")
    code, out, err = run(capsys, *base, "--format", "json")
    assert (code, err) == (0, "")
    found = json.loads(out)
    assert list(found) == ["kind", "id", "name", "fields", "open_activities", "recent", "missing_answers", "snoozed"]
    assert found["name"] == 'Kim Ng (Acme, "EU")' and found["fields"]["Status"] == "working"
    assert found["open_activities"] == [{"id": found["open_activities"][0]["id"], "type": "call",
                                         "subject": "Call back", "day": "2026-11-19", "time": "10:00",
                                         "owner": "Ann Lee"}]
    assert any(entry["detail"] == "Asked for pricing" for entry in found["recent"])
    assert found["missing_answers"] == ["Authority", "Need", "Decision timeline"] and found["snoozed"] is None

    code, out, _ = run(capsys, *base, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and list(rows[0]) == ["section", "label", "value"]
    assert rows[0] == {"section": "record", "label": "Record", "value": 'Lead Kim Ng (Acme, "EU")'}
    assert {"section": "missing", "label": "Not answered", "value": "Need"} in rows

    code, out, _ = run(capsys, *base)  # text, piped: tab-separated with a header
    lines = out.splitlines()
    assert code == 0 and lines[0] == "section\tlabel\tvalue"
    assert any(line.startswith("open\t#") and "call: Call back (Ann Lee)" in line for line in lines)

    code, _, err = run(capsys, "context", "lead:999", "--db", url, "--user", "ann")
    assert code == 1 and err.strip() == "crm: lead 999 does not exist"
    code, _, err = run(capsys, "context", "lead", "--db", url, "--user", "ann")
    assert code == 1 and "give a record as KIND:ID" in err


def test_snooze_list_unsnooze_in_each_format(data: tuple[str, int], capsys: pytest.CaptureFixture[str]) -> None:
    url, lead_id = data
    common = ("--db", url, "--user", "ann", "--now", "2026-11-18T09:00:00Z")
    code, out, err = run(capsys, "snooze", f"lead:{lead_id}", "--until", "2026-12-03", "--reason",
                         "champion on leave", *common, "--format", "json")
    assert (code, err) == (0, "")
    [row] = json.loads(out)
    assert row == {"ref": f"lead:{lead_id}", "kind": "lead", "record_id": lead_id,
                   "record_name": 'Kim Ng (Acme, "EU")', "owner": "ann", "reason": "champion on leave",
                   "until": "2026-12-03", "parked_at": "2026-11-18T09:00:00Z", "by": "Ann Lee"}

    code, out, _ = run(capsys, "snooze", "--list", *common, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and list(rows[0]) == ["kind", "record_id", "record_name", "owner", "until", "reason",
                                           "parked_at", "by"]
    assert rows[0]["reason"] == "champion on leave"
    code, out, _ = run(capsys, "snooze", "--list", *common)
    assert out.splitlines()[0].startswith("kind\trecord_id\t") and "champion on leave" in out
    code, out, _ = run(capsys, "snooze", "--list", *common, "-q")
    assert out == f"lead:{lead_id}\n"

    code, out, _ = run(capsys, "unsnooze", f"lead:{lead_id}", *common, "--format", "json")
    assert code == 0 and json.loads(out) == [{"ref": f"lead:{lead_id}", "kind": "lead", "record_id": lead_id,
                                              "snoozed": False}]
    code, out, _ = run(capsys, "snooze", "--list", *common, "--format", "json")
    assert json.loads(out) == []
    code, _, err = run(capsys, "unsnooze", f"lead:{lead_id}", *common)
    assert code == 1 and err.strip() == f"crm: lead {lead_id} is not snoozed"


def test_snooze_usage_and_refusals(data: tuple[str, int], capsys: pytest.CaptureFixture[str]) -> None:
    url, lead_id = data
    common = ("--db", url, "--user", "ann", "--now", "2026-11-18T09:00:00Z")
    code, _, err = run(capsys, "snooze", f"lead:{lead_id}", "--reason", "x", *common)
    assert code == 2 and "--until DAY and --reason TEXT" in err
    code, _, err = run(capsys, "snooze", f"lead:{lead_id}", "--until", "yesterday-ish", "--reason", "x", *common)
    assert code == 1 and "is not a day" in err
    code, _, err = run(capsys, "snooze", f"lead:{lead_id}", "--until", "+2wd", "--reason", "x", *common, "-q")
    assert (code, err) == (0, "")
    db.open_database(url)
    assert RecordSnooze.get().until == dt.date(2026, 11, 20)  # two working days after Wednesday
