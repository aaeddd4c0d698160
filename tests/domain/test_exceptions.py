"""The exception rules: each fires exactly once on its case, never on its near miss
(one hour inside the threshold), and judges "touched" from the events themselves."""

from __future__ import annotations

import dataclasses
import datetime as dt
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from crm_tui import clock, db, schema
from crm_tui.config import Config, Thresholds
from crm_tui.domain import exceptions
from crm_tui.models import (
    Account, Activity, AuditEvent, Case, Invoice, Lead, Note, Opportunity, QualificationAnswer, Quote, SalesOrder,
    StepCompletion, User,
)

T = dt.datetime(2026, 11, 18, 9, 0)
H = dt.timedelta(hours=1)
D = dt.timedelta(days=1)
QUESTIONS = ("budget", "authority", "need", "timeline")


def add_lead(owner: User, name: str, *, created: dt.datetime, status: str = "working",
             touched: bool = True, follow_up: bool = True, **fields: Any) -> Lead:
    """A lead that breaks no rule unless the test says so."""
    lead = Lead.create(last_name=name, company="Acme [EU]", owner=owner, status=status, created_at=created,
                       last_touch_at=created + H if touched else None, **fields)
    if follow_up:
        plan(owner, "lead", lead.id)
    return lead


def plan(owner: User, kind: str, record_id: int, *, start: dt.datetime | None = None,
         day: dt.date | None = None, status: str = "open", type: str = "call",
         completed: dt.datetime | None = None) -> Activity:
    """An activity on a record; by default an open call planned for tomorrow."""
    if start is not None:
        day = start.date()
    activity = Activity.create(
        type=type, subject=f"{type} about {kind} {record_id}", owner=owner, record_kind=kind, record_id=record_id,
        planned_date=day or (T + D).date(), start_at=start, duration_min=30 if start else None,
        status=status, completed_at=completed, created_at=T - 20 * D,
    )
    if status == "open":
        model = {"lead": Lead, "opportunity": Opportunity, "case": Case, "account": Account}[kind]
        model.update(next_activity_on=activity.planned_date).where(model.id == record_id).execute()
    return activity


def answer_all(lead: Lead, count: int = 4) -> None:
    for key in QUESTIONS[:count]:
        QualificationAnswer.create(lead=lead, question=key, answer="x")


def won_opportunity(lead: Lead, **fields: Any) -> Opportunity:
    values = {"forecast_close": dt.date(2026, 12, 31), "amount": 5000, **fields}
    return Opportunity.create(name=f"Deal {lead.last_name}", lead=lead, owner=lead.owner, state="won",
                              created_at=T - 2 * D, **values)


