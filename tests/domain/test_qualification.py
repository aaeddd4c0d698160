"""Qualification in config order, touches, and converting a lead with its history."""

import datetime as dt
from decimal import Decimal

import pytest

from crm_tui.config import Config
from crm_tui.domain import activities, changes, qualification, touches
from crm_tui.domain.errors import DomainError
from crm_tui.models import Account, Activity, Contact, Lead, LeadTouch, Note, Opportunity, User

CFG = Config()
ALL = {"budget": "10k-50k", "authority": "decision maker", "need": "pressing", "timeline": "90 days"}


@pytest.fixture
def lead(rep: User) -> Lead:
    return Lead.create(first_name="Kim", last_name="Ng", company="Acme GmbH", email="kim@acme.test",
                       phone="+49 30 1234567", title="CTO", owner=rep)


def test_questions_come_in_config_order_with_answers_and_missing(rep: User, lead: Lead) -> None:
    states = qualification.questions(CFG, lead.id)
    assert [s.key for s in states] == ["budget", "authority", "need", "timeline"]
    assert states[3].choices == ("30 days", "90 days", "6 months", "12 months")
    assert all(s.answer is None for s in states)
    qualification.answer(rep, CFG, lead.id, "timeline", "90 days")
    qualification.answer(rep, CFG, lead.id, "timeline", "30 days")  # changing an answer
    states = qualification.questions(CFG, lead.id)
    assert states[3].answer == "30 days"
    assert [q.key for q in qualification.missing(CFG, lead.id)] == ["budget", "authority", "need"]
    fresh = Lead.get_by_id(lead.id)
    assert fresh.status == "working" and fresh.last_touch_at is not None


def test_answers_must_be_one_of_the_choices(rep: User, lead: Lead) -> None:
    with pytest.raises(DomainError, match="timeline must be one of: 30 days, 90 days"):
        qualification.answer(rep, CFG, lead.id, "timeline", "next week")
    with pytest.raises(DomainError, match="no qualification question 'colour'"):
        qualification.answer(rep, CFG, lead.id, "colour", "red")
    assert qualification.answers(lead.id) == {}


def test_qualify_needs_every_answer_and_says_which_are_missing(rep: User, lead: Lead) -> None:
    qualification.answer(rep, CFG, lead.id, "budget", "over 50k")
    with pytest.raises(DomainError, match="answer Authority, Need, Decision timeline first"):
        qualification.qualify(rep, CFG, lead.id)
    assert Lead.get_by_id(lead.id).status == "working"
    qualification.answer_all(rep, CFG, lead.id, ALL, qualify_lead=True)
    fresh = Lead.get_by_id(lead.id)
    assert fresh.status == "qualified" and fresh.status_changed_at is not None
    qualification.unqualify(rep, CFG, lead.id, "No budget this year after all")
    assert Lead.get_by_id(lead.id).status == "unqualified"
    assert "No budget this year" in Note.get(Note.record_kind == "lead").body


def test_answer_all_saves_nothing_when_qualifying_is_refused(rep: User, lead: Lead) -> None:
    with pytest.raises(DomainError, match="cannot qualify yet"):
        qualification.answer_all(rep, CFG, lead.id, {"budget": "none"}, qualify_lead=True)
    assert qualification.answers(lead.id) == {}
    assert Lead.get_by_id(lead.id).status == "new"


def test_first_touch_sets_the_original_source(rep: User, lead: Lead) -> None:
    touches.add_touch(rep, lead.id, source="google ads", campaign="spring", medium="cpc")
    touches.add_touch(rep, lead.id, source="newsletter", campaign="nov", at=dt.datetime(2026, 11, 18, 8))
    touches.add_touch(rep, lead.id, source="seminar", at=dt.datetime(2026, 11, 1, 8))  # backdated, earliest
    fresh = Lead.get_by_id(lead.id)
    assert fresh.original_source == "seminar"
    assert fresh.source == "google ads"  # the latest touch (09:00)
    assert [t.source for t in touches.list_touches(lead.id)] == ["seminar", "newsletter", "google ads"]
    with pytest.raises(DomainError, match="source is required"):
        touches.add_touch(rep, lead.id, source=" ")
    assert LeadTouch.select().count() == 3


def _qualified(rep: User, lead: Lead) -> None:
    qualification.answer_all(rep, CFG, lead.id, ALL, qualify_lead=True)


