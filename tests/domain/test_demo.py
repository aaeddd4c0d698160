"""Demo data: deterministic, complete, consistent, and with the days the
screens need (overdue work, overloaded days) for the demo user."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

import peewee as pw
import pytest

from crm_tui import clock, db, schema
from crm_tui.config import Config
from crm_tui.domain import demo, users
from crm_tui.domain.errors import DomainError
from crm_tui.models import (
    ALL_MODELS, CASE_STATUSES, LEAD_STATUSES, NOTE_KINDS, RECORD_MODELS, Activity, AuditEvent, Case, Lead,
    LeadTouch, Meta, Note, Opportunity, QualificationAnswer, StepCompletion, User,
)

SMALL = {"leads": 40, "activities": 400}


def dump() -> dict[str, list[tuple]]:
    tables = {}
    for model in ALL_MODELS:
        if model is Meta:
            continue
        tables[model._meta.table_name] = list(model.select().order_by(model._meta.primary_key).tuples())
    return tables


def local_today(tz: str) -> dt.date:
    day = clock.today(tz)
    return dt.date(day.year, day.month, day.day)  # a plain date binds on every driver


def demo_user() -> User:
    return User.get(User.login == demo.DEMO_LOGIN)


def test_same_seed_gives_the_same_data(database: str) -> None:
    demo.build(seed=7, **SMALL)
    first = dump()
    demo.clear()
    schema.ensure_schema()
    demo.build(seed=7, **SMALL)
    assert dump() == first
    demo.clear()
    schema.ensure_schema()
    demo.build(seed=8, **SMALL)
    assert dump()["lead"] != first["lead"]


def test_sizes_are_what_was_asked(database: str) -> None:
    stats = demo.build(seed=1, leads=30, accounts=12, contacts=20, activities=250, reps=3)
    assert stats.counts["lead"] == 30 and stats.counts["account"] == 12 and stats.counts["contact"] == 20
    assert User.select().where(User.role == "rep").count() == 3
    assert User.select().where(User.role == "manager").count() == 1
    assert User.select().where(User.role == "admin").count() == 1
    # The total is shared out exactly; the demo user's overload may add a few.
    assert 240 <= Activity.select().count() <= 250 + 40
    assert demo_user().time_zone == "Europe/Berlin"


def test_every_status_step_and_kind_is_present(database: str, cfg: Config) -> None:
    demo.build(seed=1, **SMALL)
    assert {s for (s,) in Lead.select(Lead.status).distinct().tuples()} == set(LEAD_STATUSES)
    open_steps = {s for (s,) in Opportunity.select(Opportunity.step).where(Opportunity.state == "open").tuples()}
    assert open_steps == {step.key for step in cfg.methodology}
    assert Opportunity.select().where(Opportunity.state == "won", Opportunity.close_reason != "").exists()
    assert Opportunity.select().where(Opportunity.state == "lost", Opportunity.close_reason != "").exists()
    assert {s for (s,) in Case.select(Case.status).distinct().tuples()} == set(CASE_STATUSES)
    now = clock.utcnow_naive()
    active = Case.status.in_(("new", "open", "waiting"))
    assert Case.select().where(active, Case.escalated_to.is_null(False)).exists()
    assert Case.select().where(active, Case.answered_at.is_null(), Case.sla_due < now).exists()
    assert {k for (k,) in Note.select(Note.kind).distinct().tuples()} == set(NOTE_KINDS)
    assert QualificationAnswer.select().count() > 0
    assert StepCompletion.select().count() > 0
    amounts = [o.amount for o in Opportunity.select()]
    assert all(isinstance(a, Decimal) and a > 0 for a in amounts)
    # Every kind of record has activities, and each activity type is used.
    kinds = {k for (k,) in Activity.select(Activity.record_kind).distinct().tuples()}
    assert kinds == set(RECORD_MODELS)
    assert {t for (t,) in Activity.select(Activity.type).distinct().tuples()} == set(cfg.activity_type_names)


def test_original_source_is_the_first_touch(database: str) -> None:
    demo.build(seed=1, **SMALL)
    for lead in Lead.select():
        touches = list(lead.touches.order_by(LeadTouch.touched_at, LeadTouch.id))
        assert touches and touches[0].source == lead.original_source
        assert touches[-1].source == lead.source


def test_activities_are_coherent(database: str, cfg: Config) -> None:
    demo.build(seed=1, **SMALL)
    now = clock.utcnow_naive()
    zones = {u.id: u.time_zone for u in User.select()}
    outcomes = {kind.name: set(kind.outcomes) for kind in cfg.activity_types}
    timed = 0
    for a in Activity.select():
        today = local_today(zones[a.owner_id])
        assert (a.start_at is None) == (a.duration_min is None)
        if a.status == "done":
            assert a.outcome in outcomes[a.type]
            assert a.completed_at is not None and a.completed_at <= now
            assert a.planned_date < today
        if a.status == "open":
            assert a.completed_at is None and a.outcome == ""
        assert a.created_at <= now
        if a.start_at is not None:
            timed += 1
            local = clock.to_local(a.start_at, zones[a.owner_id])
            assert local.date() == a.planned_date
            assert 8 <= local.hour < 18
            naive_local = dt.datetime(local.year, local.month, local.day, local.hour, local.minute)
            assert clock.to_utc_naive(naive_local, zones[a.owner_id]) == a.start_at
        if a.previous_id is not None:
            previous = Activity.get_by_id(a.previous_id)
            assert previous.record_kind == a.record_kind and previous.record_id == a.record_id
            assert previous.planned_date <= a.planned_date and previous.status != "open"
    assert timed > 0


def load_by_day(user: User, cfg: Config) -> dict[dt.date, int]:
    minutes = {kind.name: kind.minutes for kind in cfg.activity_types}
    load: dict[dt.date, int] = defaultdict(int)
    for a in Activity.select().where(Activity.owner == user, Activity.status == "open"):
        load[a.planned_date] += a.duration_min or minutes[a.type]
    return load


def test_demo_user_has_overdue_work_and_overloaded_days(database: str, cfg: Config) -> None:
    stats = demo.build(seed=1, **SMALL)
    user = demo_user()
    today = local_today(user.time_zone)
    overdue = Activity.select().where(Activity.owner == user, Activity.status == "open",
                                      Activity.planned_date < today)
    assert overdue.count() >= 3
    assert overdue.where(Activity.planned_date < today - dt.timedelta(days=3)).exists()
    load = load_by_day(user, cfg)
    capacity = user.capacity_minutes
    over = sorted(day for day, minutes in load.items() if day > today and minutes > capacity[day.weekday()])
    tomorrow = today + dt.timedelta(days=1)  # the frozen clock is a Wednesday: tomorrow is a working day
    assert tomorrow in over and len(over) >= 2
    assert tomorrow in stats.overloaded_days
    # Not every day is overloaded: the contrast is the point of Plan Tomorrow.
    coming = [today + dt.timedelta(days=i) for i in range(1, 15) if cfg.is_working_day(today + dt.timedelta(days=i))]
    assert any(load.get(day, 0) <= capacity[day.weekday()] for day in coming)
    # Some of the demo user's open work is timed, some fixed, some has a deadline.
    mine = Activity.select().where(Activity.owner == user, Activity.status == "open")
    assert mine.where(Activity.start_at.is_null(False)).exists()
    assert mine.where(Activity.start_at.is_null()).exists()
    assert mine.where(Activity.fixed == True).exists()  # noqa: E712
    assert Activity.select().where(Activity.status == "open", Activity.deadline.is_null(False)).exists()


def test_derived_stamps_match_the_rows(database: str) -> None:
    demo.build(seed=3, **SMALL)
    for kind, model in RECORD_MODELS.items():
        touches: dict[int, dt.datetime] = {}

        def bump(rid: int, at: dt.datetime | None) -> None:
            if at is not None and (rid not in touches or at > touches[rid]):
                touches[rid] = at

        next_on = dict(
            Activity.select(Activity.record_id, pw.fn.MIN(Activity.planned_date))
            .where(Activity.record_kind == kind, Activity.status == "open")
            .group_by(Activity.record_id).tuples()
        )
        for rid, at in (Activity.select(Activity.record_id, Activity.completed_at)
                        .where(Activity.record_kind == kind, Activity.status == "done").tuples()):
            bump(rid, at)
        for rid, at in Note.select(Note.record_id, Note.created_at).where(Note.record_kind == kind).tuples():
            bump(rid, at)
        if model is Lead:
            for rid, at in Lead.select(Lead.id, Lead.status_changed_at).tuples():
                bump(rid, at)
        if model is Opportunity:
            for rid, at in StepCompletion.select(StepCompletion.opportunity, StepCompletion.completed_at).tuples():
                bump(rid, at)
        for rid, last_touch, next_activity in model.select(
                model.id, model.last_touch_at, model.next_activity_on).tuples():
            assert next_activity == next_on.get(rid), (kind, rid)
            assert last_touch == touches.get(rid), (kind, rid)
    first_step = dict(StepCompletion.select(StepCompletion.opportunity, pw.fn.MIN(StepCompletion.completed_at))
                      .group_by(StepCompletion.opportunity).tuples())
    stamps = dict(Opportunity.select(Opportunity.id, Opportunity.first_step_at).tuples())
    assert first_step and all(isinstance(at, dt.datetime) for at in first_step.values())
    assert stamps == {oid: first_step.get(oid) for oid in stamps}


def test_no_audit_events_and_the_database_stays_usable(database: str) -> None:
    demo.build(seed=1, **SMALL)
    assert AuditEvent.select().count() == 0
    # New rows after a load with explicit ids get fresh ids (PostgreSQL sequences).
    admin = User.get(User.role == "admin")
    user = users.add_user("newbie", "New Bie", actor=admin)
    assert user.id == User.select(pw.fn.MAX(User.id)).scalar()


def test_bulk_load_puts_every_index_back(database: str) -> None:
    def indexes() -> set[tuple[str, str]]:
        found = set()
        for model in ALL_MODELS:
            for index in db.database.obj.get_indexes(model._meta.table_name):
                found.add((index.table, index.name))
        return found

    before = indexes()
    cache = db.database.obj.execute_sql("PRAGMA cache_size").fetchone()[0] if db.is_sqlite() else None
    stats = demo.build(seed=1, leads=20, activities=150, bulk_load=True)
    assert stats.bulk
    assert indexes() == before
    if db.is_sqlite():  # the checks switched off for the load are back on, the load's big cache gone
        pragma = db.database.obj.execute_sql
        assert pragma("PRAGMA foreign_keys").fetchone()[0] == 1
        assert pragma("PRAGMA ignore_check_constraints").fetchone()[0] == 0
        assert pragma("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert pragma("PRAGMA cache_size").fetchone()[0] == cache == -db.CACHE_KIB
    with pytest.raises(pw.IntegrityError):
        with db.database.obj.atomic():
            Lead.update(status="bogus").where(Lead.id == 1).execute()
    assert ("activity", "activity_owner_id_status_planned_date") in before


def test_a_failed_bulk_load_leaves_no_data_and_the_settings_back(database: str,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """A load that fails after its rows were written rolls them all back (no
    half-built demo to open) and gives the connection its own settings back."""
    def fail(self: object) -> None:
        raise RuntimeError("disk full")

    cache = db.database.obj.execute_sql("PRAGMA cache_size").fetchone()[0] if db.is_sqlite() else None
    with monkeypatch.context() as patched, pytest.raises(RuntimeError, match="disk full"):
        patched.setattr(demo.Builder, "_demo_series", fail)  # after every row is written
        demo.build(seed=1, leads=20, activities=150, bulk_load=True)
    assert not demo.has_data()
    if db.is_sqlite():
        pragma = db.database.obj.execute_sql
        assert pragma("PRAGMA foreign_keys").fetchone()[0] == 1
        assert pragma("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert pragma("PRAGMA cache_size").fetchone()[0] == cache
    assert demo.build(seed=1, leads=20, activities=150, bulk_load=True).counts["activity"] >= 150


def test_refuses_a_database_with_data(database: str) -> None:
    users.add_user("root", "Root", role="admin")
    assert demo.has_data()
    with pytest.raises(DomainError, match="already holds data"):
        demo.build(seed=1, **SMALL)
    demo.clear()
    assert not demo.has_data()


def test_early_demos_win_more_often(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The pattern a "what wins" analysis should find is really in the data."""
    db.open_database(str(tmp_path / "pattern.db"))
    schema.ensure_schema()
    demo.build(seed=1, leads=100, accounts=300, contacts=300, activities=2000)
    won = {True: 0, False: 0}
    total = {True: 0, False: 0}
    for opp in Opportunity.select().where(Opportunity.state.in_(("won", "lost"))):
        early = Activity.select().where(
            Activity.record_kind == "opportunity", Activity.record_id == opp.id, Activity.type == "demo",
            Activity.planned_date <= (opp.created_at + dt.timedelta(days=7)).date(),
        ).exists()
        total[early] += 1
        won[early] += opp.state == "won"
    assert total[True] >= 10 and total[False] >= 10
    assert won[True] / total[True] > won[False] / total[False] + 0.2
