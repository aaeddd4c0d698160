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
from dataclasses import dataclass, replace

from crm_tui import clock, db
from crm_tui.config import Chain, Config
from crm_tui.domain import activities, dates, records
from crm_tui.domain.activities import FollowUp
from crm_tui.domain.errors import DomainError
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


def parse_next(config: Config, activity: Activity, outcome: str, text: str, *, subject: str = "") -> FollowUp | None:
    """`crm done --next "+2wd call"`: a day (any form `dates.parse_when` reads) and
    optionally an activity type, first or last; "none" is the explicit no follow-up.

    Whatever the text leaves out comes from what the prompt would prefill for
    this outcome (the chain, or the default follow-up).
    """
    raw = " ".join(text.split())
    if raw.lower() in ("none", "no", "-"):
        return None
    words = raw.split(" ")
    kind = None
    for index in (0, -1):
        if words and words[index].lower() in config.activity_type_names:
            kind = words.pop(index).lower()
            break
    base = suggest_for(config, activity, outcome, repeats=False).follow_up
    tz = activity.owner.time_zone
    if words:
        day, time = dates.parse_when(config, tz, " ".join(words), field="next")
    elif base is not None:
        day, time = base.day, base.time
    else:
        day, time = dates.add_working_days(config, clock.today(tz), 1), None
    kind = kind or (base.type if base is not None else activity.type)
    if kind not in config.activity_type_names:
        kind = config.activity_type_names[0]
    text_subject = subject.strip() or (base.subject if base is not None else follow_up_subject(activity.subject))
    duration = config.activity_type(kind).minutes if time is not None else None
    return FollowUp(kind, text_subject[:200], day, time, duration)


@db.atomic
def complete(
    actor: User, config: Config, activity_id: int, *, outcome: str, note: str = "",
    expected_version: int | None = None, next: str | None = None, next_subject: str = "",
) -> tuple[Activity, Activity | None]:
    """Complete with the next activity the prompt would prefill (the chain, the default
    follow-up, or none for an occurrence of a repeating series), in one transaction.

    `next` overrides it the way `parse_next` reads ("+2wd call", "fri 10:00", "none").
    """
    activity = activities.get(activity_id)
    if activity.status != "open":
        raise DomainError(f"this activity is already {activity.status}")
    if next is not None:
        follow_up = parse_next(config, activity, outcome, next, subject=next_subject)
    else:
        follow_up = suggest_for(config, activity, outcome).follow_up
        if follow_up is not None and next_subject.strip():
            follow_up = replace(follow_up, subject=next_subject.strip()[:200])
    return activities.complete(
        actor, config, activity_id, outcome=outcome, note=note, expected_version=expected_version,
        follow_up=follow_up,
    )
