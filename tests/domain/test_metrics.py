"""Process metrics come from chains of events (entered -> touched, created -> steps),
team-wide, with no per-person counts."""

from __future__ import annotations

import dataclasses
import datetime as dt

from crm_tui.config import Config
from crm_tui.domain import metrics
from crm_tui.models import Activity, Lead, Note, Opportunity, Quote, StepCompletion, User

T = dt.datetime(2026, 11, 18, 9, 0)
D = dt.timedelta(days=1)
H = dt.timedelta(hours=1)


def lead(owner: User, created: dt.datetime) -> Lead:
    return Lead.create(last_name="X", owner=owner, created_at=created)


def done_call(owner: User, lead_id: int, when: dt.datetime) -> None:
    Activity.create(type="call", subject="call", owner=owner, record_kind="lead", record_id=lead_id,
                    planned_date=when.date(), status="done", completed_at=when)


def test_share_touched_within_a_day_and_median_response(rep: User) -> None:
    fast = lead(rep, T - 5 * D)
    done_call(rep, fast.id, T - 5 * D + 2 * H)
    noted = lead(rep, T - 4 * D)
    Note.create(record_kind="lead", record_id=noted.id, body="left a message", created_at=T - 4 * D + 3 * H)
    done_call(rep, noted.id, T - 2 * D)  # first completed activity after two days
    slow = lead(rep, T - 3 * D)
    done_call(rep, slow.id, T - D)  # touched, but not within a day
    lead(rep, T - 2 * H)  # too young to judge; no activity yet
    lead(rep, T - 40 * D)  # outside the period
    result = metrics.process_metrics(Config(), 30, until=T)
    assert (result.touched.part, result.touched.whole) == (2, 3)
    assert result.touched.text == "67% (2 of 3)"
    assert result.response_median == 2 * D  # 2 h, 2 days, 2 days
    assert (result.responded.part, result.responded.whole) == (3, 4)
    assert result.response_label == "Median time from inquiry to first completed activity"
    assert sum(bucket.share.whole for bucket in result.touched_by_week) == 3
    week = metrics.process_metrics(Config(), 7, until=T)
    assert len(week.touched_by_week) == 7 and week.touched.whole == 3


def test_opportunities_following_their_steps(rep: User) -> None:
    cfg = Config()
    on_time = Opportunity.create(name="On time", owner=rep, created_at=T - 10 * D)
    StepCompletion.create(opportunity=on_time, step="discovery", completed_at=T - 9 * D)
    StepCompletion.create(opportunity=on_time, step="demo", completed_at=T - 4 * D)
    late = Opportunity.create(name="Late", owner=rep, created_at=T - 10 * D)
    StepCompletion.create(opportunity=late, step="discovery", completed_at=T - 6 * D)  # 4 days, allowed 2
    Opportunity.create(name="Young", owner=rep, created_at=T - D)  # first step not due yet
    Opportunity.create(name="Stalled", owner=rep, created_at=T - 5 * D)  # discovery overdue
    result = metrics.process_metrics(cfg, 30, until=T)
    assert (result.steps.part, result.steps.whole) == (2, 4)


def test_inquiries_answered_by_an_approved_quote(rep: User) -> None:
    M = dt.timedelta(minutes=1)

    def quoted(created: dt.datetime, approved: dt.datetime | None, number: int) -> None:
        inquiry = lead(rep, created)
        opp = Opportunity.create(name=f"Deal {number}", owner=rep, lead=inquiry, created_at=created)
        Quote.create(number=number, opportunity=opp, owner=rep, status="approved" if approved else "submitted",
                     approved_at=approved, submitted_at=created)

    quoted(T - 5 * D, T - 5 * D + 10 * M, 1)     # within 15 minutes
    quoted(T - 4 * D, T - 4 * D + 16 * M, 2)     # within a day, not 15 minutes
    quoted(T - 3 * D, T - D, 3)                  # two days
    quoted(T - 2 * D, None, 4)                   # submitted, never approved
    lead(rep, T - 5 * M)                         # 5 minutes old: too young to judge either way
    result = metrics.process_metrics(Config(), 30, until=T)
    assert (result.quoted_fast.part, result.quoted_fast.whole) == (1, 4)
    assert (result.quoted_day.part, result.quoted_day.whole) == (2, 4)
    assert result.quote_median == 16 * M  # 10 min, 16 min, 2 days
    assert result.quoted_day.label == "Inquiries answered by an approved quote within a day"


def test_empty_period_says_no_data(rep: User) -> None:
    result = metrics.process_metrics(Config(), 7, until=T)
    assert result.touched.text == "no data" and metrics.duration_text(result.response_median) == "no data"
    assert metrics.duration_text(dt.timedelta(minutes=45)) == "45 min"
    assert metrics.duration_text(dt.timedelta(hours=5, minutes=30)) == "5.5 h"
    assert metrics.duration_text(dt.timedelta(days=3)) == "3.0 days"


def test_nothing_is_per_person() -> None:
    fields = {f.name for f in dataclasses.fields(metrics.ProcessMetrics)}
    assert not any("owner" in name or "user" in name for name in fields)
