"""The weekly review: the list on a fixture with known gaps, its order and
reasons, progress that survives a restart, and each way of dealing with an item."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from crm_tui import clock, db
from crm_tui.config import Config, Review
from crm_tui.domain import changes, review, users
from crm_tui.domain.activities import FollowUp
from crm_tui.domain.errors import DomainError
from crm_tui.models import (
    Account,
    Activity,
    Case,
    Lead,
    Opportunity,
    ReviewItem,
    ReviewSession,
    User,
)

T = dt.datetime(2026, 11, 18, 9, 0)  # the frozen clock: Wednesday
D = dt.timedelta(days=1)
TOMORROW = dt.date(2026, 11, 19)


def fine(model: type, **fields: Any) -> Any:
    """A record that needs no look: touched yesterday, next activity tomorrow."""
    return model.create(created_at=T - 30 * D, last_touch_at=T - D, next_activity_on=TOMORROW, **fields)


def gaps(ann: User, other: User) -> dict[str, Any]:
    """Ann's records: one per gap, and near misses that must stay off the list."""
    made: dict[str, Any] = {}
    made["opp_no_next"] = Opportunity.create(name="No next step", owner=ann, created_at=T - 30 * D, last_touch_at=T - 2 * D,
                                             forecast_close=dt.date(2026, 12, 31))
    made["opp_past_close"] = fine(Opportunity, name="Past close", owner=ann, forecast_close=dt.date(2026, 11, 10))
    made["opp_stale"] = Opportunity.create(name="Stale deal", owner=ann, created_at=T - 60 * D,
                                           last_touch_at=T - 20 * D, next_activity_on=TOMORROW,
                                           forecast_close=dt.date(2026, 12, 31))
    fine(Opportunity, name="Healthy", owner=ann, forecast_close=dt.date(2026, 12, 31))
    Opportunity.create(name="Won already", owner=ann, state="won", created_at=T - 60 * D)
    made["account"] = Account.create(name="Acme [EU]", owner=ann, created_at=T - 90 * D, last_touch_at=None)
    fine(Account, name="Busy Ltd", owner=ann)
    Account.create(name="Near miss", owner=ann, created_at=T - 30 * D, last_touch_at=T - 13 * D,
                   next_activity_on=TOMORROW)
    made["lead"] = Lead.create(last_name="Ng", first_name="Kim", company="Ng & Co", owner=ann, status="working",
                               created_at=T - 20 * D, last_touch_at=T - 15 * D, next_activity_on=None)
    Lead.create(last_name="Gone", owner=ann, status="unqualified", created_at=T - 90 * D)
    made["case"] = fine(Case, subject="Sensor offline", owner=ann, status="open")
    fine(Case, subject="Answered", owner=ann, status="open", answered_at=T - D)
    made["escalated"] = fine(Case, subject="Refund please", owner=other, status="open", escalated_to=ann)
    Opportunity.create(name="Someone else's", owner=other, created_at=T - 90 * D)
    return made


@pytest.fixture
def world(rep: User) -> dict[str, Any]:
    other = users.add_user("bo", "Bo Berg", role="rep")
    return gaps(rep, other)


def test_the_list_has_each_gap_in_order_with_its_reasons(rep: User, world: dict[str, Any]) -> None:
    found = review.items(rep, Config())
    listed = [(item.kind, item.record_id) for item in found]
    assert listed == [
        ("opportunity", world["opp_stale"].id),  # stalest touch first within the kind
        ("opportunity", world["opp_no_next"].id),
        ("opportunity", world["opp_past_close"].id),
        ("account", world["account"].id),
        ("lead", world["lead"].id),
        ("case", world["case"].id),
        ("case", world["escalated"].id),
    ]
    reasons = {(item.kind, item.record_id): [r.code for r in item.reasons] for item in found}
    assert reasons[("opportunity", world["opp_no_next"].id)] == [review.NO_NEXT]
    assert reasons[("opportunity", world["opp_past_close"].id)] == [review.CLOSE_PAST]
    assert reasons[("opportunity", world["opp_stale"].id)] == [review.STALE]
    assert reasons[("account", world["account"].id)] == [review.NO_NEXT, review.STALE]
    assert reasons[("lead", world["lead"].id)] == [review.NO_NEXT, review.STALE]
    assert reasons[("case", world["case"].id)] == [review.CASE_WAITING]
    assert reasons[("case", world["escalated"].id)] == [review.CASE_WAITING]
    texts = {(item.kind, item.record_id): item.reason_text for item in found}
    assert texts[("opportunity", world["opp_stale"].id)] == "no touch in 20 days"
    assert texts[("account", world["account"].id)] == "no next activity planned; never touched in 90 days"
    assert "Tue 10 Nov 2026 is past" in texts[("opportunity", world["opp_past_close"].id)]
    assert found[4].name == "Kim Ng (Ng & Co)"


