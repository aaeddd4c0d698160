"""`crm intake serve` end to end: the real listener on loopback, a real SMTP
server on loopback (aiosmtpd) receiving the automatic reply, and every kind
of bad request answered with its 4xx JSON error and nothing written."""

from __future__ import annotations

import http.client
import json
import threading
import time
from typing import Any, Iterator
from urllib.parse import urlencode

import pytest
from aiosmtpd.controller import Controller

from crm_tui.config import Config, Intake, Smtp
from crm_tui.domain import templates, users
from crm_tui.interop import intake_http
from crm_tui.models import Activity, AuditEvent, IntakeEvent, IntakeReply, Lead, LeadTouch, Note, User
from tests.interop.test_alerts import Inbox, free_port

TOKEN = "s3cret-token-for-tests-0123456789"


@pytest.fixture
def team(database: str) -> dict[str, User]:
    boss = users.add_user("boss", "Boss", role="admin")
    ann = users.add_user("ann", "Ann Lee", role="rep", time_zone="Europe/Berlin", email="ann@example.test")
    users.set_user("ann", phone="+49 30 555 0100")
    templates.create_template(
        boss, "Welcome", "Thanks, {lead.first_name}",
        "Hello {lead.first_name},\n\nI will call you soon.\n{user.display_name}, {user.phone}\n",
    )
    return {"boss": boss, "ann": ann}


@pytest.fixture
def smtp_port() -> int:
    return free_port()


@pytest.fixture
def inbox(smtp_port: int) -> Iterator[Inbox]:
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    yield handler
    controller.stop()


def make_config(smtp_port: int, **intake_settings: Any) -> Config:
    settings: dict[str, Any] = {"reply_default": "Welcome", "reply_from": "sales@example.test"}
    settings.update(intake_settings)
    return Config(
        smtp=Smtp(host="127.0.0.1", port=smtp_port, sender="crm@example.test", timeout=5),
        intake=Intake(**settings),
    )


class Listener:
    """The real server in a thread; `post` speaks HTTP to it over loopback."""

    def __init__(self, config: Config) -> None:
        self.server = intake_http.make_server(config, "127.0.0.1", 0, TOKEN, quiet=True)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=intake_http.serve, args=(self.server,), daemon=True)
        self.thread.start()

    def request(self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
                ) -> tuple[int, dict[str, Any], http.client.HTTPResponse]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            raw = response.read()
        finally:
            connection.close()
        return response.status, (json.loads(raw) if raw else {}), response

    def post(self, fields: Any, *, token: str | None = TOKEN, kind: str = "json", path: str = "/intake",
             headers: dict[str, str] | None = None) -> tuple[int, dict[str, Any], http.client.HTTPResponse]:
        if isinstance(fields, bytes):
            body = fields
        elif kind == "json":
            body = json.dumps(fields).encode()
        else:
            body = urlencode(fields).encode()
        sent = {"Content-Type": "application/json" if kind == "json" else "application/x-www-form-urlencoded"}
        if token is not None:
            sent["Authorization"] = f"Bearer {token}"
        sent.update(headers or {})
        return self.request("POST", path, body, sent)

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(timeout=20)


@pytest.fixture
def listener(team: dict[str, User], smtp_port: int) -> Iterator[Listener]:
    running = Listener(make_config(smtp_port))
    yield running
    running.stop()


def wait_for(condition, seconds: float = 10.0) -> bool:  # noqa: ANN001
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def written() -> tuple[int, ...]:
    return tuple(model.select().count() for model in (Lead, LeadTouch, IntakeEvent, IntakeReply, Activity,
                                                      AuditEvent))


def test_form_post_makes_a_lead_and_the_reply_arrives_by_smtp(listener: Listener, inbox: Inbox,
                                                             team: dict[str, User]) -> None:
    status, answer, response = listener.post(
        {"first_name": "Jo", "last_name": "Smith", "email": "jo@example.test", "company": "Acme",
         "budget": "10k-50k", "utm_source": "google", "utm_campaign": "spring", "form": "demo",
         "page": "https://example.test/pricing"}, kind="form")
    assert (status, answer) == (202, {"status": "accepted"})
    assert response.getheader("Content-Type") == "application/json"
    lead = Lead.get(Lead.email == "jo@example.test")
    assert (lead.first_name, lead.company, lead.owner_id, lead.source) == ("Jo", "Acme", team["ann"].id, "google")

    assert wait_for(lambda: len(inbox.messages) == 1), "the reply reaches the SMTP server"
    rcpts, message = inbox.messages[0]
    assert rcpts == ["jo@example.test"]
    assert (message["From"], message["Reply-To"], message["Subject"]) == (
        "sales@example.test", "ann@example.test", "Thanks, Jo")
    body = message.get_payload(decode=True).decode()
    assert "Hello Jo," in body and "Ann Lee, +49 30 555 0100" in body

    assert wait_for(lambda: IntakeReply.get().status == "sent")
    reply = IntakeReply.get()
    logged = Activity.get_by_id(reply.activity_id)
    assert (logged.type, logged.status, logged.outcome, logged.owner_id) == ("email", "done", "sent", team["ann"].id)
    assert (logged.record_kind, logged.record_id, logged.subject) == ("lead", lead.id, "Thanks, Jo")
    assert Note.get(Note.activity == logged.id).kind == "email"
    assert Lead.get_by_id(lead.id).status == "new", "an automatic reply is not a rep working the lead"


