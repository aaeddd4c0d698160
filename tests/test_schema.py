"""Schema versions: fresh databases, upgrades in place, and refusals."""

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from crm_tui import db, schema
from crm_tui.models import Lead, Meta, Opportunity, StepCompletion, User

FIXTURES = Path(__file__).parent / "fixtures"


def test_fresh_database_gets_the_current_version(database: str) -> None:
    assert schema.current_version() == schema.SCHEMA_VERSION
    assert schema.ensure_schema() == schema.SCHEMA_VERSION  # idempotent


def test_version_1_database_upgrades_with_its_data(tmp_path: Path) -> None:
    """A database made by release 0.1 (schema 1) opens, upgrades, and keeps every row."""
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as conn:
        conn.executescript((FIXTURES / "schema_v1.sql").read_text())
        conn.execute("INSERT INTO user (login, display_name, role, time_zone, capacity, active, email, phone, version, created_at, updated_at) "
                     "VALUES ('ann', 'Ann', 'admin', 'UTC', '420,420,420,420,420,0,0', 1, '', '', 1, '2026-01-01 00:00:00', '2026-01-01 00:00:00')")
        conn.execute("INSERT INTO lead (first_name, last_name, company, title, email, phone, status, source, original_source, owner_id, version, created_at, updated_at) "
                     "VALUES ('Kim', 'Ng', 'Acme', '', 'kim@acme.test', '', 'working', 'web', 'web', 1, 3, '2026-01-02 00:00:00', '2026-01-02 00:00:00')")
    db.open_database(str(path))
    assert schema.ensure_schema() == schema.SCHEMA_VERSION
    lead = Lead.get(Lead.email == "kim@acme.test")
    assert (lead.company, lead.status, lead.version, lead.owner.login) == ("Acme", "working", 3, "ann")
    upgraded = _table_shapes(db.database.obj)
    db.close()
    fresh = tmp_path / "fresh.db"
    db.open_database(str(fresh))
    schema.ensure_schema()
    assert upgraded == _table_shapes(db.database.obj), "a migration is missing: upgraded != fresh"


def _table_shapes(database) -> dict[str, list[str]]:
    return {
        table: sorted(column.name for column in database.get_columns(table))
        for table in database.get_tables()
    }


def test_newer_schema_is_refused(database: str) -> None:
    Meta.update(value=str(schema.SCHEMA_VERSION + 1)).where(Meta.key == "schema_version").execute()
    with pytest.raises(schema.SchemaError, match="newer than this program"):
        schema.ensure_schema()


def test_a_foreign_database_is_not_taken_over(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY)")
    db.open_database(str(path))
    with pytest.raises(schema.SchemaError, match="not a crm database"):
        schema.ensure_schema()
    assert User.__name__  # the models stay importable after a refusal


def test_each_migration_runs_on_every_backend(database: str) -> None:
    """Roll a current database back to the version-1 shape (new tables and indexes
    gone, version 1), keep a row in it, upgrade: the data stays and the shape is
    the fresh one again. On PostgreSQL this is the migration ladder's real test."""
    import re

    from playhouse.migrate import PostgresqlMigrator, SqliteMigrator, migrate

    from crm_tui.models import AlertSent, CaseArticle, KnowledgeArticle, Recurrence, ReviewItem, ReviewSession

    conn = db.database.obj
    v1_indexes = set(re.findall(r'CREATE (?:UNIQUE )?INDEX "(\w+)"', (FIXTURES / "schema_v1.sql").read_text()))
    fresh = _shape(conn)
    users_before = User.create(login="kim", display_name="Kim")
    Lead.create(last_name="Ng", owner=users_before, email="kim@acme.test")
    deal = Opportunity.create(name="Deal", owner=users_before)
    stepless = Opportunity.create(name="Stepless", owner=users_before)
    for step, day in (("demo", 12), ("discovery", 10)):
        StepCompletion.create(opportunity=deal, step=step, completed_at=dt.datetime(2026, 11, day, 9, 0))
    schema.drop_search_index(conn)
    conn.execute_sql('DROP INDEX IF EXISTS "activity_series_id"')
    migrator = SqliteMigrator(conn) if db.is_sqlite() else PostgresqlMigrator(conn)
    # SQLite's own DROP COLUMN refuses a column in a foreign key: rebuild the table instead.
    migrate(migrator.drop_column("activity", "series_id", **({"legacy": True} if db.is_sqlite() else {})))
    conn.drop_tables([CaseArticle, KnowledgeArticle, AlertSent, Recurrence, ReviewItem, ReviewSession])
    for table in conn.get_tables():
        for index in conn.get_indexes(table):
            if index.name not in v1_indexes and not index.name.endswith("_pkey") \
                    and not index.name.startswith("sqlite_autoindex"):
                conn.execute_sql(f'DROP INDEX IF EXISTS "{index.name}"')
    migrate(migrator.drop_column("opportunity", "first_step_at"))  # its index went with the others
    Meta.update(value="1").where(Meta.key == "schema_version").execute()
    assert _shape(conn) != fresh
    assert schema.ensure_schema() == schema.SCHEMA_VERSION
    assert _shape(conn) == fresh
    assert Lead.get(Lead.email == "kim@acme.test").owner.login == "kim"
    # The first-step stamp (exception rule 5) is filled from the completions there are.
    assert Opportunity.get_by_id(deal.id).first_step_at == dt.datetime(2026, 11, 10, 9, 0)
    assert Opportunity.get_by_id(stepless.id).first_step_at is None


def _shape(database) -> dict[str, tuple[list[str], list[str]]]:
    return {
        table: (
            sorted(column.name for column in database.get_columns(table)),
            sorted(index.name for index in database.get_indexes(table)),
        )
        for table in database.get_tables()
    }