def test_stale_days_come_from_config(rep: User, world: dict[str, Any]) -> None:
    from crm_tui.config import Thresholds

    loose = Config(thresholds=Thresholds(stale_record_days=30))
    listed = {(item.kind, item.record_id) for item in review.items(rep, loose)}
    assert ("opportunity", world["opp_stale"].id) not in listed
    assert ("lead", world["lead"].id) in listed  # still no next activity


def test_progress_survives_a_restart(rep: User, world: dict[str, Any], database: str) -> None:
    progress = review.start(rep, Config())
    assert (progress.done, progress.total) == (0, 7)
    first = review.current(rep)
    assert first is not None and first.position == 1 and first.kind == "opportunity"
    review.mark_reviewed(rep, first.item_id)
    second = review.current(rep, after=first.position)
    assert second is not None and second.position == 2
    review.mark_reviewed(rep, second.item_id)
    # Quit: a new connection (a new process) picks up where the rep left off.
    db.close()
    db.open_database(database)
    again = User.get(User.login == "ann")
    assert review.start(again, Config()).text == "2 of 7 reviewed"
    resumed = review.current(again)
    assert resumed is not None and resumed.position == 3
    assert ReviewSession.select().count() == 1


def test_the_list_is_frozen_when_the_review_starts(rep: User, world: dict[str, Any]) -> None:
    review.start(rep, Config())
    Lead.create(last_name="Late", owner=rep, status="new", created_at=T - 40 * D)
    assert review.progress(rep).total == 7
    assert len(review.items(rep, Config())) == 8  # the live list sees it; the running review does not


def test_scheduling_plans_the_activity_and_marks_the_item(rep: User, world: dict[str, Any]) -> None:
    review.start(rep, Config())
    step = review.current(rep)
    assert step is not None
    progress = review.schedule(rep, Config(), step.item_id, FollowUp("call", "Check in", TOMORROW))
    assert progress.done == 1
    activity = Activity.get(Activity.subject == "Check in")
    assert (activity.record_kind, activity.record_id, activity.planned_date) == (step.kind, step.record_id, TOMORROW)
    assert ReviewItem.get_by_id(step.item_id).outcome == "scheduled"
    with pytest.raises(DomainError, match="not a working day"):
        nxt = review.current(rep, after=step.position)
        review.schedule(rep, Config(), nxt.item_id, FollowUp("call", "Weekend", dt.date(2026, 11, 21)))
    assert review.progress(rep).done == 1  # nothing half-saved
    changes.undo_last(rep)
    assert review.progress(rep).done == 0
    assert not Activity.select().where(Activity.subject == "Check in").exists()


