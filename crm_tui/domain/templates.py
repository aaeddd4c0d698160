"""Email templates with merge fields, composing from a record, and logging sent email.

A template's subject and body may hold merge fields such as
`{contact.first_name}`, `{account.name}`, `{lead.company}` or
`{user.display_name}` (the sender). The renderer is deliberately not
`str.format`: it replaces only `{object.field}` pairs from `MERGE_FIELDS`,
an allow-list of plain columns, so a template can never reach other
attributes (`{user.__class__}` or a password). `{{` and `}}` are literal
braces. An unknown field is refused when the template is saved; a field
the record cannot fill (a `{lead.company}` on a case) is refused on compose,
naming it. Sending is done by interop.mail; logging it is here.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple

from crm_tui import clock, db
from crm_tui.config import Config
from crm_tui.domain import activities, changes, records, validation
from crm_tui.domain.errors import DomainError, NotFound
from crm_tui.models import Account, Activity, Case, Contact, EmailTemplate, Opportunity, User

MERGE_FIELDS: dict[str, tuple[str, ...]] = {
    "contact": ("first_name", "last_name", "name", "title", "email", "phone"),
    "account": ("name", "industry", "website", "email", "phone", "city", "country"),
    "lead": ("first_name", "last_name", "name", "company", "title", "email", "phone"),
    "opportunity": ("name", "amount", "currency", "forecast_close", "step"),
    "case": ("id", "subject", "priority", "status"),
    "user": ("display_name", "email", "phone"),
    "quote": ("label", "total", "currency", "valid_until"),
}
"""The only fields a template may use: object -> fields (plain columns and names).
`quote` is filled only when a quote is sent (interop.quotes)."""

_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")


class Composed(NamedTuple):
    """A template merged for one record: ready to edit, send and log."""

    to: str
    subject: str
    body: str


@dataclass(frozen=True)
class EmailLog:
    """The email activity and note that logging an email made."""

    activity: Activity
    sent: bool


def merge_field_names() -> list[str]:
    """Every allowed merge field, as written in a template."""
    return [f"{{{obj}.{name}}}" for obj, names in MERGE_FIELDS.items() for name in names]


def fields_used(text: str) -> list[str]:
    """The `obj.field` names a text uses, in order, without repeats (unknown ones too)."""
    used: list[str] = []
    for match in _TOKEN.finditer(text):
        name = match.group(1)
        if name is not None and name.strip() not in used:
            used.append(name.strip())
    return used


def unknown_fields(text: str) -> list[str]:
    bad = []
    for name in fields_used(text):
        obj, _, attr = name.partition(".")
        if attr not in MERGE_FIELDS.get(obj, ()):
            bad.append(name)
    return bad


def check(text: str, field: str = "body") -> str:
    """Refuse a template text with unknown merge fields, naming them."""
    bad = unknown_fields(text)
    if bad:
        listed = ", ".join(f"{{{name}}}" for name in bad)
        raise DomainError(
            f"unknown merge field{'s' if len(bad) > 1 else ''} {listed}; "
            "use {{ and }} for literal braces", field,
        )
    return text


def _format(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def render(text: str, context: dict[str, Any], field: str = "body") -> str:
    """Replace merge fields from `context` (object name -> model instance).

    Only allow-listed fields are read; unknown fields, and fields whose
    object is not in the context, raise a DomainError naming them.
    """
    check(text, field)
    missing = sorted({name for name in fields_used(text) if context.get(name.partition(".")[0]) is None})
    if missing:
        listed = ", ".join(f"{{{name}}}" for name in missing)
        raise DomainError(f"nothing to fill {listed} from on this record", field)

    def replace(match: re.Match[str]) -> str:
        token = match.group(0)
        if token == "{{":
            return "{"
        if token == "}}":
            return "}"
        obj, _, attr = match.group(1).strip().partition(".")
        return _format(getattr(context[obj], attr))

    return _TOKEN.sub(replace, text)


def context_for(actor: User, kind: str, record_id: int) -> dict[str, Any]:
    """The objects a template can draw on from a record, and the sender as `user`."""
    record = records.get(kind, record_id)
    context: dict[str, Any] = {"user": actor, kind: record}
    if isinstance(record, Contact):
        context["account"] = record.account
    elif isinstance(record, Account):
        context["contact"] = _first_contact(record.id)
    elif isinstance(record, (Opportunity, Case)):
        context["account"] = record.account
        context["contact"] = record.contact or (_first_contact(record.account_id) if record.account_id else None)
        if isinstance(record, Opportunity):
            context["lead"] = record.lead
    return {name: value for name, value in context.items() if value is not None}


def _first_contact(account_id: int) -> Contact | None:
    return (
        Contact.select()
        .where(Contact.account == account_id)
        .order_by((Contact.email == "").asc(), Contact.id)
        .first()
    )


def recipient(context: dict[str, Any]) -> str:
    """Who the email goes to: the contact, else the lead, else the account."""
    for name in ("contact", "lead", "account"):
        target = context.get(name)
        if target is not None and getattr(target, "email", ""):
            return str(target.email)
    return ""


def list_templates() -> list[EmailTemplate]:
    return list(EmailTemplate.select().order_by(EmailTemplate.name))


def get_template(template_id: int) -> EmailTemplate:
    template = EmailTemplate.get_or_none(EmailTemplate.id == template_id)
    if template is None:
        raise NotFound(f"email template {template_id} does not exist")
    return template


def _clean(name: str, subject: str, body: str, template_id: int | None) -> dict[str, str]:
    name = validation.required(name, "name", max_length=80)
    clash = EmailTemplate.get_or_none(EmailTemplate.name == name)
    if clash is not None and clash.id != template_id:
        raise DomainError(f"a template named {name!r} exists already", "name")
    return {
        "name": name,
        "subject": check(validation.required(subject, "subject"), "subject"),
        "body": check(validation.required(body, "body", max_length=50000), "body"),
    }


@db.atomic
def create_template(actor: User, name: str, subject: str, body: str) -> EmailTemplate:
    """Save a new template; unknown merge fields are refused at the field that has them."""
    values = _clean(name, subject, body, None)
    with changes.action(actor):
        return changes.create(EmailTemplate, **values)


@db.atomic
def update_template(
    actor: User, template_id: int, *, name: str, subject: str, body: str, expected_version: int | None = None
) -> EmailTemplate:
    """Save an edited template; a stale save is refused with who changed it."""
    template = get_template(template_id)
    values = _clean(name, subject, body, template.id)
    with changes.action(actor):
        return changes.update(template, expected_version, **values)


@db.atomic
def delete_template(actor: User, template_id: int) -> None:
    template = get_template(template_id)
    with changes.action(actor):
        changes.delete(template)


def compose(actor: User, template_id: int, record_kind: str, record_id: int) -> Composed:
    """Merge a template for a record: the recipient, subject and body to edit and send."""
    template = get_template(template_id)
    context = context_for(actor, record_kind, record_id)
    return Composed(
        recipient(context),
        render(template.subject, context, "subject"),
        render(template.body, context, "body"),
    )


def check_message(to: str, subject: str, body: str) -> tuple[str, str, str]:
    """A message fit to send or log: one valid address, a subject, a body."""
    to = validation.email(validation.required(to, "to", "the recipient"), "to")
    subject = validation.required(subject, "subject")
    if "\n" in subject or "\r" in subject:
        raise DomainError("the subject must be one line", "subject")
    body = validation.required(body, "body", max_length=100000)
    return to, subject, body


@db.atomic
def log_email(
    actor: User,
    config: Config,
    record_kind: str,
    record_id: int,
    to: str,
    subject: str,
    body: str,
    *,
    sent: bool,
    follow_up: activities.FollowUp | None = None,
) -> EmailLog:
    """Record an email on a record: a done "email" activity and an email note.

    `sent` says whether crm sent it through SMTP (True) or the user sent it
    some other way and only logs it (False); the note says which. Call it
    only after a send succeeded: a failed send logs nothing.
    """
    to, subject, body = check_message(to, subject, body)
    records.get(record_kind, record_id)
    if "email" not in config.activity_type_names:
        raise DomainError("no 'email' activity type is configured, so emails cannot be logged")
    outcomes = config.activity_type("email").outcomes
    outcome = "sent" if "sent" in outcomes else outcomes[0]
    how = "Sent from crm" if sent else "Logged (sent outside crm)"
    today = clock.today(actor.time_zone)
    note = f"{how} to {to}\nSubject: {subject}\n\n{body}"
    with changes.action(actor):
        activity = activities.create(
            actor, config, type="email", subject=subject[:200], record_kind=record_kind, record_id=record_id,
            day=today,
        )
        activities.complete(actor, config, activity.id, outcome=outcome, note=note, follow_up=follow_up)
    return EmailLog(activities.get(activity.id), sent)