@pytest.fixture
def world(rep: User, manager: User) -> dict[str, Any]:
    """Each rule's firing record, and next to it the near miss one hour inside its threshold."""
    ann = rep
    acme = Account.create(name="Acme [EU]", owner=ann)
    made: dict[str, Any] = {}
    # 1: untouched a day after entry.
    made["r1"] = add_lead(ann, "Untouched", created=T - D - H, status="new", touched=False)
    add_lead(ann, "Untouched-near", created=T - D + H, status="new", touched=False)
    # 2: undecided after two weeks with 4 phone notes.
    for suffix, created in (("", T - 14 * D - H), ("-near", T - 14 * D + H)):
        lead = add_lead(ann, f"Undecided{suffix}", created=created)
        for i in range(4):
            Note.create(record_kind="lead", record_id=lead.id, kind="phone", body=f"call {i}", author=ann,
                        created_at=created + (i + 1) * H)
        made.setdefault("r2", lead)
    # 3: qualified with 3 of 4 answers (near miss: all 4).
    for suffix, answers in (("", 3), ("-near", 4)):
        lead = add_lead(ann, f"Questions{suffix}", created=T - 3 * D, status="qualified", status_changed_at=T - H)
        answer_all(lead, answers)
        won_opportunity(lead)
        made.setdefault("r3", lead)
    # 4: qualified, no opportunity with a date and an amount (near miss: it has both).
    made["r4"] = add_lead(ann, "NoDeal", created=T - 3 * D, status="qualified", status_changed_at=T - H)
    answer_all(made["r4"])
    won_opportunity(made["r4"], amount=None)
    near = add_lead(ann, "NoDeal-near", created=T - 3 * D, status="qualified", status_changed_at=T - H)
    answer_all(near)
    won_opportunity(near)
    # 5: opportunity with no step five days after creation.
    for suffix, created in (("", T - 5 * D - H), ("-near", T - 5 * D + H)):
        opp = Opportunity.create(name=f"Steps{suffix}", owner=ann, account=acme, created_at=created,
                                 forecast_close=dt.date(2027, 1, 31), amount=100)
        plan(ann, "opportunity", opp.id)
        made.setdefault("r5", opp)
    # A step done, and its stamp as methodology.complete_step writes it.
    done = Opportunity.create(name="Stepping", owner=ann, created_at=T - 30 * D, first_step_at=T - 29 * D)
    StepCompletion.create(opportunity=done, step="discovery", completed_at=T - 29 * D)
    plan(ann, "opportunity", done.id)
    # 6: open case with no open activity (near miss: one activity, open).
    made["r6"] = Case.create(subject="Nothing planned", owner=ann, status="open", created_at=T - 2 * D)
    near_case = Case.create(subject="Planned", owner=ann, status="open", created_at=T - 2 * H)
    plan(ann, "case", near_case.id)
    plan(ann, "case", made["r6"].id, status="done", day=(T - D).date(), completed=T - D)
    # 7: overdue by more than 3 days, on the account (near miss: timed one hour later).
    made["r7"] = plan(ann, "account", acme.id, start=T - 3 * D - H)
    plan(ann, "account", acme.id, start=T - 3 * D + H)
    # 8: past its SLA (near misses: SLA in an hour; escalated an hour inside the answer time).
    made["r8"] = Case.create(subject="Late", owner=manager, status="open", created_at=T - 3 * D, sla_due=T - H)
    plan(manager, "case", made["r8"].id)
    for subject, fields in (("Due soon", {"sla_due": T + H}),
                            ("Escalated", {"escalated_at": T - 3 * H, "escalated_to": manager})):
        case = Case.create(subject=subject, owner=ann, status="open", created_at=T - 3 * D, **fields)
        plan(ann, "case", case.id)
    # 9: quote waiting for approval more than 24 hours (near miss: an hour less; a decided one).
    for number, (status, submitted) in enumerate((("submitted", T - 24 * H - H), ("submitted", T - 24 * H + H),
                                                  ("approved", T - 30 * D)), start=1):
        quote = Quote.create(number=number, opportunity=done, owner=ann, status=status, submitted_at=submitted,
                             created_at=submitted)
        made.setdefault("r9", quote)
    # 10: open invoice more than 7 days past the end of its due day (near miss: a day later; paid ones).
    for number, (due, status) in enumerate((((T - 8 * D).date(), "open"), ((T - 7 * D).date(), "open"),
                                            ((T - 60 * D).date(), "paid")), start=1):
        invoice = Invoice.create(number=f"INV-{number}", account=acme, owner=ann, total=100, issued_on=due - 30 * D,
                                 due_on=due, status=status, created_at=T - 40 * D)
        made.setdefault("r10", invoice)
    # 11: order not delivered by the end of its promised day (near miss: promised today; a delivered one).
    for number, (promised, status) in enumerate((((T - D).date(), "in delivery"), (T.date(), "ordered"),
                                                 ((T - 9 * D).date(), "delivered")), start=10):
        quote = Quote.create(number=number, opportunity=done, owner=ann, status="accepted", created_at=T - 20 * D)
        order = SalesOrder.create(number=number, quote=quote, account=acme, owner=ann, promised_on=promised,
                                  status=status, created_at=T - 20 * D)
        made.setdefault("r11", order)
    return made


EXPECTED = {
    "lead_untouched": ("r1", "lead", T - H),
    "lead_undecided": ("r2", "lead", T - H),
    "lead_questions": ("r3", "lead", T - H),
    "lead_no_opportunity": ("r4", "lead", T - H),
    "opportunity_steps": ("r5", "opportunity", T - H),
    "no_open_activity": ("r6", "case", T - D),
    "activity_overdue": ("r7", "activity", T - H),
    "case_sla": ("r8", "case", T - H),
    "quote_approval": ("r9", "quote", T - H),
    "invoice_overdue": ("r10", "invoice", T - 9 * H),
    "order_late": ("r11", "order", T - 9 * H),
}


