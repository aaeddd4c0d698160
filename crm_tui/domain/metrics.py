"""Process metrics for the team, taken from chains of events within time frames.

Each metric follows records from one event to the next (a lead entered, then
its first touch; an opportunity created, then each methodology step) and asks
whether the chain held. They are team figures over a period: nothing here
counts anyone's calls or emails, and nothing ranks people (activity counts
mislead, get gamed, and turn a CRM into a spying machine).

Inquiries answered by a quote: a lead entered (the inquiry), then an
opportunity made from it, then the first quote on that opportunity approved
(`Quote.approved_at`: by a manager, or at once on submit within the discount
limit). The share answered within 15 minutes and within a day, and the median
time, show whether a customer who asks gets a priced answer while still
interested. The response metric beside them is the time to the first
completed activity of any kind.
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass, field

import peewee as pw

from crm_tui import clock, db
from crm_tui.config import Config
from crm_tui.domain.exceptions import not_automatic
from crm_tui.domain.intake import IntakeCount, counts as intake_counts
from crm_tui.models import Activity, Lead, Note, Opportunity, Quote, StepCompletion

PERIODS = (7, 30, 90)

TOUCHED_LABEL = "New leads touched within {days} day(s)"
RESPONSE_LABEL = "Median time from inquiry to first completed activity"
QUOTE_FAST_LABEL = "Inquiries answered by an approved quote within 15 minutes"
QUOTE_DAY_LABEL = "Inquiries answered by an approved quote within a day"
QUOTE_MEDIAN_LABEL = "Median time from inquiry to approved quote"
QUOTE_WINDOWS = (dt.timedelta(minutes=15), dt.timedelta(days=1))
STEPS_LABEL = "Opportunities following their methodology steps in time"


@dataclass(frozen=True)
class Share:
    """A part of a whole, e.g. 8 of 10 leads touched in time."""

    label: str
    part: int
    whole: int

    @property
    def ratio(self) -> float | None:
        return self.part / self.whole if self.whole else None

    @property
    def text(self) -> str:
        if not self.whole:
            return "no data"
        return f"{round(100 * self.part / self.whole)}% ({self.part} of {self.whole})"


@dataclass(frozen=True)
class Bucket:
    """One stretch of the period, for the chart."""

    label: str
    share: Share


@dataclass(frozen=True)
class ProcessMetrics:
    """The process view over one period ending at `until`."""

    days: int
    since: dt.datetime
    until: dt.datetime
    touched: Share
    response_label: str
    response_median: dt.timedelta | None
    responded: Share
    steps: Share
    touched_by_week: list[Bucket] = field(default_factory=list)
    intake: list[IntakeCount] = field(default_factory=list)
    """Lead captures per source and campaign, most first (`domain.intake.counts`)."""
    quoted_fast: Share = Share(QUOTE_FAST_LABEL, 0, 0)
    quoted_day: Share = Share(QUOTE_DAY_LABEL, 0, 0)
    quote_median: dt.timedelta | None = None


def _naive(instant: dt.datetime | None) -> dt.datetime:
    if instant is None:
        return clock.utcnow_naive()
    if instant.tzinfo is not None:
        instant = instant.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return instant


def _raw(query: pw.Query) -> list[tuple]:
    """Driver rows without Peewee's per-value conversion (thousands of rows per period)."""
    return list(db.database.execute(query).fetchall())


def _first_events(since: dt.datetime, until: dt.datetime) -> tuple[dict[int, dt.datetime], dict[int, dt.datetime]]:
    """Per lead entered in [since, until): its first completed activity and its first note.

    One grouped join each, read from the covering activity and note indexes;
    automatic replies to web leads are not a response (exceptions.not_automatic).
    """
    entered = (Lead.created_at >= since) & (Lead.created_at < until)
    first_done = (
        Activity.select(Activity.record_id, pw.fn.MIN(Activity.completed_at))
        .join(Lead, on=(Lead.id == Activity.record_id))
        .where(entered & (Activity.record_kind == "lead") & (Activity.status == "done")
               & (Activity.completed_at <= until) & not_automatic(Activity.id))
        .group_by(Activity.record_id)
    )
    first_note = (
        Note.select(Note.record_id, pw.fn.MIN(Note.created_at))
        .join(Lead, on=(Lead.id == Note.record_id))
        .where(entered & (Note.record_kind == "lead") & (Note.created_at <= until) & not_automatic(Note.activity))
        .group_by(Note.record_id)
    )
    done = {lead_id: db.as_datetime(first) for lead_id, first in _raw(first_done) if first is not None}
    notes = {lead_id: db.as_datetime(first) for lead_id, first in _raw(first_note) if first is not None}
    return done, notes


def _touch_chain(config: Config, since: dt.datetime, until: dt.datetime
                 ) -> tuple[list[tuple[dt.datetime, bool]], list[dt.timedelta], int]:
    """For each lead entered in the period: (entered, touched in time), plus response times."""
    window = dt.timedelta(days=config.thresholds.touched_within_days)
    leads = [
        (lead_id, db.as_datetime(created), db.as_datetime(changed) if changed else None, db.as_datetime(touched) if touched else None)
        for lead_id, created, changed, touched in _raw(
            Lead.select(Lead.id, Lead.created_at, Lead.status_changed_at, Lead.last_touch_at)
            .where((Lead.created_at >= since) & (Lead.created_at < until))
        )
    ]
    done, notes = _first_events(since, until)
    judged: list[tuple[dt.datetime, bool]] = []
    responses: list[dt.timedelta] = []
    for lead_id, created, status_changed, last_touch in leads:
        first_done = done.get(lead_id)
        if first_done is not None and first_done >= created:
            responses.append(first_done - created)
        if created + window > until:
            continue  # its day is not over yet: too early to judge
        touches = [t for t in (first_done, notes.get(lead_id), status_changed, last_touch)
                   if t is not None and created < t <= created + window]
        judged.append((created, bool(touches)))
    return judged, responses, len(leads)


