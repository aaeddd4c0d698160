"""Lead qualification and conversion.

Questions come from `config.qualification`, in the order a rep asks them;
each is answered by one of its configured choices. A lead is "qualified"
only when every question has an answer. Converting a qualified lead makes
an account (or uses an existing one the caller picked), a contact and an
opportunity at the first methodology step, all in one transaction.

What happens to the lead's history on conversion (the decision):
- Open (planned) activities move to the new opportunity: the work goes on
  there, and the lead is closed as "converted".
- Done activities, notes, touches and answers stay on the lead; nothing is
  copied. The opportunity keeps `Opportunity.lead`, so a timeline of the
  opportunity (and of its account and contact, through their opportunities)
  includes the lead's history: `history_links()` names the records whose
  history belongs to a record's timeline.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import peewee as pw

from crm_tui import clock, db
from crm_tui.config import Config, Question
from crm_tui.domain import activities, changes, dates, validation
from crm_tui.domain.errors import DomainError, NotFound
from crm_tui.models import Account, Activity, Contact, Lead, Opportunity, QualificationAnswer, User

# Statuses a user may set by hand; "converted" is reached only by convert().
SETTABLE_STATUSES = ("new", "working", "qualified", "unqualified")


@dataclass(frozen=True)
class QuestionState:
    """A configured question with the lead's current answer (None if unanswered)."""

    key: str
    text: str
    choices: tuple[str, ...]
    answer: str | None


@dataclass(frozen=True)
class Conversion:
    """What converting a lead made."""

    lead: Lead
    account: Account
    contact: Contact
    opportunity: Opportunity
    account_created: bool
    moved_activities: int


def get_lead(lead_id: int) -> Lead:
    lead = Lead.get_or_none(Lead.id == lead_id)
    if lead is None:
        raise NotFound(f"lead {lead_id} does not exist")
    return lead


def answers(lead_id: int) -> dict[str, str]:
    """The lead's stored answers by question key."""
    query = QualificationAnswer.select(QualificationAnswer.question, QualificationAnswer.answer)
    return dict(query.where(QualificationAnswer.lead == lead_id).tuples())


def questions(config: Config, lead_id: int) -> list[QuestionState]:
    """The configured questions in asking order, each with the current answer."""
    given = answers(lead_id)
    return [QuestionState(q.key, q.text, q.choices, given.get(q.key)) for q in config.qualification]


def missing(config: Config, lead_id: int) -> list[Question]:
    """Questions not answered yet (an answer no longer among the choices counts as missing)."""
    given = answers(lead_id)
    return [q for q in config.qualification if given.get(q.key) not in q.choices]


def _question(config: Config, key: str) -> Question:
    for question in config.qualification:
        if question.key == key:
            return question
    known = ", ".join(q.key for q in config.qualification)
    raise DomainError(f"no qualification question {key!r}; the questions are: {known}", key)


def _check_open(lead: Lead) -> None:
    if lead.status == "converted":
        raise DomainError("this lead is converted already; work on its opportunity instead")


def _set_answer(actor: User, lead: Lead, question: Question, choice: str) -> None:
    choice = validation.choice(choice, question.key, question.choices)
    row = QualificationAnswer.get_or_none(
        (QualificationAnswer.lead == lead.id) & (QualificationAnswer.question == question.key)
    )
    if row is None:
        changes.create(QualificationAnswer, lead=lead, question=question.key, answer=choice, answered_by=actor)
    elif row.answer != choice:
        changes.update(row, answer=choice, answered_by=actor.id)


def _worked(actor: User, lead: Lead) -> None:
    now = clock.utcnow_naive()
    if lead.status == "new":
        changes.update(lead, status="working", status_changed_at=now)
    activities.touch_record("lead", lead.id, now)


@db.atomic
def answer(actor: User, config: Config, lead_id: int, question_key: str, choice: str) -> QualificationAnswer:
    """Answer one question with one of its configured choices."""
    lead = get_lead(lead_id)
    _check_open(lead)
    question = _question(config, question_key)
    with changes.action(actor):
        _set_answer(actor, lead, question, choice)
        _worked(actor, lead)
    return QualificationAnswer.get(
        (QualificationAnswer.lead == lead.id) & (QualificationAnswer.question == question.key)
    )


@db.atomic
def answer_all(
    actor: User, config: Config, lead_id: int, given: dict[str, str], *, qualify_lead: bool = False
) -> Lead:
    """Save several answers as one action, optionally qualifying the lead too.

    Either everything is saved or nothing: a bad choice or a refused
    qualification leaves the stored answers as they were.
    """
    lead = get_lead(lead_id)
    _check_open(lead)
    with changes.action(actor):
        for key, choice in given.items():
            _set_answer(actor, lead, _question(config, key), choice)
        _worked(actor, lead)
        if qualify_lead:
            return qualify(actor, config, lead_id)
    return get_lead(lead_id)


@db.atomic
def set_status(actor: User, config: Config, lead_id: int, status: str, *, reason: str = "") -> Lead:
    """Change a lead's status by hand; "qualified" needs every question answered.

    A reason, when given, is kept as a note on the lead (why it was unqualified).
    """
    lead = get_lead(lead_id)
    _check_open(lead)
    if status == "converted":
        raise DomainError("a lead becomes converted by converting it", "status")
    status = validation.choice(status, "status", SETTABLE_STATUSES)
    if status == "qualified":
        gaps = missing(config, lead_id)
        if gaps:
            names = ", ".join(q.text for q in gaps)
            raise DomainError(f"cannot qualify yet: answer {names} first", "status")
    if status == lead.status and not reason.strip():
        return lead
    now = clock.utcnow_naive()
    with changes.action(actor):
        if status != lead.status:
            changes.update(lead, status=status, status_changed_at=now)
        if reason.strip():
            activities.add_note(actor, "lead", lead.id, f"{status.capitalize()}: {reason.strip()}")
        activities.touch_record("lead", lead.id, now)
    return lead