def test_each_rule_fires_exactly_once_and_never_on_its_near_miss(world: dict[str, Any]) -> None:
    hits = exceptions.evaluate(Config())
    found = {(hit.rule, hit.kind, hit.record_id, hit.since) for hit in hits}
    expected = {(rule, kind, world[key].id, since) for rule, (key, kind, since) in EXPECTED.items()}
    assert found == expected
    assert [hit.number for hit in hits] == list(range(1, 12))


def test_hits_name_record_owner_and_rule_in_plain_words(world: dict[str, Any]) -> None:
    hits = {hit.rule: hit for hit in exceptions.evaluate(Config())}
    first = hits["lead_untouched"]
    assert first.record_name == "Untouched (Acme [EU])"
    assert (first.owner_login, first.owner_name) == ("ann", "Ann Lee")
    assert first.rule_text == "New lead not touched within 1 day(s) of entry"
    assert hits["case_sla"].owner_login == "max"
    assert hits["lead_undecided"].detail == "still working, 4 phone notes"
    assert hits["lead_questions"].detail == "3 of 4 questions answered"
    assert hits["activity_overdue"].record_name.startswith("Call: call about account")
    assert hits["quote_approval"].record_name == "Q-00001 · Stepping"
    assert hits["invoice_overdue"].record_name == "INV-1 · Acme [EU]"
    assert hits["invoice_overdue"].detail == "due 2026-11-10, 100.00 EUR open"
    assert hits["order_late"].detail == "promised 2026-11-17, still in delivery"
    assert hits["lead_untouched"].as_dict() == {
        "rule": "lead_untouched", "rule_text": first.rule_text, "kind": "lead",
        "record_id": world["r1"].id, "record_name": "Untouched (Acme [EU])", "owner": "ann",
        "since": "2026-11-18T08:00:00Z", "detail": "never touched",
    }


def test_as_of_an_instant_before_the_threshold_nothing_timed_fires(world: dict[str, Any]) -> None:
    earlier = exceptions.evaluate(Config(), at=T - 2 * H)
    fired = {hit.rule for hit in earlier}
    assert not fired & {"lead_untouched", "lead_undecided", "opportunity_steps", "activity_overdue", "case_sla"}


def test_compiled_rule_queries_are_reused_with_each_runs_instants(world: dict[str, Any], rep: User,
                                                                   manager: User) -> None:
    """Each rule's SQL is compiled once per shape, then bound to each run's
    instants: what a run with reused SQL finds is what a fresh compile finds."""
    runs = [(at, owner) for at in (T, T - 2 * H, T + 3 * D, T - 20 * D, T + 40 * D) for owner in (None, rep, manager)]
    exceptions._COMPILED.clear()
    reused = [exceptions.evaluate(Config(), at=at, owner=owner) for at, owner in runs]
    shapes = len(exceptions._COMPILED)
    assert shapes == 3 * 15  # 15 queries per owner filter: none, the rep, the manager
    fresh = []
    for at, owner in runs:
        exceptions._COMPILED.clear()
        fresh.append(exceptions.evaluate(Config(), at=at, owner=owner))
    assert reused == fresh
    assert len({tuple(hits) for hits in reused}) > 5  # the instants and owners change what is found
    assert {hit.rule for hit in reused[0]} == set(EXPECTED)


def test_one_owner_or_all(world: dict[str, Any], rep: User, manager: User) -> None:
    mine = exceptions.evaluate(Config(), owner=manager)
    assert [(hit.rule, hit.owner_login) for hit in mine] == [("case_sla", "max")]
    assert len(exceptions.for_viewer(manager, Config())) == 11
    assert {hit.owner_login for hit in exceptions.for_viewer(rep, Config())} == {"ann"}
    counts = exceptions.counts_by_rule(exceptions.evaluate(Config()))
    assert list(counts.values()) == [1] * 11


