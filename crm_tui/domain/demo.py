"""Demo data: a realistic, deterministic CRM for `crm demo`, `crm --demo` and
the benchmarks.

`build()` fills an empty database from a seed (`random.Random(seed)`) with
dates relative to `clock.now()`, so a demo always looks current and the same
seed at the same instant gives the same rows. It has several reps, a manager
and an admin; accounts with contacts; leads at every status with their
touches and qualification answers; opportunities at every methodology step,
won and lost; cases in every status, some escalated or past their SLA; notes;
e-mail templates; and chains of activities (each done one followed by the
next) over the past three and the coming three weeks. The demo user
(`DEMO_LOGIN`) has overdue work, and tomorrow and one more coming day
overloaded against their capacity, so Plan Tomorrow has something to do.

Patterns worth finding are really in the data, and "what wins"
(domain.insights) finds them: an opportunity with a demo within 7 days of
its creation is won about 70 % of the time, otherwise 30 %; leads that came
by referral or from a partner convert far more often than cold calls and
trade-show contacts.

A small demo shows every status and every exception often; from
`TEAM_FROM_LEADS_PER_REP` leads per rep on (the benchmarks' large size) the
data is shaped like a working team instead (`demo_builder.TEAM_SHAPE`): two
years of mostly decided leads, a few per cent of the work slipping.
Derived stamps are kept exact: `next_activity_on` is the earliest planned day
of a record's open activities; `last_touch_at` is the latest of its done
activities' completion, its notes, a lead's status change and an
opportunity's step completions.

Rows go in through `bulk.BulkWriter` (executemany, one transaction) with
explicit ids, not through `changes`: demo rows are not user actions and get
no audit events. Large builds drop and recreate the secondary indexes around
the load. The generator itself is `demo_builder.py`; its word lists are
`demo_words.py`.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from dataclasses import dataclass

import peewee as pw

from crm_tui import db, schema
from crm_tui.config import Config
from crm_tui.domain import bulk, demo_sales
from crm_tui.domain.demo_builder import DEMO_LOGIN, DEMO_SHAPE, TEAM_FROM_LEADS_PER_REP, TEAM_SHAPE, Builder
from crm_tui.domain.errors import DomainError
from crm_tui.models import (
    ALL_MODELS, Account, Activity, AuditEvent, Case, Contact, EmailTemplate, IntakeEvent, Lead, LeadTouch, Meta,
    Note, Opportunity, QualificationAnswer, StepCompletion, User,
)

__all__ = ["DEMO_LOGIN", "GENERATOR_VERSION", "DemoStats", "build", "clear", "has_data"]

GENERATOR_VERSION = 3
"""Bumped when the same seed starts to give different data (benchmarks key their cache on it)."""

BULK_THRESHOLD = 100_000
"""From this many activities on, indexes are built after the load instead of during it."""

BULK_CACHE_KIB = 256 * 1024
"""SQLite's page cache during a bulk load: 256 MiB. A cache holding the whole
large build (1 GiB for its ~800 MB) kept index builds from reading pages back,
but took ~1 GB of memory on a shared server, and its gain (43 against 47.6 s
of CPU in one pair of large builds) was within this machine's noise."""


@dataclass(frozen=True)
class DemoStats:
    """What a build wrote, for the CLI's summary and the benchmarks."""

    counts: dict[str, int]
    seconds: float
    demo_login: str = DEMO_LOGIN
    bulk: bool = False
    overloaded_days: tuple[dt.date, ...] = ()


def has_data() -> bool:
    """True when the open database holds anything a demo build would destroy."""
    database = db.database.obj
    tables = {name for name in database.get_tables() if not name.startswith("sqlite_")}  # ANALYZE's stats
    if not tables:
        return False
    if Meta._meta.table_name not in tables:
        return True  # some other program's tables
    for model in (User, Account, Contact, Lead, Opportunity, Case, Activity, Note, AuditEvent):
        if model._meta.table_name in tables and model.select().limit(1).exists():
            return True
    return False


def clear() -> None:
    """Drop every crm table (for `crm demo --force`); `schema.ensure_schema()` makes them again."""
    database = db.database.obj
    if db.is_sqlite():
        # Dropping a table with foreign keys on deletes row by row; nothing refers in from outside.
        database.execute_sql("PRAGMA foreign_keys=OFF")
    try:
        with database.atomic():
            schema.drop_search_index(database)
            database.drop_tables(list(ALL_MODELS), safe=True, **({} if db.is_sqlite() else {"cascade": True}))
            if db.is_sqlite():
                database.execute_sql("DROP TABLE IF EXISTS sqlite_stat1")
    finally:
        if db.is_sqlite():
            database.execute_sql("PRAGMA foreign_keys=ON")


