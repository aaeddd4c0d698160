"""The sales methodology: ordered steps an opportunity goes through, each
within its time frame, and closing it as won or lost.

Steps live in `config.methodology`; a `StepCompletion` row says a step is
done. `Opportunity.step` is the step being worked on (the first one not
done; the last step once all are done). Completing a step suggests the next
step's activity, due within that step's `within_days` counted in working
days (config.working_days and holidays), so the UI can prompt to schedule
it; passing a `FollowUp` schedules it in the same transaction.

`Opportunity.first_step_at` is derived: the earliest completion, set here
when a step is done and redone after an undo, so exception rule 5 ("steps
not used") is an index range rather than a probe per open opportunity.

The next step's activity is offered the way `domain.chains` offers the next
activity after an outcome: the step's `subject` template, planned
`delay_days` working days ahead (never after the due day), and its `mode`:
suggest (the dialog opens prefilled), auto (completing the step schedules it
without asking) or none (the dialog opens with scheduling switched off).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import peewee as pw

from crm_tui import clock, db
from crm_tui.config import Config, Step
from crm_tui.domain import activities, changes, validation
from crm_tui.domain.activities import FollowUp
from crm_tui.domain.chains import render_subject
from crm_tui.domain.errors import DomainError, NotFound
from crm_tui.models import Activity, Opportunity, StepCompletion, User


@dataclass(frozen=True)
class StepState:
    """One step of an opportunity: done, current or upcoming, and its due day."""

    step: Step
    status: str  # "done", "current" or "upcoming"
    completed_at: dt.datetime | None
    due: dt.date | None
    """The last day of its time frame (known for done and current steps)."""
    overdue: bool
    """Current and past its due day, or done after it."""


@dataclass(frozen=True)
class NextStep:
    """The step that comes next and the activity suggested to start it."""

    opportunity_id: int
    step: Step
    activity_type: str
    subject: str
    due: dt.date
    """The latest working day the activity should be planned for."""
    day: dt.date | None = None
    """The suggested day: the step's delay_days working days ahead, capped at `due`."""
    mode: str = "suggest"
    """The step's mode: suggest, auto or none (see config.Step)."""

    def follow_up(self, day: dt.date | None = None, time: dt.time | None = None,
                  duration_min: int | None = None) -> FollowUp:
        """The suggestion as a FollowUp, planned for `day` (default: its due day)."""
        return FollowUp(self.activity_type, self.subject, day or self.due, time, duration_min)

    @property
    def when(self) -> str:
        """The suggested day as a user would type it, for prefilling a day field."""
        return (self.day or self.due).isoformat()


@dataclass(frozen=True)
class StepResult:
    """What completing a step did: the step done, what comes next, what was scheduled."""

    completed: Step
    next: NextStep | None
    scheduled: Activity | None


def steps(config: Config) -> tuple[Step, ...]:
    return config.methodology


def get_opportunity(opportunity_id: int) -> Opportunity:
    opportunity = Opportunity.get_or_none(Opportunity.id == opportunity_id)
    if opportunity is None:
        raise NotFound(f"opportunity {opportunity_id} does not exist")
    return opportunity


def add_working_days(config: Config, start: dt.date, days: int) -> dt.date:
    """The working day `days` working days after `start` (0: start, or the next working day)."""
    day = dt.date(start.year, start.month, start.day)  # a plain date, not Pendulum's subclass
    while not config.is_working_day(day):
        day += dt.timedelta(days=1)
    for _ in range(days):
        day += dt.timedelta(days=1)
        while not config.is_working_day(day):
            day += dt.timedelta(days=1)
    return day


def _done(opportunity_id: int) -> dict[str, dt.datetime]:
    query = StepCompletion.select(StepCompletion.step, StepCompletion.completed_at)
    return dict(query.where(StepCompletion.opportunity == opportunity_id).tuples())