def test_thresholds_come_from_config(world: dict[str, Any]) -> None:
    lenient = Config(thresholds=Thresholds(lead_untouched_days=2, activity_overdue_days=5,
                                           qualified_grace_days=1, no_open_activity_days=2))
    fired = {hit.rule for hit in exceptions.evaluate(lenient)}
    assert fired == {"lead_undecided", "opportunity_steps", "case_sla", "quote_approval", "invoice_overdue",
                     "order_late"}
    patient = Config(thresholds=Thresholds(quote_approval_hours=26, invoice_overdue_days=8, order_late_days=1))
    assert not {hit.rule for hit in exceptions.evaluate(patient)} & {"quote_approval", "invoice_overdue", "order_late"}
    texts = {hit.rule_text for hit in exceptions.evaluate(lenient, rules=["lead_undecided"])}
    assert texts == {"Lead still undecided 14 days after entry, with fewer than 5 phone notes"}


def test_escalated_case_unanswered_past_the_answer_time(rep: User, manager: User) -> None:
    case = Case.create(subject="Refund", owner=rep, status="open", escalated_to=manager,
                       escalated_at=T - 5 * H, created_at=T - D)
    plan(rep, "case", case.id)
    hits = exceptions.evaluate(Config(), rules=["case_sla"])
    assert [(hit.record_id, hit.since, hit.detail) for hit in hits] == [(case.id, T - H, "escalated, not answered")]
    Case.update(answered_at=T - 2 * H).where(Case.id == case.id).execute()
    assert exceptions.evaluate(Config(), rules=["case_sla"]) == []


def test_no_open_activity_waits_for_its_grace_after_the_last_activity(rep: User) -> None:
    cfg = Config(thresholds=dataclasses.replace(Thresholds(), no_open_activity_days=1))
    case = Case.create(subject="Quiet", owner=rep, status="open", created_at=T - 10 * D)
    plan(rep, "case", case.id, status="done", day=(T - D).date(), completed=T - D + H)
    assert exceptions.evaluate(cfg, rules=["no_open_activity"]) == []
    later = exceptions.evaluate(cfg, rules=["no_open_activity"], at=T + 2 * H)
    assert [(hit.record_id, hit.since) for hit in later] == [(case.id, T + H)]


@pytest.mark.parametrize("touch", ["note", "done activity", "audited status change", "status stamp"])
def test_touched_is_read_from_events_when_the_stamp_is_missing(rep: User, touch: str) -> None:
    lead = add_lead(rep, "Kim", created=T - 3 * D, status="new", touched=False)
    if touch == "note":
        Note.create(record_kind="lead", record_id=lead.id, body="spoke", created_at=T - 2 * D)
    elif touch == "done activity":
        plan(rep, "lead", lead.id, status="done", day=(T - 2 * D).date(), completed=T - 2 * D)
    elif touch == "audited status change":
        AuditEvent.create(table="lead", row_id=lead.id, action="update", change="c1", user=rep,
                          changes='{"status": ["new", "working"]}', at=T - 2 * D)
    else:
        Lead.update(status_changed_at=T - 2 * D).where(Lead.id == lead.id).execute()
    assert exceptions.evaluate(Config(), rules=["lead_untouched"]) == []


def test_a_touch_after_the_as_of_instant_does_not_count(rep: User) -> None:
    lead = add_lead(rep, "Kim", created=T - 3 * D, status="new", touched=False)
    Note.create(record_kind="lead", record_id=lead.id, body="later", created_at=T - H)
    assert exceptions.evaluate(Config(), rules=["lead_untouched"]) == []
    before = exceptions.evaluate(Config(), rules=["lead_untouched"], at=T - 2 * H)
    assert [hit.record_id for hit in before] == [lead.id]


def test_decided_and_closed_records_are_left_alone(rep: User) -> None:
    add_lead(rep, "Gone", created=T - 30 * D, status="unqualified", touched=False, follow_up=False)
    Opportunity.create(name="Lost", owner=rep, state="lost", created_at=T - 30 * D)
    Case.create(subject="Done", owner=rep, status="resolved", created_at=T - 30 * D, sla_due=T - 20 * D)
    assert exceptions.evaluate(Config()) == []


