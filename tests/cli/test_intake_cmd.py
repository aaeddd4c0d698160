"""`crm intake` from standard input and a file, `crm intake retry` when the mail
server was down (sent once, never twice), `crm intake counts`, and the token
`crm intake serve` insists on."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Iterator

import pytest
from aiosmtpd.controller import Controller

from crm_tui import db
from crm_tui.cli import main
from crm_tui.domain import templates, users
from crm_tui.models import Activity, IntakeReply, Lead, LeadTouch, User
from tests.interop.test_alerts import Inbox, free_port


@pytest.fixture
def team(database: str) -> dict[str, User]:
    boss = users.add_user("boss", "Boss", role="admin")
    ann = users.add_user("ann", "Ann Lee", role="rep", email="ann@example.test")
    templates.create_template(boss, "Welcome", "Hello {lead.first_name}", "Dear {lead.name},\n{user.display_name}\n")
    return {"boss": boss, "ann": ann}


@pytest.fixture
def port() -> int:
    return free_port()


def config_file(tmp_path: Path, port: int) -> Path:
    path = tmp_path / "crm.toml"
    path.write_text(
        f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nsender = "crm@example.test"\ntimeout = 3\n\n'
        '[intake]\nreply_default = "Welcome"\n'
    )
    return path


def run(database: str, args: list[str], capsys: pytest.CaptureFixture[str], *,
        stdin: bytes | None = None, monkeypatch: pytest.MonkeyPatch | None = None) -> tuple[int, str, str]:
    if stdin is not None and monkeypatch is not None:
        monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(stdin)))
    code = main([*args, "--db", database])
    out, err = capsys.readouterr()
    db.open_database(database)  # main closed it; reopen to look at what was stored
    return code, out, err


@pytest.fixture
def smtp(port: int) -> Iterator[tuple[Inbox, Controller]]:
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    yield handler, controller
    try:
        controller.stop()
    except (AssertionError, AttributeError, RuntimeError):
        pass  # never started, or stopped by the test


def test_json_from_stdin_while_the_mail_server_is_down_then_retry_sends_once(
        database: str, team: dict[str, User], port: int, smtp, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    handler, controller = smtp
    conf = config_file(tmp_path, port)
    capture = json.dumps({"first_name": "Jo", "last_name": "Smith", "email": "jo@example.test",
                          "utm_source": "newsletter", "utm_campaign": "winter"}).encode()

    code, out, err = run(database, ["intake", "--config", str(conf)], capsys, stdin=capture,
                         monkeypatch=monkeypatch)
    assert code == 0, "the lead is stored; the reply waits"
    lead = Lead.get(Lead.email == "jo@example.test")
    assert out.startswith(f"new lead {lead.id}, assigned to ann (round robin), first call #")
    assert "reply 'Welcome' queued" in out
    assert "not sent" in err and "connection refused" in err and "retried" in err
    reply = IntakeReply.get()
    assert (reply.status, reply.attempts) == ("pending", 1) and "connection refused" in reply.last_error
    assert Activity.select().where(Activity.type == "email").count() == 0, "a failed send is not logged"

    code, _, err = run(database, ["intake", "retry", "--config", str(conf)], capsys)
    assert code == 1 and "not sent" in err, "retry from cron fails loudly while the server is down"

    controller.start()
    code, out, err = run(database, ["intake", "retry", "--config", str(conf)], capsys)
    assert (code, err) == (0, "")
    assert out == f"reply sent to jo@example.test (lead {lead.id})\n"
    assert len(handler.messages) == 1 and handler.messages[0][1]["Subject"] == "Hello Jo"
    code, out, _ = run(database, ["intake", "retry", "--config", str(conf)], capsys)
    assert (code, out) == (0, "no replies owed\n")
    assert len(handler.messages) == 1, "never sent twice"
    assert IntakeReply.get().status == "sent"
    assert Activity.select().where((Activity.type == "email") & (Activity.status == "done")).count() == 1


def test_file_capture_refused_field_writes_nothing(database: str, team: dict[str, User], tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "lead.json"
    bad.write_text('{"email": "jo@example.test", "shoe_size": "44"}')
    code, out, err = run(database, ["intake", str(bad)], capsys)
    assert (code, out) == (1, "")
    assert err == f"crm: {bad}: unknown field 'shoe_size' (shoe_size); nothing was stored\n"
    assert Lead.select().count() == 0 and LeadTouch.select().count() == 0


def test_counts_by_source_and_campaign(database: str, team: dict[str, User], tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    for email in ("a@example.test", "b@example.test", "a@example.test"):
        body = json.dumps({"email": email, "utm_source": "google", "utm_campaign": "spring"}).encode()
        assert run(database, ["intake"], capsys, stdin=body, monkeypatch=monkeypatch)[0] == 0
    code, out, _ = run(database, ["intake", "counts", "--format", "json"], capsys)
    assert code == 0
    assert json.loads(out) == [{"source": "google", "campaign": "spring", "received": 3, "new_leads": 2,
                                "converted": 0}]


def test_serve_needs_a_long_token(database: str, capsys: pytest.CaptureFixture[str],
                                  monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("CRM_INTAKE_TOKEN", raising=False)
    assert main(["intake", "serve", "--db", database]) == 1
    assert "set a token of at least 16 characters" in capsys.readouterr().err
    assert main(["intake", "serve", "--listen", "nowhere", "--db", database]) == 2
    assert "expected HOST:PORT" in capsys.readouterr().err


def test_a_reply_unsent_for_too_long_is_given_up_once_and_never_sent(
        database: str, team: dict[str, User], port: int, smtp, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    handler, controller = smtp
    conf = config_file(tmp_path, port)
    capture = json.dumps({"first_name": "Jo", "last_name": "Smith", "email": "jo@example.test"}).encode()
    code, _, err = run(database, ["intake", "--config", str(conf)], capsys, stdin=capture, monkeypatch=monkeypatch)
    assert code == 0 and "not sent" in err
    lead = Lead.get(Lead.email == "jo@example.test")

    controller.start()  # the server is back, but only two days and an hour later
    later = ["--now", "2026-11-20T10:00:00Z"]
    code, out, err = run(database, ["intake", "retry", "--config", str(conf), *later], capsys)
    assert (code, out) == (0, "")
    assert err == f"crm: reply to lead {lead.id} given up: not sent within 48 hours of the capture\n"
    code, out, err = run(database, ["intake", "retry", "--config", str(conf), *later], capsys)
    assert (code, out, err) == (0, "no replies owed\n", ""), "said once"
    assert handler.messages == []
    reply = IntakeReply.get()
    assert reply.status == "pending" and reply.last_error.startswith("given up")
    assert Activity.select().where(Activity.type == "email").count() == 0
