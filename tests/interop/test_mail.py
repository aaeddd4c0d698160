"""Sending through a real SMTP server on loopback, and what a failed send leaves behind."""

import socket
from email import message_from_bytes
from typing import Iterator

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Sink

from crm_tui.config import Config, Smtp
from crm_tui.domain import templates
from crm_tui.interop import mail
from crm_tui.models import Account, Activity, Contact, Note, User


class Recorder(Sink):
    """Keeps every message the server accepted."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp_server() -> Iterator[tuple[Recorder, int]]:
    handler = Recorder()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


@pytest.fixture
def contact(rep: User) -> Contact:
    account = Account.create(name="Acme", owner=rep)
    return Contact.create(account=account, first_name="Kim", last_name="Ng", email="kim@acme.test", owner=rep)


def test_compose_send_and_log_through_a_real_smtp_server(
    rep: User, contact: Contact, smtp_server: tuple[Recorder, int]
, manager: User) -> None:
    handler, port = smtp_server
    cfg = Config(smtp=Smtp(host="127.0.0.1", port=port, sender="crm@example.test", timeout=5))
    template = templates.create_template(manager, "Hello", "Hello {contact.first_name}", "Dear {contact.name},\nthanks.")
    to, subject, body = templates.compose(rep, template.id, "contact", contact.id)
    mail.send_and_log(rep, cfg, "contact", contact.id, to, subject, body)
    (sender, recipients, raw), = handler.messages
    assert (sender, recipients) == ("crm@example.test", ["kim@acme.test"])
    message = message_from_bytes(raw)
    assert message["Subject"] == "Hello Kim" and message["To"] == "kim@acme.test"
    assert message.get_payload(decode=True).decode().replace("\r\n", "\n").strip() == "Dear Kim Ng,\nthanks."
    activity = Activity.get()
    assert (activity.type, activity.status, activity.outcome, activity.record_id) == ("email", "done", "sent", contact.id)
    assert Note.get().body.startswith("Sent from crm to kim@acme.test")


def test_a_failed_send_logs_nothing_and_says_why(rep: User, contact: Contact) -> None:
    cfg = Config(smtp=Smtp(host="127.0.0.1", port=free_port(), timeout=2))  # nobody listens there
    with pytest.raises(mail.MailError, match=r"cannot reach the mail server 127\.0\.0\.1:\d+"):
        mail.send_and_log(rep, cfg, "contact", contact.id, "kim@acme.test", "Hi", "Body")
    assert Activity.select().count() == 0 and Note.select().count() == 0
    with pytest.raises(mail.MailError, match=r"no SMTP server is configured"):
        mail.send_message(Smtp(), "kim@acme.test", "Hi", "Body")


def test_the_user_address_is_the_sender_when_known(
    rep: User, contact: Contact, smtp_server: tuple[Recorder, int]
) -> None:
    handler, port = smtp_server
    User.update(email="ann@example.test").where(User.id == rep.id).execute()
    me = User.get_by_id(rep.id)
    mail.send_and_log(me, Config(smtp=Smtp(host="127.0.0.1", port=port)), "contact", contact.id,
                      "kim@acme.test", "Hi", "Body")
    assert handler.messages[0][0] == "ann@example.test"