def test_clock_now_is_the_default_instant(world: dict[str, Any]) -> None:
    clock.freeze(T - 2 * H)
    try:
        assert exceptions.evaluate(Config()) == exceptions.evaluate(Config(), at=T - 2 * H)
    finally:
        clock.freeze(T)


def test_an_upgraded_database_gets_the_rule_indexes(tmp_path: Path) -> None:
    """The migration builds the same indexes a fresh database has (the rules depend on them)."""
    fixture = Path(__file__).parents[1] / "fixtures" / "schema_v1.sql"
    old = tmp_path / "old.db"
    with sqlite3.connect(old) as conn:
        conn.executescript(fixture.read_text())
    shapes = []
    for path in (old, tmp_path / "fresh.db"):
        db.open_database(str(path))
        schema.ensure_schema()
        database = db.database.obj
        shapes.append({(table, tuple(index.columns), index.unique)
                       for table in database.get_tables() for index in database.get_indexes(table)})
        db.close()
    assert shapes[0] == shapes[1]
    assert ("activity", ("record_kind", "record_id", "status", "completed_at", "type"), False) in shapes[0]


def test_converted_leads_need_an_open_opportunity_with_date_and_amount(rep: User) -> None:
    """Rule 4 on converted leads: none at all, or an open one lacking a date or an amount,
    fires; a complete one, or a closed one (history), does not."""
    def converted(name: str) -> Lead:
        return add_lead(rep, name, created=T - 30 * D, status="converted", status_changed_at=T - 20 * D)

    bare = converted("Bare")
    lacking = converted("Lacking")
    Opportunity.create(name="No amount", lead=lacking, owner=rep, created_at=T - 19 * D,
                       forecast_close=dt.date(2027, 1, 31))
    complete = converted("Complete")
    Opportunity.create(name="Complete", lead=complete, owner=rep, created_at=T - 19 * D,
                       forecast_close=dt.date(2027, 1, 31), amount=100)
    both = converted("Both")
    Opportunity.create(name="Draft", lead=both, owner=rep, created_at=T - 19 * D)
    Opportunity.create(name="Real", lead=both, owner=rep, created_at=T - 19 * D,
                       forecast_close=dt.date(2027, 1, 31), amount=100)
    closed = converted("Closed")
    won_opportunity(closed, amount=None)
    hits = exceptions.evaluate(Config(), rules=["lead_no_opportunity"])
    assert [(hit.record_id, hit.detail) for hit in sorted(hits, key=lambda hit: hit.record_id)] == [
        (bare.id, "converted without an opportunity"),
        (lacking.id, "open opportunity lacks close date or amount"),
    ]


def test_open_leads_and_opportunities_without_a_next_step(rep: User) -> None:
    """Rule 6 on leads and opportunities: open, no next-activity stamp, no open activity."""
    lead = add_lead(rep, "Adrift", created=T - 10 * D, follow_up=False)
    add_lead(rep, "Gone", created=T - 10 * D, status="unqualified", follow_up=False)
    planned = add_lead(rep, "Planned", created=T - 10 * D)
    opp = Opportunity.create(name="Adrift deal", owner=rep, created_at=T - 10 * D)
    plan(rep, "opportunity", opp.id, status="done", day=(T - 3 * D).date(), completed=T - 3 * D)
    Opportunity.create(name="Won deal", owner=rep, state="won", created_at=T - 10 * D)
    # A stale stamp (no open activity behind it) keeps a record out, as before.
    stamped = add_lead(rep, "Stamped", created=T - 10 * D, follow_up=False, next_activity_on=(T + D).date())
    hits = exceptions.evaluate(Config(), rules=["no_open_activity"])
    assert [(hit.kind, hit.record_id, hit.since, hit.detail) for hit in hits] == [
        ("lead", lead.id, T - 10 * D, "no activity ever"),
        ("opportunity", opp.id, T - 3 * D, "last activity done 2026-11-15"),
    ]
    assert planned.id not in {hit.record_id for hit in hits} and stamped.id not in {hit.record_id for hit in hits}


