"""Lead capture from outside: decoding a posted body, and sending the replies owed.

`decode` turns a JSON or form-encoded body into plain fields for
`domain.intake.clean` (the HTTP listener and `crm intake` share it);
`capture` runs clean and receive. `send_replies` mails every automatic reply
still owed, in the shape of `crm alerts send`: one run at a time (a lock
row), a reply marked sent (and logged on the lead) only after the SMTP
server accepted it, a failure left pending for the next run. So it is safe
from cron, from the listener's retry timer and from `crm intake retry` at once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Mapping
from urllib.parse import parse_qsl

from crm_tui.config import Config
from crm_tui.domain import intake, runlock
from crm_tui.domain.errors import DomainError
from crm_tui.interop import mail

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
MAX_FIELDS = 100


class PayloadError(ValueError):
    """A body that cannot be read as fields; `status` is the HTTP answer (400 or 415)."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


class ReplyBusy(runlock.RunBusy):
    """Another run is sending intake replies."""


@dataclass
class ReplyReport:
    """What a send run did: (lead id, address) sent, (lead id, why) failed, leads given up."""

    sent: list[tuple[int, str]] = field(default_factory=list)
    failed: list[tuple[int, str]] = field(default_factory=list)
    given_up: list[int] = field(default_factory=list)
    """Leads whose reply was too late to send (`[intake] reply_within_hours`), told once."""


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise PayloadError(f"field {key[:60]!r} is given twice")
        result[key] = value
    return result


def decode(body: bytes, content_type: str) -> dict[str, Any]:
    """The fields of a JSON object or a form-encoded body (UTF-8 only)."""
    media, _, params = content_type.partition(";")
    media = media.strip().lower()
    charset = params.strip().lower().removeprefix("charset=").strip('"') if "charset=" in params.lower() else "utf-8"
    if media not in (JSON, FORM):
        raise PayloadError(f"send {JSON} or {FORM}, not {media or 'no content type'}", 415)
    if charset not in ("utf-8", "utf8"):
        raise PayloadError("only UTF-8 bodies are accepted", 415)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise PayloadError("the body is not valid UTF-8") from None
    if media == JSON:
        try:
            data = json.loads(text, object_pairs_hook=_no_duplicates)
        except json.JSONDecodeError as exc:
            raise PayloadError(f"malformed JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
        except RecursionError:
            raise PayloadError("malformed JSON: nested too deeply") from None
        if not isinstance(data, dict):
            raise PayloadError("the JSON body must be one object of fields")
        return data
    try:
        pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=True, max_num_fields=MAX_FIELDS)
    except ValueError as exc:
        raise PayloadError(f"malformed form body: {exc}") from None
    return _no_duplicates(list(pairs))


def capture(config: Config, data: Mapping[str, Any]) -> intake.Received:
    """Check and store one capture (DomainError names a bad field; nothing is written then)."""
    return intake.receive(config, intake.clean(config, data))


def send_replies(config: Config) -> ReplyReport:
    """Send every reply still owed; raises ReplyBusy if another run is sending."""
    report = ReplyReport()
    runlock.acquire(intake.REPLY_LOCK_KEY, "another run is sending intake replies; this one sent nothing", ReplyBusy)
    try:
        report.given_up = intake.give_up_late_replies(config)
        for reply in intake.pending_replies(config):
            try:
                outgoing = intake.compose_reply(config, reply)
                message = mail.build_message(outgoing.to, outgoing.subject, outgoing.body,
                                             config.intake.reply_from or config.smtp.sender)
                if outgoing.reply_to:
                    message["Reply-To"] = outgoing.reply_to
                mail.send(config.smtp, message)
            except (DomainError, mail.MailError, ValueError) as exc:
                intake.mark_reply_failed(reply.id, str(exc))
                report.failed.append((reply.lead_id, str(exc)))
                continue
            intake.mark_reply_sent(config, outgoing)
            report.sent.append((outgoing.lead_id, outgoing.to))
    finally:
        runlock.release(intake.REPLY_LOCK_KEY)
    return report
