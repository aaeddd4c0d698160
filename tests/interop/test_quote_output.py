"""A quote leaves the CRM: an escaped HTML page, and an email (SMTP or logged) that marks it sent."""

from __future__ import annotations

from email import message_from_bytes
from pathlib import Path

import pytest

from crm_tui.config import Config, Sales, Smtp
from crm_tui.domain import sales, templates
from crm_tui.domain.errors import DomainError
from crm_tui.interop import quotes
from crm_tui.interop.mail import MailError
from crm_tui.models import Activity, Note, User
from tests.domain.sales_fixtures import opportunity

from .test_mail import Recorder, free_port, smtp_server  # noqa: F401  (the fixture)


def approved_quote(rep: User, cfg: Config, name: str = "Smith & Sons <b>") -> int:
    quote = sales.create_quote(rep, cfg, opportunity(rep, cfg, name).id)
    sales.add_line(rep, quote.id, description="<script>alert(1)</script>", unit_price="10.50", quantity=2)
    sales.submit(rep, cfg, quote.id)
    return quote.id


def test_html_escapes_everything(rep: User, cfg: Config, tmp_path: Path) -> None:
    quote_id = approved_quote(rep, cfg)
    path = quotes.write_html(quote_id, rep, tmp_path / "q.html")
    html = path.read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>" not in html
    assert "Smith &amp; Sons &lt;b&gt;" in html
    assert "Quote Q-00001" in html and "24.99 EUR" in html  # 21.00 + 19% tax = 24.99


def test_send_through_smtp_logs_an_email_and_marks_it_sent(rep: User, manager: User,
                                                          smtp_server: tuple[Recorder, int]) -> None:  # noqa: F811
    handler, port = smtp_server
    cfg = Config(smtp=Smtp(host="127.0.0.1", port=port, sender="crm@example.test", timeout=5),
                 sales=Sales(quote_template="Our quote"))
    templates.create_template(manager, "Our quote", "Quote {quote.label}: {quote.total} {quote.currency}",
                              "Dear {contact.first_name},\nhere it is.")
    quote_id = approved_quote(rep, cfg, "Acme")
    message = quotes.send_quote(rep, cfg, quote_id, smtp=True)
    assert message.to == "kim@acme.test" and message.subject == "Quote Q-00001: 24.99 EUR"
    (_, recipients, raw), = handler.messages
    body = message_from_bytes(raw).get_payload(decode=True).decode().replace("\r\n", "\n")
    assert recipients == ["kim@acme.test"] and body.startswith("Dear Kim,\nhere it is.") and "Quote Q-00001\n" in body
    quote = sales.get_quote(quote_id)
    assert quote.status == "sent" and quote.sent_at is not None
    email = Activity.get(Activity.type == "email")
    assert (email.record_kind, email.record_id, email.status) == ("opportunity", quote.opportunity_id, "done")
    assert Note.get(Note.activity == email.id).body.startswith("Sent from crm to kim@acme.test")
    with pytest.raises(DomainError, match="only an approved quote can be sent"):
        quotes.send_quote(rep, cfg, quote_id, smtp=False)


def test_a_failed_send_changes_nothing_and_logging_only_works(rep: User) -> None:
    cfg = Config(smtp=Smtp(host="127.0.0.1", port=free_port(), timeout=2))
    quote_id = approved_quote(rep, cfg, "Acme")
    with pytest.raises(MailError):
        quotes.send_quote(rep, cfg, quote_id, smtp=True)
    assert sales.get_quote(quote_id).status == "approved" and Activity.select().where(Activity.type == "email").count() == 0
    message = quotes.send_quote(rep, cfg, quote_id, smtp=False)
    assert message.subject == "Quote Q-00001 for Acme rollout"
    assert sales.get_quote(quote_id).status == "sent"
    assert Note.get().body.startswith("Logged (sent outside crm) to kim@acme.test")
