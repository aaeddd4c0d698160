""""What wins": a model of the sales process learned from closed deals.

From opportunities closed as won or lost, and from leads that were decided
(converted or unqualified), it computes:

- per activity type, the win rate by how many such activities were done on
  the deal before it closed (0, 1, 2, 3+);
- per activity type, the win rate with and without one done within
  `insights.early_days` days of the deal's creation (e.g. a demo in week one);
- days from first touch to close, for won and for lost deals (first touch:
  the earliest of the deal's creation, its lead's creation and its first
  completed activity);
- days each methodology step took (from the step before it, or from the
  deal's creation), for won and for lost deals;
- lead conversion by original source, and by how many times the lead reached
  us (lead touches) before our first completed activity with it.

Honest numbers: every rate carries its sample size and a Wilson interval at
`insights.confidence`; a bucket with fewer than `insights.min_sample` cases
has no rate at all, only "not enough data". Figures are the team's. A user
may add their own figures beside the team's (`owner=` themselves), and nobody
may ask for anyone else's: `report` refuses it, so no screen or script can
show one person's figures to another or rank people. Nothing here is a count
of anyone's calls or emails.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Callable, Iterable

import peewee as pw

from crm_tui import clock, db
from crm_tui.config import Config
from crm_tui.domain.errors import PermissionDenied
from crm_tui.models import Activity, Lead, LeadTouch, Opportunity, StepCompletion, User

COUNT_BUCKETS = ("0", "1", "2", "3+")
SECTIONS = {
    "activity_count": "Win rate by number of {group} activities before close",
    "early_activity": "Win rate with a {group} within {days} days of creation",
    "lead_source": "Lead conversion by original source",
    "touches_before_contact": "Lead conversion by touches before first contact",
    "days_to_close": "Days from first touch to close",
    "step_days": "Days each methodology step took",
}
NOT_ENOUGH = "not enough data"


@dataclass(frozen=True)
class Rate:
    """`hits` of `n` (deals won, leads converted), with its Wilson interval.

    `rate`, `low` and `high` are None when the sample is under the minimum:
    too few cases to say anything."""

    hits: int
    n: int
    rate: float | None
    low: float | None
    high: float | None

    @property
    def enough(self) -> bool:
        return self.rate is not None

    @property
    def text(self) -> str:
        if self.rate is None or self.low is None or self.high is None:
            return f"{NOT_ENOUGH} ({self.hits} of {self.n})"
        return f"{self.rate:.0%} ({self.hits} of {self.n}, {self.low:.0%}-{self.high:.0%})"


@dataclass(frozen=True)
class Days:
    """A median number of days over `n` deals (None when too few)."""

    median: float | None
    n: int

    @property
    def enough(self) -> bool:
        return self.median is not None

    @property
    def text(self) -> str:
        if self.median is None:
            return f"{NOT_ENOUGH} (n={self.n})"
        return f"{self.median:.1f} days (n={self.n})"


@dataclass(frozen=True)
class Finding:
    """One bucket of one section: the team's figure and, when asked for, the viewer's own."""

    section: str
    group: str
    """An activity type, a lead source, a methodology step, or "won"/"lost"."""
    bucket: str
    team: Rate | Days
    mine: Rate | Days | None = None


@dataclass(frozen=True)
class Report:
    """Everything "what wins" shows; `own` says whether `mine` figures are filled."""

    deals: int
    won: int
    leads: int
    own: bool
    findings: list[Finding]
    min_sample: int
    confidence: float
    early_days: int

    def section(self, name: str) -> list[Finding]:
        return [finding for finding in self.findings if finding.section == name]

    def title(self, finding: Finding) -> str:
        return SECTIONS[finding.section].format(group=finding.group, days=self.early_days)


def wilson(hits: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """The Wilson score interval of hits/n: honest at small n and at 0 % or 100 %."""
    if n <= 0:
        raise ValueError("a rate needs at least one case")
    z = statistics.NormalDist().inv_cdf(1 - (1 - confidence) / 2)
    p = hits / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def rate(hits: int, n: int, config: Config) -> Rate:
    """A rate, or only its counts when `n` is under `insights.min_sample`."""
    if n < config.insights.min_sample or n == 0:
        return Rate(hits, n, None, None, None)
    low, high = wilson(hits, n, config.insights.confidence)
    return Rate(hits, n, hits / n, low, high)


def days(values: list[float], config: Config) -> Days:
    if len(values) < config.insights.min_sample or not values:
        return Days(None, len(values))
    return Days(round(statistics.median(values), 1), len(values))


# ---- reading the closed deals ------------------------------------------------

def _instant(value: Any) -> dt.datetime | None:
    if value is None or isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(str(value))


@dataclass
class _Deal:
    owner: int | None
    won: bool
    created: dt.datetime
    closed: dt.datetime
    lead_created: dt.datetime | None
    done: dict[str, tuple[int, dt.datetime]]
    """Per activity type: how many were done before the close, and the first one's completion."""
    steps: dict[str, dt.datetime]


