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

import re
from typing import TYPE_CHECKING, Callable

import peewee as pw

from crm_tui import db
from crm_tui.models import ALL_MODELS, CaseArticle, KnowledgeArticle, Meta

if TYPE_CHECKING:  # playhouse.migrate (~10 ms) is imported only when a database needs upgrading
    from playhouse.migrate import SchemaMigrator


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
        create_indexes_on_existing_columns(migrator.database, model)


def create_indexes_on_existing_columns(database: pw.Database, model: type[pw.Model]) -> None:
    """The model's indexes whose columns the table has at this step of an upgrade.

    A migration that creates "the model's indexes" runs against the columns of
    its own version: an index on a column a later migration adds is left to
    that migration (SQLite would otherwise index the quoted name as a constant,
    and PostgreSQL would refuse it). An index on an expression is left alone
    when the expression names such a column.
    """
    present = {column.name for column in database.get_columns(model._meta.table_name)}
    later = {field.column_name for field in model._meta.sorted_fields} - present
    for index in model._meta.fields_to_index():
        columns = {getattr(part, "column_name", None) for part in index._expressions}
        if None in columns:
            text = " ".join(getattr(part, "sql", "") for part in index._expressions
                            if getattr(part, "column_name", None) is None)
            if not text or any(re.search(rf"\b{re.escape(name)}\b", text) for name in later):
                continue
            columns.discard(None)
        if columns <= present:
            database.execute(index.safe(True))

# ---- Search index (Records search, see domain.search) ---------------------
#
# SQLite: one contentless FTS5 table over all five kinds. Its rowid encodes
# the record: id * 8 + SEARCH_KIND_NO[kind]. Triggers keep it in sync (a
# contentless table deletes by re-stating the indexed values, which the
# triggers compute from old.* with the same expressions). `digits` holds the
# phone's digits, plus national forms ("0" + the number after a 1-3 digit
# country code) of international numbers, so "0301234" finds "+49 30 1234".
# PostgreSQL: pg_trgm GIN indexes on the same expressions, without GIN's
# pending list (fastupdate = off: a search never scans a backlog of recent
# inserts; writes here are few); without pg_trgm, btree indexes on
# lower(column) serve prefix searches.

SEARCH_TABLE = "record_search"
SEARCH_KIND_NO = {"lead": 0, "account": 1, "contact": 2, "opportunity": 3, "case": 4}
SEARCH_TABLES = {"lead": "lead", "account": "account", "contact": "contact",
                 "opportunity": "opportunity", "case": "support_case"}
# Per kind: the SQL for the name, company and email columns, and the phone column ("" if none).
SEARCH_COLUMNS: dict[str, tuple[str, str, str, str]] = {
    "lead": ("{p}first_name || ' ' || {p}last_name", "{p}company", "{p}email", "phone"),
    "account": ("{p}name", "''", "{p}email", "phone"),
    "contact": ("{p}first_name || ' ' || {p}last_name", "''", "{p}email", "phone"),
    "opportunity": ("{p}name", "''", "''", ""),
    "case": ("{p}subject", "''", "''", ""),
}
_PHONE_SEPARATORS = (" ", "+", "-", "(", ")", ".", "/")


def _digits_sql(column: str) -> str:
    expr = column
    for char in _PHONE_SEPARATORS:
        expr = f"replace({expr}, '{char}', '')"
    return expr


def _phone_tokens_sql(column: str, digits: str | None = None) -> str:
    """The `digits` column: all digits, and national forms of an international number.

    `digits`: a column already holding `_digits_sql(column)`; the expression
    uses the digits up to sixteen times, and SQLite computes each use anew.
    """
    digits = digits or _digits_sql(column)
    intl = f"(CASE WHEN ltrim({column}) LIKE '+%' THEN {digits} WHEN {digits} LIKE '00%' THEN substr({digits}, 3) END)"
    national = " || ".join(f"' 0' || substr({intl}, {n})" for n in (2, 3, 4))
    return f"(CASE WHEN {intl} IS NULL THEN {digits} ELSE {intl} || {national} END)"