def _local_day(instant: dt.datetime, tz: str) -> dt.date:
    return clock.to_local(instant, tz).date()


def state(config: Config, opportunity_id: int, tz: str = "UTC") -> list[StepState]:
    """Every configured step of an opportunity, in order, with what is done and what is late.

    A step's time frame starts when the step before it was done (the first
    step's when the opportunity was created); `tz` is the zone whose days count.
    """
    opportunity = get_opportunity(opportunity_id)
    done = _done(opportunity_id)
    today = clock.today(tz)
    result: list[StepState] = []
    started = _local_day(opportunity.created_at, tz)
    current_seen = False
    for step in config.methodology:
        completed = done.get(step.key)
        if isinstance(completed, str):
            completed = dt.datetime.fromisoformat(completed)
        due = add_working_days(config, started, step.within_days) if started is not None else None
        if completed is not None:
            finished = _local_day(completed, tz)
            result.append(StepState(step, "done", completed, due, due is not None and finished > due))
            started = finished
        elif not current_seen and opportunity.state == "open":
            current_seen = True
            result.append(StepState(step, "current", None, due, due is not None and today > due))
            started = None
        else:
            result.append(StepState(step, "upcoming", None, None, False))
            started = None
    return result


def current_step(config: Config, opportunity_id: int) -> Step | None:
    """The first step not done yet (None when every step is done)."""
    done = _done(opportunity_id)
    for step in config.methodology:
        if step.key not in done:
            return step
    return None


def suggest_next(config: Config, opportunity_id: int, after: Step, tz: str = "UTC") -> NextStep | None:
    """The activity that should start the step after `after`, if there is one.

    Due within the next step's time frame from today, in working days.
    """
    keys = [step.key for step in config.methodology]
    index = keys.index(after.key)
    if index + 1 >= len(keys):
        return None
    nxt = config.methodology[index + 1]
    opportunity = get_opportunity(opportunity_id)
    today = clock.today(tz)
    due = add_working_days(config, today, nxt.within_days)
    day = min(add_working_days(config, today, nxt.delay_days), due)
    subject = render_subject(nxt.subject, step=nxt.name, record=opportunity.name) or f"{nxt.name}: {opportunity.name}"
    return NextStep(opportunity.id, nxt, nxt.activity_type, subject, due, day, nxt.mode)


@db.atomic
def complete_step(
    actor: User,
    config: Config,
    opportunity_id: int,
    step_key: str | None = None,
    *,
    follow_up: FollowUp | None = None,
    note: str = "",
) -> StepResult:
    """Mark the current step done; returns the next step's suggested activity.

    Steps go in order: `step_key` (default: the current step) must be the
    current one. A `follow_up` (usually `result.next.follow_up(day)`) is
    scheduled on the opportunity in the same transaction, and must fall
    within the next step's time frame. Without one, a next step whose mode
    is auto is scheduled on its suggested day all the same.
    """
    opportunity = get_opportunity(opportunity_id)
    if opportunity.state != "open":
        raise DomainError(f"this opportunity is {opportunity.state}; reopen it to work its steps")
    current = current_step(config, opportunity_id)
    if current is None:
        raise DomainError("every step of this opportunity is done already")
    if step_key is not None and step_key != current.key:
        known = {step.key: step for step in config.methodology}
        if step_key not in known:
            raise DomainError(f"no methodology step {step_key!r}", "step")
        if step_key in _done(opportunity_id):
            raise DomainError(f"{known[step_key].name} is done already", "step")
        raise DomainError(f"complete {current.name} first: steps go in order", "step")
    owner = opportunity.owner or actor
    suggestion = suggest_next(config, opportunity_id, current, owner.time_zone)
    if follow_up is None and suggestion is not None and suggestion.mode == "auto":
        follow_up = suggestion.follow_up(suggestion.day)
    if follow_up is not None:
        if suggestion is None:
            raise DomainError("this is the last step: there is no next step to schedule")
        if follow_up.day > suggestion.due:
            raise DomainError(
                f"{suggestion.step.name} is due within {suggestion.step.within_days} working days, "
                f"by {suggestion.due:%a %d %b}", "day",
            )
    now = clock.utcnow_naive()
    scheduled = None
    with changes.action(actor):
        changes.create(StepCompletion, opportunity=opportunity, step=current.key, completed_by=actor,
                       completed_at=now)
        if opportunity.first_step_at is None or opportunity.first_step_at > now:
            changes.touch(opportunity, first_step_at=now)
        changes.update(opportunity, step=suggestion.step.key if suggestion else current.key)
        if note.strip():
            activities.add_note(actor, "opportunity", opportunity.id, f"{current.name} done: {note.strip()}")
        if follow_up is not None and suggestion is not None:
            activities.check_plannable(config, owner, follow_up.day)
            scheduled = activities.create(
                actor, config, type=follow_up.type, subject=follow_up.subject, record_kind="opportunity",
                record_id=opportunity.id, day=follow_up.day, time=follow_up.time,
                duration_min=follow_up.duration_min, priority=follow_up.priority, owner=owner,
                deadline=suggestion.due,
            )
        activities.touch_record("opportunity", opportunity.id, now)
    return StepResult(current, suggestion, scheduled)


