"""Sending mail through the configured SMTP server (smtplib).

One function, `send`, used by the alert digests (and later quotes and
replies). STARTTLS and login are optional, every step has the configured
timeout, and every way a send can fail becomes one `MailError` with a
message a person can act on. A message counts as sent only when the server
accepted it for every recipient.
"""

from __future__ import annotations

import smtplib
import socket
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from crm_tui.config import Smtp


class MailError(RuntimeError):
    """A message that was not sent; the text says why and where."""


def make_message(smtp: Smtp, to: str, subject: str, body: str) -> EmailMessage:
    """A plain-text message from the configured sender."""
    message = EmailMessage()
    message["From"] = smtp.sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = make_msgid(domain=smtp.sender.rpartition("@")[2] or "localhost")
    message.set_content(body)
    return message


def send(smtp: Smtp, message: EmailMessage) -> None:
    """Hand one message to the SMTP server; raises MailError unless it was accepted."""
    if not smtp.host:
        raise MailError("no SMTP server configured: set host in the [smtp] section of the config file")
    where = f"{smtp.host}:{smtp.port}"
    try:
        with smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout) as server:
            if smtp.starttls:
                server.starttls(context=ssl.create_default_context())
            if smtp.username:
                server.login(smtp.username, smtp.password)
            refused = server.send_message(message)
    except smtplib.SMTPAuthenticationError:
        raise MailError(f"the mail server {where} refused the login for {smtp.username!r}") from None
    except smtplib.SMTPRecipientsRefused as exc:
        raise MailError(f"the mail server {where} refused {', '.join(exc.recipients)}") from None
    except smtplib.SMTPNotSupportedError:
        raise MailError(f"the mail server {where} does not support STARTTLS or login as configured") from None
    except smtplib.SMTPResponseException as exc:
        text = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        raise MailError(f"the mail server {where} refused the message: {exc.smtp_code} {text}") from None
    except smtplib.SMTPException as exc:
        raise MailError(f"sending through {where} failed: {exc}") from None
    except ssl.SSLError as exc:
        raise MailError(f"STARTTLS with {where} failed: {exc.reason or exc}") from None
    except (socket.timeout, TimeoutError):
        raise MailError(f"the mail server {where} did not answer within {smtp.timeout:g} s") from None
    except ConnectionRefusedError:
        raise MailError(f"cannot reach the mail server {where}: connection refused") from None
    except OSError as exc:
        raise MailError(f"cannot reach the mail server {where}: {exc.strerror or exc}") from None
    if refused:
        raise MailError(f"the mail server {where} refused {', '.join(refused)}")
