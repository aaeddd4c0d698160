"""`crm alerts send`: mail each recipient the exceptions new since their last digest.

Safe from cron: one run at a time (a lock row), an exception is marked sent
only after the SMTP server accepted the digest, and a failed send leaves it
unmarked so the next run tries again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from crm_tui.config import Config
from crm_tui.domain import alerts
from crm_tui.interop import mail


@dataclass
class SendReport:
    """What a run did: digests sent (login, exceptions) and failures (login, why)."""

    sent: list[tuple[str, int]] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)


def send_digests(config: Config, *, at: dt.datetime | None = None) -> SendReport:
    """Send every pending digest; raises AlertsBusy if another run holds the lock."""
    report = SendReport()
    alerts.acquire_lock()
    try:
        for digest in alerts.pending(config, at=at):
            subject, body = alerts.compose(digest, config)
            try:
                mail.send_message(config.smtp, digest.email, subject, body)
            except mail.MailError as exc:
                report.failed.append((digest.login, str(exc)))
                continue
            alerts.mark_sent(digest)
            report.sent.append((digest.login, len(digest.hits)))
    finally:
        alerts.release_lock()
    return report