@db.atomic
def mark_won(actor: User, opportunity_id: int, reason: str = "", *,
             expected_version: int | None = None) -> Opportunity:
    """Close as won (probability 100); the reason is optional."""
    return _close(actor, opportunity_id, "won",
                  validation.optional(reason, "reason", max_length=200), expected_version)


@db.atomic
def mark_lost(actor: User, opportunity_id: int, reason: str, *,
              expected_version: int | None = None) -> Opportunity:
    """Close as lost (probability 0); a reason is required, so losses can be learnt from."""
    reason = validation.required(reason, "reason", "a reason for losing it", max_length=200)
    return _close(actor, opportunity_id, "lost", reason, expected_version)


def _close(actor: User, opportunity_id: int, outcome: str, reason: str,
           expected_version: int | None) -> Opportunity:
    opportunity = get_opportunity(opportunity_id)
    if opportunity.state != "open":
        raise DomainError(f"this opportunity is already {opportunity.state}")
    now = clock.utcnow_naive()
    with changes.action(actor):
        changes.update(
            opportunity, expected_version, state=outcome, close_reason=reason, closed_at=now,
            probability=100 if outcome == "won" else 0,
        )
        activities.touch_record("opportunity", opportunity.id, now)
    return opportunity


def refresh_first_step(opportunity_id: int) -> None:
    """Set the opportunity's first-step stamp from its completions (after an undo)."""
    opportunity = Opportunity.get_or_none(Opportunity.id == opportunity_id)
    if opportunity is None:
        return
    earliest = (StepCompletion.select(pw.fn.MIN(StepCompletion.completed_at))
                .where(StepCompletion.opportunity == opportunity_id).scalar())
    earliest = None if earliest is None else db.as_datetime(earliest)
    if opportunity.first_step_at != earliest:
        changes.touch(opportunity, first_step_at=earliest)


def _after_revert(table: str, row_id: int) -> None:
    """Undo added or removed a completion (or restored an opportunity): redo the stamp."""
    if table == Opportunity._meta.table_name:
        refresh_first_step(row_id)
        return
    if table != StepCompletion._meta.table_name:
        return
    completion = StepCompletion.get_or_none(StepCompletion.id == row_id)
    if completion is not None:
        refresh_first_step(completion.opportunity_id)
        return
    # Undo deleted it (it undid a create): its opportunity is named in the audit row.
    row = changes.gone_row(table, row_id)
    if row.get("opportunity") is not None:
        refresh_first_step(int(row["opportunity"]))


changes.AFTER_REVERT.append(_after_revert)