def test_json_columns_are_the_json_shape(world: dict[str, Any]) -> None:
    """`as_columns` (what `crm exceptions --format json` prints from) is `Hit.as_dict`, column-wise."""
    hits = exceptions.evaluate(Config())
    columns = exceptions.as_columns(hits)
    assert [dict(zip(exceptions.JSON_KEYS, row)) for row in zip(*columns)] == [hit.as_dict() for hit in hits]
    assert tuple(hits[0].as_dict()) == exceptions.JSON_KEYS
    assert [list(column) for column in exceptions.as_columns([])] == [[]] * len(exceptions.JSON_KEYS)
    odd = [T + dt.timedelta(microseconds=999_999), T.replace(hour=0), dt.datetime(999, 12, 31, 23, 59, 59)]
    assert exceptions._iso_utc_many(odd) == [exceptions.iso_utc(instant) for instant in odd]


LARGE_OPPORTUNITY_STATISTICS = {
    "opportunity_open_first_step": "117900 2", "opportunity_created_at": "74340 1",
    "opportunity_state_created_at": "76632 1001 1", "opportunity_owner_id": "120085 1001",
    "opportunity_owner_id_state": "70022 1001 1001", "opportunity_unscheduled_since": "114142 3",
    "opportunity_open_incomplete_lead": "111197 1001", "opportunity_lead_id": "125079 2",
}
"""sqlite_stat1 of the opportunity table in the large benchmark data (`crm demo`'s
sampled ANALYZE at 100,000 opportunities): with these, a `created_at <= ?` term
beside rule 5's index term took the plan down the created_at index."""


@pytest.mark.parametrize("statistics", ["none", "sampled", "large"])
def test_rules_read_their_own_indexes_whatever_the_statistics(tmp_path: Path, statistics: str) -> None:
    """Rules 4, 5 and 6 reach their few candidates through the indexes made for them, with no
    planner statistics (a database in daily use), sampled ones (`crm demo`) or those of the
    large demo: with a composite index instead, sampled statistics sent SQLite through every
    closed record."""
    db.open_database(str(tmp_path / "plans.db"))
    schema.ensure_schema()
    owner = User.create(login="ann", display_name="Ann")
    leads = [{"last_name": f"L{i}", "owner": owner, "created_at": T - 30 * D,
              "status": "new" if i % 50 == 0 else ("converted" if i % 2 else "unqualified")} for i in range(3000)]
    Lead.insert_many(leads).execute()
    # Distinct creation instants, as in real data: "created_at <= ?" then looks
    # selective to sampled statistics, and must still not win over rule 5's index.
    Opportunity.insert_many([{"name": f"O{i}", "owner": owner, "created_at": T - 30 * D - i * H, "lead": i + 1,
                              "state": "open" if i % 50 == 0 else "won"} for i in range(1, 3000, 2)]).execute()
    Case.insert_many([{"subject": f"C{i}", "owner": owner, "created_at": T - 30 * D,
                       "status": "open" if i % 50 == 0 else "closed"} for i in range(1000)]).execute()
    connection = db.database.obj.connection()
    if statistics in ("sampled", "large"):
        connection.execute("PRAGMA analysis_limit=1000")
        connection.execute("ANALYZE")
    if statistics == "large":
        connection.execute("DELETE FROM sqlite_stat1 WHERE tbl = 'opportunity'")
        connection.executemany("INSERT INTO sqlite_stat1 VALUES ('opportunity', ?, ?)",
                               LARGE_OPPORTUNITY_STATISTICS.items())
        connection.execute("ANALYZE sqlite_schema")  # the planner reads the statistics again
    sent: list[str] = []
    connection.set_trace_callback(sent.append)
    try:
        exceptions.evaluate(Config(), at=T, rules=["lead_no_opportunity", "opportunity_steps", "no_open_activity"])
    finally:
        connection.set_trace_callback(None)
    plans = "\n".join(row[-1] for sql in sent if sql.lstrip().upper().startswith("SELECT")
                      for row in connection.execute("EXPLAIN QUERY PLAN " + sql))
    for index in ("lead_unscheduled_since", "opportunity_unscheduled_since", "support_case_unscheduled_since",
                  "opportunity_open_incomplete_lead", "opportunity_open_first_step"):
        assert f"INDEX {index} " in plans, plans
    db.close()