def test_update_close_date_status_and_lost(rep: User, world: dict[str, Any]) -> None:
    review.start(rep, Config())
    items = {(i.record_kind, i.record_id): i.id for i in ReviewItem.select()}
    past = items[("opportunity", world["opp_past_close"].id)]
    with pytest.raises(DomainError, match="in the past"):
        review.update(rep, Config(), past, close_date=dt.date(2026, 11, 1))
    review.update(rep, Config(), past, close_date=dt.date(2027, 1, 15))
    assert Opportunity.get_by_id(world["opp_past_close"].id).forecast_close == dt.date(2027, 1, 15)
    lead = items[("lead", world["lead"].id)]
    with pytest.raises(DomainError, match="answer"):
        review.update(rep, Config(), lead, status="qualified")
    review.update(rep, Config(), lead, status="unqualified", reason="no budget")
    assert Lead.get_by_id(world["lead"].id).status == "unqualified"
    case = items[("case", world["case"].id)]
    review.update(rep, Config(), case, status="waiting")
    assert Case.get_by_id(world["case"].id).status == "waiting"
    account = items[("account", world["account"].id)]
    with pytest.raises(DomainError, match="no status or close date"):
        review.update(rep, Config(), account, status="open")
    stale = items[("opportunity", world["opp_stale"].id)]
    with pytest.raises(DomainError, match="reason"):
        review.mark_lost(rep, stale, "  ")
    review.mark_lost(rep, stale, "chose competitor")
    lost = Opportunity.get_by_id(world["opp_stale"].id)
    assert (lost.state, lost.close_reason) == ("lost", "chose competitor")
    with pytest.raises(DomainError, match="only an opportunity"):
        review.mark_lost(rep, lead, "x")
    assert review.progress(rep).text == "4 of 7 reviewed"


def test_finishing_records_the_review_and_stops_the_reminder(rep: User, world: dict[str, Any]) -> None:
    config = Config(review=Review(weekday=2))  # Wednesday: due today
    assert review.status(rep, config).due
    review.start(rep, config)
    while (step := review.current(rep)) is not None:
        review.mark_reviewed(rep, step.item_id)
    assert review.progress(rep) is None
    status = review.status(rep, config)
    assert not status.due and status.last_completed == T and status.text == ""
    # Next week's review day makes it due again.
    clock.freeze("2026-11-25T09:00:00+00:00")
    assert review.status(rep, config).due


def test_reminder_waits_for_the_review_weekday(rep: User) -> None:
    friday = Config(review=Review(weekday=4))
    status = review.status(rep, friday)
    assert status.due_day == dt.date(2026, 11, 13)  # last Friday
    assert status.due  # never reviewed: due since last Friday
    review.start(rep, friday)  # nothing needs a look: completed at once
    assert not review.status(rep, friday).due
    assert review.status(rep, Config(review=Review(weekday=2))).text == ""


def test_nobody_else_writes_to_my_review(rep: User, world: dict[str, Any]) -> None:
    other = User.get(User.login == "bo")
    review.start(rep, Config())
    step = review.current(rep)
    with pytest.raises(DomainError, match="belongs to the rep"):
        review.mark_reviewed(other, step.item_id)


def test_an_account_is_touched_through_its_contacts_and_open_deals(rep: User, world: dict[str, Any]) -> None:
    """Calls to an account's people and work on its open deals count for the
    account: it is not "never touched", and their next steps are its own."""
    from crm_tui.models import Contact

    account = world["account"]
    Contact.create(first_name="Lou", last_name="Reed", account=account, owner=rep, created_at=T - 60 * D,
                   last_touch_at=T - 20 * D)
    texts = {(i.kind, i.record_id): i.reason_text for i in review.items(rep, Config())}
    assert texts[("account", account.id)] == "no next activity planned; no touch in 20 days"

    Contact.create(first_name="Ada", last_name="Byron", account=account, owner=rep, created_at=T - 60 * D,
                   last_touch_at=T - 2 * D)
    texts = {(i.kind, i.record_id): i.reason_text for i in review.items(rep, Config())}
    assert texts[("account", account.id)] == "no next activity planned"

    Opportunity.create(name="Closed deal", owner=rep, account=account, state="lost", created_at=T - 60 * D,
                       next_activity_on=TOMORROW)
    assert ("account", account.id) in {(i.kind, i.record_id) for i in review.items(rep, Config())}
    Opportunity.create(name="Open deal", owner=rep, account=account, created_at=T - 60 * D,
                       next_activity_on=TOMORROW)
    assert ("account", account.id) not in {(i.kind, i.record_id) for i in review.items(rep, Config())}