@dataclass
class _Lead:
    owner: int | None
    converted: bool
    source: str
    touches: list[dt.datetime]
    first_contact: dt.datetime | None


def _deals(since: dt.datetime | None) -> list[_Deal]:
    closed = (Opportunity.state.in_(("won", "lost"))) & Opportunity.closed_at.is_null(False)
    if since is not None:
        closed &= Opportunity.closed_at >= since
    LeadOf = Lead.alias()
    deals: dict[int, _Deal] = {}
    query = (
        Opportunity.select(Opportunity.id, Opportunity.owner, Opportunity.state, Opportunity.created_at,
                           Opportunity.closed_at, LeadOf.created_at)
        .join(LeadOf, pw.JOIN.LEFT_OUTER, on=(Opportunity.lead == LeadOf.id))
        .where(closed)
    )
    for opp_id, owner, state, created, closed_at, lead_created in db.database.execute(query).fetchall():
        deals[opp_id] = _Deal(owner, state == "won", _instant(created), _instant(closed_at),
                              _instant(lead_created), {}, {})
    # Grouped in SQL: one row per deal and type, not one per activity (read from the covering index).
    activities = (
        Activity.select(Activity.record_id, Activity.type, pw.fn.COUNT(Activity.id), pw.fn.MIN(Activity.completed_at))
        .join(Opportunity, on=(Opportunity.id == Activity.record_id))
        .where((Activity.record_kind == "opportunity") & (Activity.status == "done") & closed
               & (Activity.completed_at <= Opportunity.closed_at))
        .group_by(Activity.record_id, Activity.type)
    )
    for opp_id, kind, count, first in db.database.execute(activities).fetchall():
        deals[opp_id].done[kind] = (int(count), _instant(first))
    steps = (
        StepCompletion.select(StepCompletion.opportunity, StepCompletion.step, StepCompletion.completed_at)
        .join(Opportunity, on=(Opportunity.id == StepCompletion.opportunity))
        .where(closed)
    )
    for opp_id, step, completed in db.database.execute(steps).fetchall():
        deals[opp_id].steps[step] = _instant(completed)
    return list(deals.values())


def _leads(since: dt.datetime | None) -> list[_Lead]:
    decided = Lead.status.in_(("converted", "unqualified"))
    if since is not None:
        decided &= Lead.status_changed_at >= since
    leads: dict[int, _Lead] = {}
    for lead_id, owner, status, original, source in db.database.execute(
        Lead.select(Lead.id, Lead.owner, Lead.status, Lead.original_source, Lead.source).where(decided)
    ).fetchall():
        leads[lead_id] = _Lead(owner, status == "converted", original or source or "unknown", [], None)
    touches = LeadTouch.select(LeadTouch.lead, LeadTouch.touched_at).join(Lead).where(decided)
    for lead_id, at in db.database.execute(touches).fetchall():
        leads[lead_id].touches.append(_instant(at))
    first = (
        Activity.select(Activity.record_id, pw.fn.MIN(Activity.completed_at))
        .join(Lead, on=(Lead.id == Activity.record_id))
        .where((Activity.record_kind == "lead") & (Activity.status == "done") & decided)
        .group_by(Activity.record_id)
    )
    for lead_id, at in db.database.execute(first).fetchall():
        leads[lead_id].first_contact = _instant(at)
    return list(leads.values())


# ---- the figures ---------------------------------------------------------------

def _bucket(count: int) -> str:
    return COUNT_BUCKETS[min(count, 3)]


def _deal_rates(config: Config, deals: list[_Deal]) -> dict[tuple[str, str, str], tuple[int, int]]:
    counts: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0])
    for kind in config.activity_type_names:  # every bucket, so an empty one says so
        for bucket in COUNT_BUCKETS:
            counts[("activity_count", kind, bucket)] = [0, 0]
        for bucket in ("yes", "no"):
            counts[("early_activity", kind, bucket)] = [0, 0]
    early = dt.timedelta(days=config.insights.early_days)
    for deal in deals:
        for kind in config.activity_type_names:
            count, first = deal.done.get(kind, (0, None))
            keys = [("activity_count", kind, _bucket(count)),
                    ("early_activity", kind, "yes" if first is not None and first - deal.created <= early else "no")]
            for key in keys:
                counts[key][0] += deal.won
                counts[key][1] += 1
    return {key: (hits, n) for key, (hits, n) in counts.items()}


def _lead_rates(leads: list[_Lead]) -> dict[tuple[str, str, str], tuple[int, int]]:
    counts: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0])
    for lead in leads:
        before = [at for at in lead.touches if lead.first_contact is None or at <= lead.first_contact]
        for key in (("lead_source", lead.source, ""), ("touches_before_contact", "touches", _bucket(len(before)))):
            counts[key][0] += lead.converted
            counts[key][1] += 1
    return {key: (hits, n) for key, (hits, n) in counts.items()}