def _search_values(kind: str, prefix: str, digits: str | None = None) -> str:
    name, company, email, phone = SEARCH_COLUMNS[kind]
    values = [part.format(p=prefix) for part in (name, company, email)]
    if phone:
        values += [f"{prefix}{phone}", _phone_tokens_sql(f"{prefix}{phone}", digits)]
    else:
        values += ["''", "''"]
    return f"{prefix}id * 8 + {SEARCH_KIND_NO[kind]}, " + ", ".join(values)


def _search_rows(kind: str, table: str, where: str = "") -> str:
    """A SELECT of the search values of a table's rows, for indexing many at once.

    In id order: FTS5 writes out a segment whenever a rowid is lower than the
    one before, and a scan of a covering index (opportunity's name) came in
    name order, a segment every few rows (11 s instead of 0.6 s for 100k
    opportunities). The phone's digits are computed once per row, in a
    subquery (LIMIT keeps SQLite from folding it back into each use).
    """
    phone = SEARCH_COLUMNS[kind][3]
    if not phone:
        return f'SELECT {_search_values(kind, "")} FROM "{table}"{where} ORDER BY id'
    return (f'SELECT {_search_values(kind, "", digits="crm_digits")} FROM '
            f'(SELECT *, {_digits_sql(phone)} AS crm_digits FROM "{table}"{where} ORDER BY id LIMIT -1)')


def _search_watched(kind: str) -> str:
    return {"lead": "first_name, last_name, company, email, phone", "account": "name, email, phone",
            "contact": "first_name, last_name, email, phone", "opportunity": "name", "case": "subject"}[kind]


def install_search_index(database: pw.Database) -> None:
    """Create the search objects and index the rows already there (fresh and upgraded databases)."""
    if db.is_sqlite():
        _install_sqlite_search(database)
    else:
        _install_postgresql_search(database)


def drop_search_index(database: pw.Database) -> None:
    """Remove the SQLite search table and triggers, for a bulk load followed by
    install_search_index (one pass over the rows is ~5x faster than a trigger per row)."""
    if not db.is_sqlite():
        return
    for table in SEARCH_TABLES.values():
        for suffix in ("ai", "ad", "au"):
            database.execute_sql(f"DROP TRIGGER IF EXISTS {table}_search_{suffix}")
    database.execute_sql(f"DROP TABLE IF EXISTS {SEARCH_TABLE}")


def defer_search_index(database: pw.Database, table: str, first_id: int, last_id: int) -> tuple | None:
    """Before inserting rows first_id..last_id of a searched table: drop the
    per-row insert trigger, so `finish_search_index` indexes them in one pass
    (SQLite; ~2.5x cheaper for an import batch). None: nothing deferred.

    Only inside the write transaction: should anything fail, the rollback
    brings the trigger back too (SQLite's DDL is transactional).
    """
    if not db.is_sqlite() or not database.in_transaction():
        return None
    kind = next((k for k, t in SEARCH_TABLES.items() if t == table), None)
    if kind is None:
        return None
    name = f"{table}_search_ai"
    row = database.execute_sql("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", (name,)).fetchone()
    if row is None:
        return None
    database.execute_sql(f"DROP TRIGGER {name}")
    return (row[0], kind, table, first_id, last_id)


def finish_search_index(database: pw.Database, deferred: tuple) -> None:
    """Index the rows `defer_search_index` deferred and put its trigger back."""
    trigger_sql, kind, table, first_id, last_id = deferred
    database.execute_sql(
        f"INSERT INTO {SEARCH_TABLE}(rowid, name, company, email, phone, digits) "
        + _search_rows(kind, table, " WHERE id BETWEEN ? AND ?"),
        (first_id, last_id),
    )
    database.execute_sql(trigger_sql)


