"""One run at a time for the mailers that cron (or a service) starts.

`crm alerts send` and the intake reply sender each claim a row in crm_meta
before mailing: a second run that overlaps (a slow SMTP server, two cron
entries, the listener and `crm intake retry`) finds the row and stops with
nothing sent. A claim older than STALE (a killed run) is taken over. Rows
here are bookkeeping, not a user's action, so they bypass the audit log.
"""

from __future__ import annotations

import datetime as dt
import os

import peewee as pw

from crm_tui import db
from crm_tui.domain.errors import DomainError
from crm_tui.models import Meta

STALE = dt.timedelta(minutes=30)


class RunBusy(DomainError):
    """Another run holds the lock."""


@db.atomic
def _claim(key: str, now: dt.datetime) -> None:
    stale = (now - STALE).isoformat()
    Meta.delete().where((Meta.key == key) & (Meta.value < stale)).execute()
    Meta.insert(key=key, value=f"{now.isoformat()} pid {os.getpid()}").execute()


def acquire(key: str, busy_message: str, error: type[RunBusy] = RunBusy) -> None:
    """Claim the lock `key` (wall-clock stamped, so a frozen clock cannot make it stale)."""
    try:
        _claim(key, dt.datetime.now(dt.timezone.utc).replace(tzinfo=None))
    except pw.IntegrityError:
        raise error(busy_message) from None


@db.atomic
def release(key: str) -> None:
    Meta.delete().where(Meta.key == key).execute()
