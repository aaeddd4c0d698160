"""`crm alerts send` end to end through a real SMTP server on loopback (aiosmtpd):
a digest arrives, a second run sends nothing, a server that is down fails the
run with a clear message and marks nothing, and the next run sends it."""

from __future__ import annotations

import datetime as dt
import email
import socket
from email.message import Message
from pathlib import Path
from typing import Iterator

import pytest
from aiosmtpd.controller import Controller

from crm_tui import db
from crm_tui.cli import main
from crm_tui.config import Alerts, Config, Smtp
from crm_tui.domain import alerts, users
from crm_tui.interop import mail
from crm_tui.models import Activity, AlertSent, Case, Meta, User

T = dt.datetime(2026, 11, 18, 9, 0)
H = dt.timedelta(hours=1)


class Inbox:
    """An aiosmtpd handler that keeps every message it accepts."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], Message]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, ANN201 - aiosmtpd's hook
        self.messages.append((list(envelope.rcpt_tos), email.message_from_bytes(envelope.content)))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def port() -> int:
    return free_port()


@pytest.fixture
def inbox(port: int) -> Iterator[tuple[Inbox, Controller]]:
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler, controller
    try:
        controller.stop()
    except AssertionError:
        pass  # stopped by the test already


def late_case(owner: User, subject: str) -> Case:
    case = Case.create(subject=subject, owner=owner, status="open", created_at=T - 3 * H * 24, sla_due=T - H)
    Activity.create(type="call", subject="call back", owner=owner, record_kind="case", record_id=case.id,
                    planned_date=(T + dt.timedelta(days=1)).date())
    return case


@pytest.fixture
def team(database: str) -> dict[str, User]:
    return {
        "max": users.add_user("max", "Max Mayer", role="manager", email="max@example.test"),
        "ann": users.add_user("ann", "Ann Lee", role="rep", email="ann@example.test"),
        "quiet": users.add_user("quiet", "No Mail", role="manager"),
    }


def config_file(tmp_path: Path, port: int, notify_owners: bool = False) -> Path:
    path = tmp_path / "crm.toml"
    path.write_text(
        f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nsender = "crm@example.test"\ntimeout = 5\n\n'
        f'[alerts]\nnotify_owners = {"true" if notify_owners else "false"}\n'
    )
    return path


def send(database: str, conf: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    # At the data's instant: `main` reads the clock afresh, and from 2026-11-23 on
    # the real date would make the planned follow-ups overdue too.
    code = main(["alerts", "send", "--db", database, "--config", str(conf), "--user", "max",
                 "--now", T.isoformat() + "Z"])
    out, err = capsys.readouterr()
    db.open_database(database)  # main closed it; reopen to look at what was stored
    return code, out, err


def test_digest_sent_once_failed_send_retried(database: str, team: dict[str, User], port: int, inbox,
                                             tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    handler, controller = inbox
    late_case(team["ann"], "Printer on fire [urgent]")
    conf = config_file(tmp_path, port)

    code, out, err = send(database, conf, capsys)
    assert (code, err) == (0, "")
    assert out == "sent max 1 new exception\n"
    assert len(handler.messages) == 1
    rcpts, message = handler.messages[0]
    assert rcpts == ["max@example.test"]
    assert message["Subject"] == "[crm] 1 new exception"
    body = message.get_payload(decode=True).decode()
    assert "Printer on fire [urgent]" in body and "Case past its SLA" in body and "Ann Lee" in body
    assert AlertSent.select().count() == 1

    code, out, _ = send(database, conf, capsys)
    assert (code, out) == (0, "nothing new to send\n")
    assert len(handler.messages) == 1, "no second mail for the same exception"

    late_case(team["ann"], "Second fire")
    controller.stop()
    code, out, err = send(database, conf, capsys)
    assert code == 1
    assert f"cannot reach the mail server 127.0.0.1:{port}: connection refused" in err
    assert "retried on the next run" in err and "Traceback" not in err
    assert AlertSent.select().count() == 1, "nothing is marked sent when the server is down"
    assert Meta.get_or_none(Meta.key == alerts.LOCK_KEY) is None, "the lock is released after a failure"

    restarted = Controller(handler, hostname="127.0.0.1", port=port)
    restarted.start()
    try:
        code, out, _ = send(database, conf, capsys)
    finally:
        restarted.stop()
    assert (code, out) == (0, "sent max 1 new exception\n")
    assert len(handler.messages) == 2
    retried = handler.messages[1][1].get_payload(decode=True).decode()
    assert "Second fire" in retried and "Printer on fire" not in retried
    assert AlertSent.select().count() == 2


def test_owners_get_their_own_when_configured(database: str, team: dict[str, User], port: int, inbox,
                                              tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    handler, _ = inbox
    late_case(team["ann"], "Ann's case")
    late_case(team["max"], "Max's case")
    code, out, _ = send(database, config_file(tmp_path, port, notify_owners=True), capsys)
    assert code == 0
    assert out.splitlines() == ["sent ann 1 new exception", "sent max 2 new exceptions"]
    by_rcpt = {rcpts[0]: message.get_payload(decode=True).decode() for rcpts, message in handler.messages}
    assert "Ann's case" in by_rcpt["ann@example.test"] and "Max's case" not in by_rcpt["ann@example.test"]
    assert "Ann's case" in by_rcpt["max@example.test"] and "Max's case" in by_rcpt["max@example.test"]


def test_overlapping_runs_are_refused(database: str, team: dict[str, User]) -> None:
    alerts.acquire_lock()
    with pytest.raises(alerts.AlertsBusy, match="another 'crm alerts send' is running"):
        alerts.acquire_lock()
    alerts.release_lock()
    alerts.acquire_lock()  # free again
    alerts.release_lock()


def test_a_stale_lock_from_a_killed_run_is_taken_over(database: str, team: dict[str, User]) -> None:
    Meta.create(key=alerts.LOCK_KEY, value="2000-01-01T00:00:00 pid 1")
    alerts.acquire_lock()
    assert Meta.get(Meta.key == alerts.LOCK_KEY).value != "2000-01-01T00:00:00 pid 1"
    alerts.release_lock()


def test_mail_errors_are_one_clear_message(port: int) -> None:
    smtp = Smtp(host="127.0.0.1", port=port, timeout=2)
    message = mail.build_message("x@example.test", "hi", "body", smtp.sender)
    with pytest.raises(mail.MailError, match="connection refused"):
        mail.send(smtp, message)
    with pytest.raises(mail.MailError, match=r"no SMTP server is configured"):
        mail.send(Smtp(), message)


def test_nothing_configured_for_owners_means_managers_only(database: str, team: dict[str, User]) -> None:
    late_case(team["ann"], "Case")
    digests = alerts.pending(Config(alerts=Alerts(notify_owners=False)))
    assert [d.login for d in digests] == ["max"]
    assert [d.login for d in alerts.pending(Config(alerts=Alerts(notify_owners=True)))] == ["ann", "max"]
