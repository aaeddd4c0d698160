""""What wins" on a fixture with known outcomes: win rates and Wilson intervals,
small buckets flagged, durations, lead conversion, and the rule that nobody
reads another person's figures (enforced in the domain)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from crm_tui import db, schema
from crm_tui.config import Config, Insights
from crm_tui.domain import demo, insights, users
from crm_tui.domain.errors import DomainError, PermissionDenied
from crm_tui.models import Activity, Lead, LeadTouch, Opportunity, StepCompletion, User

T = dt.datetime(2026, 11, 18, 9, 0)
D = dt.timedelta(days=1)
CFG = Config(insights=Insights(min_sample=3))


def deal(owner: User, won: bool, *, demos: tuple[int, ...] = (), calls: int = 0, days: int = 20,
         steps: tuple[int, ...] = ()) -> Opportunity:
    """A deal created `days` before it closed; demos done on the given days after creation."""
    created = T - 60 * D
    closed = created + days * D
    opp = Opportunity.create(name="Deal", owner=owner, state="won" if won else "lost", created_at=created,
                             closed_at=closed, close_reason="" if won else "price")
    for offset in demos:
        done(opp, "demo", created + offset * D)
    for i in range(calls):
        done(opp, "call", created + (i + 1) * D)
    done(opp, "meeting", closed + D)  # after the close: never counted
    for key, offset in zip(("discovery", "demo", "proposal"), steps):
        StepCompletion.create(opportunity=opp, step=key, completed_at=created + offset * D)
    return opp


def done(opp: Opportunity, kind: str, at: dt.datetime) -> None:
    Activity.create(type=kind, subject=kind, owner=opp.owner, record_kind="opportunity", record_id=opp.id,
                    planned_date=at.date(), status="done", outcome="done", completed_at=at)


def lead(owner: User, source: str, converted: bool, *, touches_before: int = 1) -> Lead:
    created = T - 40 * D
    row = Lead.create(last_name="L", owner=owner, status="converted" if converted else "unqualified",
                      original_source=source, source=source, created_at=created, status_changed_at=T - 5 * D)
    for i in range(touches_before):
        LeadTouch.create(lead=row, source=source, touched_at=created + i * dt.timedelta(hours=1))
    LeadTouch.create(lead=row, source=source, touched_at=created + 10 * D)  # after first contact
    Activity.create(type="call", subject="first call", owner=owner, record_kind="lead", record_id=row.id,
                    planned_date=(created + 2 * D).date(), status="done", outcome="connected",
                    completed_at=created + 2 * D)
    return row


@pytest.fixture
def world(rep: User) -> dict[str, User]:
    bo = users.add_user("bo", "Bo Berg", role="rep")
    for _ in range(4):
        deal(rep, True, demos=(2,), days=10, steps=(1, 3, 6))
    deal(bo, False, demos=(2,), days=30)
    for who in (rep, rep, rep, bo, bo):
        deal(who, False, calls=1, days=40, steps=(2,))
    deal(bo, True, calls=1, days=12)
    for _ in range(2):
        deal(bo, True, demos=(10, 12), days=20)
    Opportunity.create(name="Still open", owner=rep, created_at=T - 10 * D)
    for converted in (True, True, True, False):
        lead(rep, "referral", converted, touches_before=2)
    for _ in range(2):
        lead(bo, "cold call", False)
    return {"ann": rep, "bo": bo}


def figure(report: insights.Report, section: str, group: str, bucket: str) -> insights.Finding:
    return next(f for f in report.findings if (f.section, f.group, f.bucket) == (section, group, bucket))


def test_win_rates_by_activity_count_with_wilson_intervals(world: dict[str, User]) -> None:
    report = insights.report(world["ann"], CFG)
    assert (report.deals, report.won) == (13, 7)
    one = figure(report, "activity_count", "demo", "1").team
    assert (one.hits, one.n) == (4, 5)
    assert one.rate == pytest.approx(0.8)
    assert one.low == pytest.approx(0.3755, abs=1e-3) and one.high == pytest.approx(0.9638, abs=1e-3)
    zero = figure(report, "activity_count", "demo", "0").team
    assert (zero.hits, zero.n) == (1, 6)
    assert zero.low < zero.rate < zero.high and one.text == "80% (4 of 5, 38%-96%)"
    meetings = figure(report, "activity_count", "meeting", "0").team
    assert (meetings.hits, meetings.n) == (7, 13)  # the meetings after each close do not count


def test_small_buckets_are_flagged_not_enough_data(world: dict[str, User]) -> None:
    report = insights.report(world["ann"], CFG)
    two = figure(report, "activity_count", "demo", "2").team
    assert (two.hits, two.n, two.rate, two.low, two.high) == (2, 2, None, None, None)
    assert two.text == "not enough data (2 of 2)" and not two.enough
    empty = figure(report, "activity_count", "demo", "3+").team
    assert empty.n == 0 and not empty.enough
    strict = insights.report(world["ann"], dataclasses.replace(CFG, insights=Insights(min_sample=6)))
    assert not figure(strict, "activity_count", "demo", "1").team.enough
    assert figure(strict, "activity_count", "demo", "0").team.enough


def test_early_activity_durations_steps_and_leads(world: dict[str, User]) -> None:
    report = insights.report(world["ann"], CFG)
    early = figure(report, "early_activity", "demo", "yes").team
    late = figure(report, "early_activity", "demo", "no").team
    assert (early.hits, early.n, late.hits, late.n) == (4, 5, 3, 8)
    won = figure(report, "days_to_close", "won", "").team
    lost = figure(report, "days_to_close", "lost", "").team
    assert (won.median, won.n) == (10.0, 7) and (lost.median, lost.n) == (40.0, 6)
    discovery = figure(report, "step_days", "discovery", "lost").team
    assert (discovery.median, discovery.n) == (2.0, 5)
    proposal = figure(report, "step_days", "proposal", "won").team
    assert (proposal.median, proposal.n) == (3.0, 4)
    referral = figure(report, "lead_source", "referral", "").team
    assert (referral.hits, referral.n) == (3, 4) and referral.enough
    assert not figure(report, "lead_source", "cold call", "").team.enough
    twice = figure(report, "touches_before_contact", "touches", "2").team
    assert (twice.hits, twice.n) == (3, 4)


def test_a_rep_sees_own_figures_beside_the_team(world: dict[str, User]) -> None:
    report = insights.report(world["ann"], CFG, owner=world["ann"])
    one = figure(report, "activity_count", "demo", "1")
    assert (one.team.hits, one.team.n) == (4, 5)
    assert (one.mine.hits, one.mine.n) == (4, 4)
    rows = insights.as_rows(report)
    scopes = {row["scope"] for row in rows}
    assert scopes == {"team", "mine"}
    assert {"scope", "section", "group", "bucket", "hits", "n", "rate", "low", "high", "median_days",
            "enough", "text"} <= set(rows[0])


def test_nobody_reads_another_persons_figures(world: dict[str, User], manager: User) -> None:
    with pytest.raises(PermissionDenied, match="nobody sees another person's figures"):
        insights.report(world["ann"], CFG, owner=world["bo"])
    with pytest.raises(DomainError):
        insights.report(manager, CFG, owner=world["ann"])
    team = insights.as_rows(insights.report(manager, CFG))
    assert {row["scope"] for row in team} == {"team"}


def test_the_report_finds_the_demo_pattern(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The small demo really has what wins in it, and the report finds it."""
    db.open_database(str(tmp_path / "demo.db"))
    schema.ensure_schema()
    demo.build(seed=1, leads=300)
    viewer = User.get(User.login == demo.DEMO_LOGIN)
    report = insights.report(viewer, Config())
    early = figure(report, "early_activity", "demo", "yes").team
    late = figure(report, "early_activity", "demo", "no").team
    assert early.enough and late.enough
    assert early.low > late.high or early.rate > late.rate + 0.25
    referral = figure(report, "lead_source", "referral", "").team
    cold = figure(report, "lead_source", "cold call", "").team
    assert referral.enough and cold.enough and referral.rate > cold.rate + 0.2
