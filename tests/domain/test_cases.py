"""Cases: SLA from priority, assignment, escalation to a manager's Today, status flow."""

import datetime as dt

import pytest

from crm_tui.config import Config, Sla
from crm_tui.domain import cases, users
from crm_tui.domain.errors import DomainError
from crm_tui.models import Case, Note, User

CFG = Config()


def test_sla_due_follows_priority(rep: User) -> None:
    urgent = cases.create(rep, CFG, subject="Server down", priority="urgent")
    assert urgent.sla_due == dt.datetime(2026, 11, 18, 13, 0)
    low = cases.create(rep, Config(sla=Sla(low=48)), subject="Typo on invoice", priority="low")
    assert low.sla_due == dt.datetime(2026, 11, 20, 9, 0)
    cases.set_priority(rep, CFG, low.id, "high")
    assert Case.get_by_id(low.id).sla_due == dt.datetime(2026, 11, 18, 17, 0)
    with pytest.raises(DomainError, match="priority must be one of"):
        cases.create(rep, CFG, subject="x", priority="asap")
    assert not cases.sla_breached(Case.get_by_id(urgent.id))
    assert cases.sla_breached(Case.get_by_id(urgent.id), at=dt.datetime(2026, 11, 18, 13, 1))


def test_assign_to_an_active_person(rep: User, manager: User) -> None:
    case = cases.create(rep, CFG, subject="Refund request")
    bob = users.add_user("bob", "Bob Stone")
    cases.assign(rep, case.id, bob.id)
    assert Case.get_by_id(case.id).owner_id == bob.id
    users.set_user("bob", active=False)
    with pytest.raises(DomainError, match="Bob Stone is deactivated"):
        cases.assign(rep, case.id, bob.id)


def test_escalation_reaches_the_managers_today_until_answered(rep: User, manager: User) -> None:
    case = cases.create(rep, CFG, subject="Customer wants a refund of 2,000 EUR")
    cases.answer(rep, case.id, "Asked for the invoice number")
    assert Case.get_by_id(case.id).status == "open"
    with pytest.raises(DomainError, match="a reason for escalating is required"):
        cases.escalate(rep, case.id, manager.id, "")
    cases.escalate(rep, case.id, manager.id, "Refund above my limit")
    fresh = Case.get_by_id(case.id)
    assert (fresh.escalated_to_id, fresh.escalation_reason, fresh.answered_at) == (manager.id, "Refund above my limit", None)
    assert fresh.escalated_at == dt.datetime(2026, 11, 18, 9, 0)
    assert [c.id for c in cases.escalations_for(manager)] == [case.id]
    assert cases.escalations_for(rep) == []
    assert "Escalated to Max Mayer" in Note.select().order_by(Note.id.desc()).get().body
    cases.answer(manager, case.id, "Approved the refund")
    assert cases.escalations_for(manager) == []


def test_escalation_to_a_rep_is_refused(rep: User, manager: User) -> None:
    case = cases.create(rep, CFG, subject="Upgrade")
    bob = users.add_user("bob", "Bob Stone", role="rep")
    with pytest.raises(DomainError, match="Bob Stone is a rep: escalate to a manager or admin"):
        cases.escalate(rep, case.id, bob.id, "Needs approval")
    assert Case.get_by_id(case.id).escalated_to_id is None
    assert [u.login for u in cases.managers()] == ["max"]


def test_status_flow_is_enforced_with_a_clear_message(rep: User) -> None:
    case = cases.create(rep, CFG, subject="Broken part")
    with pytest.raises(DomainError, match="a new case cannot become waiting; it can go to: open, resolved"):
        cases.set_status(rep, case.id, "waiting")
    for status in ("open", "waiting", "open", "resolved", "closed"):
        cases.set_status(rep, case.id, status)
        assert Case.get_by_id(case.id).status == status
    assert Case.get_by_id(case.id).answered_at is not None  # resolving it answered it
    with pytest.raises(DomainError, match="a closed case is final"):
        cases.set_status(rep, case.id, "open")
    with pytest.raises(DomainError, match="this case is closed"):
        cases.answer(rep, case.id)
