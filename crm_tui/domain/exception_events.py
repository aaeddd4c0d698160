"""Which exceptions the `on-exception` hook has not been given yet.

The same idea as alert digests (domain.alerts): evaluate the rules, drop the
hits already recorded in `hook_fired` (keyed by rule, record and `since`, so
an exception that cleared and began again is new), and record the ones that
were handed over. Snoozed records are not exceptions (domain.exceptions), so
they do not fire either. Bookkeeping, not a user's action: no audit, no undo.
"""

from __future__ import annotations

import datetime as dt

from crm_tui import clock, db
from crm_tui.config import Config
from crm_tui.domain import exceptions
from crm_tui.models import HookFired


def new_hits(config: Config, *, at: dt.datetime | None = None) -> list[exceptions.Hit]:
    """Exceptions as of `at` that no earlier run handed to the hook."""
    hits = exceptions.evaluate(config, at=at)
    fired = {
        (rule, kind, record_id, db.as_datetime(since).replace(tzinfo=None))
        for rule, kind, record_id, since in HookFired.select(
            HookFired.rule, HookFired.kind, HookFired.record_id, HookFired.since).tuples()
    }
    return [hit for hit in hits if hit.key not in fired]


@db.atomic
def mark_fired(hits: list[exceptions.Hit]) -> int:
    """Remember that these hits were handed over; a repeat is ignored."""
    now = clock.utcnow_naive()
    rows = [{"rule": hit.rule, "kind": hit.kind, "record_id": hit.record_id, "since": hit.since, "fired_at": now}
            for hit in hits]
    for start in range(0, len(rows), 200):
        HookFired.insert_many(rows[start:start + 200]).on_conflict_ignore().execute()
    return len(rows)
