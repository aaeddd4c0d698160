"""`crm today`, `crm add` and `crm done` in each format, with the same chain
and follow-up logic as the app, and the documented exit codes."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest

from crm_tui import db
from crm_tui.cli import main
from crm_tui.config import Config
from crm_tui.domain import activities
from crm_tui.models import Activity, Lead, Recurrence, User

NOW = "2026-11-18T09:00:00Z"  # Wednesday; 10:00 in Berlin
WED, THU = dt.date(2026, 11, 18), dt.date(2026, 11, 19)
CHAINS = """
holidays = [2026-11-20]
[[chains]]
after = "call"
outcome = "left voicemail"
subject = "Call again: {subject}"
working_days = 2
"""


@pytest.fixture
def setup(database: str, rep: User, tmp_path: Path) -> dict:
    lead = Lead.create(first_name="Kim", last_name="Ng", company="Acme [EU]", owner=rep)
    overdue = activities.create(rep, Config(), type="call", subject="Old call", record_kind="lead",
                                record_id=lead.id, day=WED - dt.timedelta(days=1))
    timed = activities.create(rep, Config(), type="meeting", subject="Demo prep", record_kind="lead",
                              record_id=lead.id, day=WED, time=dt.time(14, 30), duration_min=60)
    config = tmp_path / "chains.toml"
    config.write_text(CHAINS)
    db.close()
    return {"db": database, "lead": lead.id, "overdue": overdue.id, "timed": timed.id, "config": str(config)}


def run(capsys: pytest.CaptureFixture[str], setup: dict, *argv: str) -> tuple[int, str, str]:
    code = main([*argv, "--db", setup["db"], "--user", "ann", "--now", NOW, "--config", setup["config"]])
    out, err = capsys.readouterr()
    db.close()
    return code, out, err


def reopen(setup: dict) -> None:
    db.open_database(setup["db"])


def test_today_in_each_format(setup: dict, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, setup, "today", "--format", "json")
    assert (code, err) == (0, "")
    rows = json.loads(out)
    assert [row["id"] for row in rows] == [setup["overdue"], setup["timed"]]
    assert list(rows[1]) == ["id", "group", "day", "time", "duration_min", "type", "subject", "record_kind",
                             "record_id", "record_name", "priority", "overdue_days", "deadline"]
    assert (rows[0]["group"], rows[0]["overdue_days"], rows[0]["time"]) == ("overdue", 1, "")
    assert (rows[1]["day"], rows[1]["time"], rows[1]["record_name"]) == ("2026-11-18", "14:30", "Kim Ng (Acme [EU])")

    code, out, _ = run(capsys, setup, "today", "--format", "csv")
    table = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and [row["subject"] for row in table] == ["Old call", "Demo prep"]
    assert list(table[0]) == ["id", "group", "day", "time", "type", "subject", "record_kind", "record_id",
                              "record_name", "priority", "overdue_days"]

    code, out, _ = run(capsys, setup, "today")  # captured stdout is not a terminal: tab-separated
    lines = out.splitlines()
    assert code == 0 and lines[0].split("\t")[:3] == ["id", "group", "day"]
    assert lines[2].split("\t")[5] == "Demo prep"

    code, out, _ = run(capsys, setup, "today", "-q")
    assert (code, out) == (0, f"{setup['overdue']}\n{setup['timed']}\n")


def test_add_with_relative_dates_in_each_format(setup: dict, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, setup, "add", f"lead:{setup['lead']}", "Send proposal", "--type", "email",
                         "--when", "+2wd 10:00", "--format", "json")
    assert (code, err) == (0, "")
    (row,) = json.loads(out)
    # Wed + 2 working days with Friday a holiday: Monday; 10:00 Berlin is 09:00 UTC.
    assert (row["role"], row["day"], row["time"], row["type"], row["duration_min"]) == (
        "added", "2026-11-23", "10:00", "email", 10)
    reopen(setup)
    assert Activity.get_by_id(row["id"]).start_at == dt.datetime(2026, 11, 23, 9, 0)
    db.close()

    code, out, _ = run(capsys, setup, "add", "kim acme", "Check-in", "--when", "next week", "--format", "csv")
    (table,) = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and (table["day"], table["record_id"], table["type"]) == ("2026-11-23", str(setup["lead"]), "call")

    code, out, _ = run(capsys, setup, "add", f"lead:{setup['lead']}", "Weekly", "--when", "in 2 weeks",
                       "--repeat", "weekly", "-q")
    assert code == 0 and out.strip().isdigit()
    reopen(setup)
    weekly = Activity.get_by_id(int(out))
    assert weekly.planned_date == dt.date(2026, 12, 2) and Recurrence.get_by_id(weekly.series_id).unit == "weeks"
    db.close()

    code, out, _ = run(capsys, setup, "add", f"lead:{setup['lead']}", "Text", "--when", "+1d")
    assert code == 0 and out.splitlines()[1].split("\t")[:4] == ["added", out.splitlines()[1].split("\t")[1],
                                                                 "open", "2026-11-19"]


def test_add_refusals_and_usage_errors(setup: dict, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, setup, "add", f"lead:{setup['lead']}", "X", "--when", "someday")
    assert (code, out) == (1, "") and "'someday' is not a day" in err and "\n" == err[-1] and err.count("\n") == 1
    code, _, err = run(capsys, setup, "add", f"lead:{setup['lead']}", "X", "--when", "2026-11-21")
    assert code == 1 and "not a working day" in err
    code, _, err = run(capsys, setup, "add", "nobody at all", "X")
    assert code == 1 and "no record matches" in err
    code, _, err = run(capsys, setup, "add", f"lead:{setup['lead']}")
    assert code == 2 and "usage:" in err


def test_done_follows_the_configured_chain(setup: dict, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, setup, "done", str(setup["overdue"]), "--outcome", "left voicemail",
                         "--format", "json")
    assert (code, err) == (0, "")
    done, nxt = json.loads(out)
    assert (done["role"], done["status"], done["outcome"]) == ("done", "done", "left voicemail")
    assert (nxt["role"], nxt["subject"], nxt["day"], nxt["type"]) == (
        "next", "Call again: Old call", "2026-11-23", "call")  # +2wd, Friday a holiday
    reopen(setup)
    assert Activity.get_by_id(nxt["id"]).previous_id == setup["overdue"]
    assert Activity.get_by_id(setup["overdue"]).followup == "scheduled"
    db.close()


def test_done_with_a_typed_next_in_csv(setup: dict, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, setup, "done", str(setup["overdue"]), "--outcome", "connected",
                       "--next", "fri 10:00 meeting")
    assert code == 1 and "is a holiday" in err  # typed days are taken as typed, and checked
    code, out, _ = run(capsys, setup, "done", str(setup["overdue"]), "--outcome", "connected",
                       "--next", "mon 10am meeting", "--next-subject", "On-site", "--format", "csv")
    table = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and list(table[0]) == ["role", "id", "status", "day", "time", "type", "subject",
                                            "record_kind", "record_id", "record_name", "outcome"]
    assert [(row["role"], row["day"], row["time"], row["type"], row["subject"]) for row in table] == [
        ("done", "2026-11-17", "", "call", "Old call"), ("next", "2026-11-23", "10:00", "meeting", "On-site")]


def test_done_next_day_type_and_no_follow_up(setup: dict, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, setup, "done", str(setup["overdue"]), "--outcome", "connected",
                         "--next", "+2wd meeting", "--next-subject", "On-site", "-q")
    assert (code, err) == (0, "")
    done_id, next_id = (int(line) for line in out.split())
    reopen(setup)
    nxt = Activity.get_by_id(next_id)
    assert (done_id, nxt.type, nxt.subject, nxt.planned_date) == (setup["overdue"], "meeting", "On-site",
                                                                  dt.date(2026, 11, 23))
    db.close()
    code, out, _ = run(capsys, setup, "done", str(setup["timed"]), "--outcome", "meeting held", "--next", "none",
                       "--note", "Went well")
    assert code == 0 and len(out.splitlines()) == 2  # header and the done row: nothing next
    reopen(setup)
    assert Activity.get_by_id(setup["timed"]).followup == "none"
    db.close()


def test_done_refusals(setup: dict, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, setup, "done", str(setup["overdue"]), "--outcome", "bored")
    assert (code, out) == (1, "") and "outcome must be one of" in err
    code, _, err = run(capsys, setup, "done", "99999", "--outcome", "connected")
    assert code == 1 and "does not exist" in err
    code, _, err = run(capsys, setup, "done", str(setup["overdue"]))
    assert code == 2 and "--outcome" in err
    code, _, err = run(capsys, setup, "done", str(setup["overdue"]), "--outcome", "connected", "--next", "blah")
    assert code == 1 and "'blah' is not a day" in err
    reopen(setup)
    assert Activity.get_by_id(setup["overdue"]).status == "open"  # nothing half-done
    db.close()


def test_done_on_a_repeating_activity_prints_the_next_occurrence(setup: dict,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, setup, "add", f"lead:{setup['lead']}", "Weekly", "--when", "today",
                       "--repeat", "weekly", "-q")
    code, out, err = run(capsys, setup, "done", out.strip(), "--outcome", "connected", "--format", "json")
    assert (code, err) == (0, "")
    assert [(row["role"], row["day"]) for row in json.loads(out)] == [("done", "2026-11-18"), ("repeat", "2026-11-25")]
