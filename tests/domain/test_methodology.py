"""Methodology steps: in order, the next step's prompt within its time frame, won and lost."""

import datetime as dt
from decimal import Decimal

import pytest

from crm_tui import clock
from crm_tui.config import Config, Step
from crm_tui.domain import methodology
from crm_tui.domain.errors import DomainError
from crm_tui.models import Activity, Opportunity, StepCompletion, User

CFG = Config()


@pytest.fixture
def opp(rep: User) -> Opportunity:
    return Opportunity.create(name="Acme rollout", owner=rep, step="discovery", amount=Decimal("1000"))


def test_working_days_skip_weekends_and_holidays() -> None:
    cfg = Config(holidays=(dt.date(2026, 11, 24),))
    thu = dt.date(2026, 11, 19)
    assert methodology.add_working_days(cfg, thu, 0) == thu
    assert methodology.add_working_days(cfg, thu, 2) == dt.date(2026, 11, 23)  # Fri, then Mon
    assert methodology.add_working_days(cfg, thu, 3) == dt.date(2026, 11, 25)  # Tue is a holiday
    assert methodology.add_working_days(cfg, dt.date(2026, 11, 21), 0) == dt.date(2026, 11, 23)  # Sat -> Mon


def test_completing_a_step_suggests_the_next_within_its_time_frame_over_a_weekend(rep: User, opp: Opportunity) -> None:
    clock.freeze("2026-11-19T15:00:00Z")  # Thursday afternoon
    cfg = Config(methodology=(Step("discovery", "Discovery call", 2, "call"), Step("demo", "Demo", 2, "demo")))
    result = methodology.complete_step(rep, cfg, opp.id)
    assert result.completed.key == "discovery" and result.scheduled is None
    nxt = result.next
    assert nxt is not None and nxt.step.key == "demo" and nxt.activity_type == "demo"
    assert nxt.due == dt.date(2026, 11, 23)  # Fri is day 1, the weekend does not count, Mon is day 2
    assert nxt.subject == "Demo: Acme rollout"
    assert Opportunity.get_by_id(opp.id).step == "demo"
    assert StepCompletion.get().step == "discovery"


def test_completing_and_scheduling_the_next_step_is_one_action(rep: User, opp: Opportunity) -> None:
    preview = methodology.suggest_next(CFG, opp.id, CFG.methodology[0], rep.time_zone)
    assert preview is not None and preview.due == dt.date(2026, 11, 27)  # demo within 7 working days
    with pytest.raises(DomainError, match="Demo is due within 7 working days, by Fri 27 Nov"):
        methodology.complete_step(rep, CFG, opp.id, follow_up=preview.follow_up(dt.date(2026, 11, 30)))
    assert StepCompletion.select().count() == 0 and Activity.select().count() == 0
    result = methodology.complete_step(rep, CFG, opp.id, follow_up=preview.follow_up(dt.date(2026, 11, 24)))
    activity = result.scheduled
    assert activity is not None
    assert (activity.type, activity.record_kind, activity.record_id) == ("demo", "opportunity", opp.id)
    assert activity.planned_date == dt.date(2026, 11, 24) and activity.deadline == dt.date(2026, 11, 27)
    assert Opportunity.get_by_id(opp.id).next_activity_on == dt.date(2026, 11, 24)


def test_steps_go_in_order_and_report_their_state(rep: User, opp: Opportunity) -> None:
    with pytest.raises(DomainError, match="complete Discovery call first"):
        methodology.complete_step(rep, CFG, opp.id, "demo")
    Opportunity.update(created_at=dt.datetime(2026, 11, 10, 9)).where(Opportunity.id == opp.id).execute()
    states = methodology.state(CFG, opp.id)
    assert [s.status for s in states] == ["current", "upcoming", "upcoming", "upcoming", "upcoming"]
    assert states[0].due == dt.date(2026, 11, 12) and states[0].overdue  # created Tue 10th, 2 working days
    methodology.complete_step(rep, CFG, opp.id, "discovery")
    states = methodology.state(CFG, opp.id)
    assert [s.status for s in states[:2]] == ["done", "current"]
    assert states[0].overdue  # done on the 18th, after its due day
    assert states[1].due == dt.date(2026, 11, 27) and not states[1].overdue
    with pytest.raises(DomainError, match="Discovery call is done already"):
        methodology.complete_step(rep, CFG, opp.id, "discovery")


