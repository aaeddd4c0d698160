"""Lead touches: each time a lead reached us (an ad click, a web form, a seminar).

The first touch is the lead's original source and is never overwritten; the
latest touch is its current `source`. Knowing every impression tells
marketing what works. A touch is the lead reaching us, not us working the
lead, so it does not count as a touch for staleness (`last_touch_at`).
"""

from __future__ import annotations

import datetime as dt

from crm_tui import clock, db
from crm_tui.domain import changes, validation
from crm_tui.domain.errors import DomainError
from crm_tui.domain.qualification import get_lead
from crm_tui.models import LeadTouch, User


@db.atomic
def add_touch(
    actor: User | None,
    lead_id: int,
    *,
    source: str,
    campaign: str = "",
    medium: str = "",
    referrer: str = "",
    page: str = "",
    at: dt.datetime | None = None,
) -> LeadTouch:
    """Record a touch; the lead's first touch sets its original source.

    `at` is a naive UTC instant (default: now); it may be in the past, for
    imported history, but not in the future.
    """
    lead = get_lead(lead_id)
    source = validation.required(source, "source", max_length=80)
    when = at or clock.utcnow_naive()
    if when > clock.utcnow_naive():
        raise DomainError("a touch cannot be in the future", "at")
    earlier = LeadTouch.select().where((LeadTouch.lead == lead.id) & (LeadTouch.touched_at <= when)).exists()
    later = LeadTouch.select().where((LeadTouch.lead == lead.id) & (LeadTouch.touched_at > when)).exists()
    with changes.action(actor):
        touch = changes.create(
            LeadTouch, lead=lead, source=source,
            campaign=validation.optional(campaign, "campaign", max_length=120),
            medium=validation.optional(medium, "medium", max_length=80),
            referrer=validation.optional(referrer, "referrer", max_length=500),
            page=validation.optional(page, "page", max_length=500),
            touched_at=when,
        )
        values: dict[str, str] = {}
        if not later:
            values["source"] = source
        if not earlier and (not lead.original_source or later):
            values["original_source"] = source
        if values:
            changes.update(lead, **values)
    return touch


def list_touches(lead_id: int) -> list[LeadTouch]:
    """A lead's touches, oldest first (the first is the original source)."""
    return list(
        LeadTouch.select().where(LeadTouch.lead == lead_id).order_by(LeadTouch.touched_at, LeadTouch.id)
    )
