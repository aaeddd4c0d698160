"""Presence heartbeats: a mark appears, follows the record, expires, and never
touches the audit log (so it never makes every open app reload)."""

from __future__ import annotations

import datetime as dt

from crm_tui.domain import changes, presence
from crm_tui.models import AuditEvent, Lead, Presence, User

T0 = dt.datetime(2026, 11, 18, 9, 42)
S = dt.timedelta(seconds=1)


def test_presence_appears_and_expires(rep: User, manager: User) -> None:
    lead = Lead.create(last_name="Ng", owner=rep)
    other = Lead.create(last_name="Li", owner=rep)
    token = changes.latest_change_id()
    audit_rows = AuditEvent.select().count()

    presence.beat("dana-app", manager, "lead", lead.id, now=T0)
    seen = presence.viewers("lead", lead.id, interval=5, exclude_user=rep.id, now=T0 + 10 * S)
    assert [(v.login, v.since) for v in seen] == [("max", T0)]
    assert presence.describe(seen, "Europe/Berlin") == "open by Max Mayer since 10:42"
    assert presence.viewers("lead", lead.id, interval=5, exclude_user=manager.id, now=T0) == []  # not yourself
    assert presence.open_records("lead", interval=5, exclude_user=rep.id, now=T0)[lead.id].name == "Max Mayer"

    # beats keep it alive and keep "since"; three missed beats and it is gone
    presence.beat("dana-app", manager, "lead", lead.id, now=T0 + 14 * S)
    assert presence.viewers("lead", lead.id, interval=5, now=T0 + 28 * S)[0].since == T0
    assert presence.viewers("lead", lead.id, interval=5, now=T0 + 30 * S) == []  # the app died at +14 s

    # opening another record moves the mark; leaving removes it
    presence.beat("dana-app", manager, "lead", other.id, now=T0 + 40 * S)
    assert presence.viewers("lead", lead.id, interval=5, now=T0 + 40 * S) == []
    assert presence.viewers("lead", other.id, interval=5, now=T0 + 40 * S)[0].since == T0 + 40 * S
    presence.leave("dana-app")
    assert Presence.select().count() == 0

    assert (changes.latest_change_id(), AuditEvent.select().count()) == (token, audit_rows)


def test_dead_apps_rows_are_purged_by_later_beats(rep: User, manager: User) -> None:
    lead = Lead.create(last_name="Ng", owner=rep)
    presence.beat("crashed", manager, "lead", lead.id, now=T0)
    presence.beat("alive", rep, "lead", lead.id, now=T0 + dt.timedelta(hours=2))
    assert [row.session for row in Presence.select()] == ["alive"]


def test_two_viewers(rep: User, manager: User) -> None:
    lead = Lead.create(last_name="Ng", owner=rep)
    presence.beat("a", manager, "lead", lead.id, now=T0)
    presence.beat("b", rep, "lead", lead.id, now=T0 + S)
    both = presence.viewers("lead", lead.id, interval=5, now=T0 + S)
    assert [v.login for v in both] == ["max", "ann"]
    assert presence.describe(both, "UTC") == "open by Max Mayer since 09:42 (+1 more)"
