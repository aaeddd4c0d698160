"""Alert digests: which exceptions each recipient has not been mailed yet, and
the record of what was mailed.

The domain decides what to send and remembers what was sent; the SMTP work is
in `crm_tui.interop.mail`, and `crm_tui.interop.alerts` runs the two together.
An exception is marked sent only after the server accepted its digest, so a
failed run is simply repeated by the next one. Rows here are the mailer's own
bookkeeping, not a user's action, so they bypass the audit log and undo.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from crm_tui import clock, db
from crm_tui.config import Config
from crm_tui.domain import exceptions, runlock
from crm_tui.models import AlertSent, User

LOCK_KEY = "alerts_lock"
LOCK_STALE = runlock.STALE


class AlertsBusy(runlock.RunBusy):
    """Another `crm alerts send` holds the lock."""


@dataclass(frozen=True)
class Digest:
    """The new exceptions one person is to be mailed."""

    recipient_id: int
    login: str
    name: str
    email: str
    hits: tuple[exceptions.Hit, ...]


def recipients(config: Config) -> list[tuple[User, bool]]:
    """Active users with an email who get digests, and whether they see every owner."""
    chosen: list[tuple[User, bool]] = []
    for user in User.select().where((User.active == True) & (User.email != "")).order_by(User.login):  # noqa: E712
        if config.alerts.notify_managers and exceptions.can_see_all(user):
            chosen.append((user, True))
        elif config.alerts.notify_owners:
            chosen.append((user, False))
    return chosen


def pending(config: Config, *, at: dt.datetime | None = None) -> list[Digest]:
    """One digest per recipient with exceptions not mailed to them before."""
    hits = exceptions.evaluate(config, at=at)
    digests: list[Digest] = []
    for user, sees_all in recipients(config):
        mine = hits if sees_all else [hit for hit in hits if hit.owner_login == user.login]
        if not mine:
            continue
        sent = {
            (rule, kind, record_id, since)
            for rule, kind, record_id, since in AlertSent.select(
                AlertSent.rule, AlertSent.kind, AlertSent.record_id, AlertSent.since
            ).where(AlertSent.recipient == user.id).tuples()
        }
        new = tuple(hit for hit in mine if hit.key not in sent)
        if new:
            digests.append(Digest(user.id, user.login, user.display_name, user.email, new))
    return digests


def compose(digest: Digest, config: Config) -> tuple[str, str]:
    """The subject and plain-text body of a digest, grouped by rule."""
    count = len(digest.hits)
    subject = f"{config.alerts.subject_prefix} {count} new exception{'s' if count != 1 else ''}".strip()
    lines = [f"Hello {digest.name},", "",
             f"{count} exception{'s are' if count != 1 else ' is'} new since the last digest.", ""]
    current = None
    for hit in digest.hits:
        if hit.rule != current:
            current = hit.rule
            lines += ["", f"{hit.number}. {hit.rule_text}"]
        owner = hit.owner_name or "unassigned"
        lines.append(f"   - {hit.kind} #{hit.record_id} {hit.record_name} · {owner} · since "
                     f"{exceptions.iso_utc(hit.since)}" + (f" · {hit.detail}" if hit.detail else ""))
    lines += ["", "", "Open them with: crm exceptions", ""]
    return subject, "\n".join(lines)


@db.atomic
def mark_sent(digest: Digest) -> int:
    """Remember that the digest's exceptions reached its recipient; a repeat is ignored."""
    now = clock.utcnow_naive()
    rows = [
        {"rule": hit.rule, "kind": hit.kind, "record_id": hit.record_id, "since": hit.since,
         "recipient": digest.recipient_id, "sent_at": now}
        for hit in digest.hits
    ]
    for start in range(0, len(rows), 200):
        AlertSent.insert_many(rows[start:start + 200]).on_conflict_ignore().execute()
    return len(rows)


def acquire_lock() -> None:
    """Make sure only one run mails at a time (two cron runs overlapping)."""
    runlock.acquire(LOCK_KEY, "another 'crm alerts send' is running; this run sent nothing", AlertsBusy)


def release_lock() -> None:
    runlock.release(LOCK_KEY)