def test_conversion_makes_account_contact_opportunity_and_keeps_history(rep: User, lead: Lead) -> None:
    done = activities.create(rep, CFG, type="call", subject="First call", record_kind="lead",
                             record_id=lead.id, day=dt.date(2026, 11, 18))
    activities.complete(rep, CFG, done.id, outcome="connected", note="Wants a demo", follow_up=None)
    planned = activities.create(rep, CFG, type="demo", subject="Demo", record_kind="lead",
                                record_id=lead.id, day=dt.date(2026, 11, 20))
    _qualified(rep, lead)
    result = qualification.convert(rep, CFG, lead.id, opportunity_name="Acme rollout", amount="12,500.00",
                                   forecast_close="2026-12-31")
    assert result.account_created and result.account.name == "Acme GmbH"
    contact = Contact.get_by_id(result.contact.id)
    assert (contact.first_name, contact.email, contact.account_id) == ("Kim", "kim@acme.test", result.account.id)
    opp = Opportunity.get_by_id(result.opportunity.id)
    assert (opp.name, opp.step, opp.amount, opp.lead_id) == ("Acme rollout", "discovery", Decimal("12500.00"), lead.id)
    assert opp.forecast_close == dt.date(2026, 12, 31) and opp.account_id == result.account.id
    fresh = Lead.get_by_id(lead.id)
    assert fresh.status == "converted" and fresh.converted_at is not None
    # The open demo now lives on the opportunity; the done call and note stay on the lead.
    assert result.moved_activities == 1
    moved = Activity.get_by_id(planned.id)
    assert (moved.record_kind, moved.record_id) == ("opportunity", opp.id)
    assert opp.next_activity_on == dt.date(2026, 11, 20)
    # The lead's history is reachable from the opportunity, its account and its contact.
    for kind, record_id in (("opportunity", opp.id), ("account", result.account.id), ("contact", contact.id)):
        assert qualification.history_links(kind, record_id) == [("lead", lead.id)]
    (link_kind, link_id), = qualification.history_links("opportunity", opp.id)
    history = Activity.select().where((Activity.record_kind == link_kind) & (Activity.record_id == link_id))
    assert [a.subject for a in history] == ["First call"]
    assert Note.get((Note.record_kind == link_kind) & (Note.record_id == link_id)).body == "Wants a demo"
    with pytest.raises(DomainError, match="converted already"):
        qualification.answer(rep, CFG, lead.id, "budget", "none")


def test_conversion_can_use_an_existing_account_and_its_contact(rep: User, lead: Lead) -> None:
    account = Account.create(name="ACME GmbH ", owner=rep)
    known = Contact.create(account=account, first_name="Kim", last_name="Ng", email="kim@acme.test")
    assert qualification.matching_accounts("acme  gmbh") == [(account.id, "ACME GmbH ")]
    _qualified(rep, lead)
    result = qualification.convert(rep, CFG, lead.id, account_id=account.id)
    assert not result.account_created and result.contact.id == known.id
    assert Account.select().count() == 1 and Contact.select().count() == 1
    assert result.opportunity.name == "Acme GmbH"


def test_conversion_is_refused_for_unqualified_leads(rep: User, lead: Lead) -> None:
    with pytest.raises(DomainError, match="only a qualified lead can be converted; this one is new"):
        qualification.convert(rep, CFG, lead.id)
    assert Account.select().count() == Contact.select().count() == Opportunity.select().count() == 0
    assert Lead.get_by_id(lead.id).status == "new"


def test_conversion_is_all_or_nothing(rep: User, lead: Lead, monkeypatch: pytest.MonkeyPatch) -> None:
    planned = activities.create(rep, CFG, type="call", subject="Call", record_kind="lead",
                                record_id=lead.id, day=dt.date(2026, 11, 19))
    _qualified(rep, lead)
    real_create = changes.create

    def failing(model, **fields):  # type: ignore[no-untyped-def]
        if model is Opportunity:
            raise DomainError("simulated failure after account and contact were written")
        return real_create(model, **fields)

    monkeypatch.setattr(changes, "create", failing)
    with pytest.raises(DomainError, match="simulated failure"):
        qualification.convert(rep, CFG, lead.id)
    assert Account.select().count() == 0 and Contact.select().count() == 0
    assert Lead.get_by_id(lead.id).status == "qualified"
    assert Activity.get_by_id(planned.id).record_kind == "lead"


def test_conversion_validates_its_inputs_first(rep: User, lead: Lead) -> None:
    _qualified(rep, lead)
    with pytest.raises(DomainError, match="not an amount"):
        qualification.convert(rep, CFG, lead.id, amount="lots")
    with pytest.raises(DomainError, match="close date is in the past"):
        qualification.convert(rep, CFG, lead.id, forecast_close="2026-01-01")
    assert Account.select().count() == 0


def test_undo_reverts_a_whole_conversion(rep: User, lead: Lead) -> None:
    _qualified(rep, lead)
    qualification.convert(rep, CFG, lead.id)
    changes.undo_last(rep)
    assert Opportunity.select().count() == Contact.select().count() == Account.select().count() == 0
    assert Lead.get_by_id(lead.id).status == "qualified"


def test_converted_is_reached_only_by_converting(rep: User, lead: Lead) -> None:
    with pytest.raises(DomainError, match="a lead becomes converted by converting it"):
        qualification.set_status(rep, CFG, lead.id, "converted")
    with pytest.raises(DomainError, match="status must be one of"):
        qualification.set_status(rep, CFG, lead.id, "hot")
    assert Lead.get_by_id(lead.id).status == "new"
