"""The schema version, and forward migrations that upgrade a database in place.

A fresh database gets every table at `SCHEMA_VERSION`. An older one runs each
migration after its version, in one transaction per step, so a database made
by an older release keeps its data. A newer one is refused: this program
would not know what its columns mean.

To change the schema: change models.py, append a function to MIGRATIONS that
brings version N-1 to N (playhouse.migrate for columns, create_table for new
tables), and the test that upgrades tests/fixtures/schema_v1.sql checks that
the result matches a fresh database.
"""

from __future__ import annotations

from typing import Callable

from playhouse.migrate import PostgresqlMigrator, SchemaMigrator, SqliteMigrator

from crm_tui import db
from crm_tui.models import ALL_MODELS, CaseArticle, KnowledgeArticle, Meta


def _knowledge_articles(migrator: SchemaMigrator) -> None:
    """Knowledge articles and their links to cases (issue 5)."""
    migrator.database.create_tables([KnowledgeArticle, CaseArticle])


def _exceptions_and_alerts(migrator: SchemaMigrator) -> None:
    """The alert bookkeeping table, and the indexes the exception rules scan."""
    from crm_tui.models import Activity, AlertSent, Lead, Note

    migrator.database.create_tables([AlertSent])
    # Two indexes grew into covering ones with the same leading columns.
    migrator.database.execute_sql('DROP INDEX IF EXISTS "activity_record_kind_record_id_status"')
    migrator.database.execute_sql('DROP INDEX IF EXISTS "lead_status_created_at"')
    for model in (Activity, Lead, Note):
        model._schema.create_indexes(safe=True)


# Each entry brings the schema from its index + 1 to index + 2.
MIGRATIONS: list[Callable[[SchemaMigrator], None]] = [_knowledge_articles, _exceptions_and_alerts]

SCHEMA_VERSION = 1 + len(MIGRATIONS)


class SchemaError(db.DatabaseError):
    """The database's schema cannot be used by this program."""


def current_version() -> int | None:
    """The stored version, or None for an empty database."""
    database = db.database.obj
    if not database.table_exists(Meta._meta.table_name):
        if database.get_tables():
            raise SchemaError("the database has tables but is not a crm database")
        return None
    row = Meta.get_or_none(Meta.key == "schema_version")
    if row is None:
        raise SchemaError("the database has no schema version: not a crm database")
    try:
        return int(row.value)
    except ValueError:
        raise SchemaError(f"unreadable schema version {row.value!r}") from None


def ensure_schema() -> int:
    """Create or upgrade the schema; returns the version now in place."""
    database = db.database.obj
    version = current_version()
    if version is not None and version > SCHEMA_VERSION:
        raise SchemaError(
            f"the database has schema version {version}, newer than this program's "
            f"{SCHEMA_VERSION}: upgrade crm_tui"
        )
    if version == SCHEMA_VERSION:
        return version
    if db.is_readonly():
        raise SchemaError("the database needs creating or upgrading, which a read-only session cannot do")
    if version is None:
        with database.atomic():
            database.create_tables(ALL_MODELS)
            Meta.insert(key="schema_version", value=str(SCHEMA_VERSION)).execute()
        return SCHEMA_VERSION
    migrator = SqliteMigrator(database) if db.is_sqlite() else PostgresqlMigrator(database)
    for number in range(version + 1, SCHEMA_VERSION + 1):
        with database.atomic():
            MIGRATIONS[number - 2](migrator)
            Meta.update(value=str(number)).where(Meta.key == "schema_version").execute()
    return SCHEMA_VERSION

