"""`crm migrate-db --to postgresql://...` against a real, freshly created
PostgreSQL database (skipped when CRM_TEST_POSTGRES_URL is unset)."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Iterator
from urllib.parse import urlparse, urlunparse

import pytest

from crm_tui import db, schema
from crm_tui.cli import main
from crm_tui.domain import changes, users
from crm_tui.models import Activity, AuditEvent, Lead, Note, Opportunity, User
from tests.conftest import POSTGRES_URL

pytestmark = pytest.mark.skipif(not POSTGRES_URL, reason="CRM_TEST_POSTGRES_URL is not set")


@pytest.fixture
def empty_postgres() -> Iterator[str]:
    """A new, empty database on the test server, dropped afterwards."""
    psycopg = pytest.importorskip("psycopg")
    name = f"crm_migrate_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    parsed = urlparse(POSTGRES_URL)
    yield urlunparse(parsed._replace(path=f"/{name}"))
    db.close()
    with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@db.atomic
def sample_data() -> dict[str, int]:
    """A little of everything: money, booleans, dates, and a forward self-link."""
    ann = users.add_user("ann", "Ann Lee", role="rep", time_zone="Europe/Berlin")
    users.add_user("old", "Old Timer")
    with changes.action(None):
        changes.update(User.get(User.login == "old"), active=False)
        lead = changes.create(Lead, last_name="O'Brien [EU]", company="Acme", owner=ann)
        opp = changes.create(Opportunity, name="Big deal", lead=lead, owner=ann, amount=Decimal("12345.67"),
                             forecast_close=dt.date(2026, 12, 31))
        first = changes.create(Activity, type="call", subject="First", owner=ann, record_kind="lead",
                               record_id=lead.id, planned_date=dt.date(2026, 11, 18))
        second = changes.create(Activity, type="meeting", subject="Second", owner=ann, record_kind="lead",
                                record_id=lead.id, planned_date=dt.date(2026, 11, 19),
                                start_at=dt.datetime(2026, 11, 19, 9, 30), duration_min=45)
        # A link that points to a later row: the copy must not trip over it.
        changes.update(first, previous=second.id)
        changes.create(Note, record_kind="lead", record_id=lead.id, body="Ünïcode ✓", author=ann)
    return {"lead": lead.id, "opp": opp.id, "first": first.id, "second": second.id}


def test_migrate_copies_everything_keeps_ids_and_resets_sequences(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, empty_postgres: str
) -> None:
    source = tmp_path / "crm.db"
    db.open_database(str(source))
    schema.ensure_schema()
    ids = sample_data()
    audit_before = [(e.id, e.table, e.row_id, e.action, e.changes) for e in AuditEvent.select().order_by(AuditEvent.id)]
    db.close()

    code = main(["--db", str(source), "migrate-db", "--to", empty_postgres, "--batch", "2"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "TABLE" in out and "SQLITE" in out and "POSTGRESQL" in out and "MISMATCH" not in out
    table = {line.split()[0]: line.split()[1:] for line in out.splitlines()[1:] if len(line.split()) == 3}
    assert table["activity"] == ["2", "2"] and table["user"] == ["2", "2"] and table["note"] == ["1", "1"]
    assert table["audit_event"][0] == table["audit_event"][1] == str(len(audit_before))

    db.open_database(empty_postgres)
    assert not db.is_sqlite()
    assert schema.current_version() == schema.SCHEMA_VERSION
    opp = Opportunity.get_by_id(ids["opp"])
    assert opp.amount == Decimal("12345.67") and opp.forecast_close == dt.date(2026, 12, 31)
    assert Lead.get_by_id(ids["lead"]).last_name == "O'Brien [EU]"
    first = Activity.get_by_id(ids["first"])
    assert first.previous_id == ids["second"]
    second = Activity.get_by_id(ids["second"])
    assert second.start_at == dt.datetime(2026, 11, 19, 9, 30) and second.duration_min == 45
    assert User.get(User.login == "old").active is False
    assert Note.get().body == "Ünïcode ✓"
    assert [(e.id, e.table, e.row_id, e.action, e.changes) for e in
            AuditEvent.select().order_by(AuditEvent.id)] == audit_before
    assert json.loads(AuditEvent.get_by_id(audit_before[-1][0]).changes)["body"] == "Ünïcode ✓"
    # Sequences moved past the copied ids: new rows get new ids.
    carl = users.add_user("carl")
    assert carl.id > max(u.id for u in User.select().where(User.login != "carl"))
    db.close()

    code = main(["--db", str(source), "migrate-db", "--to", empty_postgres])
    _, err = capsys.readouterr()
    assert code == 1 and "already holds data" in err  # never copies into a used database


def test_migrate_refuses_a_non_postgresql_target(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code = main(["--db", str(tmp_path / "a.db"), "migrate-db", "--to", str(tmp_path / "b.db")])
    _, err = capsys.readouterr()
    assert code == 2 and "--to must be a postgresql:// URL" in err
