"""Email templates: a safe merge, unknown fields refused, compose from records, logging."""

import datetime as dt
from decimal import Decimal

import pytest

from crm_tui.config import Config
from crm_tui.domain import templates
from crm_tui.domain.errors import Conflict, DomainError
from crm_tui.models import Account, Activity, Case, Contact, EmailTemplate, Lead, Note, Opportunity, User

CFG = Config()


@pytest.fixture
def acme(rep: User) -> tuple[Account, Contact]:
    account = Account.create(name="Acme [EU]", owner=rep)
    contact = Contact.create(account=account, first_name="Kim", last_name="Ng", email="kim@acme.test", owner=rep)
    return account, contact


def test_merge_fields_from_a_contact(rep: User, manager: User, acme: tuple[Account, Contact]) -> None:
    _, contact = acme
    template = templates.create_template(
        manager, "Seminar follow-up", "Thanks, {contact.first_name}",
        "Hi {contact.first_name},\n{account.name} was at our seminar. {{braces}} stay.\n-- {user.display_name}",
    )
    to, subject, body = templates.compose(rep, template.id, "contact", contact.id)
    assert to == "kim@acme.test" and subject == "Thanks, Kim"
    assert body == "Hi Kim,\nAcme [EU] was at our seminar. {braces} stay.\n-- Ann Lee"


def test_unknown_fields_are_refused_naming_them(rep: User, manager: User) -> None:
    with pytest.raises(DomainError, match=r"unknown merge fields \{contact.password\}, \{user.__class__\}") as info:
        templates.create_template(manager, "Bad", "Hello", "{contact.password} {user.__class__} {contact.first_name}")
    assert info.value.field == "body"
    with pytest.raises(DomainError, match=r"unknown merge field \{0\}"):
        templates.render("{0}", {})
    with pytest.raises(DomainError, match=r"unknown merge field \{user.display_name.__globals__\}"):
        templates.render("{user.display_name.__globals__}", {"user": rep})
    assert EmailTemplate.select().count() == 0


def test_fields_the_record_cannot_fill_are_named(rep: User, manager: User) -> None:
    lead = Lead.create(first_name="Jo", last_name="Doe", company="Beta", email="jo@beta.test", owner=rep)
    template = templates.create_template(manager, "T", "For {lead.company}", "Dear {contact.first_name}")
    with pytest.raises(DomainError, match=r"nothing to fill \{contact.first_name\} from"):
        templates.compose(rep, template.id, "lead", lead.id)


def test_compose_from_an_opportunity_and_a_case(rep: User, manager: User, acme: tuple[Account, Contact]) -> None:
    account, contact = acme
    opp = Opportunity.create(name="Rollout", account=account, amount=Decimal("12500"), currency="EUR",
                             forecast_close=dt.date(2026, 12, 31), owner=rep)
    case = Case.create(subject="Broken part", account=account, owner=rep)
    template = templates.create_template(
        manager, "Quote", "Quote for {account.name}",
        "{contact.name}: {opportunity.amount} {opportunity.currency} by {opportunity.forecast_close}",
    )
    assert templates.compose(rep, template.id, "opportunity", opp.id).body == "Kim Ng: 12,500.00 EUR by 2026-12-31"
    reply = templates.create_template(manager, "Case reply", "Case #{case.id}: {case.subject}", "Hello {contact.first_name}")
    assert templates.compose(rep, reply.id, "case", case.id) == ("kim@acme.test", f"Case #{case.id}: Broken part", "Hello Kim")


def test_templates_are_versioned_and_names_unique(rep: User, manager: User) -> None:
    template = templates.create_template(manager, "Intro", "Hi", "Hello")
    seen = template.version
    templates.update_template(manager, template.id, name="Intro", subject="Hi there", body="Hello")
    with pytest.raises(Conflict, match="Max Mayer changed this emailtemplate"):
        templates.update_template(manager, template.id, name="Intro", subject="Yo", body="Hello", expected_version=seen)
    with pytest.raises(DomainError, match="a template named 'Intro' exists already"):
        templates.create_template(manager, "Intro", "x", "y")
    assert [t.subject for t in templates.list_templates()] == ["Hi there"]


def test_log_email_records_a_done_email_activity_and_note(rep: User, acme: tuple[Account, Contact]) -> None:
    _, contact = acme
    log = templates.log_email(rep, CFG, "contact", contact.id, "kim@acme.test", "Hello", "Body text", sent=False)
    activity = Activity.get_by_id(log.activity.id)
    assert (activity.type, activity.status, activity.outcome, activity.followup) == ("email", "done", "sent", "none")
    note = Note.get()
    assert (note.kind, note.record_kind, note.record_id, note.activity_id) == ("email", "contact", contact.id, activity.id)
    assert note.body.startswith("Logged (sent outside crm) to kim@acme.test\nSubject: Hello")
    assert Contact.get_by_id(contact.id).last_touch_at is not None
    with pytest.raises(DomainError, match="is not an email address"):
        templates.log_email(rep, CFG, "contact", contact.id, "kim at acme", "Hello", "Body", sent=False)
    assert Activity.select().count() == 1