def test_last_step_has_no_next(rep: User, opp: Opportunity) -> None:
    cfg = Config(methodology=(Step("only", "Only step", 3, "call"),))
    result = methodology.complete_step(rep, cfg, opp.id)
    assert result.next is None
    with pytest.raises(DomainError, match="every step of this opportunity is done"):
        methodology.complete_step(rep, cfg, opp.id)


def test_won_and_lost(rep: User, opp: Opportunity) -> None:
    with pytest.raises(DomainError, match="a reason for losing it is required"):
        methodology.mark_lost(rep, opp.id, "  ")
    assert Opportunity.get_by_id(opp.id).state == "open"
    methodology.mark_lost(rep, opp.id, "Went with a competitor on price")
    lost = Opportunity.get_by_id(opp.id)
    assert (lost.state, lost.probability, lost.close_reason) == ("lost", 0, "Went with a competitor on price")
    assert lost.closed_at == clock.utcnow_naive()
    with pytest.raises(DomainError, match="already lost"):
        methodology.mark_won(rep, opp.id)
    other = Opportunity.create(name="Beta", owner=rep)
    methodology.mark_won(rep, other.id)
    won = Opportunity.get_by_id(other.id)
    assert (won.state, won.probability, won.close_reason) == ("won", 100, "")
    with pytest.raises(DomainError, match="this opportunity is won"):
        methodology.complete_step(rep, CFG, other.id)


def test_undo_takes_back_the_step_and_its_scheduled_activity(rep: User, opp: Opportunity) -> None:
    from crm_tui.domain import changes

    preview = methodology.suggest_next(CFG, opp.id, CFG.methodology[0], rep.time_zone)
    assert preview is not None
    methodology.complete_step(rep, CFG, opp.id, follow_up=preview.follow_up())
    changes.undo_last(rep)
    assert StepCompletion.select().count() == 0 and Activity.select().count() == 0
    fresh = Opportunity.get_by_id(opp.id)
    assert fresh.step == "discovery" and fresh.next_activity_on is None


def test_the_first_step_stamp_follows_completions_and_undo(rep: User, opp: Opportunity) -> None:
    """Opportunity.first_step_at (exception rule 5 reads it): the earliest completion,
    kept when later steps are done, taken back with the step that set it."""
    from crm_tui.domain import changes, exceptions

    def stamp() -> dt.datetime | None:
        return Opportunity.get_by_id(opp.id).first_step_at

    def rule5(at: dt.datetime) -> list[int]:
        return [hit.record_id for hit in exceptions.evaluate(CFG, at=at, rules=["opportunity_steps"])]

    Opportunity.update(created_at=dt.datetime(2026, 11, 1, 9, 0)).where(Opportunity.id == opp.id).execute()
    first = dt.datetime(2026, 11, 18, 9, 0)
    assert stamp() is None and rule5(first) == [opp.id]
    methodology.complete_step(rep, CFG, opp.id)
    assert stamp() == first and rule5(first) == []
    assert rule5(first - dt.timedelta(hours=1)) == [opp.id]  # as of before the step: no step yet
    clock.freeze("2026-11-19T10:00:00Z")
    methodology.complete_step(rep, CFG, opp.id)
    assert stamp() == first
    changes.undo_last(rep)  # the second step
    assert StepCompletion.select().count() == 1 and stamp() == first
    changes.undo_last(rep)  # the first
    assert StepCompletion.select().count() == 0 and stamp() is None
    assert rule5(first) == [opp.id]
