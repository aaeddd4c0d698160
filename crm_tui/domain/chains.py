"""Chained next activities: what comes after an activity done with an outcome.

`config.chains` may say, per activity type and outcome, which activity comes
next (type, subject, working days ahead, a time of day) and whether it is
suggested (the follow-up prompt opens prefilled with it), created without
asking (auto), or whether "no follow-up" is preselected (none). With no chain
for a type and outcome the suggestion is the long-standing default: the same
type, "Follow up: <subject>", the next working day.

Callers: the complete dialog (to prefill its follow-up section), the CLI
(`crm done` without `--next` takes exactly what the dialog would prefill), and
`complete`, which both of them reach through `activities.complete`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from crm_tui import clock, db
from crm_tui.config import Chain, Config
from crm_tui.domain import activities, dates, records
from crm_tui.domain.activities import FollowUp
from crm_tui.models import Activity, Recurrence, User

DEFAULT = "default"
"""The mode of a suggestion when no chain is configured for the type and outcome."""
REPEATS = "repeats"
"""The mode for an occurrence of a repeating series with no chain configured."""


@dataclass(frozen=True)
class Suggestion:
    """What the follow-up prompt opens with after an outcome is chosen."""

    follow_up: FollowUp | None
    """The next activity, or None when the chain preselects "no follow-up"."""
    mode: str
    """suggest, auto, none, DEFAULT (no chain configured) or REPEATS (an occurrence
    of a repeating series with no chain: its next occurrence is the next step)."""
    when: str
    """The day as a user would type it: "+2wd", "+1wd 10:00"; empty for mode none."""

    @property
    def auto(self) -> bool:
        return self.mode == "auto"

    def describe(self, today: dt.date) -> str:
        """'call "Call again: Intro" on Fri 20 Nov (+2wd, suggested)', for hints and the CLI."""
        if self.follow_up is None:
            if self.mode == REPEATS:
                return "no follow-up: the series plans the next occurrence"
            return "no follow-up (configured for this outcome)"
        nxt = self.follow_up
        at = f" {nxt.time:%H:%M}" if nxt.time else ""
        how = {"auto": "created automatically", "suggest": "suggested", DEFAULT: "default"}[self.mode]
        return f'{nxt.type} "{nxt.subject}" on {dates.describe(nxt.day, today)}{at} ({self.when}, {how})'


def follow_up_subject(subject: str) -> str:
    """'Follow up: Intro call' (not 'Follow up: Follow up: ...')."""
    base = subject.removeprefix("Follow up: ")
    return f"Follow up: {base}"[:200]


def render_subject(template: str, **values: str) -> str:
    """A configured subject template filled in; config validation allowed only these names."""
    return template.format_map(values).strip()[:200]


def _time(chain: Chain) -> dt.time | None:
    return dates.parse_time(chain.time, "time") if chain.time else None


def suggest(
    config: Config, tz: str, *, activity_type: str, outcome: str, subject: str, record_name: str = "",
) -> Suggestion:
    """The next activity for an activity of `activity_type` done with `outcome`.

    Days count from the user's local today in zone `tz`, in working days
    (config.working_days minus config.holidays).
    """
    today = clock.today(tz)
    types = config.activity_type_names
    chain = config.chain_for(activity_type, outcome)
    if chain is None:
        kind = activity_type if activity_type in types else types[0]
        day = dates.add_working_days(config, today, 1)
        return Suggestion(FollowUp(kind, follow_up_subject(subject), day), DEFAULT, "+1wd")
    if chain.mode == "none":
        return Suggestion(None, "none", "")
    kind = chain.type or (activity_type if activity_type in types else types[0])
    time = _time(chain)
    day = dates.add_working_days(config, today, chain.working_days)
    text = render_subject(chain.subject, subject=subject, record=record_name, type=kind, outcome=outcome)
    duration = config.activity_type(kind).minutes if time is not None else None
    when = f"+{chain.working_days}wd" + (f" {time:%H:%M}" if time is not None else "")
    return Suggestion(FollowUp(kind, text or follow_up_subject(subject), day, time, duration), chain.mode, when)


def suggest_for(config: Config, activity: Activity, outcome: str, *, repeats: bool | None = None) -> Suggestion:
    """`suggest` for a stored activity, in its owner's zone.

    An occurrence of an active repeating series (`repeats`, looked up when
    None) with no chain for the outcome suggests no follow-up: completing it
    plans the next occurrence already.
    """
    if repeats is None:
        repeats = activity.series_id is not None and bool(
            Recurrence.select(Recurrence.active).where(Recurrence.id == activity.series_id).scalar())
    if repeats and config.chain_for(activity.type, outcome) is None:
        return Suggestion(None, REPEATS, "")
    name = records.names([(activity.record_kind, activity.record_id)]).get(
        (activity.record_kind, activity.record_id), "")
    return suggest(config, activity.owner.time_zone, activity_type=activity.type, outcome=outcome,
                   subject=activity.subject, record_name=name)


@db.atomic
def complete(
    actor: User, config: Config, activity_id: int, *, outcome: str, note: str = "",
    expected_version: int | None = None,
) -> tuple[Activity, Activity | None]:
    """Complete with the configured next activity (what the prompt would prefill), in one transaction."""
    activity = activities.get(activity_id)
    suggestion = suggest_for(config, activity, outcome) if activity.status == "open" else None
    return activities.complete(
        actor, config, activity_id, outcome=outcome, note=note, expected_version=expected_version,
        follow_up=suggestion.follow_up if suggestion is not None else None,
    )