def test_json_post_from_a_repeat_visitor_adds_a_touch_and_no_second_reply(listener: Listener, inbox: Inbox) -> None:
    assert listener.post({"email": "jo@example.test", "name": "Jo Smith", "source": "ads"})[0] == 202
    assert wait_for(lambda: len(inbox.messages) == 1)
    assert listener.post({"email": "jo@example.test", "source": "seminar", "message": "again"})[0] == 202
    assert Lead.select().count() == 1
    assert [t.source for t in LeadTouch.select().order_by(LeadTouch.id)] == ["ads", "seminar"]
    time.sleep(0.5)
    assert len(inbox.messages) == 1, "the same reply is never sent twice"


@pytest.mark.parametrize(("case", "status", "words"), [
    ("no token", 401, "valid token"),
    ("bad token", 401, "valid token"),
    ("oversized body", 413, "larger than"),
    ("malformed json", 400, "malformed JSON"),
    ("not an object", 400, "one object"),
    ("duplicate field", 400, "given twice"),
    ("unknown field", 422, "unknown field 'favourite_colour'"),
    ("bad email", 422, "is not an email address"),
    ("bad choice", 422, "budget must be one of"),
    ("plain text", 415, "send application/json"),
    ("query string", 400, "in the body"),
    ("other path", 404, "not found"),
])
def test_bad_requests_get_a_clear_error_and_write_nothing(listener: Listener, case: str, status: int,
                                                         words: str) -> None:
    good = {"email": "jo@example.test", "last_name": "Smith"}
    before = written()
    if case == "no token":
        answer = listener.post(good, token=None)
    elif case == "bad token":
        answer = listener.post(good, token=TOKEN[:-1] + "X")
    elif case == "oversized body":
        answer = listener.post({**good, "message": "x" * 20000})
    elif case == "malformed json":
        answer = listener.post(b'{"email": "jo@example.test",')
    elif case == "not an object":
        answer = listener.post(b'["jo@example.test"]')
    elif case == "duplicate field":
        answer = listener.post(b'{"email": "a@example.test", "email": "b@example.test"}')
    elif case == "unknown field":
        answer = listener.post({**good, "favourite_colour": "blue"})
    elif case == "bad email":
        answer = listener.post({**good, "email": "jo at example"})
    elif case == "bad choice":
        answer = listener.post({**good, "budget": "priceless"})
    elif case == "plain text":
        answer = listener.post(b"email=jo@example.test", headers={"Content-Type": "text/plain"})
    elif case == "query string":
        answer = listener.post(good, path="/intake?email=jo@example.test")
    else:
        answer = listener.post(good, path="/admin")
    code, payload, response = answer
    assert code == status
    assert response.getheader("Content-Type") == "application/json"
    assert words in payload["error"]
    if case in ("unknown field", "bad email"):
        assert payload["field"] == ("favourite_colour" if case == "unknown field" else "email")
    if code == 401:
        assert response.getheader("WWW-Authenticate") == "Bearer"
    assert written() == before, "nothing is written"


def test_only_post_on_the_intake_path(listener: Listener) -> None:
    status, payload, response = listener.request("GET", "/intake")
    assert (status, response.getheader("Allow")) == (405, "POST")
    assert listener.request("GET", "/")[0] == 404
    assert listener.request("DELETE", "/intake")[0] == 405
    status, payload, _ = listener.request("BREW", "/intake")
    assert status == 501 and "error" in payload, "even the server's own errors are JSON"
    assert listener.post({"email": "a@example.test"}, headers={"Transfer-Encoding": "chunked"})[0] == 411


def test_each_client_is_rate_limited(team: dict[str, User], smtp_port: int) -> None:
    running = Listener(make_config(smtp_port, rate_per_minute=3, reply_default=""))
    try:
        codes = [running.post({"email": f"p{i}@example.test"}, token="wrong")[0] for i in range(3)]
        status, payload, response = running.post({"email": "p9@example.test"})
        assert codes == [401, 401, 401]
        assert status == 429 and "slow down" in payload["error"]
        assert int(response.getheader("Retry-After")) >= 1
        assert Lead.select().count() == 0, "a limited request is not stored, even with the right token"
        other = running.post({"email": "p8@example.test"}, headers={"X-Forwarded-For": "203.0.113.7"})
        assert other[0] == 202, "behind the proxy on loopback, each real client has its own limit"
    finally:
        running.stop()


def test_rate_limiter_window_slides() -> None:
    limiter = intake_http.RateLimiter(2)
    assert limiter.allow("a", 0.0) is None and limiter.allow("a", 1.0) is None
    assert limiter.allow("a", 2.0) == pytest.approx(58.0)
    assert limiter.allow("b", 2.0) is None, "clients are counted apart"
    assert limiter.allow("a", 60.5) is None, "the first hit has left the window"