def _durations(config: Config, deals: list[_Deal]) -> dict[tuple[str, str, str], list[float]]:
    found: dict[tuple[str, str, str], list[float]] = defaultdict(list)
    day = 86400.0
    for deal in deals:
        outcome = "won" if deal.won else "lost"
        starts = [deal.created] + ([deal.lead_created] if deal.lead_created else []) + [
            first for _, first in deal.done.values()]
        found[("days_to_close", outcome, "")].append(max(0.0, (deal.closed - min(starts)).total_seconds() / day))
        previous = deal.created
        for step in config.methodology:
            completed = deal.steps.get(step.key)
            if completed is None:
                break
            found[("step_days", step.key, outcome)].append(max(0.0, (completed - previous).total_seconds() / day))
            previous = completed
    return found


def _order(config: Config) -> Callable[[tuple[str, str, str]], tuple]:
    sections = list(SECTIONS)
    types = list(config.activity_type_names)
    steps = [step.key for step in config.methodology]

    def key(item: tuple[str, str, str]) -> tuple:
        section, group, bucket = item
        if section in ("activity_count", "early_activity"):
            group_rank: Any = types.index(group) if group in types else len(types)
        elif section == "step_days":
            group_rank = steps.index(group) if group in steps else len(steps)
        elif section == "days_to_close":
            group_rank = 0 if group == "won" else 1
        else:
            group_rank = group.lower()
        bucket_rank = {"yes": 0, "no": 1, "won": 0, "lost": 1}.get(bucket, bucket)
        return (sections.index(section), group_rank, bucket_rank)

    return key


def _figures(config: Config, deals: list[_Deal], leads: list[_Lead]) -> dict[tuple[str, str, str], Rate | Days]:
    figures: dict[tuple[str, str, str], Rate | Days] = {}
    for key, (hits, n) in {**_deal_rates(config, deals), **_lead_rates(leads)}.items():
        figures[key] = rate(hits, n, config)
    for key, values in _durations(config, deals).items():
        figures[key] = days(values, config)
    return figures


def report(viewer: User, config: Config, *, owner: User | None = None,
           since: dt.datetime | None = None) -> Report:
    """The team's figures; with `owner=viewer`, the viewer's own beside them.

    Asking for anyone else's own figures is refused (PermissionDenied), whatever
    the viewer's role: what wins is learnt as a team, not used to rank people.
    `since` keeps deals closed (and leads decided) from then on.
    """
    if owner is not None and owner.id != viewer.id:
        raise PermissionDenied("what wins shows the team's figures and your own only; "
                               "nobody sees another person's figures")
    deals = _deals(since)
    leads = _leads(since)
    team = _figures(config, deals, leads)
    mine: dict[tuple[str, str, str], Rate | Days] = {}
    if owner is not None:
        mine = _figures(config, [d for d in deals if d.owner == owner.id], [le for le in leads if le.owner == owner.id])
    findings = [
        Finding(section, group, bucket, team[(section, group, bucket)],
                _mine(mine, (section, group, bucket), team) if owner is not None else None)
        for section, group, bucket in sorted(team, key=_order(config))
    ]
    return Report(len(deals), sum(d.won for d in deals), len(leads), owner is not None, findings,
                  config.insights.min_sample, config.insights.confidence, config.insights.early_days)


def _mine(mine: dict, key: tuple[str, str, str], team: dict) -> Rate | Days:
    """The viewer's figure for a bucket; a bucket none of their deals fell in is an empty one."""
    return mine.get(key) or _empty(team[key])


def _empty(figure: Rate | Days) -> Rate | Days:
    return Rate(0, 0, None, None, None) if isinstance(figure, Rate) else Days(None, 0)


def as_rows(found: Report) -> list[dict[str, Any]]:
    """Flat rows for `crm insights` (README documents the shape): one per bucket and scope."""
    rows = []
    for finding in found.findings:
        scopes: Iterable[tuple[str, Rate | Days | None]] = [("team", finding.team)]
        if found.own:
            scopes = [("team", finding.team), ("mine", finding.mine)]
        for scope, figure in scopes:
            assert figure is not None
            row: dict[str, Any] = {
                "scope": scope, "section": finding.section, "group": finding.group, "bucket": finding.bucket,
                "n": figure.n, "enough": figure.enough,
            }
            if isinstance(figure, Rate):
                row.update(hits=figure.hits, rate=_round(figure.rate), low=_round(figure.low),
                           high=_round(figure.high), median_days=None)
            else:
                row.update(hits=None, rate=None, low=None, high=None, median_days=figure.median)
            row["text"] = figure.text
            rows.append(row)
    return rows


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def clock_since(days_back: int | None) -> dt.datetime | None:
    """`since` for "the last N days" (None: all closed deals)."""
    return None if days_back is None else clock.utcnow_naive() - dt.timedelta(days=days_back)