def build(
    *,
    seed: int = 1,
    leads: int = 300,
    accounts: int | None = None,
    contacts: int | None = None,
    activities: int | None = None,
    reps: int | None = None,
    config: Config | None = None,
    bulk_load: bool | None = None,
) -> DemoStats:
    """Fill the open, empty, current-schema database with demo data.

    Sizes left out follow `leads`: a third as many accounts, 2.5 contacts per
    account, ten activities per lead, a rep per 60 leads (4 to 20). Refuses a
    database that already holds data (see `has_data`, `clear`).
    """
    if leads < 0 or any(n is not None and n < 0 for n in (accounts, contacts, activities, reps)):
        raise DomainError("demo sizes must not be negative")
    schema.ensure_schema()
    if has_data():
        raise DomainError("the database already holds data; a demo needs an empty one")
    accounts = max(10, leads // 3) if accounts is None else accounts
    contacts = accounts * 5 // 2 if contacts is None else contacts
    activities = leads * 10 if activities is None else activities
    reps = min(20, max(4, leads // 60)) if reps is None else max(1, reps)
    use_bulk = activities >= BULK_THRESHOLD if bulk_load is None else bulk_load
    started = time.perf_counter()
    shape = TEAM_SHAPE if leads >= TEAM_FROM_LEADS_PER_REP * reps else DEMO_SHAPE
    builder = Builder(random.Random(seed), config or Config(), reps, shape)
    database = db.database.obj
    sqlite_file = db.is_sqlite() and getattr(database, "crm_target", None) is not None \
        and database.crm_target.location != ":memory:"
    if use_bulk and sqlite_file:
        # A rollback journal of a fresh file stays tiny (new pages need no undo
        # record), where WAL would write every page twice. WAL comes back after.
        # Foreign keys and CHECK constraints are off for the load, back on after
        # it: each costs about as much as the insert itself (IN-list checks most),
        # and the builder writes parents first and only allowed values (the small
        # builds in the tests run with every check on). No fsync of the load either
        # (synchronous=OFF): only a power cut during the build could damage the
        # file, and a half-built demo is built again anyway. The page cache is
        # raised for the load (BULK_CACHE_KIB) and set back to the connection's
        # own after it.
        saved_cache = database.execute_sql("PRAGMA cache_size").fetchone()[0]
        database.execute_sql("PRAGMA journal_mode=delete")
        database.execute_sql("PRAGMA synchronous=OFF")
        database.execute_sql(f"PRAGMA cache_size=-{BULK_CACHE_KIB}")
        database.execute_sql("PRAGMA foreign_keys=OFF")
        database.execute_sql("PRAGMA ignore_check_constraints=ON")
    try:
        with bulk.collection_paused(), database.atomic():
            loaded = (User, Account, Contact, Lead, LeadTouch, IntakeEvent, QualificationAnswer, Opportunity,
                      StepCompletion, Case, Activity, Note, EmailTemplate)
            if use_bulk:
                # The search index is built in one pass after the load, not by a trigger per row.
                schema.drop_search_index(database)
                with bulk.indexes_deferred(loaded):
                    builder.run(accounts, contacts, leads, activities)
                schema.install_search_index(database)
                if db.is_sqlite():
                    # Statistics before the sales story's domain writes: without them, the
                    # planner answers each record's "earliest open activity" by walking
                    # the open activities in date order (0.2 s per record at full size).
                    _analyze(database)
            else:
                builder.run(accounts, contacts, leads, activities)
            bulk.reset_sequences(loaded)
            demo_sales.build(builder.config, DEMO_LOGIN)  # through the domain: numbers, totals, rules
    finally:
        if use_bulk and sqlite_file:
            database.execute_sql("PRAGMA ignore_check_constraints=OFF")
            database.execute_sql("PRAGMA foreign_keys=ON")
            database.execute_sql("PRAGMA journal_mode=wal")
            database.execute_sql("PRAGMA synchronous=NORMAL")
            database.execute_sql(f"PRAGMA cache_size={saved_cache}")
    if db.is_sqlite():
        _analyze(database)
    return DemoStats(dict(builder.writer.counts), time.perf_counter() - started, DEMO_LOGIN, use_bulk,
                     tuple(builder.overloaded))


def _analyze(database: pw.Database) -> None:
    """Planner statistics from a sample of each index: seconds saved on a large build."""
    database.execute_sql("PRAGMA analysis_limit=1000")
    database.execute_sql("ANALYZE")
