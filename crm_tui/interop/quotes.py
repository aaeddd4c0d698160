"""A quote leaves the CRM: as an HTML file a customer opens, and as an email.

HTML comes from a Jinja2 template with autoescaping on, so a product called
`<script>` or an account called "Smith & Sons" prints as text, never as
markup (hand-built HTML strings are one missed `escape()` away from that).

Sending merges the configured email template (`[sales] quote_template`, or a
built-in text when no template has that name) on the quote's opportunity,
adds the quote as text, and then either sends it through SMTP and logs it, or
only logs it; the quote becomes "sent" in the same action as the log. A
failed SMTP send changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import jinja2

from crm_tui.config import Config
from crm_tui.domain import money, sales, templates
from crm_tui.domain.errors import DomainError
from crm_tui.interop.mail import send_message, sender_for
from crm_tui.models import Account, EmailTemplate, Opportunity, User

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("crm_tui.interop", "templates"),
    autoescape=True,  # every value is user data: escape all of it
    undefined=jinja2.StrictUndefined,
    keep_trailing_newline=True,
)

DEFAULT_SUBJECT = "Quote {quote.label} for {opportunity.name}"
DEFAULT_BODY = "Hello,\n\nplease find our quote {quote.label} below.\n\nBest regards,\n{user.display_name}\n"


def render_html(quote_id: int, actor: User) -> str:
    """The quote as a standalone HTML page."""
    quote = sales.get_quote(quote_id)
    opportunity = Opportunity.get_by_id(quote.opportunity_id)
    account = Account.get_or_none(Account.id == quote.account_id) if quote.account_id else None
    lines = [
        {"position": line.position, "description": line.description,
         "quantity": f"{line.quantity.normalize():f}", "unit_price": money.format_amount(line.unit_price),
         "discount": f"{line.discount.normalize():f}%" if line.discount else "", "net": money.format_amount(line.net)}
        for line in sales.lines(quote.id)
    ]
    return _ENV.get_template("quote.html.j2").render(
        label=sales.quote_label(quote.number), customer=account.name if account else opportunity.name,
        opportunity=opportunity.name, issued=quote.created_at.date().isoformat(),
        valid_until=quote.valid_until.isoformat() if quote.valid_until else "",
        sender=actor.display_name, lines=lines, currency=quote.currency,
        subtotal=money.format_amount(quote.subtotal), tax=money.format_amount(quote.tax),
        tax_rate=f"{quote.tax_rate.normalize():f}", total=money.format_amount(quote.total),
    )


def write_html(quote_id: int, actor: User, path: Path) -> Path:
    """Write the HTML page; returns the path."""
    try:
        path.write_text(render_html(quote_id, actor), encoding="utf-8")
    except OSError as exc:
        raise DomainError(f"cannot write {path}: {exc.strerror}") from None
    return path


@dataclass(frozen=True)
class QuoteMessage:
    to: str
    subject: str
    body: str


@dataclass(frozen=True)
class _QuoteFields:
    """What `{quote.*}` merge fields read."""

    label: str
    total: str
    currency: str
    valid_until: str


def compose(actor: User, config: Config, quote_id: int) -> QuoteMessage:
    """The email for a quote: the configured template on its opportunity, plus the quote as text."""
    quote = sales.get_quote(quote_id)
    template = EmailTemplate.get_or_none(EmailTemplate.name == config.sales.quote_template)
    subject, body = (template.subject, template.body) if template else (DEFAULT_SUBJECT, DEFAULT_BODY)
    context = templates.context_for(actor, "opportunity", quote.opportunity_id)
    context["quote"] = _QuoteFields(sales.quote_label(quote.number), money.format_amount(quote.total),
                                    quote.currency, quote.valid_until.isoformat() if quote.valid_until else "")
    to = sales.sendable_to(quote) or templates.recipient(context)
    text = templates.render(body, context, "body").rstrip() + "\n\n" + sales.render_text(quote, for_customer=True)
    return QuoteMessage(to, templates.render(subject, context, "subject"), text)


def send_quote(actor: User, config: Config, quote_id: int, *, smtp: bool, to: str | None = None,
               message: QuoteMessage | None = None) -> QuoteMessage:
    """Send (through SMTP when `smtp`) or only log the quote email; the quote becomes sent."""
    quote = sales.get_quote(quote_id)
    if quote.status != "approved":
        raise DomainError(f"this quote is {quote.status}: only an approved quote can be sent")
    composed = message or compose(actor, config, quote_id)
    if to:
        composed = QuoteMessage(to, composed.subject, composed.body)
    checked = templates.check_message(composed.to, composed.subject, composed.body)
    if smtp:
        send_message(config.smtp, *checked, sender=sender_for(actor, config))
    sales.send(actor, config, quote_id, *checked, by_smtp=smtp)
    return QuoteMessage(*checked)