def _install_sqlite_search(database: pw.Database) -> None:
    columns = "rowid, name, company, email, phone, digits"
    database.execute_sql(
        f"CREATE VIRTUAL TABLE {SEARCH_TABLE} USING fts5(name, company, email, phone, digits, "
        # columnsize=0: search is unranked (no bm25), so no per-row token counts
        # to keep: a fifth less work to index 350k records.
        "content='', columnsize=0, prefix='2 3', tokenize='unicode61 remove_diacritics 2')"
    )
    # While indexing the rows already there, merge segments eight at a time
    # rather than four (FTS5's default): a tenth less work for 425k records,
    # and searches over the result measured the same. Four again afterwards.
    _search_automerge(database, 8)
    for kind, table in SEARCH_TABLES.items():
        insert = f"INSERT INTO {SEARCH_TABLE}({columns}) VALUES ({_search_values(kind, 'new.')});"
        delete = (f"INSERT INTO {SEARCH_TABLE}({SEARCH_TABLE}, {columns}) "
                  f"VALUES ('delete', {_search_values(kind, 'old.')});")
        database.execute_sql(f'CREATE TRIGGER {table}_search_ai AFTER INSERT ON "{table}" BEGIN {insert} END')
        database.execute_sql(f'CREATE TRIGGER {table}_search_ad AFTER DELETE ON "{table}" BEGIN {delete} END')
        database.execute_sql(
            f'CREATE TRIGGER {table}_search_au AFTER UPDATE OF {_search_watched(kind)} ON "{table}" '
            f"BEGIN {delete} {insert} END"
        )
        database.execute_sql(f"INSERT INTO {SEARCH_TABLE}({columns}) {_search_rows(kind, table)}")
    _search_automerge(database, 4)


def _search_automerge(database: pw.Database, segments: int) -> None:
    database.execute_sql(f"INSERT INTO {SEARCH_TABLE}({SEARCH_TABLE}, rank) VALUES ('automerge', ?)", (segments,))


PG_SEARCH_TEXT = {
    "lead": "lower(first_name || ' ' || last_name || ' ' || company || ' ' || email)",
    "account": "lower(name || ' ' || email)",
    "contact": "lower(first_name || ' ' || last_name || ' ' || email)",
    "opportunity": "lower(name)",
    "case": "lower(subject)",
}
PG_SEARCH_DIGITS = "regexp_replace(phone, '[^0-9]', '', 'g')"
PG_PREFIX_COLUMNS = {
    "lead": ("first_name", "last_name", "company", "email"), "account": ("name", "email"),
    "contact": ("first_name", "last_name", "email"), "opportunity": ("name",), "case": ("subject",),
}


def _install_postgresql_search(database: pw.Database) -> None:
    try:
        with database.atomic():
            database.execute_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        trigram = True
    except pw.DatabaseError:
        trigram = False  # not installed on the server, or not allowed: prefix search instead
    for kind, table in SEARCH_TABLES.items():
        if trigram:
            database.execute_sql(
                f'CREATE INDEX IF NOT EXISTS {table}_search_trgm ON "{table}" '
                f"USING gin (({PG_SEARCH_TEXT[kind]}) gin_trgm_ops) WITH (fastupdate = off)"
            )
            if kind in ("lead", "account", "contact"):
                database.execute_sql(
                    f'CREATE INDEX IF NOT EXISTS {table}_digits_trgm ON "{table}" '
                    f"USING gin (({PG_SEARCH_DIGITS}) gin_trgm_ops) WITH (fastupdate = off)"
                )
        else:
            for column in PG_PREFIX_COLUMNS[kind]:
                database.execute_sql(
                    f'CREATE INDEX IF NOT EXISTS {table}_{column}_lower ON "{table}" '
                    f"(lower({column}) text_pattern_ops)"
                )


def _v2_search_and_sort_indexes(migrator: SchemaMigrator) -> None:
    """Records: indexes for sorting and paging each kind, and the search index."""
    # The models declare these indexes; create the missing ones (an earlier
    # step may have made some, since it creates its tables' indexes the same way).
    from crm_tui.models import RECORD_MODELS

    for model in RECORD_MODELS.values():
        create_indexes_on_existing_columns(migrator.database, model)
    install_search_index(migrator.database)


def _snooze_presence_views_hooks(migrator: SchemaMigrator) -> None:
    """Snoozed records, presence heartbeats, saved Records views, on-exception hook bookkeeping (issue 14)."""
    from crm_tui.models import HookFired, Presence, RecordSnooze, SavedView

    migrator.database.create_tables([RecordSnooze, Presence, SavedView, HookFired])


def _job_roles(migrator: SchemaMigrator) -> None:
    """Job roles held by users (issue 11)."""
    from crm_tui.models import UserJobRole

    migrator.database.create_tables([UserJobRole])


