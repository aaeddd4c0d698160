"""Lead capture: a web form's (or a mail filter's) fields become a lead with its
answers, a touch, an assignee, a first call and an automatic reply owed.

`clean` checks every field before anything is written (an unknown field, a
bad email or a choice a question does not offer is refused, naming it);
`receive` then writes it all as one transaction. The same email arriving
again adds a touch to the existing lead instead of a duplicate, fills only
what the lead does not know yet, and never overwrites what a rep entered.

Intake writes are the system's own (actor None): audited, but nobody's undo.
The automatic reply is queued here (`IntakeReply`), sent by
`crm_tui.interop.intake`, and logged here only after the server accepted it,
the same shape as the alert digests (one run at a time, marked after sending).

The first call and the answers do not count as working the lead: the lead
stays "new" and its last touch empty until a person acts, so exception rule 1
still asks whether anyone called.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Mapping

import peewee as pw

from crm_tui import clock, db
from crm_tui.config import INTAKE_FIELDS, Config
from crm_tui.domain import activities, changes, roles, templates, touches, validation
from crm_tui.domain.errors import DomainError
from crm_tui.models import (
    Activity, EmailTemplate, IntakeEvent, IntakeReply, Lead, LeadTouch, Meta, Note, QualificationAnswer, User,
)

ROUND_ROBIN_KEY = "intake_round_robin"
REPLY_LOCK_KEY = "intake_reply_lock"

_LENGTHS = {
    "first_name": 80, "last_name": 80, "name": 160, "company": 200, "title": 120, "phone": 40,
    "source": 80, "campaign": 120, "medium": 80, "referrer": 500, "page": 500, "form": 80,
    "utm_source": 80, "utm_medium": 80, "utm_campaign": 120, "utm_term": 200, "utm_content": 200,
    "country": 80, "region": 80, "product": 120, "message": 5000, "email": 254,
}
_URL_FIELDS = ("referrer", "page")


@dataclass(frozen=True)
class Submission:
    """One lead capture, every field checked."""

    email: str
    lead: dict[str, str]
    """Lead columns: first_name, last_name, company, title, phone (only those given)."""
    answers: dict[str, str] = field(default_factory=dict)
    """Question key -> one of its configured choices."""
    source: str = ""
    campaign: str = ""
    medium: str = ""
    referrer: str = ""
    page: str = ""
    form: str = ""
    term: str = ""
    content: str = ""
    country: str = ""
    region: str = ""
    product: str = ""
    message: str = ""


@dataclass(frozen=True)
class Received:
    """What one capture did."""

    lead_id: int
    created: bool
    """False: the email was known, and a touch was added to that lead."""
    touch_id: int
    assignee: str | None
    """The owner's login (None: nobody could be assigned)."""
    assigned_by: str
    first_call_id: int | None
    reply_template: str
    """The reply queued ("" when no reply applies or it went to this lead before)."""


@dataclass(frozen=True)
class Outgoing:
    """An automatic reply merged and ready to send."""

    reply_id: int
    lead_id: int
    to: str
    subject: str
    body: str
    reply_to: str
    """The assignee's email, so answers reach a person."""


@dataclass(frozen=True)
class IntakeCount:
    """Captures from one source and campaign over a period."""

    source: str
    campaign: str
    received: int
    new_leads: int
    converted: int
    """New leads from here that have been converted since (what wins)."""


# ---- Checking what arrived ------------------------------------------------


