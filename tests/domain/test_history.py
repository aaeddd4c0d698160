"""The timeline: activities, notes, audit edits and child records, newest first."""

import datetime as dt

from crm_tui import clock
from crm_tui.config import Config
from crm_tui.domain import activities, history, records
from crm_tui.domain.activities import FollowUp
from crm_tui.models import Lead, StepCompletion, User

CFG = Config()


def at(hour: int, minute: int = 0) -> None:
    clock.freeze(dt.datetime(2026, 11, 18, hour, minute, tzinfo=dt.timezone.utc))


def test_account_timeline_mixes_sources_and_children_newest_first(rep: User, manager: User) -> None:
    at(8)
    acme = records.create(rep, CFG, "account", {"name": "Acme"})
    at(8, 10)
    kim = records.create(rep, CFG, "contact", {"first_name": "Kim", "last_name": "Ng", "account": "Acme"})
    at(8, 20)
    deal = records.create(rep, CFG, "opportunity", {"name": "Renewal", "account": "Acme", "step": "discovery"})
    at(8, 30)
    call = activities.create(rep, CFG, type="call", subject="Intro", record_kind="contact", record_id=kim.id,
                             day=dt.date(2026, 11, 18), time=dt.time(10, 0), duration_min=15)
    at(9)
    activities.complete(rep, CFG, call.id, outcome="connected", note="Wants a demo",
                        follow_up=FollowUp("demo", "Demo", dt.date(2026, 11, 20)))
    at(9, 30)
    records.update(manager, CFG, "account", acme.id, {"name": "Acme GmbH", "city": "Berlin"}, expected_version=1)
    at(9, 40)
    activities.add_note(rep, "opportunity", deal.id, "Budget confirmed", note_kind="email")
    StepCompletion.create(opportunity=deal.id, step="discovery", completed_by=rep,
                          completed_at=dt.datetime(2026, 11, 18, 9, 45))

    entries = history.timeline("account", acme.id)
    assert entries == sorted(entries, key=lambda e: e.at, reverse=True)
    titles = [e.title for e in entries]
    assert titles[0] == "Demo: Demo" and entries[0].planned  # planned for Friday: newest
    assert titles.index("Step done: discovery") < titles.index("Email") < titles.index("Edited city, name")
    edit = entries[titles.index("Edited city, name")]
    assert (edit.who, edit.record_name) == ("Max Mayer", "")
    assert "name: Acme → Acme GmbH" in edit.detail and "city: — → Berlin" in edit.detail
    done = entries[titles.index("Call: Intro")]
    assert (done.detail, done.record_name, done.at) == ("done: connected", "Contact Kim Ng", dt.datetime(2026, 11, 18, 9))
    assert "Phone note" in titles and "Contact created" in titles and titles[-1] == "Account created"
    assert [e.title for e in history.timeline("account", acme.id, limit=3, offset=2)] == titles[2:5]


def test_lead_status_changes_and_touches(rep: User) -> None:
    at(8)
    lead = records.create(rep, CFG, "lead", {"last_name": "Ng", "source": "web", "campaign": "autumn"})
    at(9)
    call = activities.create(rep, CFG, type="call", subject="Call", record_kind="lead", record_id=lead.id,
                             day=dt.date(2026, 11, 18))
    at(10)
    activities.complete(rep, CFG, call.id, outcome="no answer", follow_up=None)
    entries = history.timeline("lead", lead.id)
    titles = [e.title for e in entries]
    assert "Status: new → working" in titles
    assert titles[-2:] == ["Came in via web", "Lead created"] or titles[-2:] == ["Lead created", "Came in via web"]
    touch = next(e for e in entries if e.kind == "touch")
    assert touch.detail == "campaign autumn"
    assert Lead.get_by_id(lead.id).status == "working"


def test_related_records(rep: User) -> None:
    acme = records.create(rep, CFG, "account", {"name": "Acme"})
    kim = records.create(rep, CFG, "contact", {"first_name": "Kim", "last_name": "Ng", "account": "Acme"})
    records.create(rep, CFG, "case", {"subject": "Broken", "account": "Acme", "priority": "high"})
    kinds = [(row[0], row[2]) for row in history.related("account", acme.id)]
    assert kinds == [("contact", "Kim Ng"), ("case", "Broken")]
    assert history.related("contact", kim.id) == [("account", acme.id, "Acme", "account")]