def qualify(actor: User, config: Config, lead_id: int) -> Lead:
    """Mark a lead qualified; refused, naming the unanswered questions, until all are answered."""
    return set_status(actor, config, lead_id, "qualified")


def unqualify(actor: User, config: Config, lead_id: int, reason: str = "") -> Lead:
    """Mark a lead unqualified (not a fit), with an optional reason kept as a note."""
    return set_status(actor, config, lead_id, "unqualified", reason=reason)


def matching_accounts(company: str) -> list[tuple[int, str]]:
    """Existing accounts whose name equals the company (case and spacing ignored)."""
    name = " ".join(company.split()).lower()
    if not name:
        return []
    query = (
        Account.select(Account.id, Account.name)
        .where(pw.fn.LOWER(pw.fn.TRIM(Account.name)) == name)
        .order_by(Account.id)
        .limit(20)
    )
    return list(query.tuples())


def default_opportunity_name(lead: Lead) -> str:
    return lead.company.strip() or lead.name or f"Lead {lead.id}"


@db.atomic
def convert(
    actor: User,
    config: Config,
    lead_id: int,
    *,
    account_id: int | None = None,
    account_name: str = "",
    opportunity_name: str = "",
    amount: str | Decimal | None = None,
    currency: str = "EUR",
    forecast_close: str | dt.date | None = None,
) -> Conversion:
    """Turn a qualified lead into an account, a contact and an opportunity, in one step.

    `account_id` picks an existing account (see `matching_accounts`); without
    it a new account named `account_name` (default: the lead's company) is
    made. An existing contact of that account with the lead's email is reused.
    Refused, with nothing written, unless the lead is qualified.
    """
    lead = get_lead(lead_id)
    if lead.status != "qualified":
        raise DomainError(f"only a qualified lead can be converted; this one is {lead.status}")
    gaps = missing(config, lead_id)
    if gaps:
        raise DomainError(f"cannot convert yet: answer {', '.join(q.text for q in gaps)} first")
    if not config.methodology:
        raise DomainError("no sales methodology is configured: add [[methodology]] steps to the config")
    amount_value = validation.money(amount, "amount")
    currency = validation.currency(currency)
    close = dates.parse_day(config, actor.time_zone, forecast_close, field="forecast_close")
    if close is not None and close < clock.today(actor.time_zone):
        raise DomainError("the close date is in the past", "forecast_close")
    opportunity_name = validation.required(
        opportunity_name or default_opportunity_name(lead), "opportunity_name", "the opportunity name"
    )
    owner = lead.owner or actor
    now = clock.utcnow_naive()
    with changes.action(actor):
        if account_id is not None:
            account = Account.get_or_none(Account.id == account_id)
            if account is None:
                raise NotFound(f"account {account_id} does not exist", "account")
            created = False
        else:
            name = validation.required(account_name or lead.company or lead.name, "account_name", "the account name")
            account = changes.create(Account, name=name, owner=owner)
            created = True
        contact = None
        if lead.email and not created:
            contact = Contact.get_or_none((Contact.account == account.id) & (Contact.email == lead.email))
        if contact is None:
            contact = changes.create(
                Contact, account=account, first_name=lead.first_name, last_name=lead.last_name or lead.company,
                title=lead.title, email=lead.email, phone=lead.phone, owner=owner,
            )
        opportunity = changes.create(
            Opportunity, name=opportunity_name, account=account, contact=contact, lead=lead,
            step=config.methodology[0].key, forecast_close=close, amount=amount_value,
            currency=currency, owner=owner,
        )
        moved = 0
        open_work = Activity.select().where(
            (Activity.record_kind == "lead") & (Activity.record_id == lead.id) & (Activity.status == "open")
        )
        for activity in list(open_work):
            changes.update(activity, record_kind="opportunity", record_id=opportunity.id)
            moved += 1
        changes.update(lead, status="converted", converted_at=now, status_changed_at=now)
        for kind, record in (("lead", lead), ("account", account), ("contact", contact),
                             ("opportunity", opportunity)):
            activities.touch_record(kind, record.id, now)
            activities.refresh_record(kind, record.id)
    return Conversion(get_lead(lead.id), account, contact, Opportunity.get_by_id(opportunity.id), created, moved)


def history_links(kind: str, record_id: int) -> list[tuple[str, int]]:
    """The leads whose history belongs on this record's timeline.

    An opportunity made from a lead carries that lead's history; an account
    or contact carries the history of the leads behind its opportunities.
    The timeline adds these (kind, id) links to the record's own.
    """
    if kind == "opportunity":
        query = Opportunity.select(Opportunity.lead).where(
            (Opportunity.id == record_id) & Opportunity.lead.is_null(False)
        )
    elif kind == "account":
        query = Opportunity.select(Opportunity.lead).where(
            (Opportunity.account == record_id) & Opportunity.lead.is_null(False)
        )
    elif kind == "contact":
        query = Opportunity.select(Opportunity.lead).where(
            (Opportunity.contact == record_id) & Opportunity.lead.is_null(False)
        )
    else:
        return []
    return [("lead", lead_id) for (lead_id,) in query.distinct().tuples()]