def clean(config: Config, data: Mapping[str, Any]) -> Submission:
    """Check every field of a capture; raises DomainError naming the first bad one.

    Field names pass through `[intake] field_map` first; question keys of
    `config.qualification` are answers. Values must be text; an empty value
    is the same as a missing field.
    """
    questions = {question.key: question for question in config.qualification}
    known = set(INTAKE_FIELDS) | set(questions)
    values: dict[str, str] = {}
    for raw_name, raw_value in data.items():
        name = config.intake.field_map.get(str(raw_name), str(raw_name))
        if name not in known:
            raise DomainError(f"unknown field {str(raw_name)[:60]!r}", str(raw_name)[:60])
        if name in values:
            raise DomainError(f"field {name!r} is given twice", name)
        if not isinstance(raw_value, str):
            raise DomainError(f"field {name!r} must be text", name)
        if "\x00" in raw_value:
            raise DomainError(f"field {name!r} holds a NUL character", name)
        values[name] = raw_value.strip()
    for name, value in values.items():
        if name in _LENGTHS:
            validation.optional(value, name, max_length=_LENGTHS[name])
        if name != "message" and ("\n" in value or "\r" in value):
            raise DomainError(f"field {name!r} must be one line", name)
    email = validation.email(validation.required(values.get("email"), "email"), "email")
    for name in _URL_FIELDS:
        if values.get(name) and not values[name].lower().startswith(("http://", "https://")):
            raise DomainError(f"{name} must be an http(s) address", name)
    answers: dict[str, str] = {}
    for key, question in questions.items():
        given = values.get(key, "")
        if not given:
            continue
        match = next((choice for choice in question.choices if choice.lower() == given.lower()), None)
        if match is None:
            raise DomainError(f"{key} must be one of: {', '.join(question.choices)}", key)
        answers[key] = match
    first, last = values.get("first_name", ""), values.get("last_name", "")
    if not (first or last) and values.get("name"):
        first, _, last = values["name"].rpartition(" ")
        first, last = (first.strip(), last.strip()) if first else ("", last.strip())
    lead = {"first_name": first, "last_name": last or email.partition("@")[0][:80],
            "company": values.get("company", ""), "title": values.get("title", ""),
            "phone": validation.phone(values.get("phone"), "phone")}
    return Submission(
        email=email, lead={key: value for key, value in lead.items() if value}, answers=answers,
        source=values.get("source") or values.get("utm_source") or config.intake.default_source,
        campaign=values.get("campaign") or values.get("utm_campaign", ""),
        medium=values.get("medium") or values.get("utm_medium", ""),
        referrer=values.get("referrer", ""), page=values.get("page", ""), form=values.get("form", ""),
        term=values.get("utm_term", ""), content=values.get("utm_content", ""),
        country=values.get("country", ""), region=values.get("region", ""),
        product=values.get("product", ""), message=values.get("message", ""),
    )


# ---- Assignment -----------------------------------------------------------


def pool(config: Config) -> list[User]:
    """Who takes round-robin leads: the active holders of `[intake] role`, by
    login; when nobody holds it (job roles not set up yet), the active reps."""
    people = roles.holders(config.intake.role)
    if people:
        return people
    return list(
        User.select().where((User.active == True) & (User.role == "rep")).order_by(User.login)  # noqa: E712
    )


def _by_rule(config: Config, submission: Submission) -> tuple[User, str] | None:
    for rule in config.intake.rules:
        wanted = {value.lower() for value in rule.values}
        if rule.by == "territory":
            hit = bool({submission.country.lower(), submission.region.lower()} & wanted)
        else:
            hit = submission.product.lower() in wanted
        if not hit:
            continue
        user = User.get_or_none((User.login == rule.assign) & (User.active == True))  # noqa: E712
        if user is not None:
            return user, rule.by
    return None


def _next_in_turn(people: list[User]) -> User:
    """The person after the last one given a lead, by login; safe when captures race.

    The last login is kept in crm_meta and moved with a compare-and-set, so
    two captures at once never both see the same "last" and pick the same rep.
    """
    Meta.insert(key=ROUND_ROBIN_KEY, value="").on_conflict_ignore().execute()
    for _ in range(20):
        last = Meta.select(Meta.value).where(Meta.key == ROUND_ROBIN_KEY).scalar() or ""
        chosen = next((user for user in people if user.login > last), people[0])
        moved = Meta.update(value=chosen.login).where(
            (Meta.key == ROUND_ROBIN_KEY) & (Meta.value == last)
        ).execute()
        if moved:
            return chosen
    raise DomainError("could not take the next turn for assignment; try again")


def assign(config: Config, submission: Submission) -> tuple[User | None, str]:
    """The assignee: the first matching rule whose user is active, else the next in turn."""
    ruled = _by_rule(config, submission)
    if ruled is not None:
        return ruled
    people = pool(config)
    if not people:
        return None, "none"
    return _next_in_turn(people), "round robin"


def first_call_day(config: Config, owner: User, at: dt.datetime) -> dt.date:
    """The assignee's working day on which the first call is due."""
    due = clock.to_local(at + dt.timedelta(hours=config.intake.first_call_hours), owner.time_zone)
    day = max(dt.date(due.year, due.month, due.day), clock.today(owner.time_zone))
    for _ in range(366):
        if config.is_working_day(day):
            return day
        day += dt.timedelta(days=1)
    return day


def reply_template(config: Config, form: str, campaign: str) -> str:
    """The reply's template name: by form, else by campaign, else the default."""
    intake = config.intake
    return intake.reply_forms.get(form) or intake.reply_campaigns.get(campaign) or intake.reply_default


# ---- Receiving ------------------------------------------------------------


def _details(submission: Submission) -> str:
    lines = [f"{label}: {value}" for label, value in (
        ("Form", submission.form), ("Product", submission.product), ("Country", submission.country),
        ("Region", submission.region),
    ) if value]
    if submission.message:
        lines += ["", submission.message]
    return "\n".join(lines).strip()


