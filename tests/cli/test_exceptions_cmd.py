"""`crm exceptions --format text|json|csv` for scripts, and the read-only guarantee
checked in the database itself."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import peewee
import pytest

from crm_tui import db
from crm_tui.cli import main
from crm_tui.domain import users
from crm_tui.models import Activity, Case, Lead, User

T = dt.datetime(2026, 11, 18, 9, 0)
H = dt.timedelta(hours=1)
D = dt.timedelta(days=1)


@pytest.fixture
def data(database: str, rep: User, manager: User) -> str:
    lead = Lead.create(last_name="Ng", company="Acme, \"EU\"", owner=rep, status="new", created_at=T - 2 * D)
    case = Case.create(subject="Late", owner=manager, status="open", created_at=T - 3 * D, sla_due=T - H)
    for kind, record_id, owner in (("lead", lead.id, rep), ("case", case.id, manager)):
        Activity.create(type="call", subject="follow up", owner=owner, record_kind=kind, record_id=record_id,
                        planned_date=(T + D).date(), created_at=T - 3 * D)
    db.close()
    return database


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    # At the data's instant: `main` reads the clock afresh, and from 2026-11-23 on
    # the real date would make the planned follow-ups overdue too.
    code = main([*argv, "--now", T.isoformat() + "Z"])
    out, err = capsys.readouterr()
    return code, out, err


def test_json_shape_is_stable(data: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "exceptions", "--db", data, "--format", "json")
    assert (code, err) == (0, "")
    rows = json.loads(out)
    assert [list(row) for row in rows] == [
        ["rule", "rule_text", "kind", "record_id", "record_name", "owner", "since", "detail"]] * 2
    first, second = rows
    assert first["rule"] == "lead_untouched" and first["kind"] == "lead" and first["owner"] == "ann"
    assert first["since"] == "2026-11-17T09:00:00Z"
    assert first["record_name"] == 'Ng (Acme, "EU")'
    assert isinstance(first["record_id"], int)
    assert (second["rule"], second["kind"], second["owner"], second["since"]) == (
        "case_sla", "case", "max", "2026-11-18T08:00:00Z")


def test_csv_and_text(data: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "exceptions", "--db", data, "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [row["rule"] for row in rows] == ["lead_untouched", "case_sla"]
    assert rows[0]["record_name"] == 'Ng (Acme, "EU")'
    code, out, _ = run(capsys, "exceptions", "--db", data, "--format", "text")
    assert code == 0
    assert out.splitlines()[0] == "1. New lead not touched within 1 day(s) of entry (1)"
    assert "case" in out and "[max]" in out and "since 2026-11-18T08:00:00Z" in out


def test_owner_and_as_of(data: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "exceptions", "--db", data, "--format", "json", "--owner", "max")
    assert [row["rule"] for row in json.loads(out)] == ["case_sla"]
    code, out, _ = run(capsys, "exceptions", "--db", data, "--format", "json", "--at", "2026-11-18T07:00:00Z")
    assert [row["rule"] for row in json.loads(out)] == ["lead_untouched"]  # the SLA was not yet past
    code, out, _ = run(capsys, "exceptions", "--db", data, "--format", "json", "--at", "2026-11-17T08:00:00Z")
    assert (code, json.loads(out)) == (0, [])
    code, _, err = run(capsys, "exceptions", "--db", data, "--format", "json", "--owner", "nobody")
    assert code == 1 and err.strip() == "crm: no user 'nobody'"


def test_usage_errors(data: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "exceptions", "--db", data, "--format", "xml")
    assert code == 2 and "invalid choice" in err
    code, _, err = run(capsys, "exceptions", "--db", data, "--owner", "ann")
    assert code == 2 and "--owner works with --format" in err


def test_printing_never_writes(data: str, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "exceptions", "--db", data, "--format", "json")
    db.open_database(data)
    assert User.select().count() == 2 and Lead.select().count() == 1


def test_read_only_connection_cannot_write(data: str) -> None:
    """Not just the app: the connection itself refuses, whatever the code path."""
    db.open_database(data, readonly=True)
    with pytest.raises(db.ReadOnlyError):
        users.add_user("eve", "Eve")
    with pytest.raises(peewee.DatabaseError):
        with db.database.atomic():
            Lead.create(last_name="Sneaky")
    db.close()
    db.open_database(data)
    assert Lead.select().where(Lead.last_name == "Sneaky").count() == 0
    assert User.select().where(User.login == "eve").count() == 0