def _quote_chain(since: dt.datetime, until: dt.datetime) -> tuple[Share, Share, dt.timedelta | None]:
    """Leads entered in [since, until) answered by an approved quote within 15 minutes / a day,
    and the median time to the first approved quote. A lead counts toward a window only
    once that window has passed (or its quote came): too early to judge otherwise."""
    entered = (Lead.created_at >= since) & (Lead.created_at < until)
    leads = {lead_id: db.as_datetime(created) for lead_id, created in _raw(Lead.select(Lead.id, Lead.created_at).where(entered))}
    first_quote = (
        Quote.select(Opportunity.lead, pw.fn.MIN(Quote.approved_at))
        .join(Opportunity, on=(Quote.opportunity == Opportunity.id))
        .join(Lead, on=(Opportunity.lead == Lead.id))
        .where(entered & Quote.approved_at.is_null(False) & (Quote.approved_at <= until))
        .group_by(Opportunity.lead)
    )
    quoted = {lead_id: db.as_datetime(first) for lead_id, first in _raw(first_quote) if first is not None}
    shares = []
    for window, label in zip(QUOTE_WINDOWS, (QUOTE_FAST_LABEL, QUOTE_DAY_LABEL)):
        part = whole = 0
        for lead_id, created in leads.items():
            answered = quoted.get(lead_id)
            in_time = answered is not None and answered - created <= window
            if in_time or created + window <= until:
                whole += 1
                part += in_time
        shares.append(Share(label, part, whole))
    waits = [quoted[lead_id] - created for lead_id, created in leads.items()
             if lead_id in quoted and quoted[lead_id] >= created]
    median = dt.timedelta(seconds=statistics.median(w.total_seconds() for w in waits)) if waits else None
    return shares[0], shares[1], median


def _steps_followed(config: Config, since: dt.datetime, until: dt.datetime) -> Share:
    """An opportunity follows its steps when every step due by now was done within its time frame.

    Steps are chained: each is due `within_days` after the previous one was done
    (the first, after creation). A step due after the opportunity closed is not due.
    """
    steps = config.methodology
    opportunities = list(
        Opportunity.select(Opportunity.id, Opportunity.created_at, Opportunity.closed_at)
        .where((Opportunity.created_at >= since) & (Opportunity.created_at < until))
        .tuples()
    )
    done: dict[int, dict[str, dt.datetime]] = {}
    ids = [row[0] for row in opportunities]
    for start in range(0, len(ids), 500):
        for opp_id, step, completed in (
            StepCompletion.select(StepCompletion.opportunity, StepCompletion.step, StepCompletion.completed_at)
            .where(StepCompletion.opportunity.in_(ids[start:start + 500]) & (StepCompletion.completed_at <= until))
            .tuples()
        ):
            done.setdefault(opp_id, {})[step] = completed
    following = 0
    for opp_id, created, closed in opportunities:
        end = min(until, closed) if closed else until
        previous, ok = created, True
        for step in steps:
            due = previous + dt.timedelta(days=step.within_days)
            completed = done.get(opp_id, {}).get(step.key)
            if completed is None:
                ok = due >= end
                break
            if completed > due:
                ok = False
                break
            previous = completed
        following += ok
    return Share(STEPS_LABEL, following, len(opportunities))


def _weeks(judged: list[tuple[dt.datetime, bool]], since: dt.datetime, until: dt.datetime,
           label: str) -> list[Bucket]:
    """Split the period into up to 13 equal stretches (days for a week, weeks beyond)."""
    span = until - since
    step = dt.timedelta(days=1) if span <= dt.timedelta(days=7) else dt.timedelta(days=7)
    buckets: list[Bucket] = []
    start = since
    while start < until:
        end = min(start + step, until)
        inside = [ok for created, ok in judged if start <= created < end]
        name = f"{start:%a %d}" if step.days == 1 else f"{start:%d %b}"
        buckets.append(Bucket(name, Share(label, sum(inside), len(inside))))
        start = end
    return buckets


def process_metrics(config: Config, days: int = 30, *, until: dt.datetime | None = None) -> ProcessMetrics:
    """The team's process metrics over the `days` before `until` (default now)."""
    end = _naive(until)
    start = end - dt.timedelta(days=days)
    window = config.thresholds.touched_within_days
    label = TOUCHED_LABEL.format(days=int(window) if float(window).is_integer() else window)
    judged, responses, entered = _touch_chain(config, start, end)
    touched = Share(label, sum(ok for _, ok in judged), len(judged))
    median = dt.timedelta(seconds=statistics.median(r.total_seconds() for r in responses)) if responses else None
    quoted_fast, quoted_day, quote_median = _quote_chain(start, end)
    return ProcessMetrics(
        days=days, since=start, until=end, touched=touched,
        response_label=RESPONSE_LABEL, response_median=median,
        responded=Share("Leads with a completed activity", len(responses), entered),
        steps=_steps_followed(config, start, end),
        touched_by_week=_weeks(judged, start, end, label),
        intake=intake_counts(start, end),
        quoted_fast=quoted_fast, quoted_day=quoted_day, quote_median=quote_median,
    )


def duration_text(value: dt.timedelta | None) -> str:
    """A duration the way people say it: 45 min, 5.5 h, 3.2 days."""
    if value is None:
        return "no data"
    minutes = value.total_seconds() / 60
    if minutes < 90:
        return f"{minutes:.0f} min"
    hours = minutes / 60
    if hours < 48:
        return f"{hours:.1f} h"
    return f"{hours / 24:.1f} days"
