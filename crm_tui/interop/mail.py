"""Sending email through the configured SMTP server (`[smtp]` in the config).

`send_message` (and `send`, for a prepared message such as an alert digest) speaks to the server with smtplib (STARTTLS and login when
configured, with a timeout) and turns every failure into one `MailError`
line a user can act on. `send_and_log` is the compose flow's "send": it
logs the email on the record only after the server accepted it, so a
failed send never shows up as sent.
"""

from __future__ import annotations

import smtplib
import socket
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from crm_tui.config import Config, Smtp
from crm_tui.domain import templates
from crm_tui.domain.activities import FollowUp
from crm_tui.models import User


class MailError(RuntimeError):
    """The message could not be sent; the text says why, in one line."""


def build_message(to: str, subject: str, body: str, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message.set_content(body)
    return message


def send_message(smtp: Smtp, to: str, subject: str, body: str, sender: str | None = None) -> None:
    """Send one plain-text email; raises MailError with one clear line on any failure."""
    try:
        message = build_message(to, subject, body, sender or smtp.sender)
    except (ValueError, TypeError) as exc:
        raise MailError(f"cannot build the message: {exc}") from None
    send(smtp, message)


def send(smtp: Smtp, message: EmailMessage) -> None:
    """Hand one message to the server; it counts as sent only when accepted for every recipient."""
    if not smtp.host:
        raise MailError("no SMTP server is configured: set host under [smtp] in the config")
    where = f"{smtp.host}:{smtp.port}"
    try:
        with smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout) as server:
            if smtp.starttls:
                server.starttls(context=ssl.create_default_context())
            if smtp.username:
                server.login(smtp.username, smtp.password)
            refused = server.send_message(message)
    except smtplib.SMTPAuthenticationError:
        raise MailError(f"{where} refused the login for {smtp.username!r}: check [smtp] username and password") from None
    except smtplib.SMTPRecipientsRefused as exc:
        codes = "; ".join(f"{addr}: {code} {_text(reply)}" for addr, (code, reply) in exc.recipients.items())
        raise MailError(f"{where} refused the recipient ({codes})") from None
    except smtplib.SMTPSenderRefused as exc:
        raise MailError(f"{where} refused the sender {exc.sender!r}: {exc.smtp_code} {_text(exc.smtp_error)}") from None
    except smtplib.SMTPResponseException as exc:
        raise MailError(f"{where} said {exc.smtp_code} {_text(exc.smtp_error)}") from None
    except smtplib.SMTPNotSupportedError as exc:
        raise MailError(f"{where} does not support that: {exc}") from None
    except smtplib.SMTPException as exc:
        raise MailError(f"sending through {where} failed: {exc}") from None
    except ssl.SSLError as exc:
        raise MailError(f"TLS with {where} failed: {exc.reason or exc}") from None
    except ConnectionRefusedError:
        raise MailError(f"cannot reach the mail server {where}: connection refused") from None
    except (socket.timeout, TimeoutError):
        raise MailError(f"the mail server {where} did not answer within {smtp.timeout:g} s") from None
    except OSError as exc:
        raise MailError(f"cannot reach the mail server {where}: {exc.strerror or exc}") from None
    if refused:
        raise MailError(f"{where} refused: {', '.join(refused)}")


def _text(reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    return " ".join(text.split())


def sender_for(actor: User, config: Config) -> str:
    """The From address: the user's own email when known, else the configured sender."""
    return actor.email or config.smtp.sender


def send_and_log(
    actor: User,
    config: Config,
    record_kind: str,
    record_id: int,
    to: str,
    subject: str,
    body: str,
    *,
    follow_up: FollowUp | None = None,
) -> templates.EmailLog:
    """Send through SMTP, then log the email on the record; on a failed send nothing is logged."""
    to, subject, body = templates.check_message(to, subject, body)
    send_message(config.smtp, to, subject, body, sender=sender_for(actor, config))
    return templates.log_email(actor, config, record_kind, record_id, to, subject, body, sent=True,
                               follow_up=follow_up)