def _existing(email: str) -> Lead | None:
    return Lead.select().where(Lead.email == email).order_by(Lead.created_at.desc(), Lead.id.desc()).first()


def _serialise(email: str) -> None:
    """Two captures of one new email at once must not make two leads (PostgreSQL;
    SQLite's write transactions are serial already)."""
    if not db.is_sqlite():
        db.database.execute_sql("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"crm-intake:{email}",))


@db.atomic
def receive(config: Config, submission: Submission) -> Received:
    """Write one checked capture: lead (new or found by email), answers, touch,
    intake log, first call and the reply owed, all or nothing."""
    if config.intake.first_call_type not in config.activity_type_names:
        raise DomainError(f"[intake] first_call_type {config.intake.first_call_type!r} is not an activity type")
    _serialise(submission.email)
    now = clock.utcnow_naive()
    lead = _existing(submission.email)
    created = lead is None
    with changes.action(None):
        if lead is None:
            owner, how = assign(config, submission)
            lead = changes.create(Lead, email=submission.email, owner=owner, status="new", **submission.lead)
        else:
            owner = User.get_or_none((User.id == lead.owner_id) & (User.active == True))  # noqa: E712
            how = "owner"
            if owner is None:
                owner, how = assign(config, submission)
            blanks: dict[str, Any] = {name: value for name, value in submission.lead.items()
                                      if not getattr(lead, name)}
            if owner is not None and owner.id != lead.owner_id:
                blanks["owner"] = owner
            if blanks:
                changes.update(lead, **blanks)
        known = {key for (key,) in QualificationAnswer.select(QualificationAnswer.question)
                 .where(QualificationAnswer.lead == lead.id).tuples()}
        for key, choice in submission.answers.items():
            if key not in known:
                changes.create(QualificationAnswer, lead=lead, question=key, answer=choice, answered_by=None)
        touch = touches.add_touch(
            None, lead.id, source=submission.source, campaign=submission.campaign, medium=submission.medium,
            referrer=submission.referrer, page=submission.page, at=now,
        )
        details = _details(submission)
        changes.create(
            IntakeEvent, lead=lead, touch=touch, form=submission.form, term=submission.term,
            content=submission.content, new_lead=created, assigned_to=owner, assigned_by=how, details=details,
        )
        call = _plan_first_call(config, lead, owner, submission, details, now)
        template = reply_template(config, submission.form, submission.campaign)
        queued = ""
        owed = (IntakeReply.lead == lead.id) & (IntakeReply.template == template)
        if template and not IntakeReply.select().where(owed).exists():
            IntakeReply.insert(lead=lead.id, template=template, created_at=now).on_conflict_ignore().execute()
            queued = template
    return Received(lead.id, created, touch.id, owner.login if owner else None, how,
                    call.id if call else None, queued)


def _plan_first_call(config: Config, lead: Lead, owner: User | None, submission: Submission, details: str,
                     now: dt.datetime) -> Activity | None:
    """A call for the assignee unless the lead is converted or already has open work."""
    if owner is None or lead.status == "converted":
        return None
    open_work = Activity.select(Activity.id).where(
        (Activity.record_kind == "lead") & (Activity.record_id == lead.id) & (Activity.status == "open")
    ).exists()
    if open_work:
        return None
    via = submission.form or submission.campaign or submission.source
    name = lead.name or lead.email
    day = first_call_day(config, owner, now)
    return activities.create(
        None, config, type=config.intake.first_call_type, subject=f"First call: {name} ({via})"[:200],  # type: ignore[arg-type]
        record_kind="lead", record_id=lead.id, day=day, deadline=day, priority=1, owner=owner, notes=details,
    )


# ---- Replies --------------------------------------------------------------


GIVEN_UP = "given up: not sent within {hours:g} hours of the capture"
"""`last_error` of a reply too late to send; it stays unsent, and is no longer tried."""


def _reply_cutoff(config: Config) -> dt.datetime:
    return clock.utcnow_naive() - dt.timedelta(hours=config.intake.reply_within_hours)


def pending_replies(config: Config, limit: int = 200) -> list[IntakeReply]:
    """Replies not yet accepted by a mail server and still in time
    (`[intake] reply_within_hours`), oldest first."""
    return list(IntakeReply.select().where(
        (IntakeReply.status == "pending") & (IntakeReply.created_at >= _reply_cutoff(config))
    ).order_by(IntakeReply.id).limit(limit))


@db.atomic
def give_up_late_replies(config: Config) -> list[int]:
    """Mark unsent replies past `reply_within_hours` as given up (once: a later
    run finds none); returns their leads' ids, so the run can say so."""
    why = GIVEN_UP.format(hours=config.intake.reply_within_hours)
    late = (IntakeReply.status == "pending") & (IntakeReply.created_at < _reply_cutoff(config)) & (
        IntakeReply.last_error != why)
    leads = [lead_id for (lead_id,) in IntakeReply.select(IntakeReply.lead).where(late).order_by(IntakeReply.id)
             .tuples()]
    IntakeReply.update(last_error=why).where(late).execute()
    return leads


def compose_reply(config: Config, reply: IntakeReply) -> Outgoing:
    """Merge the reply's template with its lead and the lead's owner (as `user`)."""
    lead = Lead.get_or_none(Lead.id == reply.lead_id)
    if lead is None:
        raise DomainError("the lead is gone")
    owner = User.get_or_none(User.id == lead.owner_id)
    if owner is None:
        raise DomainError(f"lead {lead.id} has no owner to reply for; assign it and the reply goes out")
    template = EmailTemplate.get_or_none(EmailTemplate.name == reply.template)
    if template is None:
        raise DomainError(f"there is no email template named {reply.template!r}: create it (crm templates add)")
    if "email" not in config.activity_type_names:
        raise DomainError("no 'email' activity type is configured, so replies cannot be logged")
    context = {"lead": lead, "user": owner}
    to, subject, body = templates.check_message(
        lead.email, templates.render(template.subject, context, "subject"), templates.render(template.body, context),
    )
    return Outgoing(reply.id, lead.id, to, subject, body, owner.email)


@db.atomic
def mark_reply_sent(config: Config, outgoing: Outgoing) -> Activity:
    """The server accepted the reply: mark it sent and log it on the lead as a
    done email activity of the owner, with the message as an email note.

    Written directly rather than through `templates.log_email`, whose
    completion marks the lead as being worked: an automatic reply is not a
    rep working the lead.
    """
    reply = IntakeReply.get_by_id(outgoing.reply_id)
    lead = Lead.get_by_id(outgoing.lead_id)
    owner = User.get_by_id(lead.owner_id)
    outcomes = config.activity_type("email").outcomes
    now = clock.utcnow_naive()
    today = clock.today(owner.time_zone)
    with changes.action(None):
        activity = changes.create(
            Activity, type="email", subject=outgoing.subject[:200], owner=owner, created_by=None,
            record_kind="lead", record_id=lead.id, planned_date=today, first_planned_date=today,
            status="done", outcome="sent" if "sent" in outcomes else outcomes[0], completed_at=now,
            followup="none",
        )
        changes.create(
            Note, record_kind="lead", record_id=lead.id, kind="email", author=None, activity=activity,
            body=f"Sent automatically from crm to {outgoing.to}\nSubject: {outgoing.subject}\n\n{outgoing.body}",
        )
    marked = IntakeReply.update(status="sent", sent_at=now, activity=activity.id, attempts=reply.attempts + 1,
                                last_error="").where((IntakeReply.id == reply.id) & (IntakeReply.status == "pending"))
    if marked.execute() != 1:
        raise DomainError(f"reply {reply.id} was marked sent by another run")  # rolls the log back
    return activity


@db.atomic
def mark_reply_failed(reply_id: int, why: str) -> None:
    """Keep the reply pending, with why it failed, for the next run."""
    IntakeReply.update(attempts=IntakeReply.attempts + 1, last_error=why[:300]).where(
        (IntakeReply.id == reply_id) & (IntakeReply.status == "pending")
    ).execute()


# ---- Figures --------------------------------------------------------------


def counts(since: dt.datetime, until: dt.datetime | None = None) -> list[IntakeCount]:
    """Captures per source and campaign in [since, until), or since `since` up to
    and including now (no `until`), most first: how many arrived, how many were
    new leads, and how many of those were converted."""
    converted = pw.Case(None, [((IntakeEvent.new_lead == True) & (Lead.status == "converted"), 1)], 0)  # noqa: E712
    new = pw.Case(None, [(IntakeEvent.new_lead == True, 1)], 0)  # noqa: E712
    query = (
        IntakeEvent.select(LeadTouch.source, LeadTouch.campaign, pw.fn.COUNT(IntakeEvent.id),
                           pw.fn.SUM(new), pw.fn.SUM(converted))
        .join(LeadTouch, on=(IntakeEvent.touch == LeadTouch.id))
        .switch(IntakeEvent)
        .join(Lead, on=(IntakeEvent.lead == Lead.id))
        .where((IntakeEvent.created_at >= since) & ((IntakeEvent.created_at < until) if until else True))
        .group_by(LeadTouch.source, LeadTouch.campaign)
        .order_by(pw.fn.COUNT(IntakeEvent.id).desc(), LeadTouch.source, LeadTouch.campaign)
        .tuples()
    )
    return [IntakeCount(source, campaign, int(received), int(new_leads or 0), int(won or 0))
            for source, campaign, received, new_leads, won in query]