def _sell_deliver_bill(migrator: SchemaMigrator) -> None:
    """Products, quotes, orders, invoices, payments and the gapless counters (issue 11)."""
    from crm_tui.models import Counter, Invoice, Payment, Product, Quote, QuoteLine, SalesOrder

    migrator.database.create_tables([Product, Counter, Quote, QuoteLine, SalesOrder, Invoice, Payment])


def _lead_intake(migrator: SchemaMigrator) -> None:
    """Lead capture (issue 13): the intake log and the automatic replies owed."""
    from crm_tui.models import IntakeEvent, IntakeReply

    migrator.database.create_tables([IntakeEvent, IntakeReply])


def _recurring_activities(migrator: SchemaMigrator) -> None:
    """Recurring activities (issue 14): the series table and each activity's link to it."""
    from playhouse.migrate import migrate

    from crm_tui.models import Activity, Recurrence

    migrator.database.create_tables([Recurrence])
    unindexed = pw.ForeignKeyField(Recurrence, null=True, field=Recurrence.id, on_delete="SET NULL", index=False)
    migrate(migrator.add_column("activity", "series_id", unindexed))
    create_indexes_on_existing_columns(migrator.database, Activity)


def _weekly_review(migrator: SchemaMigrator) -> None:
    """The weekly review's sessions and their items (issue 12)."""
    from crm_tui.models import ReviewItem, ReviewSession

    migrator.database.create_tables([ReviewSession, ReviewItem])


def _exception_rule_indexes(migrator: SchemaMigrator) -> None:
    """Exception rules 4, 5 and 6 (issue 6's 250 ms): expression indexes that
    only the rules' own terms can use, and a covering step-completion index."""
    from crm_tui.models import Case, Lead, Opportunity, StepCompletion

    for model in (Lead, Opportunity, Case, StepCompletion):
        create_indexes_on_existing_columns(migrator.database, model)


def _first_step_stamp(migrator: SchemaMigrator) -> None:
    """Exception rules 3 and 5 (issue 6's 250 ms): each opportunity's first
    step completion as a stamp, filled from the completions there are, and a
    covering index for the answers; three indexes that repeat the leading
    column of another go (each costs every insert, and a demo build its sort)."""
    from playhouse.migrate import migrate

    from crm_tui.models import Opportunity, QualificationAnswer

    migrate(migrator.add_column("opportunity", "first_step_at", pw.DateTimeField(null=True)))
    migrator.database.execute_sql(
        'UPDATE "opportunity" SET "first_step_at" = (SELECT MIN(s."completed_at") FROM "step_completion" AS s '
        'WHERE s."opportunity_id" = "opportunity"."id") '
        'WHERE EXISTS (SELECT 1 FROM "step_completion" AS s WHERE s."opportunity_id" = "opportunity"."id")'
    )
    for name in ("activity_owner_id", "step_completion_opportunity_id", "qualification_answer_lead_id"):
        migrator.database.execute_sql(f'DROP INDEX IF EXISTS "{name}"')
    for model in (Opportunity, QualificationAnswer):
        create_indexes_on_existing_columns(migrator.database, model)


# Each entry brings the schema from its index + 1 to index + 2.
MIGRATIONS: list[Callable[[SchemaMigrator], None]] = [
    _knowledge_articles, _exceptions_and_alerts, _v2_search_and_sort_indexes,
    _snooze_presence_views_hooks, _job_roles, _sell_deliver_bill, _lead_intake, _recurring_activities,
    _weekly_review, _exception_rule_indexes, _first_step_stamp,
]

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
            install_search_index(database)
            Meta.insert(key="schema_version", value=str(SCHEMA_VERSION)).execute()
        return SCHEMA_VERSION
    from playhouse.migrate import PostgresqlMigrator, SqliteMigrator

    migrator = SqliteMigrator(database) if db.is_sqlite() else PostgresqlMigrator(database)
    for number in range(version + 1, SCHEMA_VERSION + 1):
        with database.atomic():
            MIGRATIONS[number - 2](migrator)
            Meta.update(value=str(number)).where(Meta.key == "schema_version").execute()
    return SCHEMA_VERSION

